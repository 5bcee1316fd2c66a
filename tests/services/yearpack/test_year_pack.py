"""The year in one pack on SQLite and PostgreSQL: the network and its rules at the year's
end, intervisie attendance protected as KMTM protects small cells and released once, KMTM's
periods exactly as released (or "not released"), and the same case figures as /cases report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.services.readiness.test_readiness import _join
from vcpbot.db import Database
from vcpbot.db.escalation import CaseCount
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession
from vcpbot.db.kmtm import KmtmByCategory, KmtmByFollowUp, KmtmByRelation, KmtmRelease
from vcpbot.db.training import TrainingRecord
from vcpbot.errors import InvalidInput
from vcpbot.services import escalation, kmtm, network, rules, yearpack
from vcpbot.services.disclosure import Marker
from vcpbot.services.rules import RulesKind

ZONE = ZoneInfo("Europe/Amsterdam")
IN_2026 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
IN_2027 = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
NOW = datetime(2027, 1, 20, 9, 0, tzinfo=UTC)
BOARD = 2
TEXT = "# Gedragscode\n\nZo gaan we met elkaar om.\n\n## 1. Respect\n\nWees respectvol.\n"


async def _pack(db: Database, year: int = 2026, *, k: int = 5, now: datetime = NOW):
    async with db.sessions.begin() as session:
        return await yearpack.year_pack(session, year=year, k=k, now=now, zone=ZONE)


async def _vcp(db: Database, guild_id: int, user_id: int, at: datetime) -> None:
    async with db.sessions.begin() as session:
        await network.add_vcp(
            session, guild_id=guild_id, user_id=user_id, display_name="Sam", actor_id=BOARD, now=at
        )


async def _trained(db: Database, user_id: int, completed: datetime, expires: datetime) -> None:
    async with db.sessions.begin() as session:
        session.add(
            TrainingRecord(
                user_id=user_id,
                topic="Basistraining VCP",
                completed_at=completed,
                expires_at=expires,
                recorded_at=completed,
            )
        )


async def _publish(db: Database, guild_id: int, kind: RulesKind, at: datetime) -> None:
    async with db.sessions.begin() as session:
        await rules.save_draft(
            session, guild_id=guild_id, kind=kind, language="nl", text=TEXT, now=at
        )
        await rules.publish(
            session,
            guild_id=guild_id,
            kind=kind,
            author_id=BOARD,
            change_note="eerste versie",
            requires_reack=False,
            now=at,
        )


async def _session(db: Database, token: str, at: datetime, attended: dict[int, list[bool | None]]):
    """One intervisie session; per association, its invitations' attendance."""
    async with db.sessions.begin() as session:
        meeting = IntervisieSession(
            title="Intervisie",
            starts_at=at,
            zone="Europe/Amsterdam",
            duration_minutes=90,
            location_kind="room",
            location="Tapijn",
            status="planned",
            token=token,
            created_at=at,
            updated_at=at,
        )
        session.add(meeting)
        await session.flush()
        for association_id, marks in attended.items():
            for n, present in enumerate(marks):
                session.add(
                    IntervisieInvitation(
                        session_id=meeting.id,
                        user_id=7000 + 100 * association_id + n,
                        association_id=association_id,
                        attended=present,
                        token=f"{token}-{association_id}-{n}",
                        invited_at=at,
                    )
                )


async def test_the_network_and_its_rules_are_counted_at_the_years_end(db: Database) -> None:
    tragos = await _join(db, 1001, "Tragos", at=IN_2026)
    await _join(db, 1002, "Circumflex", at=IN_2026)
    await _join(db, 1003, "Koko", at=IN_2027)  # joined after the year: not in it
    await _vcp(db, 1001, 11, IN_2026)
    await _vcp(db, 1002, 12, IN_2026)
    await _vcp(db, 1001, 13, IN_2027)  # registered after the year
    await _publish(db, 1001, RulesKind.CODE_OF_CONDUCT, IN_2026)
    await _publish(db, 1001, RulesKind.HOUSE_RULES, IN_2026)
    await _publish(db, 1002, RulesKind.HOUSE_RULES, IN_2027)  # published after the year
    assert tragos
    # Trained at the year's end: 11 (valid into 2027), not 12 (expired in the year) and
    # not 13 (registered after the year).
    await _trained(db, 11, IN_2026, datetime(2027, 6, 1, tzinfo=UTC))
    await _trained(db, 12, datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    await _trained(db, 13, IN_2026, datetime(2028, 1, 1, tzinfo=UTC))

    pack = await _pack(db)

    assert (pack.network.associations, pack.network.vcps) == (2, 2)
    assert pack.network.trained_vcps == 1
    assert yearpack.count_text(None, 5, "en") == "not tracked yet"  # never a made-up 0
    coverage = pack.coverage
    assert (coverage.associations, coverage.code_of_conduct, coverage.house_rules) == (2, 1, 1)
    assert coverage.both == 1


async def _three_associations(db: Database) -> list[int]:
    return [await _join(db, 1000 + n, f"Vereniging {n}", at=IN_2026) for n in (1, 2, 3)]


async def test_attendance_is_a_share_when_its_numbers_are_big_enough(db: Database) -> None:
    a, b, c = await _three_associations(db)
    s1 = {a: [True] * 7 + [False] * 3, b: [True] * 6 + [False], c: [False] * 3}
    await _session(db, "s1", IN_2026, s1)
    await _session(db, "s2", IN_2026 + timedelta(days=60), {b: [True] * 6, c: [True, False]})
    await _session(db, "s2027", IN_2027, {a: [True] * 9})  # next year: not counted

    attendance = (await _pack(db)).attendance

    assert attendance.sessions == 2
    assert (attendance.invited, attendance.attended, attendance.absent) == (28, 20, 8)
    assert attendance.not_recorded == 0  # every attendance was noted: that counts no one
    assert attendance.share_percent == 71  # 20 of 28 recorded


async def test_a_small_attendance_cell_is_hidden_with_the_share(db: Database) -> None:
    a, b, c = await _three_associations(db)
    # Two absences only, and one attendance not recorded: neither may be worked out.
    await _session(
        db,
        "s1",
        IN_2026,
        {a: [True] * 8 + [False], b: [True] * 8 + [None], c: [True] * 8 + [False]},
    )

    attendance = (await _pack(db)).attendance

    assert attendance.absent is Marker.SUPPRESSED
    assert attendance.not_recorded is Marker.SUPPRESSED
    # Secondary suppression: with the total shown, attended would give the hidden two away.
    assert attendance.attended is Marker.SUPPRESSED
    assert attendance.invited == 27
    assert attendance.share_percent is None
    assert yearpack.share_text(attendance, "nl") == "aanwezigheid: te weinig om te tonen"


async def test_the_pack_shows_the_same_attendance_ever_after(db: Database) -> None:
    a, b, c = await _three_associations(db)
    await _session(db, "s1", IN_2026, {a: [True] * 7 + [False] * 3, b: [True] * 7, c: [False] * 3})
    first = (await _pack(db)).attendance

    # Attendance corrected afterwards, and a stricter k: the release stands.
    await _session(db, "late", IN_2026 + timedelta(days=100), {a: [True] * 6, b: [False] * 6})
    again = (await _pack(db, k=10, now=NOW + timedelta(days=30))).attendance

    assert not first.from_ledger and again.from_ledger
    assert (again.invited, again.attended, again.absent, again.k) == (
        first.invited,
        first.attended,
        first.absent,
        5,
    )
    assert again.released_on == first.released_on == date(2027, 1, 20)


async def _period(
    db: Database, name: str, start: date, end: date, ids: list[int], *, close: bool
) -> None:
    async with db.sessions.begin() as session:
        period = await kmtm.create_period(session, name=name, start_date=start, end_date=end)
        for n, association_id in enumerate(ids):
            count = 6 + n
            for table, value in (
                (KmtmByCategory, "advice"),
                (KmtmByRelation, "student"),
                (KmtmByFollowUp, "listening_ear"),
            ):
                session.add(
                    table(
                        period_id=period.id, association_id=association_id, value=value, count=count
                    )
                )
        if close:
            await kmtm.close_period(
                session,
                name=name,
                now=datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=3),
                zone=ZONE,
            )


async def test_kmtm_periods_come_exactly_as_released_or_as_not_released(db: Database) -> None:
    ids = await _three_associations(db)
    await _period(db, "KMTM 2026", date(2026, 8, 10), date(2026, 8, 20), ids, close=True)
    await _period(db, "Najaar 2026", date(2026, 11, 1), date(2026, 11, 30), ids, close=True)
    await _period(db, "KMTM 2025", date(2025, 8, 10), date(2025, 8, 20), ids, close=True)
    async with db.sessions.begin() as session:
        released = await kmtm.period_reports(
            session, period_name="KMTM 2026", dimension="category", k=5, now=NOW, zone=ZONE
        )

    pack = await _pack(db, k=10)  # other settings now: the release still reads as released

    assert [entry.period.name for entry in pack.kmtm] == ["KMTM 2026", "Najaar 2026"]
    kmtm_2026, autumn = pack.kmtm
    assert kmtm_2026.reports is not None
    assert [(r.dimension, r.rows, r.total, r.k) for r in kmtm_2026.reports] == [
        (r.dimension, r.rows, r.total, r.k) for r in released
    ]
    assert autumn.reports is None
    assert yearpack.kmtm_total(autumn, "en") == "not released"
    async with db.sessions.begin() as session:  # the pack released nothing of its own
        period_ids = select(func.count()).select_from(KmtmRelease)
        assert await session.scalar(period_ids) == len(released)


async def test_the_case_figures_are_those_of_the_case_report(db: Database) -> None:
    async with db.sessions.begin() as session:
        for category, count in (("bullying", 9), ("intimidation", 8), ("stalking", 1)):
            session.add(
                CaseCount(
                    period="2026-Q2", route="vcp", category=category, urgency="soon",
                    outcome="advice_given", count=count,
                )
            )  # fmt: skip

    pack = await _pack(db)
    async with db.sessions.begin() as session:
        report = await escalation.year_figures(session, year=2026, k=5, now=NOW, zone=ZONE)

    assert pack.cases.tables == report.tables
    stalking = next(r for r in pack.cases.tables[0].rows if r.key == "stalking")
    assert stalking.value is Marker.SUPPRESSED


async def test_a_year_that_is_not_over_is_refused(db: Database) -> None:
    with pytest.raises(InvalidInput) as refused:
        await _pack(db, year=2027)
    assert refused.value.key == "casereport.error.year_not_over"
