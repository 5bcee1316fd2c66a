"""KMTM reporting on SQLite and PostgreSQL: periods, logging, undo, reports, the ledger.

The scenario numbers are the UM team's 2023 figures (DOMAIN.md) scaled to one
introduction period: 45 contacts (the 2023 count after the team started) over
five associations.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import struct
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Date, DateTime, func, inspect, select, text

from vcpbot.db import Database
from vcpbot.db.base import Base
from vcpbot.db.kmtm import (
    COUNTER_TABLES,
    Category,
    Dimension,
    FollowUp,
    KmtmRelease,
    Relation,
)
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.i18n import t
from vcpbot.services import kmtm, kmtm_chart, kmtm_report, network
from vcpbot.services.disclosure import FEWER_THAN_K, SUPPRESSED, Cell, Rule, protect
from vcpbot.services.kmtm_chart import render_png
from vcpbot.services.kmtm_report import Report, ReportRow
from vcpbot.services.kmtm_undo import UndoBook

AMS = ZoneInfo("Europe/Amsterdam")
COORDINATOR, VCP = 22, 33
DURING = datetime(2026, 8, 20, 14, 0, tzinfo=UTC)
AFTER = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)
ASSOCIATIONS = {
    # guild id: (name, members)
    1001: ("Tragos", 420),
    1002: ("Circumflex", 310),
    1003: ("Saurus", 260),
    1004: ("Koko", 180),
    1005: ("Scopus", 95),
}

# --- helpers -----------------------------------------------------------------------


async def _join(db: Database, guild_id: int, name: str, approve: bool = True) -> int:
    async with db.sessions.begin() as session:
        result = await network.request_join(
            session,
            guild_id=guild_id,
            name=name,
            short_name=name[:8],
            locale="nl",
            vcp_role_id=500,
            rules_channel_id=None,
            requested_by=11,
            now=DURING - timedelta(days=60),
        )
    if approve:
        async with db.sessions.begin() as session:
            await network.decide_request(
                session,
                request_token=result.association.request_token,
                approve=True,
                decided_by=COORDINATOR,
                now=DURING - timedelta(days=59),
                zone=AMS,
            )
    return result.association.id


async def _network(db: Database) -> dict[int, int]:
    return {guild: await _join(db, guild, name) for guild, (name, _) in ASSOCIATIONS.items()}


async def _period(
    db: Database,
    name: str = "KMTM 2026",
    start: date = date(2026, 8, 1),
    end: date = date(2026, 9, 30),
) -> kmtm.PeriodView:
    async with db.sessions.begin() as session:
        return await kmtm.create_period(session, name=name, start_date=start, end_date=end)


async def _close(db: Database, name: str = "KMTM 2026", now: datetime = AFTER) -> None:
    async with db.sessions.begin() as session:
        await kmtm.close_period(session, name=name, now=now, zone=AMS)


async def _log(  # noqa: PLR0917 - reads like the three choices a VCP makes
    db: Database,
    guild_id: int = 1001,
    category: str = "stalking",
    relation: str = "student",
    follow_up: str = "listening_ear",
    now: datetime = DURING,
) -> kmtm.LoggedContact:
    async with db.sessions.begin() as session:
        return await kmtm.log_contact(
            session,
            guild_id=guild_id,
            category=category,
            relation=relation,
            follow_up=follow_up,
            now=now,
            zone=AMS,
        )


async def _report(
    db: Database, dimension: str, name: str = "KMTM 2026", **rule
) -> kmtm_report.Report:
    values = {"k": 5, "min_contributors": 3, "round_to_5": False, "year_periods": 5}
    values.update(rule)
    async with db.sessions.begin() as session:
        return await kmtm_report.report(
            session, period_name=name, dimension=dimension, now=AFTER, zone=AMS, **values
        )


async def _counters(db: Database) -> dict[str, list[tuple[int, int, str, int]]]:
    async with db.sessions.begin() as session:
        return {
            table.__tablename__: sorted(
                (
                    await session.execute(
                        select(table.period_id, table.association_id, table.value, table.count)
                    )
                ).all()
            )
            for table in COUNTER_TABLES.values()
        }


async def _row_counts(db: Database) -> dict[str, int]:
    async with db.sessions.begin() as session:
        return {
            name: await session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }


def _values(report: kmtm_report.Report) -> dict[str, object]:
    return {row.key: row.value for row in report.rows}


# --- the data model is aggregate-only --------------------------------------------------

ALLOWED_DATES = {
    "kmtm_periods": {"start_date", "end_date", "closed_on"},
    "kmtm_releases": {"released_on"},
}


async def test_the_schema_can_hold_no_contact_and_no_time(db: Database) -> None:
    async with db.engine.connect() as conn:
        schema = await conn.run_sync(
            lambda c: {
                name: (inspect(c).get_columns(name), inspect(c).get_pk_constraint(name))
                for name in inspect(c).get_table_names()
                if name.startswith("kmtm_")
            }
        )
    assert set(schema) == {
        "kmtm_periods",
        "kmtm_members",
        "kmtm_by_category",
        "kmtm_by_relation",
        "kmtm_by_follow_up",
        "kmtm_releases",
    }
    for name, (columns, _) in schema.items():
        for column in columns:
            assert not isinstance(column["type"], DateTime), (name, column["name"])
            if isinstance(column["type"], Date):
                assert column["name"] in ALLOWED_DATES.get(name, set()), (name, column["name"])
        # Nothing named like a time either, whatever its type.
        assert not any(
            word in column["name"] for column in columns for word in ("_at", "time", "created")
        )
    for table in COUNTER_TABLES.values():
        columns, pk = schema[table.__tablename__]
        # Only the key and the count: no id, no user, no text, no time.
        assert [c["name"] for c in columns] == ["period_id", "association_id", "value", "count"]
        assert pk["constrained_columns"] == ["period_id", "association_id", "value"]
    # The models agree (a model change without a migration would also fail schema_diff).
    for table in Base.metadata.tables.values():
        if table.name.startswith("kmtm_"):
            assert not any(isinstance(c.type, DateTime) for c in table.columns), table.name
    if db.is_sqlite:
        async with db.engine.connect() as conn:
            sql = (
                await conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = 'kmtm_by_category'")
                )
            ).scalar_one()
        assert "WITHOUT ROWID" in sql


async def test_logging_only_moves_counters_never_adds_a_row_per_contact(db: Database) -> None:
    await _network(db)
    period = await _period(db)
    before = await _row_counts(db)
    for _ in range(30):
        await _log(db, 1001, "intimidation", "staff_academic", "referred_um_team")
    await _log(db, 1002, "advice", "unknown", "nothing_yet")
    after = await _row_counts(db)

    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"kmtm_by_category", "kmtm_by_relation", "kmtm_by_follow_up"}
    counters = await _counters(db)
    association = await _ids(db)
    assert counters["kmtm_by_category"] == sorted(
        [
            (period.id, association[1001], "intimidation", 30),
            (period.id, association[1002], "advice", 1),
        ]
    )
    assert counters["kmtm_by_relation"] == sorted(
        [
            (period.id, association[1001], "staff_academic", 30),
            (period.id, association[1002], "unknown", 1),
        ]
    )
    assert counters["kmtm_by_follow_up"] == sorted(
        [
            (period.id, association[1001], "referred_um_team", 30),
            (period.id, association[1002], "nothing_yet", 1),
        ]
    )


async def _ids(db: Database) -> dict[int, int]:
    async with db.sessions.begin() as session:
        return {
            guild: (await network.association_for_guild(session, guild_id=guild)).id
            for guild in ASSOCIATIONS
        }


async def test_contacts_logged_at_the_same_moment_all_count(db: Database) -> None:
    await _network(db)
    await _period(db)
    plan = [
        (1001 + i % 3, list(Category)[i % 4].value, list(Relation)[i % 2].value, "listening_ear")
        for i in range(50)
    ]
    await asyncio.gather(*(_log(db, g, c, r, f) for g, c, r, f in plan))

    ids = await _ids(db)
    expected = Counter((ids[g], c) for g, c, _, _ in plan)
    counters = await _counters(db)
    assert {(a, v): n for _, a, v, n in counters["kmtm_by_category"]} == expected
    assert sum(n for *_, n in counters["kmtm_by_relation"]) == 50
    assert sum(n for *_, n in counters["kmtm_by_follow_up"]) == 50


# --- periods ---------------------------------------------------------------------------


async def test_periods_are_created_listed_and_closed(db: Database) -> None:
    await _period(db, "KMTM 2025", date(2025, 8, 1), date(2025, 9, 30))
    created = await _period(db, "  KMTM   2026 ")
    assert created.name == "KMTM 2026"
    async with db.sessions.begin() as session:
        listed = await kmtm.list_periods(session)
        assert [p.name for p in listed] == ["KMTM 2026", "KMTM 2025"]
        assert listed[0].status(date(2026, 7, 31)) is kmtm.PeriodStatus.UPCOMING
        assert listed[0].status(date(2026, 8, 1)) is kmtm.PeriodStatus.OPEN
        assert listed[0].status(date(2026, 9, 30)) is kmtm.PeriodStatus.OPEN
        assert listed[0].status(date(2026, 10, 1)) is kmtm.PeriodStatus.ENDED
        assert (await kmtm.open_period_on(session, day=date(2026, 8, 20))).name == "KMTM 2026"
        assert await kmtm.open_period_on(session, day=date(2026, 10, 1)) is None
    await _close(db, "kmtm 2026")
    async with db.sessions.begin() as session:
        closed = await kmtm.period_by_name(session, name="KMTM 2026")
        assert closed.closed_on == date(2026, 10, 2)
        assert closed.status(date(2026, 8, 20)) is kmtm.PeriodStatus.CLOSED
        assert await kmtm.open_period_on(session, day=date(2026, 8, 20)) is None
    # A period may start the day after another ends.
    await _period(db, "KMTM 2026 late", date(2026, 10, 1), date(2026, 10, 14))


@pytest.mark.parametrize(
    ("period", "error", "key"),
    [
        (("Late", date(2026, 9, 30), date(2026, 10, 30)), Conflict, "kmtm.error.period_overlap"),
        (("Early", date(2026, 7, 1), date(2026, 8, 1)), Conflict, "kmtm.error.period_overlap"),
        (("Around", date(2026, 7, 1), date(2026, 12, 1)), Conflict, "kmtm.error.period_overlap"),
        (("kmtm 2026", date(2027, 8, 1), date(2027, 9, 1)), Conflict, "kmtm.error.period_exists"),
        (("   ", date(2027, 8, 1), date(2027, 9, 1)), InvalidInput, "kmtm.error.bad_period_name"),
        (
            ("x" * 61, date(2027, 8, 1), date(2027, 9, 1)),
            InvalidInput,
            "kmtm.error.bad_period_name",
        ),
        (("KMTM 2027", date(2027, 9, 1), date(2027, 8, 1)), InvalidInput, "kmtm.error.bad_dates"),
    ],
)
async def test_bad_periods_are_refused_and_nothing_is_created(db: Database, period, error, key):
    await _period(db)
    with pytest.raises(error) as caught:
        await _period(db, *period)
    assert caught.value.key == key
    async with db.sessions.begin() as session:
        assert [p.name for p in await kmtm.list_periods(session)] == ["KMTM 2026"]


async def test_the_overlap_message_names_the_other_period(db: Database) -> None:
    await _period(db)
    with pytest.raises(Conflict) as caught:
        await _period(db, "Other", date(2026, 9, 1), date(2026, 10, 1))
    assert caught.value.params == {
        "name": "KMTM 2026",
        "start": date(2026, 8, 1),
        "end": date(2026, 9, 30),
    }
    assert "1 augustus 2026" in t(caught.value.key, "nl", **caught.value.params)


async def test_closing_twice_or_an_unknown_period_is_refused(db: Database) -> None:
    await _period(db)
    await _close(db)
    with pytest.raises(Conflict) as caught:
        await _close(db)
    assert caught.value.key == "kmtm.error.period_already_closed"
    with pytest.raises(NotFound):
        await _close(db, "KMTM 1999")


# --- logging: who, when, what ------------------------------------------------------------


async def test_logging_needs_an_open_period(db: Database) -> None:
    await _network(db)
    with pytest.raises(NotAllowed) as caught:
        await _log(db)  # no period at all
    assert caught.value.key == "kmtm.error.no_open_period"
    await _period(db)
    # 23:30 UTC on 31 July is already 1 August in Amsterdam: inside.
    await _log(db, now=datetime(2026, 7, 31, 23, 30, tzinfo=UTC))
    for outside in (
        datetime(2026, 7, 31, 21, 0, tzinfo=UTC),
        datetime(2026, 9, 30, 22, 30, tzinfo=UTC),
    ):
        with pytest.raises(NotAllowed) as caught:
            await _log(db, now=outside)
        assert caught.value.params == {"date": outside.astimezone(AMS).date()}
    await _close(db, now=DURING)
    with pytest.raises(NotAllowed):
        await _log(db)  # closed early: nothing more is logged
    assert sum(n for *_, n in (await _counters(db))["kmtm_by_category"]) == 1


async def test_only_associations_in_the_network_log(db: Database) -> None:
    await _period(db)
    await _join(db, 2001, "Pending", approve=False)
    await _join(db, 2002, "Suspended")
    async with db.sessions.begin() as session:
        await network.set_suspended(
            session, name="Suspended", suspended=True, actor_id=COORDINATOR, now=DURING
        )
    expected = {
        2001: "network.error.not_in_network",
        2002: "network.error.suspended",
        2003: "network.error.not_in_network",  # never asked to join
    }
    for guild, key in expected.items():
        with pytest.raises(NotAllowed) as caught:
            await _log(db, guild)
        assert caught.value.key == key
    assert all(rows == [] for rows in (await _counters(db)).values())


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "rumours"), ("relation", "teacher"), ("follow_up", "police"), ("category", "")],
)
async def test_an_unknown_choice_is_refused_and_nothing_counts(db: Database, field, value) -> None:
    await _network(db)
    await _period(db)
    with pytest.raises(InvalidInput) as caught:
        await _log(db, **{field: value})
    assert caught.value.key == "kmtm.error.bad_choice"
    assert all(rows == [] for rows in (await _counters(db)).values())


async def test_choices_accept_the_commands_spelling(db: Database) -> None:
    assert kmtm.parse_choice(Dimension, "follow-up") is Dimension.FOLLOW_UP
    assert kmtm.parse_choice(Category, " Sexual_Physical ") is Category.SEXUAL_PHYSICAL


# --- undo --------------------------------------------------------------------------------


async def _undo(db: Database, contact: kmtm.LoggedContact) -> None:
    async with db.sessions.begin() as session:
        await kmtm.undo_contact(
            session,
            period_id=contact.period_id,
            association_id=contact.association_id,
            category=contact.category,
            relation=contact.relation,
            follow_up=contact.follow_up,
        )


async def test_a_mistake_is_taken_back_without_a_trace(db: Database) -> None:
    await _network(db)
    await _period(db)
    kept = await _log(db, 1001, "stalking", "student", "listening_ear")
    mistake = await _log(db, 1001, "bullying", "student", "nothing_yet")
    assert mistake.category is Category.BULLYING
    before_mistake_counters = {
        "kmtm_by_category": [(kept.period_id, kept.association_id, "stalking", 1)],
        "kmtm_by_relation": [(kept.period_id, kept.association_id, "student", 1)],
        "kmtm_by_follow_up": [(kept.period_id, kept.association_id, "listening_ear", 1)],
    }
    await _undo(db, mistake)
    # The student counter went from 2 to 1; the bullying and nothing-yet rows are gone.
    assert await _counters(db) == before_mistake_counters
    # A second undo of the same contact finds the counters already down: refused, nothing moves.
    with pytest.raises(Conflict) as caught:
        await _undo(db, mistake)
    assert caught.value.key == "kmtm.error.nothing_to_undo"
    assert await _counters(db) == before_mistake_counters


async def test_no_undo_once_the_period_is_closed(db: Database) -> None:
    await _network(db)
    await _period(db)
    contact = await _log(db)
    await _close(db, now=DURING)
    with pytest.raises(Conflict) as caught:
        await _undo(db, contact)
    assert caught.value.key == "kmtm.error.undo_closed"
    assert sum(n for *_, n in (await _counters(db))["kmtm_by_category"]) == 1


def _contact() -> kmtm.LoggedContact:
    return kmtm.LoggedContact(
        period_id=1,
        period_name="KMTM 2026",
        association_id=1,
        category=Category.STALKING,
        relation=Relation.STUDENT,
        follow_up=FollowUp.LISTENING_EAR,
    )


def test_an_undo_token_works_once_for_its_vcp_within_the_window() -> None:
    book = UndoBook(window=timedelta(minutes=5))
    token = book.issue(_contact(), actor_id=VCP, now=DURING)
    assert 20 <= len(token) <= 43
    assert book.take(token, actor_id=VCP + 1, now=DURING) is None  # someone else
    assert book.take(token, actor_id=VCP, now=DURING + timedelta(minutes=4)) == _contact()
    assert book.take(token, actor_id=VCP, now=DURING + timedelta(minutes=4)) is None  # used
    late = book.issue(_contact(), actor_id=VCP, now=DURING)
    assert book.take(late, actor_id=VCP, now=DURING + timedelta(minutes=5)) is None
    assert book.take("made-up", actor_id=VCP, now=DURING) is None


def test_the_undo_book_forgets_expired_tokens_and_stays_bounded() -> None:
    book = UndoBook(window=timedelta(minutes=5), max_entries=3)
    first = book.issue(_contact(), actor_id=VCP, now=DURING)
    for _ in range(3):
        book.issue(_contact(), actor_id=VCP, now=DURING)
    assert len(book) == 3
    assert book.take(first, actor_id=VCP, now=DURING) is None  # pushed out
    book.forget_expired(DURING + timedelta(minutes=6))
    assert len(book) == 0
    with pytest.raises(ValueError):
        UndoBook(window=timedelta(0))


# --- member counts ---------------------------------------------------------------------


async def test_member_counts_are_registered_and_replaced(db: Database) -> None:
    await _network(db)
    await _period(db)
    async with db.sessions.begin() as session:
        saved = await kmtm.set_member_count(
            session, guild_id=1001, period_name="kmtm 2026", members=400
        )
        again = await kmtm.set_member_count(
            session, guild_id=1001, period_name="KMTM 2026", members=420
        )
    assert saved == kmtm.MemberCount("KMTM 2026", "Tragos", 400)
    assert again.members == 420


@pytest.mark.parametrize("members", [0, -3, 100_001, True, 12.5, "12"])
async def test_a_member_count_must_be_a_positive_whole_number(db: Database, members) -> None:
    await _network(db)
    await _period(db)
    async with db.sessions.begin() as session:
        with pytest.raises(InvalidInput) as caught:
            await kmtm.set_member_count(
                session, guild_id=1001, period_name="KMTM 2026", members=members
            )
    assert caught.value.key == "kmtm.error.bad_members"
    assert (await _row_counts(db))["kmtm_members"] == 0


async def test_member_counts_need_a_known_period_and_an_association_in_the_network(
    db: Database,
) -> None:
    await _network(db)
    await _period(db)
    async with db.sessions.begin() as session:
        with pytest.raises(NotFound):
            await kmtm.set_member_count(session, guild_id=1001, period_name="Nope", members=5)
        with pytest.raises(NotAllowed):
            await kmtm.set_member_count(session, guild_id=9999, period_name="KMTM 2026", members=5)


# --- a realistic KMTM ------------------------------------------------------------------

# 45 contacts: the 2023 figures after the team started, spread like the 2023 year.
CATEGORIES_2026 = {
    "sexual_physical": 9,
    "sexual_nonphysical": 5,
    "unprofessional": 8,
    "intimidation": 4,
    "discrimination": 3,
    "unfair_treatment": 2,
    "aggression_nonphysical": 4,
    "bullying": 2,
    "stalking": 1,
    "improper": 3,
    "advice": 4,
    "aggression_physical": 0,
}
RELATIONS_2026 = {
    "student": 19,
    "staff_academic": 9,
    "staff_support": 3,
    "staff_unknown": 2,
    "civilian": 8,
    "unknown": 4,
}
FOLLOW_UPS_2026 = {
    "listening_ear": 17,  # 37%
    "referred_um_team": 14,
    "referred_inside_um": 6,
    "referred_outside_um": 6,
    "nothing_yet": 2,
}
CONTACTS_PER_GUILD = {1001: 14, 1002: 11, 1003: 9, 1004: 7, 1005: 4}


def _spread(counts: dict[str, int], rng: random.Random) -> list[str]:
    values = [value for value, n in counts.items() for _ in range(n)]
    rng.shuffle(values)
    return values


def _kmtm_2026() -> list[tuple[int, str, str, str]]:
    rng = random.Random(2023)
    guilds = _spread({str(g): n for g, n in CONTACTS_PER_GUILD.items()}, rng)
    return list(
        zip(
            [int(g) for g in guilds],
            _spread(CATEGORIES_2026, rng),
            _spread(RELATIONS_2026, rng),
            _spread(FOLLOW_UPS_2026, rng),
            strict=True,
        )
    )


def _expected(
    plan: list[tuple[int, str, str, str]], column: int, values: tuple[str, ...], ids: dict[int, int]
) -> dict[str, object]:
    """What the rule gives for the contacts as logged, tallied here independently."""
    counts: Counter[str] = Counter(contact[column] for contact in plan)
    who: dict[str, set[int]] = defaultdict(set)
    for contact in plan:
        who[contact[column]].add(ids[contact[0]])
    cells = [Cell(v, counts[v], frozenset(who[v])) for v in values]
    return protect(cells, Rule(k=5)).values()


async def test_a_realistic_kmtm_from_logging_to_release(db: Database) -> None:
    ids = await _network(db)
    await _period(db)
    plan = _kmtm_2026()
    for guild, category, relation, follow_up in plan:
        await _log(db, guild, category, relation, follow_up)
    async with db.sessions.begin() as session:
        for guild, (_, members) in ASSOCIATIONS.items():
            await kmtm.set_member_count(
                session, guild_id=guild, period_name="KMTM 2026", members=members
            )

    # Not before the period is closed.
    with pytest.raises(Conflict) as caught:
        await _report(db, "category")
    assert caught.value.key == "kmtm.error.report_open_period"
    assert (await _row_counts(db))["kmtm_releases"] == 0
    await _close(db)

    # Each breakdown adds up to the same 45 per association: three separate tallies.
    tallies = []
    for rows in (await _counters(db)).values():
        tally: Counter[int] = Counter()
        for _, association, _, n in rows:
            tally[association] += n
        tallies.append(tally)
    assert tallies[0] == tallies[1] == tallies[2]
    assert tallies[0] == {ids[guild]: n for guild, n in CONTACTS_PER_GUILD.items()}

    for dimension, column, values in (
        ("category", 1, tuple(Category)),
        ("relation", 2, tuple(Relation)),
        ("follow_up", 3, tuple(FollowUp)),
    ):
        released = await _report(db, dimension)
        assert released.total == 45
        assert _values(released) == _expected(plan, column, values, ids)
        published = [v for v in _values(released).values() if isinstance(v, int)]
        assert all(v >= 5 for v in published)
        assert published, f"a realistic KMTM shows something by {dimension}"

    by_association = await _report(db, "association")
    names = [row.label for row in by_association.rows]
    assert names == sorted(name for name, _ in ASSOCIATIONS.values())
    shown = {row.label: row.value for row in by_association.rows}
    # Scopus's 4 is hidden, and Koko's 7 with it so that 4 cannot be worked out.
    assert shown == {
        "Circumflex": 11,
        "Koko": SUPPRESSED,
        "Saurus": 9,
        "Scopus": SUPPRESSED,
        "Tragos": 14,
    }
    assert by_association.total == 45

    chart = render_png(by_association, locale="nl")
    _assert_png(chart)


def _assert_png(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 990
    assert 300 < height < 3000
    assert len(data) > 10_000
    return width, height


# --- the ledger ------------------------------------------------------------------------


async def _small_closed_period(db: Database) -> None:
    await _network(db)
    await _period(db)
    plan = [(1001, "sexual_physical")] * 3 + [(1002, "sexual_physical")] * 2
    plan += [(1003, "sexual_physical")] * 2 + [(1004, "advice")] * 3 + [(1005, "stalking")]
    plan += [(1005, "improper")] * 2
    for guild, category in plan:
        await _log(db, guild, category)
    await _close(db)


async def test_the_same_request_gives_the_same_numbers(db: Database) -> None:
    await _small_closed_period(db)
    first = await _report(db, "category")
    second = await _report(db, "category")
    assert not first.from_ledger
    assert second.from_ledger
    assert (second.rows, second.total, second.released_on) == (
        first.rows,
        first.total,
        first.released_on,
    )
    values = _values(first)
    assert values["sexual_physical"] == 7
    assert values["advice"] is SUPPRESSED and values["stalking"] is SUPPRESSED
    assert first.total == 13
    # Other settings later still get the release as published; they are told so.
    changed = await _report(db, "category", k=3, round_to_5=True)
    assert changed.from_ledger and changed.settings_differ
    assert (changed.rows, changed.k, changed.rounded) == (first.rows, 5, False)
    async with db.sessions.begin() as session:
        releases = (await session.scalars(select(KmtmRelease))).all()
    assert [(r.dimension, r.k, r.rounded, r.span) for r in releases] == [("category", 5, False, 1)]
    # The ledger keeps what was shown, never why a cell is hidden.
    assert "primary" not in str(releases[0].payload)
    assert "secondary" not in str(releases[0].payload)


async def test_concurrent_first_requests_record_one_release(db: Database) -> None:
    await _small_closed_period(db)
    reports = await asyncio.gather(*(_report(db, "relation") for _ in range(5)))
    assert len({(r.rows, r.total) for r in reports}) == 1
    assert (await _row_counts(db))["kmtm_releases"] == 1


async def test_bad_report_requests_are_refused_and_nothing_is_recorded(db: Database) -> None:
    await _small_closed_period(db)
    await _period(db, "KMTM 2027", date(2027, 8, 1), date(2027, 9, 30))
    cases = [
        ({"name": "KMTM 2027"}, Conflict, "kmtm.error.report_open_period"),
        ({"name": "KMTM 1999"}, NotFound, "kmtm.error.unknown_period"),
        ({"k": 2}, InvalidInput, "kmtm.error.bad_k"),
        ({"min_contributors": 2}, InvalidInput, "kmtm.error.bad_min_contributors"),
    ]
    for overrides, error, key in cases:
        name = overrides.pop("name", "KMTM 2026")
        with pytest.raises(error) as caught:
            await _report(db, "category", name, **overrides)
        assert caught.value.key == key
    with pytest.raises(InvalidInput):
        await _report(db, "gender")
    assert (await _row_counts(db))["kmtm_releases"] == 0


async def test_a_period_with_few_contacts_publishes_only_fewer_than_k(db: Database) -> None:
    await _network(db)
    await _period(db)
    for guild in (1001, 1002, 1003):
        await _log(db, guild)
    await _close(db)
    released = await _report(db, "category")
    assert released.total is FEWER_THAN_K
    assert set(_values(released).values()) == {SUPPRESSED}
    by_association = await _report(db, "association")
    assert by_association.total is FEWER_THAN_K
    rows = list(csv.DictReader(io.StringIO(kmtm_report.export_csv(released, locale="en"))))
    assert {r["count"] for r in rows} == {"*", "fewer than 5"}


async def test_rounding_applies_after_suppression(db: Database) -> None:
    await _small_closed_period(db)
    released = await _report(db, "category", round_to_5=True)
    values = _values(released)
    assert values["sexual_physical"] == 5  # 7, rounded
    assert released.total == 15  # 13, rounded from the exact total
    assert values["advice"] is SUPPRESSED


# --- year by year, rates, export, chart -----------------------------------------------


async def _history(db: Database) -> None:
    """Three periods: 2024 small, 2025 medium, 2026 the realistic one without all counts."""
    await _network(db)
    sizes = {2024: [(1001, 3), (1002, 2), (1003, 1)], 2025: [(1001, 8), (1002, 6), (1004, 5)]}
    for year, plan in sizes.items():
        await _period(db, f"KMTM {year}", date(year, 8, 1), date(year, 9, 30))
        for guild, n in plan:
            for _ in range(n):
                await _log(db, guild, now=datetime(year, 8, 20, 12, 0, tzinfo=UTC))
        await _close(db, f"KMTM {year}", now=datetime(year, 10, 2, tzinfo=UTC))
    async with db.sessions.begin() as session:
        for guild, members in ((1001, 400), (1002, 300), (1004, 100), (1005, 50)):
            await kmtm.set_member_count(
                session, guild_id=guild, period_name="KMTM 2025", members=members
            )
    await _period(db)
    for guild, category, relation, follow_up in _kmtm_2026():
        await _log(db, guild, category, relation, follow_up)
    async with db.sessions.begin() as session:
        for guild in (1001, 1002):  # not everyone registered for 2026
            await kmtm.set_member_count(
                session, guild_id=guild, period_name="KMTM 2026", members=500
            )
    await _close(db)


async def test_year_by_year_compares_totals_with_rates_where_counts_were_registered(
    db: Database,
) -> None:
    await _history(db)
    years = await _report(db, "year")
    assert years.total is None
    assert [(r.key, r.value, r.rate_per_1000) for r in years.rows] == [
        ("KMTM 2024", 6, None),  # nobody registered a member count
        ("KMTM 2025", 19, round(19 * 1000 / 850, 1)),  # every contributor registered
        ("KMTM 2026", 45, None),  # three associations that logged did not register
    ]
    only_two = await _report(db, "year", name="KMTM 2025")
    assert [r.key for r in only_two.rows] == ["KMTM 2024", "KMTM 2025"]
    _assert_png(render_png(years, locale="en"))


async def test_the_csv_export_has_the_published_numbers_only(db: Database) -> None:
    await _small_closed_period(db)
    released = await _report(db, "category")
    rows = list(csv.DictReader(io.StringIO(kmtm_report.export_csv(released, locale="nl"))))
    assert [r["key"] for r in rows] == [c.value for c in Category] + ["total"]
    by_key = {r["key"]: r for r in rows}
    assert by_key["sexual_physical"]["count"] == "7"
    assert by_key["sexual_physical"]["label"] == "Seksueel geweld, fysiek"
    assert by_key["advice"]["count"] == "*"
    assert by_key["advice"]["status"] == "suppressed"
    assert by_key["total"] == {
        "period": "KMTM 2026",
        "breakdown": "category",
        "key": "total",
        "label": "Totaal",
        "count": "13",
        "status": "published",
        "per_1000_members": "",
    }
    # The 3 advice, 2 improper and 1 stalking contacts appear nowhere.
    assert {r["count"] for r in rows} == {"7", "*", "13"}


@pytest.mark.parametrize("locale", ["nl", "en"])
async def test_the_chart_is_a_png_in_the_readers_language(db: Database, locale, tmp_path) -> None:
    await _small_closed_period(db)
    released = await _report(db, "category")
    png = render_png(released, locale=locale)
    _assert_png(png)
    (tmp_path / f"kmtm-{locale}.png").write_bytes(png)


def test_a_chart_of_many_associations_shows_the_largest_and_stays_readable() -> None:
    rows = tuple(
        ReportRow(key=str(i), label=f"Vereniging {i}", value=SUPPRESSED if i % 5 == 0 else i)
        for i in range(200)
    )
    report = Report(
        period_name="KMTM 2026",
        dimension=Dimension.ASSOCIATION,
        rows=rows,
        total=9000,
        k=5,
        min_contributors=3,
        rounded=False,
        span=1,
        released_on=date(2026, 9, 30),
        from_ledger=False,
    )
    largest = kmtm_chart._largest(report.rows, kmtm_chart.CHART_ROWS_MAX)
    assert [r.value for r in largest] == [i for i in range(150, 200) if i % 5]  # table order
    png = render_png(report, locale="nl")
    _assert_png(png)
    height = int.from_bytes(png[20:24], "big")  # the PNG header's IHDR height
    assert height < 0.42 * 60 * kmtm_chart.DPI  # room for 40 bars, not 200
