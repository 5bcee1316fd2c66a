"""The coordinator looks at a KMTM report privately before the team sees it: the table
and the chart only for them, with "Post in #channel" and "Cancel". Only the button posts,
only for the coordinator, and what is posted is exactly what was previewed. The files of
an export each say what they hold, for a screen reader."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from discord_emulator import Emulator
from discord_emulator.entities import Message
from tests.e2e.kmtm.steps import (
    FIVE_ASSOCIATIONS,
    add_vcp,
    attachment,
    close_period,
    create_period,
    kmtm,
    log_contact,
    network_of_five,
    press_post,
    preview_report,
    table_rows,
)
from vcpbot.i18n import t
from vcpbot_harness import BotHarness, NetworkWorld, seed_network_world

# Fourteen contacts: seven "sexual violence, physical" from three associations are
# published; the seven others are hidden, spread so no association can work them out.
PLAN = (
    [("tragos", "sexual_physical")] * 3
    + [("circumflex", "sexual_physical")] * 2
    + [("saurus", "sexual_physical")] * 2
    + [("saurus", "advice"), ("koko", "advice"), ("scopus", "advice"), ("tragos", "stalking")]
    + [("circumflex", "improper"), ("koko", "improper"), ("scopus", "improper")]
)
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=FIVE_ASSOCIATIONS)


async def _closed_kmtm(emulator: Emulator, world: NetworkWorld) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    vcps = {
        key: await add_vcp(emulator, world, key, f"vcp-{key}") for key, _, _ in FIVE_ASSOCIATIONS
    }
    for key, category in PLAN:
        guild = world.association(key).guild
        await log_contact(emulator, vcps[key], guild, category, "student", "listening_ear")
    await close_period(emulator, world)


def _in_channel(emulator: Emulator, world: NetworkWorld) -> list[Message]:
    """What a UM team member sees of the bot in the hub's general channel."""
    seen = emulator.channel_messages(world.hub_general, viewer=world.team_member)
    return [m for m in seen if m.author is emulator.bot_user]


async def test_the_coordinator_previews_privately_and_posts_exactly_that(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _closed_kmtm(emulator, world)
    preview = await preview_report(emulator, world, "category")

    # Only the coordinator sees it; the team's channel has nothing yet.
    assert preview.ephemeral
    assert _in_channel(emulator, world) == []
    assert "Alleen jij ziet dit voorbeeld" in preview.text
    # Seen is released: the coordinator is told the numbers are fixed now.
    assert "dezelfde cijfers" in preview.text
    assert table_rows(preview)["Seksueel geweld, fysiek"] == "7"
    assert table_rows(preview)["Adviesvraag of zorg"] == "*"
    assert "maandag 10 augustus 2026 t/m zondag 30 augustus 2026" in preview.text
    assert "5 verenigingen deden mee" in preview.text
    # The coordinator reads the hub's language: nothing to point out about it.
    assert "taal van de hub" not in preview.text
    name = world.hub_general.name
    assert [b["label"] for b in preview.buttons] == [f"Plaats in #{name}", "Annuleren"]
    chart = attachment(preview, "png")
    assert chart.description.startswith("Staafdiagram. KMTM 2026: contacten per categorie.")
    assert "Seksueel geweld, fysiek: 7" in chart.description
    assert "Adviesvraag of zorg: verborgen" in chart.description

    posted = await press_post(emulator, world, preview)

    assert _in_channel(emulator, world) == [posted]
    assert not posted.ephemeral
    assert posted.allowed_mentions == {"parse": []}
    assert posted.embeds == preview.embeds
    [sent] = posted.attachments
    assert (sent.filename, sent.data, sent.description) == (
        chart.filename,
        chart.data,
        chart.description,
    )
    # The preview now says where the report went, and cannot be posted twice.
    assert f"Geplaatst in <#{world.hub_general.id}>" in preview.text
    assert preview.buttons == []


async def test_cancel_posts_nothing_and_the_numbers_stay_as_released(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _closed_kmtm(emulator, world)
    preview = await preview_report(emulator, world, "category")
    shown = table_rows(preview)

    cancelled = await (
        await emulator.person(world.coordinator).press(preview, label="Annuleren")
    ).wait()

    assert cancelled.kind == "update"
    assert "Niet geplaatst" in preview.text
    assert preview.buttons == []
    assert _in_channel(emulator, world) == []
    # Asked again: the same numbers (the preview released them), and it can be posted now.
    again = await preview_report(emulator, world, "category")
    assert table_rows(again) == shown
    posted = await press_post(emulator, world, again)
    assert _in_channel(emulator, world) == [posted]


async def test_a_coordinator_who_lost_the_role_cannot_post_the_preview(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _closed_kmtm(emulator, world)
    preview = await preview_report(emulator, world, "category")
    member = world.hub.member(world.coordinator)
    member.roles.remove(world.coordinator_role)
    emulator.world.update_member(world.hub, member)

    label = f"Plaats in #{world.hub_general.name}"
    pressed = await (await emulator.person(world.coordinator).press(preview, label=label)).wait()

    assert pressed.message.ephemeral
    assert "coördinator" in pressed.message.text.lower()
    assert _in_channel(emulator, world) == []
    # The refused press did not use the preview up: with the role back, it posts.
    emulator.give_role(world.hub, world.coordinator, world.coordinator_role)
    posted = await press_post(emulator, world, preview)
    assert _in_channel(emulator, world) == [posted]


async def test_a_preview_from_before_a_restart_says_to_ask_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _closed_kmtm(emulator, world)
    preview = await preview_report(emulator, world, "follow_up")
    await harness.restart()

    label = f"Plaats in #{world.hub_general.name}"
    pressed = await (await emulator.person(world.coordinator).press(preview, label=label)).wait()

    assert pressed.message.ephemeral
    assert "opnieuw gestart" in pressed.message.text
    assert "/kmtm rapport" in pressed.message.text
    assert _in_channel(emulator, world) == []


async def test_an_english_coordinator_previews_in_english_the_report_the_team_reads_in_dutch(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    """The report goes to the team's channel, so it is in the hub's language (Dutch here),
    and the preview shows exactly that; what is said to the coordinator is in English."""
    await _closed_kmtm(emulator, world)
    world.coordinator.locale = "en-GB"
    preview = await preview_report(emulator, world, "association")
    name = world.hub_general.name
    assert [b["label"] for b in preview.buttons] == [f"Post in #{name}", "Cancel"]
    assert "Only you see this preview" in preview.text
    assert "The report is in Dutch, the hub's language" in preview.text
    [embed] = preview.embeds
    assert embed["title"] == "KMTM 2026: contacten per vereniging"
    assert table_rows(preview)["Koko"] == "*"
    chart = attachment(preview, "png")
    assert chart.description.startswith("Staafdiagram. KMTM 2026: contacten per vereniging.")
    assert "Koko: verborgen" in chart.description

    posted = await press_post(emulator, world, preview)

    assert posted.embeds == preview.embeds
    assert [a.description for a in posted.attachments] == [chart.description]
    assert f"Posted in <#{world.hub_general.id}>" in preview.text


async def test_the_export_gives_a_workbook_a_csv_and_the_chart_each_described(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _closed_kmtm(emulator, world)
    export = await kmtm(
        emulator, world.coordinator, world.hub, "export", {"period": "KMTM 2026", "by": "category"}
    )

    assert export.ephemeral
    assert sorted(a.filename for a in export.attachments) == [
        "kmtm-2026-category.csv",
        "kmtm-2026-category.svg",
        "kmtm-2026.xlsx",
    ]
    assert all(a.description for a in export.attachments)
    book = load_workbook(io.BytesIO(attachment(export, "xlsx").data))
    dimensions = ("category", "relation", "follow_up", "association")
    assert book.sheetnames == [t(f"kmtm.dimension.{d}", "nl")[:31] for d in dimensions]
    assert book.active.title == t("kmtm.dimension.category", "nl")
    assert "werkmap" in attachment(export, "xlsx").description.lower()
    csv_data = attachment(export, "csv").data
    assert csv_data.startswith(BOM + b"period;breakdown;key;label;count;status;")
    svg = attachment(export, "svg")
    texts = "".join(ET.fromstring(svg.data).itertext())  # noqa: S314 - the bot's own file
    assert "KMTM 2026: contacten per categorie" in texts
    assert svg.description.startswith("Staafdiagram. KMTM 2026: contacten per categorie.")
    # Nothing was posted for the team: an export is the coordinator's alone.
    assert _in_channel(emulator, world) == []
