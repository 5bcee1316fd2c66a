"""Training records: who completed which training, when, and when it should be refreshed.

A record is written when the coordinator marks a training session's attendance
(``vcpbot.services.intervisie._training``), one per person and session. The
reminders that a training is due are claimed in ``training_notices`` before the DM
is sent: the unique (record, stage) pair makes each reminder go out at most once,
and the leader's catch-up after a restart sends what fell due while it was down.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import USER_ID_INFO, Base


class TrainingRecord(Base):
    """One person completed one training (a session of kind "training")."""

    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True, info=USER_ID_INFO)
    topic: Mapped[str] = mapped_column(String(100))
    # The session it was completed in; NULL once that session is gone.
    session_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("intervisie_sessions.id", ondelete="SET NULL"), index=True
    )
    completed_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime]


class TrainingNotice(Base):
    """A reminder that a record is due: "soon" (before it expires) or "expired"."""

    __tablename__ = "training_notices"
    __table_args__ = (
        CheckConstraint("stage IN ('soon', 'expired')", name="stage"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('sent', 'skipped', 'unreachable')", name="outcome"
        ),
        UniqueConstraint("record_id", "stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("training_records.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(8))
    claimed_at: Mapped[datetime]
    # NULL while the DM is being sent (or if the process stopped in between).
    outcome: Mapped[str | None] = mapped_column(String(12))
