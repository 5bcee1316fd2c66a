"""Intervisie date polls: the options a coordinator offers, who is asked, and their answers.

A poll lives until it is turned into a session (then it is deleted with every
answer: the session's invitations take over) or, never turned into one, until
``DELETE_AFTER`` past its deadline (the daily upkeep deletes it). Answers are
confidential like attendance: only the coordinator sees names.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import USER_ID_INFO, Base


class IntervisiePoll(Base):
    """One date poll: what the session will be, and until when people can answer."""

    __tablename__ = "intervisie_polls"
    __table_args__ = (
        CheckConstraint("location_kind IN ('room', 'online')", name="location_kind"),
        CheckConstraint("duration_minutes > 0", name="duration"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    zone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location_kind: Mapped[str] = mapped_column(String(8))
    location: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[datetime] = mapped_column(index=True)
    # When those who have not answered every option get one reminder DM.
    remind_at: Mapped[datetime]
    created_at: Mapped[datetime]


class IntervisiePollOption(Base):
    """One date and time on offer; ``position`` 1.. as the coordinator typed them."""

    __tablename__ = "intervisie_poll_options"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_polls.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]


class IntervisiePollInvitee(Base):
    """One person asked, with the state of their one reminder (claimed with a lease
    and settled like a session reminder, so it goes out exactly once)."""

    __tablename__ = "intervisie_poll_invitees"
    __table_args__ = (
        CheckConstraint(
            "reminder_outcome IS NULL OR reminder_outcome IN ('sent', 'skipped', 'unreachable')",
            name="reminder_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_polls.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(index=True, info=USER_ID_INFO)
    association_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="SET NULL")
    )
    # The opaque part of the DM's buttons; how a later process recognises its reminder.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    dm_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_claimed_at: Mapped[datetime | None]
    reminder_lease_until: Mapped[datetime | None]
    reminder_outcome: Mapped[str | None] = mapped_column(String(12))


class IntervisiePollAnswer(Base):
    """One person's answer to one option: yes, maybe (if need be) or no."""

    __tablename__ = "intervisie_poll_answers"
    __table_args__ = (CheckConstraint("answer IN ('yes', 'maybe', 'no')", name="answer"),)

    invitee_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_poll_invitees.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_poll_options.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime]
