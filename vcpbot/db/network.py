"""The network: the hub's configuration, associations, their VCPs, and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import USER_ID_INFO, Base


class AssociationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class HubConfig(Base):
    """Where the UM team works: one row, for the guild named by ``hub_guild_id``."""

    __tablename__ = "hub_config"

    guild_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    escalations_channel_id: Mapped[int]
    team_role_id: Mapped[int]
    coordinator_role_id: Mapped[int]
    log_channel_id: Mapped[int]
    updated_at: Mapped[datetime]


class Association(Base):
    """A student association's guild, from its join request on.

    Rows are never deleted when the bot leaves: ``present`` turns false and
    comes back when the bot is re-added.
    """

    __tablename__ = "associations"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'suspended')", name="status"
        ),
        CheckConstraint("locale IN ('nl', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(2))
    vcp_role_id: Mapped[int]
    rules_channel_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    # Who asked to join, so the answer can reach them; erased on request.
    requested_by_id: Mapped[int | None] = mapped_column(info=USER_ID_INFO)
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    joined_on: Mapped[date | None] = mapped_column(Date)
    # The opaque part of the Approve/Reject buttons' custom_id.
    request_token: Mapped[str] = mapped_column(String(32), unique=True)
    request_channel_id: Mapped[int | None]
    request_message_id: Mapped[int | None]
    # Where the coordinator's announcements go (/setup-announcements), and the one role
    # they may ping; opted out: none are sent here.
    announcements_channel_id: Mapped[int | None]
    announcements_role_id: Mapped[int | None]
    announcements_opt_out: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class Vcp(Base):
    """A registered VCP of one association; ``listed`` is the VCP's own opt-in for /help."""

    __tablename__ = "vcps"
    __table_args__ = (UniqueConstraint("association_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(index=True, info=USER_ID_INFO)
    display_name: Mapped[str] = mapped_column(String(100))
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime]


class AuditEntry(Base):
    """Who changed the network or a VCP registry, and when. Never about escalations."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(info=USER_ID_INFO)
    action: Mapped[str] = mapped_column(String(40))
    association_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="SET NULL"), index=True
    )
    subject_id: Mapped[int | None] = mapped_column(info=USER_ID_INFO)
    detail: Mapped[str] = mapped_column(String(200), default="")
