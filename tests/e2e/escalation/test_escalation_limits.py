"""Abuse limits hold per person per day across restarts of the bot, and a reboot of its
machine (a fresh runtime key) resets them, lifts blocks and stops DM notices, as the
privacy statement says."""

from __future__ import annotations

import shutil

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import (
    CONTINUE,
    add_vcp,
    button_labels,
    card_for,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    wait_until,
)
from vcpbot_harness import BotHarness, NetworkWorld

TOO_MANY_CASES = "You have started 3 cases today"
TOO_MANY_GUESSES = "Too many receipts"
BLOCKED = "A new case cannot be started from your account"
NOTICE = "You have a new message"  # short by default: it says nothing more


async def reboot(harness: BotHarness) -> None:
    """The machine restarts: the bot stops, /run is empty again, the bot starts."""
    await harness.stop()
    shutil.rmtree(harness.settings.runtime_directory)
    await harness.start(sync=False)


async def report(emulator: Emulator, world: NetworkWorld, user: User, text: str) -> Message:
    """The confirmation with the receipt."""
    _, said = await escalate(emulator, user, world.association("tragos").guild, text=text)
    return said


async def refused_report(emulator: Emulator, world: NetworkWorld, user: User) -> Message:
    """The form, sent and refused: the reason comes privately, with the text handed back."""
    person = emulator.person(user)
    intro = await (await person.slash(world.association("tragos").guild, "report")).wait()
    assert intro.message is not None
    modal = (await person.press(intro.message, label=CONTINUE["en"])).response.modal
    assert modal is not None
    values = {"category": "advice", "urgency": "routine", "text": "Once more.", "shown": "no"}
    return await (await person.submit(modal, values)).followup()


async def block_sender(
    emulator: Emulator, world: NetworkWorld, code: str, *, refused: bool = False
) -> Message:
    """Block sender on the card, confirmed; what the team member is told."""
    team = emulator.person(world.team_member)
    card = await card_for(emulator, world, code)
    ask = (await (await team.press(card, label="Afzender blokkeren")).wait()).message
    assert ask is not None
    pressed = await team.press(ask, label="Block the sender")
    return await (pressed.followup() if refused else pressed.final())


async def reply_from_team(emulator: Emulator, world: NetworkWorld, code: str) -> None:
    team = emulator.person(world.team_member)
    card = await card_for(emulator, world, code)
    form = (await team.press(card, label="Reageren")).response.modal
    assert form is not None
    await (await team.submit(form, {"text": "We read it; can we talk?"})).final()


def notices(emulator: Emulator, user: User) -> int:
    return sum(1 for m in emulator.dms(user) if NOTICE in m.text and not m.ephemeral)


async def test_limits_blocks_and_notices_outlive_a_restart_and_end_with_a_reboot(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="en-US")
    maria = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
    guesser = await add_vcp(emulator, world, "tragos", "guesser", locale="en-US")

    # Sanne reports three times today and asks for DM notices on the first case.
    first = await report(emulator, world, sanne, "The first concern.")
    receipt, code = receipt_in(first), code_in(first)
    for n in (2, 3):
        assert "receipt" in (await report(emulator, world, sanne, f"Concern {n}.")).text
    seen = await open_case(emulator, sanne, receipt)
    seen = await (await emulator.person(sanne).press(seen, label="Notify me by DM")).final()
    assert "Stop notices" in button_labels(seen)
    # The guesser tries ten receipts that do not exist; the team blocks Maria.
    for n in range(10):
        wrong = f"{n:04d}" + receipt.replace("-", "")[4:]
        assert "No case was found" in (await open_case(emulator, guesser, wrong)).text
    misused = await report(emulator, world, maria, "Spam.")
    assert "cannot start new cases" in (await block_sender(emulator, world, code_in(misused))).text

    # A restart (a deploy) changes nothing of that.
    await harness.restart()
    assert TOO_MANY_CASES in (await refused_report(emulator, world, sanne)).text
    assert TOO_MANY_GUESSES in (await open_case(emulator, guesser, receipt)).text
    assert BLOCKED in (await refused_report(emulator, world, maria)).text
    await reply_from_team(emulator, world, code)
    await wait_until(emulator, lambda: notices(emulator, sanne) == 1, "the DM notice")

    # A reboot: a new runtime key. The day's limits start again, the block is gone.
    await reboot(harness)
    assert "receipt" in (await report(emulator, world, sanne, "After the reboot.")).text
    assert "The first concern." in (await open_case(emulator, guesser, receipt)).text
    assert "receipt" in (await report(emulator, world, maria, "Maria again.")).text
    # Sanne is told her notices stopped, and can turn them on again.
    seen = await open_case(emulator, sanne, receipt)
    assert "DM notices: stopped, because the bot's server restarted" in seen.text
    assert "Notify me by DM" in button_labels(seen)
    await reply_from_team(emulator, world, code)
    seen = await (await emulator.person(sanne).press(seen, label="Notify me by DM")).final()
    assert "DM notices: on" in seen.text
    await reply_from_team(emulator, world, code)
    await wait_until(emulator, lambda: notices(emulator, sanne) == 2, "the DM notice")
    # The sender of a case from before the reboot can no longer be recognised.
    refused = await block_sender(emulator, world, code, refused=True)
    assert "can no longer be recognised" in refused.text
    assert notices(emulator, sanne) == 2
