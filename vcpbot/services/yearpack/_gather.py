"""Gathering the year's pack: the registry and rules at the year's end, intervisie
attendance through its ledger, KMTM through KMTM's ledger, the cases through theirs.

**Network size and rules coverage** count associations and VCPs, not people in a
vulnerable moment, so they are shown as they are. They are read "at the year's end"
from the registry as it stands now: associations approved by then and still
approved, VCPs registered by then and still registered (the registry keeps no
history of who left), and documents published by then.

**Attendance counts people**: the invitations of the sessions held in the year
(attended, not attended, and not recorded when there are any) are one table
protected as KMTM protects its tables (``vcpbot.services.disclosure``: small cells
hidden, then secondary suppression; each association is a contributor) and
recorded in ``year_releases`` the first time, so every later pack shows the same
numbers. Never per person.

**Trained VCPs**: those registered at the year's end whose training (any topic) was
current then (``trained_vcps``), as readiness counts them today.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession, SessionStatus
from vcpbot.db.network import Association, AssociationStatus, Vcp
from vcpbot.db.rules import RulesDocument, RulesKind, RulesVersion
from vcpbot.db.training import TrainingRecord
from vcpbot.db.yearpack import YearRelease
from vcpbot.errors import InvalidInput
from vcpbot.services import escalation, kmtm
from vcpbot.services.disclosure import Cell, Marker, Rule, protect
from vcpbot.services.yearpack._types import (
    Attendance,
    KmtmPeriodPack,
    NetworkSize,
    Part,
    RulesCoverage,
    YearPack,
)

FIRST_YEAR = 2020
# The cells of the attendance table, in the order they are shown.
ATTENDANCE_CELLS = ("attended", "absent", "not_recorded")


async def year_pack(
    session: AsyncSession,
    *,
    year: int,
    k: int,
    min_contributors: int = 3,
    round_to_5: bool = False,
    now: datetime,
    zone: ZoneInfo,
) -> YearPack:
    """The year's figures for the annual report; releases what was not released yet.

    Raises InvalidInput for a year that is not over yet (as ``/cases report``) or a k
    below the minimum.
    """
    today = now.astimezone(zone).date()
    if not FIRST_YEAR <= year < today.year:
        raise InvalidInput("casereport.error.year_not_over", year=year, current=today.year)
    cases = await escalation.year_figures(
        session,
        year=year,
        k=k,
        min_contributors=min_contributors,
        round_to_5=round_to_5,
        now=now,
        zone=zone,
    )
    start, end = _bounds(year, zone)
    rule = Rule(k=k, min_contributors=min_contributors, round_to_5=round_to_5)
    periods = await kmtm.released_in_year(session, year=year)
    ids = await _associations(session, end)
    return YearPack(
        year=year,
        network=NetworkSize(
            associations=len(ids),
            vcps=await _vcps(session, ids, end),
            trained_vcps=await trained_vcps(session, year=year, zone=zone),
        ),
        coverage=await _coverage(session, ids, end),
        attendance=await _attendance(session, year, start, end, rule, today),
        kmtm=tuple(KmtmPeriodPack(period, reports) for period, reports in periods),
        cases=cases,
    )


async def trained_vcps(session: AsyncSession, *, year: int, zone: ZoneInfo) -> int | None:
    """How many VCPs registered at the end of ``year`` (in associations approved then and
    still) held a training then: completed before the year's end, not yet expired at it.
    Any topic counts, as in readiness. (None would read "not tracked yet".)"""
    _, end = _bounds(year, zone)
    ids = await _associations(session, end)
    if not ids:
        return 0
    current = select(TrainingRecord.user_id).where(
        TrainingRecord.completed_at < end, TrainingRecord.expires_at > end
    )
    found = await session.scalar(
        select(func.count(func.distinct(Vcp.user_id))).where(
            Vcp.association_id.in_(ids), Vcp.added_at < end, Vcp.user_id.in_(current)
        )
    )
    return int(found or 0)


def _bounds(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The year's first moment and the next year's first moment, in the deployment's zone."""
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


# --- the network at the year's end ------------------------------------------


async def _associations(session: AsyncSession, end: datetime) -> dict[int, int]:
    """Association id -> guild id, of those approved by ``end`` and approved still."""
    rows = await session.execute(
        select(Association.id, Association.guild_id).where(
            Association.status == AssociationStatus.APPROVED,
            (Association.decided_at.is_(None)) | (Association.decided_at < end),
        )
    )
    return {row.id: row.guild_id for row in rows}


async def _vcps(session: AsyncSession, ids: dict[int, int], end: datetime) -> int:
    if not ids:
        return 0
    found = await session.scalar(
        select(func.count()).where(Vcp.association_id.in_(ids), Vcp.added_at < end)
    )
    return int(found or 0)


async def _coverage(session: AsyncSession, ids: dict[int, int], end: datetime) -> RulesCoverage:
    published: dict[RulesKind, set[int]] = {}
    for kind in (RulesKind.CODE_OF_CONDUCT, RulesKind.HOUSE_RULES):
        guilds = await session.scalars(
            select(RulesDocument.guild_id)
            .join(RulesVersion, RulesVersion.document_id == RulesDocument.id)
            .where(
                RulesDocument.kind == kind,
                RulesDocument.is_template.is_(False),
                RulesVersion.published_at < end,
            )
            .distinct()
        )
        published[kind] = set(guilds.all()) & set(ids.values())
    code, house = published[RulesKind.CODE_OF_CONDUCT], published[RulesKind.HOUSE_RULES]
    return RulesCoverage(
        associations=len(ids),
        code_of_conduct=len(code),
        house_rules=len(house),
        both=len(code & house),
    )


# --- intervisie attendance, through the ledger ---------------------------------


async def _attendance(  # noqa: PLR0917 - the year, its bounds, the rule, the day
    session: AsyncSession, year: int, start: datetime, end: datetime, rule: Rule, today: date
) -> Attendance:
    row = await _recorded(session, year)
    from_ledger = row is not None
    if row is None:
        await _release(session, year, start, end, rule, today)
        row = await _recorded(session, year)
    if row is None:
        raise RuntimeError("the year ledger has no row right after recording one")
    payload = row.payload
    cells = {key: _decode(payload["cells"][key]) for key in ATTENDANCE_CELLS}
    attended, absent = cells["attended"], cells["absent"]
    share = None
    if isinstance(attended, int) and isinstance(absent, int) and attended + absent:
        share = round(100 * attended / (attended + absent))
    return Attendance(
        sessions=int(payload["sessions"]),
        invited=_decode(payload["total"]),
        attended=attended,
        absent=absent,
        not_recorded=cells["not_recorded"],
        share_percent=share,
        k=row.k,
        min_contributors=row.min_contributors,
        rounded=row.rounded,
        released_on=row.released_on,
        from_ledger=from_ledger,
    )


async def _recorded(session: AsyncSession, year: int) -> YearRelease | None:
    return await session.scalar(
        select(YearRelease).where(
            YearRelease.year == year, YearRelease.part == Part.ATTENDANCE.value
        )
    )


async def _release(  # noqa: PLR0917 - the year, its bounds, the rule, the day
    session: AsyncSession, year: int, start: datetime, end: datetime, rule: Rule, today: date
) -> None:
    held = (
        IntervisieSession.status != SessionStatus.CANCELLED,
        IntervisieSession.starts_at >= start,
        IntervisieSession.starts_at < end,
    )
    sessions = int(await session.scalar(select(func.count()).where(*held)) or 0)
    found = await session.execute(
        select(IntervisieInvitation.association_id, IntervisieInvitation.attended, func.count())
        .join(IntervisieSession, IntervisieSession.id == IntervisieInvitation.session_id)
        .where(*held)
        .group_by(IntervisieInvitation.association_id, IntervisieInvitation.attended)
    )
    shares: dict[str, dict[int, int]] = defaultdict(dict)
    for association_id, attended, count in found.all():
        key = {True: "attended", False: "absent", None: "not_recorded"}[attended]
        shares[key][association_id or 0] = int(count)
    # "Not recorded" is a cell only when some attendance was not recorded: a zero there
    # counts no one (every attendance was noted), and as a hidden cell it would hide
    # "not attended" beside it in every fully recorded year.
    keys = [key for key in ATTENDANCE_CELLS if key != "not_recorded" or shares[key]]
    release = protect([Cell(key, sum(shares[key].values()), shares[key]) for key in keys], rule)
    cells = {cell.label: _encode(cell.value) for cell in release.cells}
    payload: dict[str, Any] = {
        "sessions": sessions,
        "cells": {"not_recorded": 0, **cells},
        "total": _encode(release.total),
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(YearRelease)
        .values(
            year=year,
            part=Part.ATTENDANCE.value,
            k=rule.k,
            min_contributors=rule.min_contributors,
            rounded=rule.round_to_5,
            released_on=today,
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=["year", "part"])
    )


def _encode(value: int | Marker) -> int | str:
    return value.value if isinstance(value, Marker) else value


def _decode(value: int | str) -> int | Marker:
    return Marker(value) if isinstance(value, str) else int(value)
