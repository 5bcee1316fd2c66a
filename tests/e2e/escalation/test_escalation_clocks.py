"""Time in anonymous escalation: overdue nudges, pattern notices, and the end of retention."""

from __future__ import annotations

from datetime import timedelta

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_vcp,
    card_for,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    wait_until,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld


def escalation_cog(harness: BotHarness):
    assert harness.bot is not None
    return harness.bot.get_cog("EscalationCog")


async def test_an_unacknowledged_urgent_case_nudges_the_team_once(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Nu.", urgency="urgent")
    code = code_in(confirmation)
    card = await card_for(emulator, world, code)
    assert "OVER TIJD" not in card.text

    clock.advance(timedelta(hours=5))
    await escalation_cog(harness).check_overdue()  # as the scheduler does every few minutes
    team = emulator.person(world.team_member)
    nudge = await team.wait_for_message(world.escalations, contains="niet binnen de streeftijd")
    assert code in nudge.text and f"<@&{world.team_role.id}>" in nudge.content
    assert nudge.allowed_mentions == {"parse": [], "roles": [world.team_role.id]}
    await wait_until(emulator, lambda: "OVER TIJD" in card.text, "the card to say overdue")
    await escalation_cog(harness).check_overdue()
    nudges = [m for m in team.sees(world.escalations) if "streeftijd" in m.text]
    assert nudges == [nudge]


async def test_two_reporters_about_the_same_association_raise_a_pattern_notice(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    codes = []
    for name in ("sanne", "ahmed"):
        vcp = await add_vcp(emulator, world, "tragos", name, locale="nl")
        _, confirmation = await escalate(
            emulator, vcp, tragos.guild, text=f"Zorgen ({name}).", category="discrimination"
        )
        codes.append(code_in(confirmation))
    notice = await emulator.person(world.coordinator).wait_for_message(
        world.escalations, contains="Mogelijk patroon"
    )
    assert all(code in notice.text for code in codes)
    assert "Zorgen" not in notice.text and notice.allowed_mentions == {"parse": []}


async def test_a_purged_case_is_not_found_by_its_receipt(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Please keep this short.")
    receipt = receipt_in(confirmation)
    seen = await open_case(emulator, vcp, receipt)
    closing = await emulator.person(vcp).press(seen, label="Close my case")
    ask = closing.response.message
    assert ask is not None and "Close your case?" in ask.text
    closed = await (await emulator.person(vcp).press(ask, label="Yes, close my case")).final()
    assert "Your case is closed" in closed.text and "Status: **Closed**" in closed.text
    card = await card_for(emulator, world, code_in(confirmation))
    await wait_until(emulator, lambda: "Afgesloten door de melder" in card.text, "closed card")

    clock.advance(timedelta(days=89))
    await escalation_cog(harness).upkeep()  # as the scheduler does every day
    assert "Please keep this short." in (await open_case(emulator, vcp, receipt)).text
    clock.advance(timedelta(days=2))
    await escalation_cog(harness).upkeep()
    gone = await open_case(emulator, vcp, receipt)
    assert gone.ephemeral and gone.text.startswith("No case was found for this receipt.")
