"""Acknowledgement: "I have read and accept", re-acknowledgement and counts; erasure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.rules import (
    RulesAcknowledgement,
    RulesKind,
    RulesVersion,
)
from vcpbot.errors import Conflict, NotFound
from vcpbot.services.privacy import eraser
from vcpbot.services.rules._authoring import published_document
from vcpbot.services.rules._common import (
    ack_status_of,
    document_info,
    ensure_row,
    find_document,
    latest_version_of,
    required_version,
)
from vcpbot.services.rules._reading import published
from vcpbot.services.rules._types import (
    AckResult,
    AckStats,
    AckStatus,
    DocumentInfo,
    Published,
    PublishedDocument,
    VersionCount,
)


async def configure_ack(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    enabled: bool,
    role_id: int | None,
    now: datetime,
) -> DocumentInfo:
    """Switch the "I have read and accept" button on or off, and set the role it grants."""
    document = await ensure_row(session, guild_id, kind, False, now)
    document.ack_enabled = enabled
    document.ack_role_id = role_id
    await session.flush()
    return await document_info(session, document)


async def plan_ack(
    session: AsyncSession, *, guild_id: int, kind: RulesKind, enabled: bool, role_id: int | None
) -> PublishedDocument | None:
    """The published document as it will look with acknowledgement switched (read only),
    for the rules channel before ``configure_ack`` saves the switch; None when nothing is
    published."""
    try:
        document = await published_document(session, guild_id=guild_id, kind=kind)
    except NotFound:
        return None
    switched = replace(document.document, ack_enabled=enabled, ack_role_id=role_id)
    return replace(document, document=switched)


async def ack_status(
    session: AsyncSession, *, guild_id: int, kind: RulesKind, user_id: int
) -> AckStatus:
    """Whether the member has acknowledged the latest version of the document.

    Raises NotFound when the guild has not published it.
    """
    document = await find_document(session, guild_id, kind, False)
    if document is None:
        raise NotFound("rules.error.not_published")
    latest = await latest_version_of(session, document.id)
    return await ack_status_of(session, document, latest, user_id)


async def acknowledge(
    session: AsyncSession, *, guild_id: int, kind: RulesKind, user_id: int, now: datetime
) -> AckResult:
    """Record that the member accepts the latest version; pressing twice records once."""
    document = acknowledgeable(await published(session, guild_id=guild_id), kind)
    return await acknowledge_published(session, document=document, user_id=user_id, now=now)


def acknowledgeable(documents: tuple[Published, ...], kind: RulesKind) -> Published:
    """The published document of ``kind``, when it asks members to accept it."""
    document = next((d for d in documents if d.kind == RulesKind(kind)), None)
    if document is None:
        raise NotFound("rules.error.not_published")
    if not document.ack_enabled:
        raise Conflict("rules.error.ack_disabled")
    return document


async def acknowledge_published(
    session: AsyncSession, *, document: Published, user_id: int, now: datetime
) -> AckResult:
    """``acknowledge`` for a document already read (``published``): its version as shown."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(RulesAcknowledgement)
        .values(
            document_id=document.document_id,
            version_number=document.number,
            user_id=user_id,
            acknowledged_at=now,
        )
        .on_conflict_do_nothing(index_elements=["document_id", "user_id", "version_number"])
    )
    recorded = bool(getattr(result, "rowcount", 0))
    query = select(RulesAcknowledgement.acknowledged_at).where(
        RulesAcknowledgement.document_id == document.document_id,
        RulesAcknowledgement.user_id == user_id,
        RulesAcknowledgement.version_number == document.number,
    )
    return AckResult(
        kind=document.kind,
        version=document.number,
        recorded=recorded,
        acknowledged_at=(await session.execute(query)).scalar_one(),
        role_id=document.ack_role_id,
    )


async def ack_stats(session: AsyncSession, *, guild_id: int, kind: RulesKind) -> AckStats:
    """How many members acknowledged each version: numbers only, never who."""
    document = await find_document(session, guild_id, kind, False)
    if document is None:
        raise NotFound("rules.error.not_published")
    latest = await latest_version_of(session, document.id)
    counted = dict(
        (
            await session.execute(
                select(RulesAcknowledgement.version_number, func.count())
                .where(RulesAcknowledgement.document_id == document.id)
                .group_by(RulesAcknowledgement.version_number)
            )
        ).all()
    )
    required = await required_version(session, document.id) if latest else None
    up_to_date = 0
    if required is not None:
        up_to_date = (
            await session.execute(
                select(func.count(func.distinct(RulesAcknowledgement.user_id))).where(
                    RulesAcknowledgement.document_id == document.id,
                    RulesAcknowledgement.version_number >= required,
                )
            )
        ).scalar_one()
    numbers = range(latest.number, 0, -1) if latest else range(0)
    return AckStats(
        kind=RulesKind(document.kind),
        enabled=document.ack_enabled,
        current_version=latest.number if latest else None,
        required_version=required,
        up_to_date=up_to_date,
        counts=tuple(VersionCount(n, counted.get(n, 0)) for n in numbers),
    )


@eraser("rules", "rules_acknowledgements", "rules_versions")
async def erase_rules_data(session: AsyncSession, user_id: int) -> list[str]:
    """Delete the member's acknowledgements; versions they published lose their author."""
    removed = []
    acks = await session.execute(
        delete(RulesAcknowledgement).where(RulesAcknowledgement.user_id == user_id)
    )
    if getattr(acks, "rowcount", 0):
        removed.append("privacy.removed.rules_acknowledgements")
    authored = await session.execute(
        update(RulesVersion)
        .where(RulesVersion.author_id == user_id)
        .values(author_id=None)
        .execution_options(synchronize_session=False)
    )
    if getattr(authored, "rowcount", 0):
        removed.append("privacy.removed.rules_authorship")
    return removed
