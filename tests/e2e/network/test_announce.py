"""Announcements across the network: boards choose a channel (or opt out, or allow one role
to be pinged), the coordinator writes a bilingual announcement, previews it exactly as it
will be posted, sends it, and reads how it went. Dutch and English."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation.steps import wait_until
from tests.e2e.escalation.test_escalation_delivery import advance_until
from tests.e2e.network.announce_steps import (
    DUTCH,
    TEXT_EN,
    TEXT_NL,
    announcement_channel,
    arrived,
    choose,
    copies,
    fields,
    forbid_posting,
    report,
    send,
    with_channels,
    write,
)
from tests.e2e.network.steps import request_to_join
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, seed_network_world
from vcpbot_harness.steps import network as network_steps

FOUR = (
    ("tragos", "Studentenvereniging Tragos", "nl"),
    ("circumflex", "Circumflex", "nl"),
    ("saurus", "Saurus Maastricht", "en-US"),
    ("koko", "Koko", "en-US"),
)
POST = "POST /channels/{channel_id}/messages"


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return with_channels(seed_network_world(emulator, associations=FOUR))


async def _four_in_the_network(emulator: Emulator, world: NetworkWorld) -> None:
    """Tragos (Dutch) and Saurus (English) chose a channel; Circumflex opted out; Koko
    chose nothing yet."""
    await network_steps.set_up_hub(emulator, world)
    for key, language in (("tragos", "nl"), ("circumflex", "nl"), ("saurus", "en"), ("koko", "en")):
        await request_to_join(emulator, world, key, language=language)
        await network_steps.approve(
            emulator, world, await network_steps.join_card(emulator, world, key)
        )
    for key in ("tragos", "saurus", "circumflex"):
        await choose(emulator, world, key, channel=announcement_channel(world, key))
    await choose(emulator, world, "circumflex", receive=False)


async def test_the_coordinator_previews_sends_and_each_association_gets_its_language_once(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_in_the_network(emulator, world)

    preview = await write(emulator, world)

    # The preview shows the message exactly as posted, in both languages, and who gets it.
    assert [e["title"] for e in preview.embeds] == [DUTCH, DUTCH]
    assert [e["description"] for e in preview.embeds] == [TEXT_NL, TEXT_EN]
    assert preview.embeds[0]["footer"]["text"].startswith("Aankondiging van de UM-coördinator")
    assert preview.embeds[1]["footer"]["text"].startswith("Announcement from the UM")
    assert "Alleen jij ziet dit voorbeeld" in preview.text
    assert "1 vereniging krijgt de Nederlandse tekst" in preview.text
    assert "1 vereniging krijgt de Engelse tekst" in preview.text
    assert "afgemeld voor aankondigingen: Circumflex" in preview.text
    assert "nog geen kanaal gekozen: Koko" in preview.text
    # Nothing is posted before Send.
    assert copies(emulator, announcement_channel(world, "tragos")) == []

    done = await send(emulator, world, preview, "Versturen")

    assert "onderweg naar 2 verenigingen" in done.text and done.embeds == []
    tragos, saurus = (announcement_channel(world, key) for key in ("tragos", "saurus"))
    await arrived(emulator, [tragos, saurus])
    [dutch] = copies(emulator, tragos)
    [english] = copies(emulator, saurus)
    assert dutch.embeds[0]["description"] == TEXT_NL
    assert english.embeds[0]["description"] == TEXT_EN
    # Nobody is pinged: no board allowed a role.
    for copy in (dutch, english):
        assert copy.content == ""
        assert copy.allowed_mentions == {"parse": []}
        assert copy.mention_roles == [] and not copy.mention_everyone
    for key in ("circumflex", "koko"):
        assert copies(emulator, announcement_channel(world, key)) == []

    shown = await report(emulator, world)
    seen = fields(shown)
    assert seen["Aangekomen bij 2 verenigingen"] == "Saurus Maastricht\nStudentenvereniging Tragos"
    assert seen["Niet verstuurd naar 2 verenigingen"] == (
        "Circumflex: afgemeld voor aankondigingen\nKoko: nog geen kanaal gekozen"
    )
    assert shown.embeds[0]["title"] == f"Hoe je aankondiging ging: {DUTCH}"
    refreshed = await (
        await emulator.person(world.coordinator).press(shown, label="Vernieuwen")
    ).final()
    assert fields(refreshed) == seen


async def test_an_english_coordinator_writes_previews_and_reads_the_report_in_english(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_in_the_network(emulator, world)
    world.coordinator.locale = "en-US"

    preview = await write(emulator, world)

    assert "Only you can see this preview" in preview.text
    assert "1 association gets the Dutch text" in preview.text
    assert "Not sent, as they opted out of announcements: Circumflex." in preview.text
    assert "Not sent, as they have not chosen a channel yet: Koko." in preview.text
    assert [b["label"] for b in preview.buttons] == ["Send", "Edit", "Don't send"]
    done = await send(emulator, world, preview, "Send")
    assert "on its way to 2 associations" in done.text
    await arrived(emulator, [announcement_channel(world, key) for key in ("tragos", "saurus")])

    seen = fields(await report(emulator, world))
    assert seen["Arrived at 2 associations"] == "Saurus Maastricht\nStudentenvereniging Tragos"
    assert seen["Not sent to 2 associations"] == (
        "Circumflex: opted out of announcements\nKoko: no channel chosen yet"
    )


async def test_a_coordinator_who_does_not_send_leaves_nothing_behind(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_in_the_network(emulator, world)

    preview = await write(emulator, world)
    cancelled = await send(emulator, world, preview, "Niet versturen")

    assert "Niet verstuurd. Er is niets bewaard." in cancelled.text
    assert cancelled.embeds == [] and cancelled.buttons == []
    assert "nog geen aankondiging verstuurd" in (await report(emulator, world)).text
    assert copies(emulator, announcement_channel(world, "tragos")) == []


async def test_only_the_role_a_board_allowed_is_pinged_and_nothing_else(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_in_the_network(emulator, world)
    tragos = world.association("tragos")
    news = tragos.guild.create_role("Nieuws van de UM")
    await choose(emulator, world, "tragos", role=news)

    text = "Let op @everyone: de campagneweek begint maandag."
    preview = await write(
        emulator, world, {"title": "Campagneweek", "nl": text, "en": "Campaign week."}
    )
    await send(emulator, world, preview, "Versturen")

    channels = [announcement_channel(world, key) for key in ("tragos", "saurus")]
    await arrived(emulator, channels)
    [pinged] = copies(emulator, channels[0])
    assert pinged.content == f"<@&{news.id}>"
    assert pinged.allowed_mentions == {"parse": [], "roles": [news.id]}
    assert pinged.mention_roles == [news.id] and not pinged.mention_everyone
    [quiet] = copies(emulator, channels[1])
    assert quiet.content == "" and quiet.mention_roles == []


async def test_someone_without_the_coordinator_role_is_refused_privately(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_in_the_network(emulator, world)

    result = await emulator.person(world.team_member).slash(
        world.hub, "network", subcommand="announce"
    )

    assert result.response.modal is None
    refusal = await result.final()
    assert refusal.ephemeral
    assert "coordinator" in refusal.text.casefold()


async def test_an_empty_or_too_long_text_is_refused_kindly_and_can_be_edited(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_in_the_network(emulator, world)
    coordinator = emulator.person(world.coordinator)

    empty = await write(emulator, world, {"title": DUTCH, "nl": "   ", "en": TEXT_EN})

    assert "De Nederlandse tekst is nog leeg" in empty.text
    assert [b["label"] for b in empty.buttons] == ["Aanpassen", "Niet versturen"]
    long_english = "x" * 2500
    edited = await coordinator.press(empty, label="Aanpassen")
    form = edited.response.modal
    assert form is not None
    assert {c["custom_id"]: c.get("value") for c in form.inputs}["en"] == TEXT_EN
    too_long = await (await coordinator.submit(form, {"nl": TEXT_NL, "en": long_english})).final()

    assert "De Engelse tekst heeft 2.500 tekens; er passen er 2.000" in too_long.text
    assert "Je tekst is bewaard" in too_long.text
    assert "Versturen" not in [b["label"] for b in too_long.buttons]
    # Nothing was sent or kept.
    assert "nog geen aankondiging verstuurd" in (await report(emulator, world)).text
    assert copies(emulator, announcement_channel(world, "tragos")) == []


async def test_rate_limits_delay_an_announcement_but_never_double_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await _four_in_the_network(emulator, world)
    tragos = announcement_channel(world, "tragos")
    # Longer than discord.py waits out by itself: the worker backs off and tries again.
    emulator.inject(POST, status=429, count=12, retry_after=0.01, channel=tragos)

    await send(emulator, world, await write(emulator, world), "Versturen")

    await wait_until(
        emulator,
        lambda: sum(s.startswith("429") for s in emulator.rate_limits.served) >= 5,
        "the rate limits to be served",
        within=15,
    )
    await advance_until(emulator, clock, lambda: bool(copies(emulator, tragos)))
    await arrived(emulator, [tragos, announcement_channel(world, "saurus")])
    assert len(copies(emulator, tragos)) == 1
    assert sum(s.startswith("429") for s in emulator.rate_limits.served) == 12
    assert (
        "Studentenvereniging Tragos"
        in fields(await report(emulator, world))["Aangekomen bij 2 verenigingen"]
    )


async def test_a_boards_choice_is_in_the_networks_log_and_a_channel_the_bot_cannot_use_is_named(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await _four_in_the_network(emulator, world)
    koko = announcement_channel(world, "koko")
    forbid_posting(emulator, world, "koko", koko)

    reply = await choose(emulator, world, "koko", channel=koko)

    # Koko's board reads English.
    assert f"now arrive in <#{koko.id}>" in reply.text
    assert "Nobody is mentioned." in reply.text
    assert f"the bot cannot send messages in <#{koko.id}> right now" in reply.text
    log = await (
        await emulator.person(world.coordinator).slash(world.hub, "network", subcommand="audit")
    ).final()
    [embed] = log.embeds
    assert "koos een kanaal voor aankondigingen" in embed["description"]
    assert "meldde de vereniging af voor aankondigingen" in embed["description"]
