"""The handlers' desk: a team member and a VCP keep internal notes on a case, take it,
and see who read it; the reporter sees none of it, and each desk sees only its own."""

from __future__ import annotations

import asyncio

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    button_labels,
    card_for,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    switch_member_route,
    vcp_channel,
    wait_until,
)
from vcpbot_harness import BotHarness, NetworkWorld

NARRATIVE = "After the constitution drink a senior member followed me home twice."
TEAM_NOTE = "Phoned the confidential adviser; she calls back on Thursday."
VCP_NOTE = "Noor heeft ook met de vertrouwenspersoon van de faculteit gesproken."
TEAM_ONLY_NOTE = "Board meeting about this on Monday."


async def open_with_desk(emulator: Emulator, user: User, card: Message) -> tuple[Message, Message]:
    """Open: the conversation, then the desk's own panel (notes, claim, read log)."""
    result = await emulator.person(user).press(card, label="Openen")  # the cards are Dutch here
    conversation = await result.final()
    panel = await result.followup(2)
    assert conversation.ephemeral and panel.ephemeral
    return conversation, panel


async def add_note(emulator: Emulator, user: User, panel: Message, text: str) -> Message:
    label = "Notitie toevoegen" if user.locale == "nl" else "Add a note"
    form = (await emulator.person(user).press(panel, label=label)).response.modal
    assert form is not None
    return await (await emulator.person(user).submit(form, {"text": text})).final()


async def test_an_english_team_member_notes_and_takes_a_case_the_reporter_never_sees_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text=NARRATIVE)
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    await (
        await emulator.person(sanne).press(
            confirmation, label="Stuur me een privébericht bij een reactie"
        )
    ).final()
    card = await card_for(emulator, world, code)
    team = world.team_member

    conversation, panel = await open_with_desk(emulator, team, card)
    assert NARRATIVE in conversation.text
    assert f"Your desk's own work on case {code}" in panel.text
    assert "only the UM team can see this; the reporter never does" in panel.text
    assert "Nobody has taken this case yet." in panel.text
    assert "Read by: UM Team on" in panel.text
    assert button_labels(panel) == ["Add a note", "Take this case"]

    saved = await add_note(emulator, team, panel, TEAM_NOTE)
    assert saved.ephemeral and f"Your note on case {code} is saved" in saved.text
    assert "the reporter never sees it" in saved.text
    taken = await (await emulator.person(team).press(panel, label="Take this case")).final()
    assert taken.ephemeral and f"You have taken case {code}" in taken.text
    await wait_until(emulator, lambda: "UM Team" in card.text, "the card to show who took it")
    assert "Opgepakt door" in card.text  # the hub's card speaks the hub's language

    # The team's /open-cases says who has it.
    listed = await (await emulator.person(team).slash(world.hub, "open-cases")).final()
    assert code in listed.text and "taken by UM Team" in listed.text

    # Sanne, the reporter, sees neither the note nor who took it, and got no notice for it.
    seen = await open_case(emulator, sanne, receipt)
    for hidden in (TEAM_NOTE, "UM Team", "Opgepakt", "opgepakt"):
        assert hidden not in seen.text
    assert [m for m in emulator.person(sanne).dms() if m.webhook_id is None] == []  # no notice

    # Opened again: the note, the claim, one line per reader and day.
    _, panel = await open_with_desk(emulator, team, card)
    assert "You have taken this case." in panel.text
    assert TEAM_NOTE in panel.text and "Note by UM Team" in panel.text
    assert panel.text.count("UM Team on") == 1
    assert button_labels(panel) == ["Add a note", "Release"]

    # The Dutch coordinator sees who has it and who read it, and may take it over.
    coordinator = world.coordinator
    _, theirs = await open_with_desk(emulator, coordinator, card)
    assert "Opgepakt door UM Team." in theirs.text and TEAM_NOTE in theirs.text
    assert "Gelezen door: UM Team op" in theirs.text and "Coördinator UM op" in theirs.text
    assert button_labels(theirs) == ["Notitie toevoegen", "Overnemen"]
    over = await (await emulator.person(coordinator).press(theirs, label="Overnemen")).final()
    assert f"Je hebt melding {code} overgenomen" in over.text
    await wait_until(emulator, lambda: "Coördinator UM" in card.text, "the card to follow")

    # UM Team no longer holds it: Release says who does, kindly.
    refused = await (await emulator.person(team).press(panel, label="Release")).final()
    assert "Only Coördinator UM, who took this case, can release it." in refused.text


async def test_two_team_members_press_take_at_once_and_exactly_one_gets_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text=NARRATIVE)
    code = code_in(confirmation)
    card = await card_for(emulator, world, code)
    _, english = await open_with_desk(emulator, world.team_member, card)
    _, dutch = await open_with_desk(emulator, world.coordinator, card)

    presses = await asyncio.gather(
        emulator.person(world.team_member).press(english, label="Take this case", wait=False),
        emulator.person(world.coordinator).press(dutch, label="Ik pak dit op", wait=False),
    )
    answers = [(await p.final()).text for p in presses]
    won = [a for a in answers if f"You have taken case {code}" in a or "Je hebt melding" in a]
    assert len(won) == 1, answers
    if won[0] == answers[0]:
        assert "Coördinator UM" not in card.text
        assert "UM Team heeft deze melding al opgepakt" in answers[1]
        winner = "UM Team"
    else:
        assert "Coördinator UM has already taken this case" in answers[0]
        winner = "Coördinator UM"
    await wait_until(emulator, lambda: winner in card.text, "the card to name the winner")


async def test_two_vcps_press_take_at_once_on_a_member_case_and_one_gets_it(
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
    _, sannes = await open_with_desk(emulator, sanne, card)
    assert "alleen de VCP's van je vereniging ziet dit" in sannes.text
    _, daans = await open_with_desk(emulator, daan, card)
    presses = await asyncio.gather(
        emulator.person(sanne).press(sannes, label="Ik pak dit op", wait=False),
        emulator.person(daan).press(daans, label="Take this case", wait=False),
    )
    answers = [(await p.final()).text for p in presses]
    refusals = [a for a in answers if "heeft deze melding al opgepakt" in a or "already" in a]
    assert len(refusals) == 1, answers
    winner = "daan" if "daan heeft" in refusals[0] else "sanne"
    await wait_until(emulator, lambda: winner in card.text, "the VCPs' card to name the winner")
    assert cards_in_hub(emulator, world) == []


def cards_in_hub(emulator: Emulator, world: NetworkWorld) -> list[Message]:
    return [
        m
        for m in emulator.channel_messages(world.escalations, viewer=emulator.bot_user)
        if not m.ephemeral and m.buttons
    ]


async def test_the_vcps_desk_and_the_teams_desk_stay_apart_on_a_forwarded_case(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    noor = add_member(emulator, world, "tragos", "noor", locale="nl")
    _, confirmation = await escalate(emulator, noor, tragos.guild, text=NARRATIVE)
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    vcp_card = await emulator.person(sanne).wait_for_message(channel, contains=code)
    _, panel = await open_with_desk(emulator, sanne, vcp_card)
    saved = await add_note(emulator, sanne, panel, VCP_NOTE)
    assert "Alleen de VCP's van je vereniging kan hem lezen" in saved.text
    await (await emulator.person(sanne).press(panel, label="Ik pak dit op")).final()
    await wait_until(emulator, lambda: "sanne" in vcp_card.text, "the VCPs' card to name Sanne")

    # Acute danger: Sanne passes it on at once.
    sanne_ = emulator.person(sanne)
    ask = await (await sanne_.press(vcp_card, label="Nu doorsturen: acuut gevaar")).final()
    form = (await sanne_.press(ask, label="Ja, acuut gevaar: verder")).response.modal
    assert form is not None
    await (
        await sanne_.submit(form, {"reason": "Er is acuut gevaar.", "text": "Samenvatting."})
    ).final()
    hub_card = await card_for(emulator, world, code)
    assert "sanne" not in hub_card.text  # the VCPs' claim is not the team's

    _, teams = await open_with_desk(emulator, world.team_member, hub_card)
    assert VCP_NOTE not in teams.text and "sanne" not in teams.text
    assert "No internal notes yet." in teams.text
    assert "Nobody has taken this case yet." in teams.text
    await add_note(emulator, world.team_member, teams, TEAM_ONLY_NOTE)
    await (await emulator.person(world.team_member).press(teams, label="Take this case")).final()
    await wait_until(emulator, lambda: "UM Team" in hub_card.text, "the hub card to follow")

    _, again = await open_with_desk(emulator, sanne, vcp_card)
    assert VCP_NOTE in again.text and TEAM_ONLY_NOTE not in again.text
    assert "UM Team" not in again.text and "UM Team" not in vcp_card.text
    seen = await open_case(emulator, noor, receipt)
    for hidden in (VCP_NOTE, TEAM_ONLY_NOTE, "UM Team", "sanne"):
        assert hidden not in seen.text


async def test_an_empty_note_is_refused_kindly_and_nothing_is_kept(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text=NARRATIVE)
    card = await card_for(emulator, world, code_in(confirmation))
    _, panel = await open_with_desk(emulator, world.coordinator, card)
    refused = await add_note(emulator, world.coordinator, panel, "   \n  ")
    assert refused.ephemeral and "Schrijf iets in het tekstveld" in refused.text
    _, panel = await open_with_desk(emulator, world.coordinator, card)
    assert "Nog geen interne notities." in panel.text
