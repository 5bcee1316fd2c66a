"""Intervisie capacity: the most people a session has places for, and its waiting list.

``intervisie_places.taken`` counts the places held: invitees who said Yes and got a
place, and places offered to someone on the waiting list who has not answered the
offer yet. It only changes by conditional ``UPDATE`` (``taken < places``), so two
Yes presses for the last place cannot both get it. A waiting-list row belongs to one
invitation; with ``offer_until`` set, a place is being offered to that person, and
the leader sends them the offer's DM once (``offer_sent_at``;
``vcpbot.services.intervisie._offer_jobs``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import Base


class IntervisiePlaces(Base):
    """The maximum of one session (a session without a row has no maximum)."""

    __tablename__ = "intervisie_places"
    __table_args__ = (
        CheckConstraint("places >= 1", name="places"),
        CheckConstraint("taken >= 0 AND taken <= places", name="taken"),
    )

    session_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("intervisie_sessions.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    places: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)


class IntervisieWaitlist(Base):
    """One invitee waiting for a place, in the order they said Yes (``joined_at``, ``id``)."""

    __tablename__ = "intervisie_waitlist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_sessions.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_invitations.id", ondelete="CASCADE"), unique=True
    )
    joined_at: Mapped[datetime]
    # While a place is offered to them: until when, and the opaque part of the
    # offer's buttons (random, never shown).
    offer_until: Mapped[datetime | None] = mapped_column(index=True)
    offer_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    # When the leader took the offer's DM to send it (once; NULL: still to send).
    offer_sent_at: Mapped[datetime | None]
