"""Retention, key rotation and the daily upkeep of anonymous escalation.

Closed cases are destroyed after ``retention_days``: the case row with its
wrapped key, its sealed messages, its outbox rows and the record of what the bot
posted about it. Without the wrapped key any copy of the ciphertext (a backup, an
old WAL frame) is inert. In the same transaction every message the bot posted
about the case (cards, nudges, pattern notices) is queued for deletion from
Discord, through the outbox, so it is retried and survives a crash or a new
leader. A pattern notice names several cases: it goes when the first of them is
destroyed. What stays is the count added when the case closed
(``escalation_counts``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.crypto import EscalationKeys, semester_of
from vcpbot.db import Database
from vcpbot.db.dml import execute_dml
from vcpbot.db.escalation import (
    Block,
    Case,
    CaseCount,
    CaseMessage,
    Counter,
    DeskEntry,
    Evidence,
    OutboxItem,
    OutboxKind,
    Post,
)
from vcpbot.db.sqlite import sqlite_outside_transaction
from vcpbot.services.escalation._core import enqueue, local_day
from vcpbot.services.escalation._posts import posts_of, seal_legacy_posts
from vcpbot.services.escalation._signals import queue_overdue_nudges, signal_patterns
from vcpbot.services.escalation._types import (
    CountRow,
    EscalationConfig,
    MessageRef,
    PurgeResult,
    RotationResult,
    Upkeep,
)

log = logging.getLogger(__name__)

ROTATION_BATCH = 200


async def purge_expired(
    session: AsyncSession, *, config: EscalationConfig, now: datetime
) -> PurgeResult:
    """Destroy cases closed ``retention_days`` or more days ago (and queue the deletion
    of the bot's messages about them), yesterday's rate counters and blocks from past
    semesters. The keys open the sealed message references; nothing else is read.
    """
    today = local_day(now, config.zone)
    cutoff = today - timedelta(days=config.policy.retention_days)
    if session.get_bind().dialect.name == "sqlite":
        # Zero freed pages, so deleted keys do not linger in the file's free space.
        await session.execute(text("PRAGMA secure_delete=ON"))
    expired = (
        await session.scalars(
            select(Case).where(Case.closed_on.is_not(None), Case.closed_on <= cutoff)
        )
    ).all()
    ids = [case.id for case in expired]
    if ids:
        await _queue_removals(session, config, expired)
        # Explicit, not only by cascade: the promise must not hang on a pragma.
        await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(ids)))
        await session.execute(delete(Evidence).where(Evidence.case_id.in_(ids)))
        await session.execute(delete(DeskEntry).where(DeskEntry.case_id.in_(ids)))
        await session.execute(delete(Post).where(Post.case_id.in_(ids)))
        await session.execute(delete(OutboxItem).where(OutboxItem.case_id.in_(ids)))
        for case in expired:
            # A pattern notice still waiting names other cases' codes too.
            await session.execute(
                delete(OutboxItem).where(
                    OutboxItem.kind == OutboxKind.PATTERN_SIGNAL.value,
                    OutboxItem.payload.contains(f'"{case.code}"'),
                )
            )
        await session.execute(
            delete(Case).where(Case.id.in_(ids)).execution_options(synchronize_session=False)
        )
    counters = await execute_dml(session, delete(Counter).where(Counter.day < today))
    blocks = await execute_dml(session, delete(Block).where(Block.semester < semester_of(today)))
    result = PurgeResult(
        cases=len(ids), counters=counters.rowcount or 0, blocks=blocks.rowcount or 0
    )
    log.info("escalation retention: %d case(s) destroyed", result.cases)
    return result


async def _queue_removals(
    session: AsyncSession, config: EscalationConfig, cases: Sequence[Case]
) -> None:
    """One deletion per message, though a pattern notice is recorded with every case it
    names. The row carries the message itself (the case and its key go now); it lives
    until Discord confirms, and says nothing of the case."""
    queued: set[MessageRef] = set()
    for case in cases:
        for post in await posts_of(session, config, case):
            if post.ref in queued:
                continue
            queued.add(post.ref)
            enqueue(
                session,
                kind=OutboxKind.MESSAGE_DELETE,
                place=post.place,
                payload={"channel_id": post.ref.channel_id, "message_id": post.ref.message_id},
            )
    await session.flush()


async def compact_sqlite(db: Database) -> None:
    """After a purge has committed: fold the WAL into the file and truncate it, so
    old page images of destroyed cases do not wait in the WAL for the next checkpoint.
    """
    if db.is_sqlite:
        await sqlite_outside_transaction(db, "PRAGMA wal_checkpoint(TRUNCATE)")


async def rotate_keys(session: AsyncSession, *, keys: EscalationKeys) -> RotationResult:
    """Re-wrap every case's data key under the newest master key.

    Content is untouched (it stays under its case's data key); afterwards the
    older master keys can be removed from the settings.
    """
    master = keys.master
    current = master.current_version
    rewrapped = 0
    while True:
        batch = (
            await session.scalars(
                select(Case)
                .where(Case.key_version != current)
                .order_by(Case.id)
                .limit(ROTATION_BATCH)
                .with_for_update()
            )
        ).all()
        if not batch:
            break
        for case in batch:
            key = master.unwrap(case.wrapped_key, case_id=case.id, version=case.key_version)
            case.wrapped_key, case.key_version = master.wrap(key, case_id=case.id)
        rewrapped += len(batch)
        await session.flush()
    return RotationResult(
        rewrapped=rewrapped,
        current_version=current,
        versions_in_use=await key_versions_in_use(session),
    )


async def key_versions_in_use(session: AsyncSession) -> tuple[int, ...]:
    """The key versions that still wrap a stored case's key, oldest first (after a rotation,
    the old ones left are the ones that may not be retired yet)."""
    rows = await session.scalars(select(Case.key_version).distinct().order_by(Case.key_version))
    return tuple(rows.all())


async def daily_upkeep(session: AsyncSession, *, config: EscalationConfig, now: datetime) -> Upkeep:
    """The scheduled job: purge, nudge overdue cases, look for patterns again
    (a case can leave the window, and reporters' replies do not start one).
    Run ``queue_overdue_nudges`` more often than daily for the urgent clock.
    """
    await seal_legacy_posts(session, config=config)
    purged = await purge_expired(session, config=config, now=now)
    nudged = await queue_overdue_nudges(session, config=config, now=now)
    patterns = await signal_patterns(session, config=config, now=now)
    return Upkeep(purged=purged, nudged=tuple(nudged), patterns=len(patterns))


async def case_counts(session: AsyncSession) -> list[CountRow]:
    """The aggregate that outlives cases, for reports (apply suppression before showing)."""
    rows = await session.scalars(
        select(CaseCount)
        .where(CaseCount.count > 0)  # a reopened case leaves a row at 0 (``count_closed``)
        .order_by(
            CaseCount.period,
            CaseCount.route,
            CaseCount.category,
            CaseCount.urgency,
            CaseCount.outcome,
        )
    )
    return [
        CountRow(r.period, r.route, r.category, r.urgency, r.outcome, r.count) for r in rows.all()
    ]


async def open_case_total(session: AsyncSession) -> int:
    return (
        await session.scalar(select(func.count()).select_from(Case).where(Case.closed_on.is_(None)))
        or 0
    )
