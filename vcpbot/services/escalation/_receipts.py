"""Receipts without holding the database: Argon2 outside every write transaction.

Argon2id is slow on purpose (tens of milliseconds, more under load). On SQLite
every write transaction holds the one write lock, on PostgreSQL a change holds
the case's row lock; hashing inside either made every other interaction wait
(150 wrong guesses held an unrelated write for seconds). So:

- a new receipt is hashed before the case's transaction opens (``prepare_receipt``);
- a receipt someone types is looked up in a read transaction and checked outside
  any (``unlock``); the action that follows runs in a short write transaction,
  which records a miss, or re-reads the case and re-checks that it is the one
  that was verified (``case_of``).

Misses are counted per person per day under a pseudonym of the runtime key.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.crypto import new_receipt, normalise_receipt
from vcpbot.db import Database
from vcpbot.db.escalation import Case, Counter
from vcpbot.errors import NotAllowed
from vcpbot.services.escalation._core import local_day, upsert_add
from vcpbot.services.escalation._types import EscalationConfig, NewReceipt, Unlocked


async def prepare_receipt(config: EscalationConfig) -> NewReceipt:
    """Call outside any transaction: the hash takes a while on purpose."""
    receipt = new_receipt()
    hasher = config.keys.hasher
    return NewReceipt(receipt, await hasher.run(hasher.hash, receipt))


async def count_today(session: AsyncSession, pseudonym: str, kind: str, today: date) -> int:
    count = await session.scalar(
        select(Counter.count).where(
            Counter.pseudonym == pseudonym, Counter.kind == kind, Counter.day == today
        )
    )
    return count or 0


async def _misses_left(session: AsyncSession, config: EscalationConfig, unlocked: Unlocked) -> None:
    """Over the limit, even a right receipt is refused, or the limit would not limit guessing."""
    misses = await count_today(session, unlocked.asker, "miss", unlocked.day)
    if misses >= config.policy.receipt_misses_per_day:
        raise NotAllowed("escalation.error.too_many_attempts")


async def unlock(
    db: Database, *, config: EscalationConfig, receipt: str, user_id: int, now: datetime
) -> Unlocked:
    """Check a receipt: the look-up in a read transaction, Argon2 outside any.

    A malformed receipt raises ``InvalidInput`` (and costs no attempt); too many
    misses today, ``NotAllowed``. Then call the action (``open_case``, ...) in a
    write transaction: it records a miss, or acts on the case.
    """
    canonical = normalise_receipt(receipt)
    today = local_day(now, config.zone)
    unlocked = Unlocked(None, None, user_id, config.runtime.day_pseudonym(user_id, today), today)
    async with db.reading.begin() as session:
        await _misses_left(session, config, unlocked)
        found = (
            await session.execute(
                select(Case.id, Case.receipt_hash).where(
                    Case.receipt_index == config.keys.index.receipt_index(canonical)
                )
            )
        ).first()
    hasher = config.keys.hasher
    if found is None:
        await hasher.run(hasher.verify_nothing, canonical)
    elif await hasher.run(hasher.verify, found.receipt_hash, canonical):
        return Unlocked(found.id, found.receipt_hash, user_id, unlocked.asker, today)
    return unlocked


async def case_of(
    session: AsyncSession, config: EscalationConfig, unlocked: Unlocked
) -> Case | None:
    """The unlocked case, locked for the change; or None after recording a miss.

    A case destroyed between the check and now is simply not found (no miss: the
    receipt was right).
    """
    await _misses_left(session, config, unlocked)
    if unlocked.case_id is None:
        await upsert_add(
            session, Counter, {"pseudonym": unlocked.asker, "kind": "miss", "day": unlocked.day}
        )
        return None
    case = await session.scalar(select(Case).where(Case.id == unlocked.case_id).with_for_update())
    if case is None or case.receipt_hash != unlocked.receipt_hash:
        return None
    return case
