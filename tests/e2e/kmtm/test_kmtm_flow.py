"""A KMTM as it happens: the coordinator opens a period, VCPs of five associations log
what comes to them, boards register member counts, and after the period the coordinator
previews release-safe reports privately, posts them in the hub and exports the same
numbers."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from discord_emulator import Emulator
from tests.e2e.kmtm.steps import (
    FIVE_ASSOCIATIONS,
    add_vcp,
    attachment,
    close_period,
    create_period,
    csv_rows,
    kmtm,
    log_contact,
    network_of_five,
    png_size,
    press_post,
    preview_report,
    table_rows,
)
from vcpbot.db.kmtm import Category, FollowUp, Relation
from vcpbot.i18n import category_label, t
from vcpbot.services.disclosure import Cell, Rule, protect
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, seed_network_world


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=FIVE_ASSOCIATIONS)


# 45 contacts: the UM team's 2023 figures after the team started (DOMAIN.md), spread
# like the 2023 year, over five associations of different sizes.
CATEGORIES = {
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
}
RELATIONS = {
    "student": 19,
    "staff_academic": 9,
    "staff_support": 3,
    "staff_unknown": 2,
    "civilian": 8,
    "unknown": 4,
}
FOLLOW_UPS = {
    "listening_ear": 17,  # 37%
    "referred_um_team": 14,
    "referred_inside_um": 6,
    "referred_outside_um": 6,
    "nothing_yet": 2,
}
CONTACTS = {"tragos": 14, "circumflex": 11, "saurus": 9, "koko": 7, "scopus": 4}
MEMBERS = {"tragos": 420, "circumflex": 310, "saurus": 260, "koko": 180, "scopus": 95}


def _spread(counts: dict[str, int], rng: random.Random) -> list[str]:
    values = [value for value, n in counts.items() for _ in range(n)]
    rng.shuffle(values)
    return values


def _plan() -> list[tuple[str, str, str, str]]:
    rng = random.Random(2023)
    return list(
        zip(
            _spread(CONTACTS, rng),
            _spread(CATEGORIES, rng),
            _spread(RELATIONS, rng),
            _spread(FOLLOW_UPS, rng),
            strict=True,
        )
    )


def _published(plan, column: int, values) -> dict[str, object]:
    """What the disclosure rule gives for the contacts as logged, tallied here."""
    shares: dict[str, Counter[int]] = defaultdict(Counter)
    keys = [key for key, _, _ in FIVE_ASSOCIATIONS]
    for contact in plan:
        shares[contact[column]][keys.index(contact[0])] += 1
    cells = [Cell(v, shares[v].total(), dict(shares[v])) for v in values]
    return protect(cells, Rule(k=5, min_contributors=3)).values()


def _shown(value: object) -> str:
    return "*" if not isinstance(value, int) else str(value)


async def test_a_realistic_kmtm_from_logging_to_the_report_in_the_hub(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    vcps = {
        key: await add_vcp(emulator, world, key, f"vcp-{key}", locale=locale)
        for key, _, locale in FIVE_ASSOCIATIONS
    }
    created = await create_period(emulator, world)
    assert created.ephemeral
    assert (
        "KMTM 2026 is aangemaakt: maandag 10 augustus 2026 t/m zondag 30 augustus" in created.text
    )

    plan = _plan()
    for key, category, relation, follow_up in plan:
        confirmation = await log_contact(
            emulator, vcps[key], world.association(key).guild, category, relation, follow_up
        )
        assert confirmation.ephemeral, confirmation.text
        assert confirmation.buttons, confirmation.text
    # Each board registers its member count (for rates per 1000 members).
    for key, members in MEMBERS.items():
        association = world.association(key)
        saved = await kmtm(
            emulator,
            association.admin,
            association.guild,
            "members",
            {"period": "KMTM 2026", "count": members},
        )
        assert str(members) in saved.text

    # While the period is open, there is nothing to report yet.
    early = await kmtm(
        emulator,
        world.coordinator,
        world.hub,
        "report",
        {"period": "KMTM 2026", "by": "category"},
    )
    assert early.ephemeral and "nog open" in early.text
    closed = await close_period(emulator, world)
    assert "afgesloten" in closed.text

    for by, column, values in (
        ("category", 1, tuple(Category)),
        ("relation", 2, tuple(Relation)),
        ("follow_up", 3, tuple(FollowUp)),
    ):
        expected = _published(plan, column, values)
        # The coordinator sees it privately first, then posts it.
        preview = await preview_report(emulator, world, by)
        assert preview.ephemeral
        report = await press_post(emulator, world, preview)
        # Posted in the hub channel for the team, with the chart, in the hub's language.
        assert not report.ephemeral
        assert report in emulator.channel_messages(world.hub_general, viewer=world.team_member)
        assert report.allowed_mentions == {"parse": []}
        width, height = png_size(report)
        assert width > 500 and height > 200
        assert report.embeds[0]["image"]["url"].startswith("attachment://kmtm-2026-")
        shown = table_rows(report)
        for value in values:
            name = (
                category_label(value, "nl") if by == "category" else t(f"kmtm.{by}.{value}", "nl")
            )
            assert shown[name] == _shown(expected[value])
        assert shown["Totaal"] == "45"
        assert "* verborgen" in report.text
        # The export has exactly the same numbers, privately.
        export = await kmtm(
            emulator, world.coordinator, world.hub, "export", {"period": "KMTM 2026", "by": by}
        )
        assert export.ephemeral
        rows = {row["key"]: row for row in csv_rows(export)}
        assert {k: rows[k]["count"] for k in expected} == {
            k: _shown(v) for k, v in expected.items()
        }
        assert rows["total"]["count"] == "45"
        for value, row in rows.items():
            if value != "total":
                assert shown[row["label"]] == row["count"]

    by_association = await kmtm(
        emulator,
        world.coordinator,
        world.hub,
        "report",
        {"period": "KMTM 2026", "by": "association"},
    )
    # Scopus's 4 is hidden, and with it enough others that no association can work it
    # out from its own count (Koko could, from its 7, if only Koko's were hidden too).
    assert table_rows(by_association) == {
        "Circumflex": "*",
        "Koko": "*",
        "Saurus Maastricht": "*",
        "Scopus": "*",
        "Studentenvereniging Tragos": "14",
        "Totaal": "45",
    }
    years = await kmtm(
        emulator, world.coordinator, world.hub, "report", {"period": "KMTM 2026", "by": "year"}
    )
    # 45 contacts among 1265 members: 35.6 per 1000, with a Dutch decimal comma.
    assert "35,6" in years.embeds[0]["description"]
    png_size(years)


async def test_a_coordinator_with_english_discord_gets_english_labels_in_their_own_files(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    vcp = await add_vcp(emulator, world, "saurus", "vcp-saurus", locale="en-US")
    guild = world.association("saurus").guild
    confirmation = await log_contact(
        emulator, vcp, guild, "intimidation", "staff_academic", "referred_um_team"
    )
    assert "Logged for KMTM 2026" in confirmation.text
    assert "Harassment or intimidation · Staff, academic · Referred to the UM team" in (
        confirmation.text
    )
    await close_period(emulator, world)
    world.coordinator.locale = "en-US"
    export = await kmtm(
        emulator, world.coordinator, world.hub, "export", {"period": "KMTM 2026", "by": "relation"}
    )
    assert "contacts by the other person's relation" in attachment(export, "svg").description
    # One contact from one association: only "fewer than 5" is published.
    rows = {row["key"]: row for row in csv_rows(export)}
    assert (rows["total"]["label"], rows["total"]["count"]) == ("Total", "fewer than 5")
    assert {row["count"] for row in rows.values()} == {"*", "fewer than 5"}
    # The report is for the team's channel: in the hub's language, and the preview says so.
    report = await preview_report(emulator, world, "relation")
    assert "The report is in Dutch, the hub's language" in report.text
    assert "contacten per relatie van de ander" in report.text
    assert table_rows(report)["Totaal"] == "minder dan 5"
    assert set(table_rows(report).values()) == {"*", "minder dan 5"}


async def test_undo_works_within_five_minutes_and_not_after(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    vcps = {
        key: await add_vcp(emulator, world, key, f"vcp-{key}")
        for key in ("tragos", "circumflex", "saurus")
    }
    for key, vcp in vcps.items():
        for _ in range(3):
            await log_contact(
                emulator, vcp, world.association(key).guild, "advice", "unknown", "listening_ear"
            )
    tragos = world.association("tragos").guild
    sanne = emulator.person(vcps["tragos"])

    # A slip: bullying instead of advice. Undone after four minutes.
    slip = await log_contact(emulator, vcps["tragos"], tragos, "bullying", "student", "nothing_yet")
    assert "5 minuten" in slip.text
    [undo] = slip.buttons
    assert undo["label"] == "Terugdraaien"
    assert undo["custom_id"].startswith("vcp:kmtm:undo:")
    # Nobody else sees the private confirmation, so nobody else can press its Undo.
    assert slip not in emulator.channel_messages(slip.channel, viewer=vcps["circumflex"])
    assert slip not in emulator.channel_messages(
        slip.channel, viewer=world.association("tragos").admin
    )
    clock.advance(timedelta(minutes=4))
    undone = await (await sanne.press(slip, label="Terugdraaien")).wait()
    assert undone.kind == "update"
    assert "Teruggedraaid" in undone.message.text
    assert undone.message.buttons == []

    # Another one, pressed too late: it stays counted.
    late = await log_contact(
        emulator, vcps["tragos"], tragos, "stalking", "civilian", "nothing_yet"
    )
    clock.advance(timedelta(minutes=5, seconds=1))
    refused = (await (await sanne.press(late, label="Terugdraaien")).wait()).message
    assert refused.ephemeral
    assert "tijd om dit terug te draaien is voorbij" in refused.text

    await close_period(emulator, world)
    export = await kmtm(
        emulator, world.coordinator, world.hub, "export", {"period": "KMTM 2026", "by": "category"}
    )
    rows = {row["key"]: row for row in csv_rows(export)}
    # 9 advice contacts and the late stalking one; the bullying slip is gone. (With two
    # each the total would be hidden: Tragos's 3 of 7 would leave the others only 4.)
    assert rows["total"]["count"] == "10"


async def test_several_vcps_logging_at_the_same_moment_all_count(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    vcps = [
        (key, await add_vcp(emulator, world, key, f"vcp-{key}")) for key, _, _ in FIVE_ASSOCIATIONS
    ]
    # Five rounds in which the five VCPs press Submit at the same moment. (A much larger
    # burst would test SQLite's lock waits against Discord's 3-second deadline on a busy
    # machine, not the counters; the service tests log 50 at once.)
    for n in range(5):
        confirmations = await asyncio.gather(
            *(
                log_contact(
                    emulator,
                    vcp,
                    world.association(key).guild,
                    "sexual_physical" if n % 2 else "unprofessional",
                    "student",
                    "referred_um_team",
                )
                for key, vcp in vcps
            )
        )
        assert all(c.buttons for c in confirmations), [c.text for c in confirmations]
    await close_period(emulator, world)
    export = await kmtm(
        emulator, world.coordinator, world.hub, "export", {"period": "KMTM 2026", "by": "category"}
    )
    assert {row["key"]: row["count"] for row in csv_rows(export)}["total"] == "25"
    # Per association: five each, nothing lost.
    by_association = await kmtm(
        emulator,
        world.coordinator,
        world.hub,
        "export",
        {"period": "KMTM 2026", "by": "association"},
    )
    assert {row["label"]: row["count"] for row in csv_rows(by_association)} == {
        **{name: "5" for _, name, _ in FIVE_ASSOCIATIONS},
        "Totaal": "25",
    }
