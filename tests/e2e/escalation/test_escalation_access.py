"""Who may press each case-card button and use each command; a refusal is private and harmless."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    button_labels,
    card_for,
    code_in,
    escalate,
    network_with,
    receipt_in,
    switch_member_route,
    vcp_channel,
)
from vcpbot_harness import BotHarness, NetworkWorld

SECRET = "Only the team may read this sentence."
NOT_TEAM = "Alleen leden van het UM-team kunnen dit doen."
NOT_VCP = "Alleen de VCP's van deze vereniging"
HUB_BUTTONS = ["In behandeling nemen", "Openen", "Reageren", "Afsluiten", "Afzender blokkeren"]
VCP_BUTTONS = [
    "In behandeling nemen",
    "Openen",
    "Reageren",
    "Vragen om door te sturen",
    "Nu doorsturen: acuut gevaar",
    "Afsluiten",
]


async def refused(result) -> str:
    message = await result.final()
    assert message.ephemeral and message.allowed_mentions == {"parse": []}
    assert SECRET not in message.text
    return message.text


@pytest.mark.threat("T5")
async def test_only_the_um_team_can_use_the_hub_card(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos", "saurus")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text=SECRET)
    card = await card_for(emulator, world, code_in(confirmation))

    # A student, a VCP of another association and the hub's admin, all in the hub server.
    student = add_member(emulator, world, "tragos", "lotte", locale="nl")
    other_vcp = await add_vcp(emulator, world, "saurus", "maria", locale="nl")
    emulator.add_member(world.hub, student)
    emulator.add_member(world.hub, other_vcp)
    for outsider in (student, other_vcp, world.hub_admin):
        person = emulator.person(outsider)
        for label in HUB_BUTTONS:
            assert NOT_TEAM in await refused(await person.press(card, label=label))
        assert NOT_TEAM in await refused(await person.slash(world.hub, "open-cases"))
    # Nothing changed: the card is as new, nobody was asked anything.
    assert button_labels(card) == HUB_BUTTONS and "Nieuw" in card.text
    team_view = await (
        await emulator.person(world.team_member).slash(world.hub, "open-cases")
    ).wait()
    assert team_view.message is not None and code_in(confirmation) in team_view.message.text


@pytest.mark.threat("T3")
async def test_only_the_associations_vcps_can_use_a_member_cases_card(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos", "saurus")
    tragos = world.association("tragos")
    # A channel everyone can see: the board is warned, and the buttons still refuse outsiders.
    channel = vcp_channel(emulator, world, "tragos", private=False)
    on = await switch_member_route(emulator, world, "tragos", channel)
    assert "iedereen in deze server" in on.text
    await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", "noor", locale="nl")
    _, confirmation = await escalate(emulator, member, tragos.guild, text=SECRET)
    code = code_in(confirmation)
    card = await emulator.person(member).wait_for_message(channel, contains=code)
    assert SECRET not in card.text

    student = add_member(emulator, world, "tragos", "lotte", locale="nl")
    other_vcp = await add_vcp(emulator, world, "saurus", "maria", locale="nl")
    emulator.add_member(tragos.guild, other_vcp)  # in Tragos' server, without its VCP role
    for outsider in (member, student, other_vcp, tragos.admin):
        person = emulator.person(outsider)
        for label in VCP_BUTTONS:
            assert NOT_VCP in await refused(await person.press(card, label=label))
        assert NOT_VCP in await refused(await person.slash(tragos.guild, "open-cases"))
    # The UM team has no say over a member's case until a VCP forwards it.
    emulator.add_member(tragos.guild, world.team_member)
    assert "Only this association's VCPs" in await refused(
        await emulator.person(world.team_member).press(card, label="Openen")
    )
    assert button_labels(card) == VCP_BUTTONS


async def test_admin_commands_need_manage_server_whatever_the_guild_allows(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    student = add_member(emulator, world, "tragos", "lotte", locale="nl")
    # The admins opened /anonymous-contact to everyone in Discord's settings: the bot still checks.
    tragos.guild.open_command_to_everyone("anonymous-contact")
    person = emulator.person(student)
    channel = vcp_channel(emulator, world, "tragos")
    for subcommand, options in (
        ("panel", {"channel": tragos.general}),
        ("member-route", {"enabled": True, "channel": channel}),
    ):
        result = await person.slash(
            tragos.guild, "anonymous-contact", options, subcommand=subcommand
        )
        assert "Server beheren" in await refused(result)
    assert [m for m in tragos.general.messages if not m.ephemeral] == []
    refusal = await person.slash(tragos.guild, "report")
    assert "niet aangezet" in await refused(refusal)


@pytest.mark.parametrize("where", ["hub", "dm"])
async def test_escalate_is_for_an_associations_own_server(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, where: str
) -> None:
    await network_with(emulator, world, "tragos")
    if where == "hub":
        result = await emulator.person(world.team_member).slash(world.hub, "report")
        said = await refused(result)
        assert "starts in your association's own server" in said and "112" in said
    else:
        vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
        with pytest.raises(AssertionError, match="not offered"):
            await emulator.person(vcp).slash(None, "report")


@pytest.mark.threat("T1")
async def test_the_panel_starts_a_private_report_and_a_block_stops_the_next_one(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    board = emulator.person(tragos.admin)
    posted = await (
        await board.slash(
            tragos.guild, "anonymous-contact", {"channel": tragos.general}, subcommand="panel"
        )
    ).final()
    assert posted.ephemeral and "De knop staat in" in posted.text
    panel = await board.wait_for_message(tragos.general, contains="anoniem")
    assert not panel.ephemeral and "anonymously" in panel.text
    assert button_labels(panel) == ["Anoniem melden / Report anonymously"]

    vcp = await add_vcp(emulator, world, "tragos", "ahmed", locale="en-US")
    pressed = (await emulator.person(vcp).press(panel, label=button_labels(panel)[0])).response
    intro = pressed.message
    assert intro is not None and intro.ephemeral and "Escalate to the UM team" in intro.text
    assert intro not in emulator.channel_messages(tragos.general, viewer=tragos.admin)
    # Restarted bots still answer the panel: it is a persistent button.
    await harness.restart()
    form = (await emulator.person(vcp).press(panel, label=button_labels(panel)[0])).response
    assert form.message is not None and "Continue" in button_labels(form.message)

    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Something to raise.")
    card = await card_for(emulator, world, code_in(confirmation))
    team = emulator.person(world.coordinator)
    ask = (await (await team.press(card, label="Afzender blokkeren")).wait()).message
    assert ask is not None and "Niemand, jij ook niet" in ask.text
    blocked = await (await team.press(ask, label="Blokkeer de afzender")).final()
    assert "kan geen nieuwe meldingen starten" in blocked.text
    again = await (await emulator.person(vcp).slash(tragos.guild, "report")).wait()
    continue_ = again.message
    assert continue_ is not None
    modal = (await emulator.person(vcp).press(continue_, label="Continue")).response.modal
    assert modal is not None
    refusal = await emulator.person(vcp).submit(
        modal, {"category": "advice", "urgency": "routine", "text": "Again.", "shown": "no"}
    )
    message = await refusal.followup()
    assert message.ephemeral and "A new case cannot be started from your account" in message.text
    # The existing case still works with its receipt.
    assert receipt_in(confirmation)
