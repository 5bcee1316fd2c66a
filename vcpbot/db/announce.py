"""Announcements the coordinator sends to the network, and their delivery per association.

One ``announcements`` row per announcement sent (a draft is never stored), and one
``announcement_deliveries`` row per association it was meant for: the outbox the
leading process works through, and afterwards the delivery report. No row holds a
Discord user id: an announcement is the coordinator role's, not a person's.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import Base


class DeliveryState(StrEnum):
    PENDING = "pending"  # in the outbox
    DELIVERED = "delivered"
    FAILED = "failed"  # Discord refused it for good; ``reason`` says why
    OPTED_OUT = "opted_out"  # never sent: the board opted out
    NO_CHANNEL = "no_channel"  # never sent: the board chose no channel


class FailReason(StrEnum):
    CHANNEL_GONE = "channel_gone"
    NO_PERMISSION = "no_permission"
    REFUSED = "refused"


class Announcement(Base):
    """What the coordinator wrote, in both languages."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    text_nl: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(index=True)


class AnnouncementDelivery(Base):
    """One announcement for one association: where and how it goes, and how it went.

    Channel, role and language are taken when the coordinator presses Send, so a board
    changing them meanwhile does not split one delivery over two channels. ``delivery_key``
    is put into the posted message: a worker that finds a row claimed before looks for it
    there first, so a crash between posting and marking never posts twice.
    """

    __tablename__ = "announcement_deliveries"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'delivered', 'failed', 'opted_out', 'no_channel')",
            name="state",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    association_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(String(16))
    channel_id: Mapped[int | None]
    role_id: Mapped[int | None]
    locale: Mapped[str] = mapped_column(String(2))
    delivery_key: Mapped[str] = mapped_column(String(32), unique=True)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None]
