"""The UM team's yearly figures (issue 18): counts and median days from what outlives a case,
release-safe as KMTM (k, secondary suppression, one release per year in the ledger)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from tests.services.escalation.steps import (
    AMS,
    NOW,
    TEAM,
    VCP_USER,
    add_association,
    make_config,
    submit,
)
from vcpbot.db import Database
from vcpbot.db.escalation import Case, CaseCount, CaseDuration, CaseRelease
from vcpbot.errors import InvalidInput
from vcpbot.i18n import category_label, t
from vcpbot.services import escalation
from vcpbot.services.disclosure import Marker
from vcpbot.services.escalation import Breakdown, CaseCode, YearFigures

# Early January 2027: 2026 is over.
NEW_YEAR = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
HIDDEN = Marker.SUPPRESSED


async def _seed_counts(db: Database, rows: list[tuple[str, str, str, str, str, int]]) -> None:
    async with db.sessions.begin() as session:
        for period, route, category, urgency, outcome, count in rows:
            session.add(
                CaseCount(
                    period=period,
                    route=route,
                    category=category,
                    urgency=urgency,
                    outcome=outcome,
                    count=count,
                )
            )


async def _seed_days(db: Database, rows: list[tuple[str, str, str, int, int]]) -> None:
    async with db.sessions.begin() as session:
        for period, route, measure, days, count in rows:
            session.add(
                CaseDuration(period=period, route=route, measure=measure, days=days, count=count)
            )


async def _figures(db: Database, *, year: int = 2026, k: int = 5, now=NEW_YEAR) -> YearFigures:
    async with db.sessions.begin() as session:
        return await escalation.year_figures(
            session, year=year, k=k, min_contributors=3, now=now, zone=AMS
        )


def _values(figures: YearFigures, breakdown: Breakdown) -> dict[str, object]:
    return {row.key: row.value for row in figures.table(breakdown).rows}


# A year of the team's work: 20 intimidation, 12 bullying, 2 stalking; all VCP route.
YEAR_2026 = [
    ("2026-Q1", "vcp", "intimidation", "routine", "advice_given", 10),
    ("2026-Q2", "vcp", "intimidation", "soon", "referred_internally", 10),
    ("2026-Q3", "vcp", "bullying", "soon", "referred_externally", 12),
    ("2026-Q4", "vcp", "stalking", "urgent", "complaint_supported", 2),
    # Another year's cases are not counted.
    ("2025-Q4", "vcp", "stalking", "urgent", "advice_given", 40),
]


async def test_a_year_counts_its_closed_cases_by_category_route_urgency_and_outcome(
    db: Database,
) -> None:
    await _seed_counts(db, YEAR_2026)

    figures = await _figures(db)

    category = figures.table(Breakdown.CATEGORY)
    assert category.total == 34
    # 2 urgent: hidden, and the smallest other (routine, 10) with it.
    assert _values(figures, Breakdown.URGENCY) == {"routine": HIDDEN, "soon": 22, "urgent": HIDDEN}
    outcome = _values(figures, Breakdown.OUTCOME)
    assert outcome["referred_externally"] == 12 and outcome["complaint_supported"] is HIDDEN
    assert {t.total for t in figures.tables if t.breakdown is not Breakdown.MEDIAN} == {34}


async def test_a_small_cell_is_hidden_and_so_is_the_next_one_so_it_cannot_be_worked_out(
    db: Database,
) -> None:
    await _seed_counts(db, YEAR_2026)

    values = _values(await _figures(db), Breakdown.CATEGORY)

    assert values["stalking"] is HIDDEN  # 2, below k
    assert values["bullying"] is HIDDEN  # 12, hidden too: total - 20 would give the 2 away
    assert values["intimidation"] == 20
    # Whatever is hidden, more than one cell is, and they add up to k or more.
    hidden = [key for key, value in values.items() if value is HIDDEN]
    assert len(hidden) >= 2


async def test_a_route_with_few_cases_hides_both_routes_and_their_medians(db: Database) -> None:
    await _seed_counts(db, YEAR_2026)
    await _seed_days(db, [("2026-Q2", "vcp", "close", d, 7) for d in (3, 5, 9)])

    figures = await _figures(db)

    assert _values(figures, Breakdown.ROUTE) == {"vcp": HIDDEN, "member": HIDDEN}
    medians = _values(figures, Breakdown.MEDIAN)
    assert medians["vcp.close"] is HIDDEN and medians["member.close"] is HIDDEN
    assert medians["all.close"] == 5  # 21 cases: 7 x 3, 7 x 5, 7 x 9


async def test_medians_over_fewer_than_k_cases_are_not_shown(db: Database) -> None:
    await _seed_counts(
        db,
        [
            ("2026-Q1", "vcp", "bullying", "soon", "advice_given", 8),
            ("2026-Q1", "member", "bullying", "soon", "advice_given", 7),
        ],
    )
    await _seed_days(
        db,
        [
            ("2026-Q1", "vcp", "ack", 1, 3),
            ("2026-Q1", "vcp", "ack", 2, 1),  # 4 acknowledged: below k
            ("2026-Q1", "vcp", "close", 10, 4),
            ("2026-Q1", "vcp", "close", 20, 4),
            ("2026-Q1", "member", "close", 6, 7),
        ],
    )

    medians = _values(await _figures(db), Breakdown.MEDIAN)

    assert medians["vcp.ack"] is HIDDEN
    assert medians["vcp.close"] == 15  # 8 cases: between 10 and 20
    assert medians["member.close"] == 6
    assert medians["all.close"] == 10  # 15 cases: 7 x 6, 4 x 10, 4 x 20


async def test_a_year_is_released_once_and_then_shown_the_same_way(db: Database) -> None:
    await _seed_counts(db, YEAR_2026)
    first = await _figures(db, k=5)
    # Later: another case of 2026 closes, and the deployment raised k.
    await _seed_counts(db, [("2026-Q4", "vcp", "bullying", "routine", "out_of_scope", 9)])

    again = await _figures(db, k=10, now=NEW_YEAR + timedelta(days=40))

    assert again.tables == first.tables
    assert again.from_ledger and not first.from_ledger
    assert again.k == 5 and again.settings_differ
    assert again.released_on == first.released_on == date(2027, 1, 11)


async def test_a_year_that_is_not_over_cannot_be_reported(db: Database) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _figures(db, year=2027)
    assert caught.value.key == "casereport.error.year_not_over"


@pytest.mark.threat("T9")
async def test_the_figures_survive_the_deletion_of_the_cases(db: Database) -> None:
    config = make_config()
    association_id = await add_association(db)
    codes = []
    for n in range(7):
        submitted = await submit(
            db, config, association_id=association_id, user_id=VCP_USER + n, now=NOW
        )
        codes.append(submitted.code)
    for n, code in enumerate(codes):
        async with db.sessions.begin() as session:
            await escalation.acknowledge(
                session, config=config, handler=TEAM, case_ref=CaseCode(code),
                now=NOW + timedelta(days=1),
            )  # fmt: skip
        async with db.sessions.begin() as session:
            await escalation.close_case(
                session, config=config, handler=TEAM, case_ref=CaseCode(code),
                outcome="advice_given", message="Take care.", now=NOW + timedelta(days=2 + n),
            )  # fmt: skip
    before = await _figures(db, year=2026, now=NEW_YEAR)
    async with db.sessions.begin() as session:
        await escalation.purge_expired(session, config=config, now=NEW_YEAR + timedelta(days=200))
        assert await session.scalar(select(func.count()).select_from(Case)) == 0
        durations = await session.scalar(select(func.sum(CaseDuration.count)))

    assert durations == 14  # 7 cases, each with days to acknowledge and to close
    # A fresh ledger (as if never released): the figures are all still there.
    async with db.sessions.begin() as session:
        await session.execute(delete(CaseRelease))
    after = await _figures(db, year=2026, now=NEW_YEAR + timedelta(days=200))
    assert after.tables == before.tables
    assert after.table(Breakdown.CATEGORY).total == 7
    medians = _values(after, Breakdown.MEDIAN)
    assert medians["all.ack"] == 1 and medians["all.close"] == 5  # closed after 2..8 days


async def test_a_reopened_case_is_taken_out_of_the_figures(db: Database) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    async with db.sessions.begin() as session:
        await escalation.close_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code),
            outcome="advice_given", message="Take care.", now=NOW + timedelta(days=3),
        )  # fmt: skip
    async with db.sessions.begin() as session:
        case = await session.scalar(select(Case))
        assert case is not None
        await escalation.count_closed(session, case, sign=-1)
    async with db.sessions.begin() as session:
        counts = (await session.scalars(select(CaseCount.count))).all()
        durations = (await session.scalars(select(CaseDuration.count))).all()
    assert counts == [] and durations == []  # taken back to nothing: no row of 0 is left
    async with db.sessions.begin() as session:
        assert await escalation.case_counts(session) == []  # no row of nothing


@pytest.mark.parametrize("locale", ["nl", "en"])
async def test_the_workbook_and_the_chart_show_what_the_release_shows(
    db: Database, locale: str
) -> None:
    await _seed_counts(db, YEAR_2026)
    await _seed_days(db, [("2026-Q2", "vcp", "close", d, 7) for d in (3, 5, 9)])
    figures = await _figures(db)

    book = load_workbook(io.BytesIO(escalation.figures_xlsx(figures, locale=locale)))
    png = escalation.figures_png(figures, locale=locale)

    assert png.startswith(b"\x89PNG")
    assert len(book.worksheets) == 5  # category, route, urgency, outcome, medians
    by_category = {
        row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row[0]
    }
    assert by_category[category_label("intimidation", locale)] == 20
    assert by_category[category_label("stalking", locale)] == "*"
    assert by_category[category_label("bullying", locale)] == "*"
    medians = [row for row in book.worksheets[4].iter_rows(values_only=True) if row[0]]
    assert any(row[1] == 5 for row in medians)  # all routes, days to close
    assert any(row[1] == t("casereport.median.hidden", locale) for row in medians)
