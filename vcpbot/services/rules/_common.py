"""Loading documents and versions; shared by the rules service modules."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.rules import (
    RulesAcknowledgement,
    RulesDocument,
    RulesKind,
    RulesMessage,
    RulesVersion,
)
from vcpbot.services.rules import _text as rules_text
from vcpbot.services.rules._text import LANGUAGES
from vcpbot.services.rules._types import (
    AckStatus,
    DocumentInfo,
    Language,
    PublishedMessages,
    RulesText,
    VersionInfo,
)

log = logging.getLogger("vcpbot.services.rules")


def reading_language(locale: str | None) -> Language:
    """Dutch for a Dutch Discord client, English for everyone else."""
    return "nl" if locale and str(locale).lower().split("-")[0] == "nl" else "en"


def draft_text(document: RulesDocument, language: Language) -> str | None:
    return document.draft_nl if language == "nl" else document.draft_en


def set_draft_text(document: RulesDocument, language: Language, text: str | None) -> None:
    if language == "nl":
        document.draft_nl = text
    else:
        document.draft_en = text


def version_text(version: RulesVersion, language: Language) -> str | None:
    return version.text_nl if language == "nl" else version.text_en


def languages_of(nl: str | None, en: str | None) -> tuple[Language, ...]:
    return tuple(lang for lang, text in zip(LANGUAGES, (nl, en), strict=True) if text)


async def find_document(
    session: AsyncSession, guild_id: int, kind: RulesKind, template: bool, *, lock: bool = False
) -> RulesDocument | None:
    query = select(RulesDocument).where(
        RulesDocument.guild_id == guild_id,
        RulesDocument.kind == RulesKind(kind).value,
        RulesDocument.is_template == template,
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def ensure_row(
    session: AsyncSession, guild_id: int, kind: RulesKind, template: bool, now: datetime
) -> RulesDocument:
    """The document, created when missing; safe when two requests create it at once."""
    document = await find_document(session, guild_id, kind, template, lock=True)
    if document is not None:
        return document
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(RulesDocument)
        .values(
            guild_id=guild_id,
            kind=RulesKind(kind).value,
            is_template=template,
            ack_enabled=False,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["guild_id", "kind", "is_template"])
    )
    document = await find_document(session, guild_id, kind, template, lock=True)
    if document is None:
        raise RuntimeError("the rules document vanished right after it was created")
    return document


async def latest_version_of(session: AsyncSession, document_id: int) -> RulesVersion | None:
    query = (
        select(RulesVersion)
        .where(RulesVersion.document_id == document_id)
        .order_by(RulesVersion.number.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def find_version(session: AsyncSession, document_id: int, number: int) -> RulesVersion | None:
    query = select(RulesVersion).where(
        RulesVersion.document_id == document_id, RulesVersion.number == number
    )
    return (await session.execute(query)).scalar_one_or_none()


async def document_info(session: AsyncSession, document: RulesDocument) -> DocumentInfo:
    latest = await latest_version_of(session, document.id)
    drafts = (document.draft_nl, document.draft_en)
    published = (latest.text_nl, latest.text_en) if latest else (None, None)
    return DocumentInfo(
        id=document.id,
        guild_id=document.guild_id,
        kind=RulesKind(document.kind),
        is_template=document.is_template,
        draft_languages=languages_of(*drafts),
        latest_version=latest.number if latest else None,
        has_unpublished_changes=drafts != published,
        ack_enabled=document.ack_enabled,
        ack_role_id=document.ack_role_id,
        draft_updated_at=document.draft_updated_at,
    )


def version_info(version: RulesVersion) -> VersionInfo:
    return VersionInfo(
        number=version.number,
        author_id=version.author_id,
        published_at=version.published_at,
        change_note=version.change_note,
        requires_reack=version.requires_reack,
        languages=languages_of(version.text_nl, version.text_en),
    )


def parsed(text: str | None) -> RulesText | None:
    return rules_text.parse(text, require_articles=False) if text else None


async def messages_of(session: AsyncSession, document_id: int) -> PublishedMessages | None:
    query = (
        select(RulesMessage)
        .where(RulesMessage.document_id == document_id)
        .order_by(RulesMessage.position)
    )
    rows = list((await session.execute(query)).scalars())
    if not rows:
        return None
    return PublishedMessages(rows[0].channel_id, tuple(r.message_id for r in rows))


async def required_version(session: AsyncSession, document_id: int) -> int:
    query = select(func.max(RulesVersion.number)).where(
        RulesVersion.document_id == document_id, RulesVersion.requires_reack.is_(True)
    )
    return (await session.execute(query)).scalar_one_or_none() or 1


async def ack_status_of(
    session: AsyncSession, document: RulesDocument, latest: RulesVersion | None, user_id: int
) -> AckStatus:
    own = None
    if latest is not None:
        query = (
            select(RulesAcknowledgement)
            .where(
                RulesAcknowledgement.document_id == document.id,
                RulesAcknowledgement.user_id == user_id,
            )
            .order_by(RulesAcknowledgement.version_number.desc())
            .limit(1)
        )
        own = (await session.execute(query)).scalar_one_or_none()
    return AckStatus(
        kind=RulesKind(document.kind),
        enabled=document.ack_enabled,
        role_id=document.ack_role_id,
        current_version=latest.number if latest else None,
        required_version=await required_version(session, document.id) if latest else None,
        acknowledged_version=own.version_number if own else None,
        acknowledged_at=own.acknowledged_at if own else None,
    )
