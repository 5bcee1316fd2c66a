"""Term changes: a VCP the board removes from the registry leaves the member cases they
had taken to the association's other VCPs, who are told in their channel."""

from __future__ import annotations

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    card_for,
    cards_in,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    switch_member_route,
    vcp_channel,
    wait_until,
)
from tests.e2e.escalation.test_casework_story import open_with_desk
from vcpbot_harness import BotHarness, NetworkWorld

NARRATIVE = "Na de diesborrel werd ik lastiggevallen door een oud-bestuurslid."


async def test_a_removed_vcps_case_goes_back_to_the_other_vcps_with_a_notice(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    daan = await add_vcp(emulator, world, "tragos", "daan", locale="en-US")
    noor = add_member(emulator, world, "tragos", "noor", locale="nl")
    _, confirmation = await escalate(emulator, noor, tragos.guild, text=NARRATIVE)
    code = code_in(confirmation)
    card = await emulator.person(sanne).wait_for_message(channel, contains=code)
    _, panel = await open_with_desk(emulator, sanne, card)
    await (await emulator.person(sanne).press(panel, label="Ik pak dit op")).final()
    await wait_until(emulator, lambda: "sanne" in card.text, "the card to name Sanne")

    # The new board takes Sanne off the registry at the end of her term.
    removed = await (
        await emulator.person(tragos.admin).slash(
            tragos.guild, "vcp", {"member": sanne}, subcommand="remove"
        )
    ).final()
    assert removed.ephemeral
    notice = await emulator.person(daan).wait_for_message(
        channel, contains="niet meer geregistreerd"
    )
    assert code in notice.text and NARRATIVE not in notice.text and "sanne" not in notice.text
    await wait_until(emulator, lambda: "sanne" not in card.text, "the card to be free again")
    assert "Nog niemand" in card.text

    # Daan, in English, takes it on.
    _, daans = await open_with_desk(emulator, daan, card)
    assert "Nobody has taken this case yet." in daans.text
    taken = await (await emulator.person(daan).press(daans, label="Take this case")).final()
    assert f"You have taken case {code}" in taken.text


async def test_with_no_vcp_left_the_member_chooses_to_send_their_case_to_the_um_team(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    emma = add_member(emulator, world, "tragos", "emma", locale="en-GB")
    _, confirmation = await escalate(emulator, emma, tragos.guild, text=NARRATIVE)
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    await (
        await emulator.person(emma).press(
            confirmation, label="Notify me by DM when there is a reply"
        )
    ).final()
    await emulator.person(sanne).wait_for_message(channel, contains=code)

    # The board removes its last VCP: nothing goes to the team by itself.
    await (
        await emulator.person(tragos.admin).slash(
            tragos.guild, "vcp", {"member": sanne}, subcommand="remove"
        )
    ).final()
    notice = await emulator.person(emma).wait_for_dm(contains="You have a new message")
    assert NARRATIVE not in notice.text
    assert cards_in(emulator, world) == []

    # Emma reads why in /my-case, and chooses to send it to the UM team.
    seen = await open_case(emulator, emma, receipt)
    assert "no registered VCP any more" in seen.text
    ask = (await emulator.person(emma).press(seen, label="Send to the UM team")).response.message
    assert ask is not None
    sent = await (
        await emulator.person(emma).press(ask, label="Yes, send it to the UM team")
    ).final()
    assert "sent" in sent.text and "UM team" in sent.text
    hub_card = await card_for(emulator, world, code)
    opened = await (
        await emulator.person(world.team_member).press(hub_card, label="Openen")
    ).final()
    assert NARRATIVE in opened.text
