"""The rules library: documents with a draft, immutable published versions, acknowledgements.

Keyed by the guild id alone, so the library does not depend on how other
features model associations. Templates are documents in the hub guild with
``is_template`` set; an association adopts one by copying it into its draft.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vcpbot.db.base import USER_ID_INFO, Base

CHANGE_NOTE_MAX = 500


class RulesKind(StrEnum):
    CODE_OF_CONDUCT = "code_of_conduct"
    HOUSE_RULES = "house_rules"


class RulesDocument(Base):
    """One document of a guild: its working draft per language and its settings."""

    __tablename__ = "rules_documents"
    __table_args__ = (
        UniqueConstraint("guild_id", "kind", "is_template"),
        CheckConstraint("kind IN ('code_of_conduct', 'house_rules')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    is_template: Mapped[bool]
    # Canonical Markdown (see rules_text.render); NULL when the language has no text.
    draft_nl: Mapped[str | None] = mapped_column(Text)
    draft_en: Mapped[str | None] = mapped_column(Text)
    draft_updated_at: Mapped[datetime | None]
    ack_enabled: Mapped[bool]
    ack_role_id: Mapped[int | None]
    created_at: Mapped[datetime]

    versions: Mapped[list[RulesVersion]] = relationship(
        back_populates="document",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RulesVersion.number",
    )
    messages: Mapped[list[RulesMessage]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RulesMessage.position",
    )


class RulesVersion(Base):
    """A published version. Never updated, except to erase its author on request."""

    __tablename__ = "rules_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("rules_documents.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    text_nl: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(info=USER_ID_INFO)
    published_at: Mapped[datetime]
    change_note: Mapped[str] = mapped_column(String(CHANGE_NOTE_MAX))
    requires_reack: Mapped[bool]

    document: Mapped[RulesDocument] = relationship(back_populates="versions", lazy="raise")


@event.listens_for(RulesVersion, "before_update")
def _versions_are_immutable(_mapper: Any, _connection: Any, target: RulesVersion) -> None:
    # The privacy eraser anonymises authors with a bulk UPDATE, which bypasses this.
    raise RuntimeError(f"rules version {target.number} is immutable; publish a new one")


class RulesAcknowledgement(Base):
    """A member read and accepted one version of a document."""

    __tablename__ = "rules_acknowledgements"
    __table_args__ = (
        ForeignKeyConstraint(
            ["document_id", "version_number"],
            ["rules_versions.document_id", "rules_versions.number"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("document_id", "user_id", "version_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer)
    version_number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(index=True, info=USER_ID_INFO)
    acknowledged_at: Mapped[datetime]


class RulesMessage(Base):
    """The messages that show a published document in the rules channel, in order.

    Kept so that publishing again edits these messages instead of posting new ones.
    """

    __tablename__ = "rules_messages"

    document_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("rules_documents.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int]
    message_id: Mapped[int]
