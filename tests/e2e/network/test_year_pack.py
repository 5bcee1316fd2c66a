"""``/network year year:``: the coordinator takes the year's figures for the annual report
privately, in their language: a summary and one workbook with a sheet per part. Small
numbers are hidden as in KMTM (a single stalking case shows as "*"), KMTM's periods come
exactly as released or as "not released", and the workbook says what the summary says.
A VCP or a board is refused (issue 22)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import add_member, add_vcp, network_with
from tests.e2e.kmtm.steps import attachment
from vcpbot.db.escalation import CaseCount
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession
from vcpbot.db.kmtm import KmtmByCategory, KmtmByFollowUp, KmtmByRelation
from vcpbot.db.network import Association
from vcpbot.services import kmtm
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, seed_network_world

NEW_YEAR = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Amsterdam")
THREE = (
    ("tragos", "Studentenvereniging Tragos", "nl"),
    ("circumflex", "Circumflex", "nl"),
    ("saurus", "Saurus Maastricht", "en-US"),
)
KEYS = tuple(key for key, _, _ in THREE)
# The team's 2026 as ``count_closed`` left it: one stalking case among 18.
CASES_2026 = [
    ("2026-Q1", "vcp", "bullying", "routine", "advice_given", 9),
    ("2026-Q2", "vcp", "intimidation", "soon", "referred_internally", 8),
    ("2026-Q3", "vcp", "stalking", "urgent", "referred_externally", 1),
]
WORDS = {
    "nl": {
        "title": "Het jaar 2026 in één overzicht",
        "not_tracked": "wordt nog niet bijgehouden",
        "not_released": "niet vrijgegeven",
        "network": "Netwerk",
        "intervisie": "Intervisie",
        "rules": "Regels",
        "cases": "Meldingen",
        "stalking": "Stalking",
        "associations": "Verenigingen",
        "vcps": "VCP's geregistreerd",
        "trained": "Getrainde VCP's",
        "sessions": "Bijeenkomsten gehouden",
        "invited": "Uitnodigingen",
        "share": "Aanwezig (% van genoteerd)",
        "code": "Met een gedragscode",
        "total": "Totaal",
    },
    "en": {
        "title": "The year 2026 in one pack",
        "not_tracked": "not tracked yet",
        "not_released": "not released",
        "network": "Network",
        "intervisie": "Intervisie",
        "rules": "Rules",
        "cases": "Cases",
        "stalking": "Stalking",
        "associations": "Associations",
        "vcps": "VCPs registered",
        "trained": "Trained VCPs",
        "sessions": "Sessions held",
        "invited": "Invitations",
        "share": "Attended (% of recorded)",
        "code": "With a code of conduct",
        "total": "Total",
    },
}


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=THREE)


@pytest.fixture(params=["nl", "en"])
def language(request: pytest.FixtureRequest) -> str:
    """The coordinator's Discord language when they ask for the pack."""
    return str(request.param)


def _reading(world: NetworkWorld, language: str) -> dict[str, str]:
    """The network is set up in Dutch (the shared steps); then the coordinator's Discord
    speaks ``language``."""
    world.coordinator.locale = "nl" if language == "nl" else "en-US"
    return WORDS[language]


async def a_year_of_the_network(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    """Three associations with a VCP each; intervisie twice; two KMTM periods, one released;
    the team's cases; then the new year."""
    await network_with(emulator, world, *KEYS)
    for key in KEYS:
        await add_vcp(emulator, world, key, f"{key}-vcp", locale="nl")
    assert harness.bot is not None
    async with harness.bot.db.sessions.begin() as session:
        ids = list((await session.scalars(select(Association.id).order_by(Association.id))).all())
        await _intervisie(session, ids)
        await _kmtm(session, ids)
        for period, route, category, urgency, outcome, count in CASES_2026:
            session.add(
                CaseCount(
                    period=period, route=route, category=category, urgency=urgency,
                    outcome=outcome, count=count,
                )
            )  # fmt: skip
    clock.set(NEW_YEAR)


async def _intervisie(session, ids: list[int]) -> None:
    """Two sessions in the autumn: 20 of 28 attended, every attendance noted."""
    a, b, c = ids
    marks = [
        {a: [True] * 7 + [False] * 3, b: [True] * 6 + [False], c: [False] * 3},
        {b: [True] * 6, c: [True, False]},
    ]
    for n, attended in enumerate(marks):
        at = datetime(2026, 10, 1, 17, 0, tzinfo=UTC) + timedelta(days=30 * n)
        meeting = IntervisieSession(
            title="Intervisie", starts_at=at, zone="Europe/Amsterdam", duration_minutes=90,
            location_kind="room", location="Tapijn", status="planned", token=f"y{n}",
            created_at=at, updated_at=at,
        )  # fmt: skip
        session.add(meeting)
        await session.flush()
        for association_id, present in attended.items():
            for m, mark in enumerate(present):
                session.add(
                    IntervisieInvitation(
                        session_id=meeting.id, user_id=8000 + 100 * association_id + m,
                        association_id=association_id, attended=mark,
                        token=f"y{n}-{association_id}-{m}", invited_at=at,
                    )
                )  # fmt: skip


async def _kmtm(session, ids: list[int]) -> None:
    """KMTM 2026 released as /kmtm report released it; the autumn period closed, unreported."""
    for name, start, end in (
        ("KMTM 2026", date(2026, 8, 1), date(2026, 8, 15)),
        ("Najaar 2026", date(2026, 11, 1), date(2026, 11, 30)),
    ):
        period = await kmtm.create_period(session, name=name, start_date=start, end_date=end)
        for n, association_id in enumerate(ids):
            for table, value in (
                (KmtmByCategory, "advice"),
                (KmtmByRelation, "student"),
                (KmtmByFollowUp, "listening_ear"),
            ):
                session.add(
                    table(
                        period_id=period.id, association_id=association_id, value=value,
                        count=6 + n,
                    )
                )  # fmt: skip
        closing = datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=5)
        await kmtm.close_period(session, name=name, now=closing, zone=ZONE)
    await kmtm.period_reports(
        session,
        period_name="KMTM 2026",
        dimension="category",
        k=5,
        now=datetime(2026, 8, 25, tzinfo=UTC),
        zone=ZONE,
    )


async def year_pack(emulator: Emulator, user: User, guild, year: int = 2026) -> Message:
    result = await emulator.person(user).slash(guild, "network", {"year": year}, subcommand="year")
    return await result.final()


def sheets(message: Message) -> dict[str, dict[str, object]]:
    """Sheet title -> (first column -> second column) of the attached workbook."""
    book = load_workbook(io.BytesIO(attachment(message, "xlsx").data))
    found: dict[str, dict[str, object]] = {}
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True, min_col=1, max_col=2)
        found[sheet.title] = {str(a): b for a, b in rows if a is not None and b is not None}
    return found


def summary_lines(message: Message) -> list[str]:
    return message.embeds[0]["description"].splitlines()


async def test_the_coordinator_takes_the_year_in_one_pack_with_a_hidden_cell(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    language: str,
) -> None:
    await a_year_of_the_network(emulator, world, harness, clock)
    words = _reading(world, language)

    pack = await year_pack(emulator, world.coordinator, world.hub)

    assert pack.ephemeral
    assert pack.embeds[0]["title"] == words["title"]
    assert [a.filename for a in pack.attachments] == ["year-2026.xlsx"]
    book = sheets(pack)
    # A sheet per part: the network, intervisie, rules, KMTM (its periods and the released
    # period's four tables), and the five sheets of the team's case figures.
    names = list(book)
    assert names[:4] == [words["network"], words["intervisie"], words["rules"], "KMTM"]
    assert sum(name.startswith("KMTM 2026 ") for name in names) == 4
    assert not any("Najaar" in name for name in names)
    assert sum(name.startswith(words["cases"]) for name in names) == 5
    # The single stalking case is hidden, on its sheet as in the summary's total.
    [categories] = [book[n] for n in names if n.startswith(words["cases"])][:1]
    assert categories[words["stalking"]] == "*"

    text = "\n".join(summary_lines(pack))
    network, intervisie, rules = (
        book[words["network"]],
        book[words["intervisie"]],
        book[words["rules"]],
    )
    # The workbook says what the summary says.
    assert (network[words["associations"]], network[words["vcps"]]) == (3, 3)
    assert network[words["trained"]] == 0  # nobody in this world followed a training
    assert f"{'verenigingen' if language == 'nl' else 'associations'}: 3" in text
    assert words["not_tracked"] not in text
    assert (intervisie[words["sessions"]], intervisie[words["invited"]]) == (2, 28)
    assert intervisie[words["share"]] == 71
    assert "71%" in text
    assert f"{'uitnodigingen' if language == 'nl' else 'invitations'}: 28" in text
    assert rules[words["code"]] == 0
    assert book["KMTM"]["KMTM 2026"] == 21  # 6 + 7 + 8 contacts, as released in August
    assert book["KMTM"]["Najaar 2026"] == words["not_released"]
    assert "\nKMTM 2026: 21\n" in text
    assert f"\nKMTM Najaar 2026: {words['not_released']}\n" in text
    assert ": 18" in text  # the cases' total, as /cases report shows it
    # Asked again: the same pack (every figure about people comes from a ledger).
    again = await year_pack(emulator, world.coordinator, world.hub)
    assert summary_lines(again) == summary_lines(pack)


async def test_a_vcp_or_a_board_is_refused_privately(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await a_year_of_the_network(emulator, world, harness, clock)
    tragos = world.association("tragos")
    vcp = world.users["tragos-vcp"]
    member = add_member(emulator, world, "tragos", "noor", locale="en-US")

    for person in (vcp, tragos.admin, member):
        refused = await year_pack(emulator, person, tragos.guild)
        assert refused.ephemeral and not refused.attachments and not refused.embeds
    # In the hub without the coordinator's role (the team member): not for them either.
    refused = await year_pack(emulator, world.team_member, world.hub)
    assert refused.ephemeral and not refused.attachments and not refused.embeds


async def test_a_year_that_is_not_over_is_not_packed_yet(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    language: str,
) -> None:
    await a_year_of_the_network(emulator, world, harness, clock)
    _reading(world, language)

    refused = await year_pack(emulator, world.coordinator, world.hub, year=2027)

    assert refused.ephemeral and not refused.attachments
    assert "2027" in refused.text
    assert ("voorbij" if language == "nl" else "over") in refused.text
