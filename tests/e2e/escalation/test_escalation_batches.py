"""When a card appears says nothing about when someone pressed Submit: cards of non-urgent
cases go out in batches, at a moment drawn at random 15 to 45 minutes after the first case
of the batch; urgent cases go at once, and the form says so before anyone sends anything."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from discord_emulator import Emulator
from discord_emulator.interactions import Modal
from tests.e2e.escalation.steps import (
    CONTINUE,
    add_vcp,
    cards_in,
    code_in,
    escalate,
    lang,
    network_with,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

# The worker looks at the bot's clock every 0.2 s (outbox_poll_seconds in the tests).
LOOK_S = 0.6


async def worker_looked() -> None:
    await asyncio.sleep(LOOK_S)


def card_codes(emulator: Emulator, world: NetworkWorld) -> set[str]:
    return {code_in(card) for card in cards_in(emulator, world)}


async def listed_for_team(emulator: Emulator, world: NetworkWorld) -> str:
    listing = await (await emulator.person(world.team_member).slash(world.hub, "open-cases")).wait()
    assert listing.message is not None
    return listing.message.text


@pytest.mark.threat("T5")
async def test_routine_cards_wait_for_their_batch_and_arrive_together(
    emulator: Emulator, world: NetworkWorld, batched_harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    ahmed = await add_vcp(emulator, world, "tragos", "ahmed", locale="en-US")
    _, first = await escalate(emulator, sanne, tragos.guild, text="Eén.", urgency="routine")
    clock.advance(timedelta(minutes=10))
    _, second = await escalate(emulator, ahmed, tragos.guild, text="Two.", urgency="soon")
    codes = {code_in(first), code_in(second)}

    # Not before the window: no card, and /open-cases does not tell either.
    clock.advance(timedelta(minutes=4, seconds=59))
    await worker_looked()
    assert cards_in(emulator, world) == []
    listing = await listed_for_team(emulator, world)
    assert not any(code in listing for code in codes)

    # Within it: both at once, in the same batch.
    waited = timedelta(minutes=14, seconds=59)
    while not cards_in(emulator, world):
        assert waited < timedelta(minutes=45), "no card within the 45-minute window"
        clock.advance(timedelta(minutes=1))
        waited += timedelta(minutes=1)
        await worker_looked()
    assert card_codes(emulator, world) == codes
    listing = await listed_for_team(emulator, world)
    assert all(code in listing for code in codes)


@pytest.mark.threat("T5")
async def test_an_urgent_card_goes_at_once_while_routine_ones_wait(
    emulator: Emulator, world: NetworkWorld, batched_harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    ahmed = await add_vcp(emulator, world, "tragos", "ahmed", locale="nl")
    _, routine = await escalate(emulator, sanne, tragos.guild, text="Later.", urgency="routine")
    _, urgent = await escalate(emulator, ahmed, tragos.guild, text="Nu.", urgency="urgent")
    await emulator.world.wait_for(
        lambda: card_codes(emulator, world) == {code_in(urgent)} or None,
        within=5,
        what="the urgent card, alone",
    )
    await worker_looked()
    assert card_codes(emulator, world) == {code_in(urgent)}
    clock.advance(timedelta(minutes=45, seconds=1))
    await emulator.world.wait_for(
        lambda: code_in(routine) in card_codes(emulator, world) or None,
        within=5,
        what="the routine card after its batch",
    )


def urgency_hint(form: Modal) -> str:
    for label in form.components:
        if label.get("component", {}).get("custom_id") == "urgency":
            return str(label.get("description", ""))
    raise AssertionError("the form has no urgency field")


async def test_the_form_says_urgent_cases_go_at_once_and_others_within_the_window(
    emulator: Emulator, world: NetworkWorld, batched_harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    said = {"nl": ("direct", "45 min"), "en": ("at once", "45 min")}
    for name, locale in (("sanne", "nl"), ("maria", "en-US")):
        vcp = await add_vcp(emulator, world, "tragos", name, locale=locale)
        person = emulator.person(vcp)
        intro = (await (await person.slash(tragos.guild, "report")).wait()).message
        assert intro is not None
        form = (await person.press(intro, label=CONTINUE[lang(vcp)])).response.modal
        assert form is not None
        hint = urgency_hint(form)
        assert all(words in hint for words in said[lang(vcp)]), hint
        assert "112" in hint
        assert all(words in intro.text for words in said[lang(vcp)][:1]), intro.text
