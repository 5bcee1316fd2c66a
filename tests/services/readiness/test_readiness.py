"""Readiness per association on SQLite and PostgreSQL: each gap is found, the associations
that need attention come first, small acknowledgement counts are not shown as a
percentage, and nothing about reports or KMTM contacts is read."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event

from vcpbot.db import Database
from vcpbot.db.escalation import Block, CaseCount, MemberRoute
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession
from vcpbot.db.kmtm import KmtmMembers, KmtmPeriod
from vcpbot.db.training import TrainingRecord
from vcpbot.services import network, readiness, rules
from vcpbot.services.help import set_contact
from vcpbot.services.readiness import Acknowledgements, Gap
from vcpbot.services.rules import RulesKind

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
COORDINATOR, BOARD = 1, 2
COC, HOUSE = RulesKind.CODE_OF_CONDUCT, RulesKind.HOUSE_RULES
TEXT = "# Gedragscode\n\nZo gaan we met elkaar om.\n\n## 1. Respect\n\nWees respectvol.\n"


async def _join(db: Database, guild_id: int, name: str, *, at: datetime = NOW) -> int:
    async with db.sessions.begin() as session:
        result = await network.request_join(
            session,
            guild_id=guild_id,
            name=name,
            short_name=name[:8],
            locale="nl",
            vcp_role_id=guild_id * 10,
            rules_channel_id=None,
            requested_by=BOARD,
            now=at,
        )
        approved = await network.decide_request(
            session,
            request_token=result.association.request_token,
            approve=True,
            decided_by=COORDINATOR,
            now=at,
            zone=ZoneInfo("Europe/Amsterdam"),
        )
    return approved.id


async def _publish(db: Database, guild_id: int, kind: RulesKind, *, acks: int = 0) -> None:
    async with db.sessions.begin() as session:
        await rules.save_draft(
            session, guild_id=guild_id, kind=kind, language="nl", text=TEXT, now=NOW
        )
        await rules.publish(
            session,
            guild_id=guild_id,
            kind=kind,
            author_id=BOARD,
            change_note="eerste versie",
            requires_reack=False,
            now=NOW,
        )
        await rules.configure_ack(
            session, guild_id=guild_id, kind=kind, enabled=True, role_id=None, now=NOW
        )
        for member in range(acks):
            await rules.acknowledge(
                session, guild_id=guild_id, kind=kind, user_id=5000 + member, now=NOW
            )


async def _attendance(db: Database, association_id: int, attended: list[bool]) -> None:
    async with db.sessions.begin() as session:
        meeting = IntervisieSession(
            title="Intervisie",
            starts_at=NOW - timedelta(days=30),
            zone="Europe/Amsterdam",
            duration_minutes=90,
            location_kind="room",
            location="Tapijn",
            status="planned",
            token=f"s{association_id}",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(meeting)
        await session.flush()
        for n, present in enumerate(attended):
            session.add(
                IntervisieInvitation(
                    session_id=meeting.id,
                    user_id=9000 + 100 * association_id + n,
                    association_id=association_id,
                    attended=present,
                    token=f"i{association_id}-{n}",
                    invited_at=NOW,
                )
            )


async def _ready_association(db: Database, guild_id: int, name: str) -> int:
    """An association with every commitment the bot can see in place."""
    association_id = await _join(db, guild_id, name)
    async with db.sessions.begin() as session:
        await network.add_vcp(
            session,
            guild_id=guild_id,
            user_id=guild_id + 1,
            display_name="Sam",
            actor_id=BOARD,
            now=NOW,
        )
        await set_contact(
            session,
            guild_id=guild_id,
            text_nl="Spreekuur op dinsdag.",
            text_en="Office hours on Tuesday.",
            link="",
            actor_id=BOARD,
            now=NOW,
        )
        await network.record_panel(session, association_id=association_id, actor_id=BOARD, now=NOW)
        session.add(MemberRoute(association_id=association_id, enabled=True, updated_on=NOW.date()))
        # Its VCP took a training that is still current.
        session.add(
            TrainingRecord(
                user_id=guild_id + 1,
                topic="Basistraining VCP",
                completed_at=NOW - timedelta(days=60),
                expires_at=NOW + timedelta(days=300),
                recorded_at=NOW,
            )
        )
    await _publish(db, guild_id, COC, acks=8)
    await _publish(db, guild_id, HOUSE, acks=2)
    return association_id


async def _lines(db: Database, members: dict[int, int | None] | None = None) -> list[Any]:
    async with db.sessions.begin() as session:
        return await readiness.readiness(session, now=NOW, members=members or {})


async def test_an_association_with_everything_in_place_has_no_gaps(db: Database) -> None:
    association_id = await _ready_association(db, 1001, "Tragos")
    await _attendance(db, association_id, [True, True, False])

    [line] = await _lines(db, {1001: 40})

    assert line.gaps == ()
    assert (line.vcps, line.help_contact, line.panel_posted, line.member_route) == (
        1,
        True,
        True,
        True,
    )
    assert line.trained == 1
    assert line.code_of_conduct.version_date == NOW.date()
    assert line.attendance_percent == 67
    assert line.days_quiet == 0


async def test_a_new_association_shows_every_gap_it_can_fix(db: Database) -> None:
    await _join(db, 1002, "Circumflex")

    [line] = await _lines(db)

    assert line.gaps == (
        Gap.NO_VCPS,
        Gap.CODE_OF_CONDUCT,
        Gap.HOUSE_RULES,
        Gap.HELP_CONTACT,
        Gap.PANEL,
        Gap.MEMBER_ROUTE,
    )
    # No attendance recorded is not a gap of the association; it is shown as "none yet".
    assert line.attendance_percent is None


async def test_low_attendance_and_a_long_quiet_are_gaps(db: Database) -> None:
    long_ago = NOW - timedelta(days=readiness.QUIET_DAYS + 10)
    association_id = await _join(db, 1003, "Saurus", at=long_ago)
    await _attendance(db, association_id, [False, False, True])

    [line] = await _lines(db)

    assert Gap.INTERVISIE in line.gaps and Gap.QUIET in line.gaps
    assert line.attendance_percent == 33
    assert line.days_quiet == readiness.QUIET_DAYS + 10


async def test_the_associations_that_need_attention_come_first(db: Database) -> None:
    await _ready_association(db, 1001, "Tragos")
    await _join(db, 1002, "Circumflex")
    middle = await _join(db, 1004, "Koko")
    async with db.sessions.begin() as session:
        await network.record_panel(session, association_id=middle, actor_id=BOARD, now=NOW)
    pending = 1005
    async with db.sessions.begin() as session:
        await network.request_join(
            session,
            guild_id=pending,
            name="Pending",
            short_name="Pend",
            locale="en",
            vcp_role_id=1,
            rules_channel_id=None,
            requested_by=BOARD,
            now=NOW,
        )

    names = [line.name for line in await _lines(db)]

    # Only approved associations; most gaps first.
    assert names == ["Circumflex", "Koko", "Tragos"]


async def test_an_acknowledgement_rate_needs_enough_members_to_be_shown(db: Database) -> None:
    await _ready_association(db, 1001, "Tragos")

    [line] = await _lines(db, {1001: 40})
    [unknown] = await _lines(db, {})

    # 8 of 40 acknowledged the code of conduct: shown. 2 acknowledged the house rules:
    # fewer than k, so no percentage (it would say about 2 people).
    assert line.code_of_conduct.acknowledgements == Acknowledgements(True, 20, False)
    assert line.house_rules.acknowledgements == Acknowledgements(True, None, True)
    # Without a member count there is nothing to divide by.
    assert unknown.code_of_conduct.acknowledgements == Acknowledgements(True, None, True)


async def test_a_board_sees_only_its_own_line(db: Database) -> None:
    await _ready_association(db, 1001, "Tragos")
    await _join(db, 1002, "Circumflex")

    async with db.sessions.begin() as session:
        own = await readiness.readiness_of(session, guild_id=1002, now=NOW, members=None)
        elsewhere = await readiness.readiness_of(session, guild_id=4242, now=NOW, members=None)

    assert own is not None and own.name == "Circumflex" and Gap.HELP_CONTACT in own.gaps
    assert elsewhere is None


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.lower())

    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", note)


async def test_readiness_never_reads_reports_or_kmtm(db: Database) -> None:
    first = await _ready_association(db, 1001, "Tragos")
    await _join(db, 1002, "Circumflex")
    before = await _lines(db, {1001: 40})
    async with db.sessions.begin() as session:
        own_before = await readiness.readiness_of(session, guild_id=1001, now=NOW, members=40)

    async with db.sessions.begin() as session:
        session.add(
            CaseCount(
                period="2026-Q4",
                route="member",
                category="other",
                urgency="normal",
                outcome="closed",
                count=7,
            )
        )
        session.add(Block(pseudonym="p" * 32, semester="2026-2", blocked_on=NOW.date()))
        period = KmtmPeriod(
            name="KMTM 2026", start_date=date(2026, 8, 1), end_date=date(2026, 8, 31)
        )
        session.add(period)
        await session.flush()
        session.add(KmtmMembers(period_id=period.id, association_id=first, members=400))

    with _statements(db) as seen:
        after = await _lines(db, {1001: 40})
        async with db.sessions.begin() as session:
            own_after = await readiness.readiness_of(session, guild_id=1001, now=NOW, members=40)

    assert after == before and own_after == own_before
    touched = [
        s
        for s in seen
        if "kmtm_" in s or "escalation_" in s.replace("escalation_member_routes", "")
    ]
    assert touched == [], touched


async def test_a_board_with_few_vcps_does_not_see_their_attendance_share(db: Database) -> None:
    association_id = await _ready_association(db, 1001, "Tragos")  # one VCP
    await _attendance(db, association_id, [False, False, True])

    async with db.sessions.begin() as session:
        own = await readiness.readiness_of(session, guild_id=1001, now=NOW, members=40)
    [coordinator_line] = await _lines(db, {1001: 40})

    # With one VCP a share is that person's attendance: the board does not get it.
    assert own is not None and own.attendance_percent is None and Gap.INTERVISIE not in own.gaps
    # The coordinator, who records attendance per person, sees the share and the gap.
    assert coordinator_line.attendance_percent == 33 and Gap.INTERVISIE in coordinator_line.gaps

    async with db.sessions.begin() as session:
        for n in range(readiness.BOARD_SHARE_MIN_VCPS - 1):
            await network.add_vcp(
                session,
                guild_id=1001,
                user_id=7000 + n,
                display_name=f"V{n}",
                actor_id=BOARD,
                now=NOW,
            )
        enough = await readiness.readiness_of(session, guild_id=1001, now=NOW, members=40)
    assert enough is not None and enough.attendance_percent == 33
