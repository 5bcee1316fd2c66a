"""Periods, member counts, and logging (and undoing) contacts: the counters themselves.

See the package docstring (``vcpbot.services.kmtm``) for what a period takes and when.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.kmtm import (
    COUNTER_TABLES,
    Category,
    Dimension,
    FollowUp,
    KmtmMembers,
    KmtmPeriod,
    Relation,
)
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.services.kmtm._types import LoggedContact, MemberCount, PeriodStatus, PeriodView
from vcpbot.services.network import require_in_network

__all__ = [
    "Category",
    "Dimension",
    "FollowUp",
    "LoggedContact",
    "MemberCount",
    "PeriodStatus",
    "PeriodView",
    "Relation",
    "close_period",
    "create_period",
    "list_periods",
    "log_contact",
    "open_period_on",
    "parse_choice",
    "period_by_name",
    "set_member_count",
    "undo_contact",
]

PERIOD_NAME_MAX = 60
MEMBERS_MAX = 100_000

E = TypeVar("E", bound=StrEnum)


def parse_choice(kind: type[E], value: str | E) -> E:
    """One of a fixed list (a category, relation, follow-up or breakdown), or a clear error."""
    try:
        return kind(str(value).strip().lower().replace("-", "_"))
    except ValueError:
        raise InvalidInput("kmtm.error.bad_choice", value=str(value)[:50]) from None


def _view(row: KmtmPeriod) -> PeriodView:
    return PeriodView(
        id=row.id,
        name=row.name,
        start_date=row.start_date,
        end_date=row.end_date,
        closed_on=row.closed_on,
    )


def _today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


# --- periods -----------------------------------------------------------------


async def _period_row(session: AsyncSession, name: str) -> KmtmPeriod | None:
    wanted = " ".join(name.split()).casefold()
    rows = (await session.scalars(select(KmtmPeriod))).all()
    return next((row for row in rows if row.name.casefold() == wanted), None)


async def period_by_name(session: AsyncSession, *, name: str) -> PeriodView:
    """The KMTM period with this name.

    Raises NotFound when there is none.
    """
    row = await _period_row(session, name)
    if row is None:
        raise NotFound("kmtm.error.unknown_period", name=name.strip()[:PERIOD_NAME_MAX])
    return _view(row)


async def create_period(
    session: AsyncSession, *, name: str, start_date: date, end_date: date
) -> PeriodView:
    """A new period; its dates (both inclusive) may not overlap another period's."""
    name = " ".join(name.split())
    if not name or len(name) > PERIOD_NAME_MAX:
        raise InvalidInput("kmtm.error.bad_period_name", limit=PERIOD_NAME_MAX)
    if start_date > end_date:
        raise InvalidInput("kmtm.error.bad_dates", start=start_date, end=end_date)
    if session.get_bind().dialect.name == "postgresql":
        # Two coordinators creating overlapping periods at once: the second waits
        # and then sees the first. (SQLite's BEGIN IMMEDIATE already serialises.)
        await session.execute(text("LOCK TABLE kmtm_periods IN SHARE ROW EXCLUSIVE MODE"))
    if await _period_row(session, name) is not None:
        raise Conflict("kmtm.error.period_exists", name=name)
    clash = await session.scalar(
        select(KmtmPeriod)
        .where(KmtmPeriod.start_date <= end_date, KmtmPeriod.end_date >= start_date)
        .order_by(KmtmPeriod.start_date)
        .limit(1)
    )
    if clash is not None:
        raise Conflict(
            "kmtm.error.period_overlap",
            name=clash.name,
            start=clash.start_date,
            end=clash.end_date,
        )
    row = KmtmPeriod(name=name, start_date=start_date, end_date=end_date, closed_on=None)
    session.add(row)
    await session.flush()
    return _view(row)


async def close_period(
    session: AsyncSession, *, name: str, now: datetime, zone: ZoneInfo
) -> PeriodView:
    """Stop logging (and undoing) for good; reports become available."""
    row = await _period_row(session, name)
    if row is None:
        raise NotFound("kmtm.error.unknown_period", name=name.strip()[:PERIOD_NAME_MAX])
    if row.closed_on is not None:
        raise Conflict("kmtm.error.period_already_closed", name=row.name, date=row.closed_on)
    row.closed_on = _today(now, zone)
    await session.flush()
    return _view(row)


async def list_periods(session: AsyncSession) -> list[PeriodView]:
    """Newest first."""
    rows = await session.scalars(select(KmtmPeriod).order_by(KmtmPeriod.start_date.desc()))
    return [_view(row) for row in rows]


def _taking_contacts(day: date, grace_days: int) -> tuple[ColumnElement[bool], ...]:
    """Started, not closed, and on ``day`` within its dates or its grace window."""
    return (
        KmtmPeriod.start_date <= day,
        KmtmPeriod.end_date >= day - timedelta(days=grace_days),
        KmtmPeriod.closed_on.is_(None),
    )


async def open_period_on(
    session: AsyncSession, *, day: date, grace_days: int = 0, lock: bool = False
) -> PeriodView | None:
    """The period that takes new contacts on ``day``, not closed: the one whose dates
    hold ``day``, or else one that ended at most ``grace_days`` before.

    Periods never overlap, so the latest started is the one running today when
    there is one; a period in its grace window does not take a new period's days.
    ``lock`` holds a shared lock on it until the transaction ends, so closing the
    period waits for contacts being logged, and a contact logged after the close
    finds no open period (PostgreSQL; SQLite has one writer at a time anyway).
    """
    query = (
        select(KmtmPeriod)
        .where(*_taking_contacts(day, grace_days))
        .order_by(KmtmPeriod.start_date.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update(read=True)
    row = await session.scalar(query)
    return None if row is None else _view(row)


async def _period_taking(
    session: AsyncSession, *, period_id: int, day: date, grace_days: int
) -> PeriodView:
    """The period a form was opened for, if it still takes contacts (locked as above)."""
    row = await session.scalar(
        select(KmtmPeriod)
        .where(KmtmPeriod.id == period_id, *_taking_contacts(day, grace_days))
        .with_for_update(read=True)
    )
    if row is None:
        named = await session.get(KmtmPeriod, period_id)
        raise NotAllowed(
            "kmtm.error.period_not_taking", name=named.name if named else str(period_id)
        )
    return _view(row)


# --- member counts -----------------------------------------------------------


async def set_member_count(
    session: AsyncSession, *, guild_id: int, period_name: str, members: int
) -> MemberCount:
    """An association's member count for a period (replaces an earlier one)."""
    if isinstance(members, bool) or not isinstance(members, int) or not 0 < members <= MEMBERS_MAX:
        raise InvalidInput("kmtm.error.bad_members", limit=MEMBERS_MAX)
    association = await require_in_network(session, guild_id=guild_id)
    period = await period_by_name(session, name=period_name)
    row = await session.get(KmtmMembers, (period.id, association.id))
    if row is None:
        session.add(
            KmtmMembers(period_id=period.id, association_id=association.id, members=members)
        )
    else:
        row.members = members
    await session.flush()
    return MemberCount(period_name=period.name, association_name=association.name, members=members)


# --- logging -----------------------------------------------------------------


async def log_contact(
    session: AsyncSession,
    *,
    guild_id: int,
    category: Category | str,
    relation: Relation | str,
    follow_up: FollowUp | str,
    now: datetime,
    zone: ZoneInfo,
    grace_days: int = 0,
    period_id: int | None = None,
) -> LoggedContact:
    """Add one contact to the three counters of this association in the open period.

    ``period_id`` is the period the VCP's form named: the contact counts there if that
    period still takes contacts (its days or grace window, not closed), and nowhere
    else. Without it, the period taking contacts today.

    Each counter is one ``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1``,
    so contacts logged at the same moment by different VCPs all count.
    """
    chosen = (
        parse_choice(Category, category),
        parse_choice(Relation, relation),
        parse_choice(FollowUp, follow_up),
    )
    association = await require_in_network(session, guild_id=guild_id)
    today = _today(now, zone)
    if period_id is not None:
        period = await _period_taking(
            session, period_id=period_id, day=today, grace_days=grace_days
        )
    else:
        found = await open_period_on(session, day=today, grace_days=grace_days, lock=True)
        if found is None:
            raise NotAllowed("kmtm.error.no_open_period", date=today)
        period = found
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for dimension, value in zip(COUNTER_TABLES, chosen, strict=True):
        table = COUNTER_TABLES[dimension]
        statement = insert(table).values(
            period_id=period.id, association_id=association.id, value=value.value, count=1
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["period_id", "association_id", "value"],
                set_={"count": table.count + 1},
            )
        )
    return LoggedContact(
        period_id=period.id,
        period_name=period.name,
        association_id=association.id,
        category=chosen[0],
        relation=chosen[1],
        follow_up=chosen[2],
    )


async def undo_contact(
    session: AsyncSession,
    *,
    period_id: int,
    association_id: int,
    category: Category | str,
    relation: Relation | str,
    follow_up: FollowUp | str,
) -> None:
    """Take one logged contact back: all three counters go down by 1, or none does.

    The caller holds the undo token (``kmtm_undo.UndoBook``); the database has no
    way to tell which contact was logged when. A counter that reaches zero is
    deleted, so nothing shows that a mistake was made.
    """
    chosen = (
        parse_choice(Category, category),
        parse_choice(Relation, relation),
        parse_choice(FollowUp, follow_up),
    )
    period = await session.get(KmtmPeriod, period_id, with_for_update=True)
    if period is None:
        raise NotFound("kmtm.error.unknown_period", name=str(period_id))
    if period.closed_on is not None:
        raise Conflict("kmtm.error.undo_closed", name=period.name)
    keys = []
    for dimension, value in zip(COUNTER_TABLES, chosen, strict=True):
        table = COUNTER_TABLES[dimension]
        where = (
            table.period_id == period_id,
            table.association_id == association_id,
            table.value == value.value,
        )
        current = await session.scalar(select(table.count).where(*where).with_for_update())
        if not current:
            raise Conflict("kmtm.error.nothing_to_undo")
        keys.append((table, where))
    for table, where in keys:
        await session.execute(update(table).where(*where).values(count=table.count - 1))
        await session.execute(delete(table).where(*where, table.count == 0))
