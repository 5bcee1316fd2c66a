"""KMTM reporting on SQLite and PostgreSQL: periods, logging, undo, reports, the ledger.

The scenario numbers are the UM team's 2023 figures (DOMAIN.md) scaled to one
introduction period: 45 contacts (the 2023 count after the team started) over
five associations.
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import random
import struct
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, DateTime, func, inspect, select, text, update

from vcpbot.db import Database
from vcpbot.db.base import Base
from vcpbot.db.kmtm import (
    COUNTER_TABLES,
    Category,
    Dimension,
    FollowUp,
    KmtmPeriod,
    KmtmRelease,
    Relation,
)
from vcpbot.db.network import Association
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.i18n import t
from vcpbot.services import kmtm, network
from vcpbot.services.disclosure import FEWER_THAN_K, SUPPRESSED, Cell, Rule, protect
from vcpbot.services.kmtm import _chart as kmtm_chart
from vcpbot.services.kmtm import _export as kmtm_export
from vcpbot.services.kmtm import _report as kmtm_report
from vcpbot.services.kmtm._chart import render_png
from vcpbot.services.kmtm._report import ReportRow
from vcpbot.services.kmtm._types import Report
from vcpbot.services.kmtm._undo import UndoBook

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


async def _report(db: Database, dimension: str, name: str = "KMTM 2026", **rule) -> kmtm.Report:
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


def _csv_rows(report: kmtm.Report, locale: str) -> list[dict[str, str]]:
    """The CSV export as a spreadsheet in that language reads it."""
    return list(csv.DictReader(io.StringIO(_csv_text(report, locale)), delimiter=_SEP[locale]))


def _csv_text(report: kmtm.Report, locale: str) -> str:
    return kmtm_export.export_csv(report, locale=locale).decode("utf-8-sig")


_SEP = {"nl": ";", "en": ","}


def _values(report: kmtm.Report) -> dict[str, object]:
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
    shares: dict[str, Counter[int]] = defaultdict(Counter)
    for contact in plan:
        shares[contact[column]][ids[contact[0]]] += 1
    cells = [Cell(v, shares[v].total(), dict(shares[v])) for v in values]
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
    # Scopus's 4 is hidden. Koko's 7 alone with it would let Koko subtract its own 7
    # and find the 4; with Saurus's 9 as well, Scopus would know the other two add up
    # to 16, each at most 10 (below the smallest shown, 11): so Circumflex goes too.
    assert shown == {
        "Circumflex": SUPPRESSED,
        "Koko": SUPPRESSED,
        "Saurus": SUPPRESSED,
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
    # 9 inches wide at print resolution, between about 3 and 27 inches tall.
    assert width == 9 * kmtm_chart.DPI == 2700
    assert 2.7 * kmtm_chart.DPI < height < 27 * kmtm_chart.DPI
    assert len(data) > 10_000
    return width, height


# --- the ledger ------------------------------------------------------------------------


async def _small_closed_period(db: Database) -> None:
    """Fourteen contacts: seven sexual_physical, published; seven others, hidden, spread
    so that no association holds more than two of them (otherwise it could subtract
    its own and learn that the others logged fewer than five there)."""
    await _network(db)
    await _period(db)
    plan = [(1001, "sexual_physical")] * 3 + [(1002, "sexual_physical")] * 2
    plan += [(1003, "sexual_physical")] * 2
    plan += [(1003, "advice"), (1004, "advice"), (1005, "advice"), (1001, "stalking")]
    plan += [(1002, "improper"), (1004, "improper"), (1005, "improper")]
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
    assert first.total == 14
    # Other settings later still get the release as published; they are told so.
    changed = await _report(db, "category", k=3, round_to_5=True)
    assert changed.from_ledger and changed.settings_differ
    assert (changed.rows, changed.k, changed.rounded) == (first.rows, 5, False)
    async with db.sessions.begin() as session:
        releases = (await session.scalars(select(KmtmRelease))).all()
    # The first report released the whole period: every breakdown, with one set of settings.
    assert sorted((r.dimension, r.k, r.rounded, r.span) for r in releases) == [
        ("association", 5, False, 1),
        ("category", 5, False, 1),
        ("follow_up", 5, False, 1),
        ("relation", 5, False, 1),
    ]
    assert {r.payload["total"] for r in releases} == {14}
    # The ledger keeps what was shown, never why a cell is hidden.
    assert "primary" not in str([r.payload for r in releases])
    assert "secondary" not in str([r.payload for r in releases])


async def test_concurrent_first_requests_record_one_release(db: Database) -> None:
    await _small_closed_period(db)
    asked = ["relation"] * 3 + ["category", "association"]
    reports = await asyncio.gather(*(_report(db, by) for by in asked))
    assert len({(r.rows, r.total) for r in reports[:3]}) == 1
    assert len({r.total for r in reports}) == 1
    # One release of the period: each of its four breakdowns recorded once.
    assert (await _row_counts(db))["kmtm_releases"] == 4


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
    rows = _csv_rows(released, "en")
    assert {r["count"] for r in rows} == {"*", "fewer than 5"}


async def test_rounding_applies_after_suppression(db: Database) -> None:
    await _small_closed_period(db)
    released = await _report(db, "category", round_to_5=True)
    values = _values(released)
    assert values["sexual_physical"] == 5  # 7, rounded
    assert released.total == 15  # 14, rounded from the exact total
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
        # 3, 2 and 1: Tragos could subtract its 3 from a 6 and learn the others' 1 and 2.
        ("KMTM 2024", SUPPRESSED, None),
        ("KMTM 2025", 19, round(19 * 1000 / 850, 1)),  # every contributor registered
        ("KMTM 2026", 45, None),  # three associations that logged did not register
    ]
    only_two = await _report(db, "year", name="KMTM 2025")
    assert [r.key for r in only_two.rows] == ["KMTM 2024", "KMTM 2025"]
    _assert_png(render_png(years, locale="en"))


async def test_the_csv_export_has_the_published_numbers_only(db: Database) -> None:
    await _small_closed_period(db)
    released = await _report(db, "category")
    rows = _csv_rows(released, "nl")
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
        "count": "14",
        "status": "published",
        "per_1000_members": "",
    }
    # The 3 advice, 3 improper and 1 stalking contacts appear nowhere.
    assert {r["count"] for r in rows} == {"7", "*", "14"}


# --- one release per period: later tables show the ledger's numbers --------------------


async def _past_period(db: Database, year: int, plan: dict[int, int]) -> None:
    """A closed period in ``year`` with ``plan[guild]`` contacts from each association."""
    await _period(db, f"KMTM {year}", date(year, 8, 1), date(year, 9, 30))
    for guild, n in plan.items():
        for _ in range(n):
            await _log(db, guild, now=datetime(year, 8, 20, 12, 0, tzinfo=UTC))
    await _close(db, f"KMTM {year}", now=datetime(year, 10, 2, tzinfo=UTC))


def _csv_counts(report: kmtm.Report) -> dict[str, str]:
    """What a person reads in the export: each row's count as text, by key."""
    return {row["key"]: row["count"] for row in _csv_rows(report, "en")}


@pytest.mark.threat("T12")
async def test_a_period_released_with_k_10_still_shows_fewer_than_10_after_k_is_lowered(
    db: Database,
) -> None:
    await _network(db)
    # Nine contacts, three from each of three associations.
    await _past_period(db, 2025, {1001: 3, 1002: 3, 1003: 3})
    first = await _report(db, "category", name="KMTM 2025", k=10)
    assert _csv_counts(first)["total"] == "fewer than 10"
    # A year later the coordinator lowers k to 5.
    await _past_period(db, 2026, {1001: 3, 1002: 3, 1003: 3})
    years = await _report(db, "year", name="KMTM 2026", k=5)
    assert _csv_counts(years) == {"KMTM 2025": "fewer than 10", "KMTM 2026": "9"}
    # The table says which period keeps the settings of its own release.
    assert kmtm_report.released_otherwise(years, "en") == ["KMTM 2025"]
    _assert_png(render_png(years, locale="nl"))
    # Another breakdown of 2025, asked for the first time now, has the same total too.
    by_association = await _report(db, "association", name="KMTM 2025", k=5)
    assert _csv_counts(by_association)["total"] == "fewer than 10"
    assert set(_values(by_association).values()) == {SUPPRESSED}
    assert by_association.settings_differ


async def test_a_period_released_rounded_stays_rounded_after_rounding_is_turned_off(
    db: Database,
) -> None:
    await _network(db)
    await _past_period(db, 2025, {1001: 5, 1002: 4, 1003: 4})
    first = await _report(db, "relation", name="KMTM 2025", round_to_5=True)
    assert first.total == 15  # 13, rounded
    await _past_period(db, 2026, {1001: 5, 1002: 4, 1003: 4})
    years = await _report(db, "year", name="KMTM 2026", round_to_5=False)
    assert _csv_counts(years) == {"KMTM 2025": "15", "KMTM 2026": "13"}
    later = await _report(db, "category", name="KMTM 2025", round_to_5=False)
    assert later.total == 15 and later.rounded


async def test_a_year_table_releases_the_periods_it_shows(db: Database) -> None:
    await _network(db)
    await _past_period(db, 2025, {1001: 3, 1002: 3, 1003: 3})
    await _past_period(db, 2026, {1001: 3, 1002: 3, 1003: 3})
    years = await _report(db, "year", name="KMTM 2026", k=5)
    assert _csv_counts(years) == {"KMTM 2025": "9", "KMTM 2026": "9"}
    # 2025 was released by that table: a later k of 10 does not turn it into "fewer than 10".
    later = await _report(db, "category", name="KMTM 2025", k=10)
    assert _csv_counts(later)["total"] == "9"
    assert later.k == 5 and later.settings_differ


async def _old_style_release(db: Database, period: str, dimension: str, rows: list, total) -> None:
    """A ledger row as releases were recorded before one release covered a whole period."""
    async with db.sessions.begin() as session:
        found = await kmtm.period_by_name(session, name=period)
        session.add(
            KmtmRelease(
                period_id=found.id,
                dimension=dimension,
                k=10,
                min_contributors=3,
                rounded=False,
                span=1 if dimension != "year" else 5,
                released_on=date(2025, 10, 3),
                payload={"period": period, "rows": rows, "total": total},
            )
        )


async def test_a_period_released_one_table_at_a_time_keeps_its_first_total(db: Database) -> None:
    await _network(db)
    await _past_period(db, 2025, {1001: 3, 1002: 3, 1003: 3})
    # Released before this version, with k=10: only the category table, total "fewer than 10".
    rows = [{"key": c.value, "label": None, "value": "suppressed", "rate": None} for c in Category]
    await _old_style_release(db, "KMTM 2025", "category", rows, "fewer_than_k")
    by_association = await _report(db, "association", name="KMTM 2025", k=5)
    assert by_association.total is FEWER_THAN_K and by_association.k == 10
    assert _csv_counts(by_association)["total"] == "fewer than 10"
    category = await _report(db, "category", name="KMTM 2025", k=5)
    assert category.rows == tuple(kmtm.ReportRow(c.value, None, SUPPRESSED) for c in Category)


async def test_a_period_shown_only_in_an_old_year_table_keeps_that_total(db: Database) -> None:
    await _network(db)
    await _past_period(db, 2024, {1001: 3, 1002: 3, 1003: 3})
    await _past_period(db, 2025, {1001: 3, 1002: 3, 1003: 3})
    rows = [
        {"key": "KMTM 2024", "label": "KMTM 2024", "value": "fewer_than_k", "rate": None},
        {"key": "KMTM 2025", "label": "KMTM 2025", "value": "fewer_than_k", "rate": None},
    ]
    await _old_style_release(db, "KMTM 2025", "year", rows, None)
    later = await _report(db, "relation", name="KMTM 2024", k=5)
    assert _csv_counts(later)["total"] == "fewer than 10"
    await _past_period(db, 2026, {1001: 3, 1002: 3, 1003: 3})
    years = await _report(db, "year", name="KMTM 2026", k=5)
    assert _csv_counts(years) == {
        "KMTM 2024": "fewer than 10",
        "KMTM 2025": "fewer than 10",
        "KMTM 2026": "9",
    }


CONTACT = st.tuples(
    st.sampled_from(["stalking", "advice", "bullying"]),
    st.sampled_from(["student", "unknown"]),
    st.sampled_from(["listening_ear", "nothing_yet"]),
)
PLANS = st.lists(
    st.dictionaries(st.sampled_from(list(ASSOCIATIONS)), st.lists(CONTACT, max_size=8)),
    min_size=2,
    max_size=4,
)
REQUESTS = st.lists(
    st.fixed_dictionaries(
        {
            "period": st.integers(0, 3),
            "dimension": st.sampled_from([d.value for d in Dimension]),
            "k": st.integers(3, 10),
            "round_to_5": st.booleans(),
            "min_contributors": st.integers(3, 4),
            "year_periods": st.integers(1, 4),
        }
    ),
    min_size=2,
    max_size=8,
)
EXAMPLES = itertools.count()


async def _closed_periods(
    db: Database, plans: list[dict[int, list[tuple[str, str, str]]]]
) -> list[str]:
    """Periods in years nobody used before in this database, with these contacts, closed."""
    async with db.sessions.begin() as session:
        joined = await network.association_for_guild(session, guild_id=1001) is not None
    ids = await _ids(db) if joined else await _network(db)
    first_year = 2100 + 5 * next(EXAMPLES)
    names = []
    for offset, plan in enumerate(plans):
        year = first_year + offset
        period = await _period(db, f"P {year}", date(year, 8, 1), date(year, 9, 30))
        async with db.sessions.begin() as session:
            for position, table in enumerate(COUNTER_TABLES.values()):
                tally = Counter(
                    (ids[guild], contact[position])
                    for guild, contacts in plan.items()
                    for contact in contacts
                )
                session.add_all(
                    table(period_id=period.id, association_id=a, value=v, count=n)
                    for (a, v), n in tally.items()
                )
        await _close(db, period.name, now=datetime(year, 10, 2, tzinfo=UTC))
        names.append(period.name)
    return names


def _ledger_text(value: object, k: int) -> str:
    if value == "suppressed":
        return "*"
    if value == "fewer_than_k":
        return f"fewer than {k}"
    return str(value)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=PLANS, requests=REQUESTS)
@pytest.mark.threat("T12")
async def test_every_later_table_shows_the_ledgers_numbers_for_released_periods(
    db: Database, plans, requests
) -> None:
    """Settings change at random between reports; a period's numbers never do."""
    names = await _closed_periods(db, plans)
    totals: dict[str, str] = {}  # each period's total as first shown
    tables: dict[tuple[str, str], dict[str, str]] = {}  # each breakdown as first shown
    for request in requests:
        settings_now = {k: v for k, v in request.items() if k not in ("period", "dimension")}
        name, dimension = names[request["period"] % len(names)], request["dimension"]
        shown = _csv_counts(await _report(db, dimension, name=name, **settings_now))
        if dimension == "year":
            observed = shown
        else:
            assert tables.setdefault((name, dimension), shown) == shown
            observed = {name: shown["total"]}
        for period, total in observed.items():
            assert totals.setdefault(period, total) == total, (period, requests)
    # The ledger holds each of those periods, with the same total in every table of it.
    async with db.sessions.begin() as session:
        rows = (await session.scalars(select(KmtmRelease))).all()
        by_id = {p.id: p.name for p in await kmtm.list_periods(session)}
    for period, total in totals.items():
        own = [r for r in rows if by_id[r.period_id] == period and r.dimension != "year"]
        assert own, f"{period} was shown but is not in the ledger"
        assert {_ledger_text(r.payload["total"], r.k) for r in own} == {total}


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


@pytest.mark.parametrize("name", FORMULA_NAMES)
async def test_no_name_in_the_kmtm_export_can_run_as_a_formula(db: Database, name: str) -> None:
    """A board names its association, the coordinator a period: whatever the name
    starts with, the coordinator's spreadsheet shows it as text."""
    ids = await _network(db)
    await _past_period(db, 2025, {1001: 3, 1002: 3, 1003: 3})
    period = " ".join(name.split())  # a period's name is tidied when it is created
    async with db.sessions.begin() as session:
        await session.execute(
            update(Association).where(Association.id == ids[1001]).values(name=name)
        )
        await session.execute(update(KmtmPeriod).values(name=period))
    for by in ("association", "category", "year"):
        released = await _report(db, by, name=period)
        text_ = _csv_text(released, "nl")
        cells = [cell for row in csv.reader(io.StringIO(text_), delimiter=";") for cell in row]
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], by
        rows = _csv_rows(released, "nl")
        assert {r["period"] for r in rows} == {"'" + period}
        if by == "association":
            assert "'" + name in {r["label"] for r in rows}


async def test_a_board_names_its_association_as_a_formula_through_setup(db: Database) -> None:
    await _network(db)
    await _join(db, 1006, '=HYPERLINK("https://example.org","Klik")')
    await _past_period(db, 2025, {1001: 3, 1002: 3, 1006: 3})
    released = await _report(db, "association", name="KMTM 2025")
    rows = _csv_rows(released, "nl")
    assert '\'=HYPERLINK("https://example.org","Klik")' in {r["label"] for r in rows}


@pytest.mark.parametrize("name", ["$\\frac{$", "Sigma $x_1$ Society", "100$ club"])
async def test_a_name_with_dollar_signs_does_not_stop_the_chart(db: Database, name: str) -> None:
    """Matplotlib reads "$...$" as a formula; a malformed one made drawing fail."""
    ids = await _network(db)
    await _past_period(db, 2025, {1001: 3, 1002: 3, 1003: 3})
    await _past_period(db, 2026, {1001: 3, 1002: 3, 1003: 3})
    async with db.sessions.begin() as session:
        await session.execute(
            update(Association).where(Association.id == ids[1001]).values(name=name)
        )
        await session.execute(
            update(KmtmPeriod).where(KmtmPeriod.name == "KMTM 2025").values(name=name)
        )
    for by, period in (("association", "KMTM 2026"), ("year", "KMTM 2026"), ("category", name)):
        _assert_png(render_png(await _report(db, by, name=period), locale="en"))


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
        start_date=date(2026, 8, 10),
        end_date=date(2026, 8, 30),
        associations=200,
        from_ledger=False,
    )
    largest = kmtm_chart._largest(report.rows, kmtm_chart.CHART_ROWS_MAX)
    assert [r.value for r in largest] == [i for i in range(150, 200) if i % 5]  # table order
    png = render_png(report, locale="nl")
    _assert_png(png)
    height = int.from_bytes(png[20:24], "big")  # the PNG header's IHDR height
    assert height < 0.42 * 60 * kmtm_chart.DPI  # room for 40 bars, not 200
