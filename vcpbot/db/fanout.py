"""Intervisie invitations waiting to be sent: one fan-out per plan, one delivery per person.

The plan's own transaction writes a fan-out and, per invitee, one pending delivery
linked to that person's new invitations; the leading process sends them later,
within Discord's rate limits (``vcpbot.services.intervisie._fanout``). A delivery is
claimed with a lease before its DM and marked after it, as reminders are, so each
person gets their invitation once, also across a restart or a change of leader.
No Discord id is kept here: the person is the one on the linked invitations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import Base


class DeliveryOutcome:
    SENT = "sent"
    # Discord refused the DM for good: DMs closed, or no server shared any more.
    UNREACHABLE = "unreachable"
    # Nobody to send it to: the person had their data erased before it went.
    SKIPPED = "skipped"


class IntervisieFanout(Base):
    """The invitations of one plan (a session, a series, or people added later)."""

    __tablename__ = "intervisie_fanouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The first session it invites to: what the coordinator's progress is about.
    session_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("intervisie_sessions.id", ondelete="CASCADE"), index=True
    )
    # Set when it invites to every date of a new series: the DM then describes the series.
    series_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("intervisie_series.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(index=True)


class IntervisieDelivery(Base):
    """One person's invitation DM of a fan-out; ``outcome`` NULL means still to be sent.

    While ``outcome`` is NULL, ``claimed_at`` says a process took it to send; once
    ``lease_until`` has passed without an outcome, the send is in doubt and the next
    claimer looks for the DM (its buttons carry the invitations' tokens) first.
    """

    __tablename__ = "intervisie_deliveries"
    __table_args__ = (
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('sent', 'unreachable', 'skipped')", name="outcome"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fanout_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_fanouts.id", ondelete="CASCADE"), index=True
    )
    claimed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12), index=True)
    sent_at: Mapped[datetime | None]


class IntervisieDeliveryItem(Base):
    """Which invitations one delivery carries (a series: every date in one DM)."""

    __tablename__ = "intervisie_delivery_items"

    delivery_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    invitation_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("intervisie_invitations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
