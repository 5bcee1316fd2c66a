"""A member reaches their association's VCPs anonymously; with the member's consent, the case
goes on to the UM team."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    button_labels,
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
from vcpbot_harness import BotHarness, NetworkWorld

MEMBER_TEXT = "Tijdens de ontgroening werd ik gedwongen te blijven terwijl ik weg wilde."
VCP_REPLY = "Dank je dat je dit deelt. Wil je dat we het UM-team erbij halen?"
MEMBER_YES = "Ja, graag, maar zonder mijn naam."
SUMMARY = "A member describes being kept at a hazing event against their will."
TEAM_REPLY = "We will contact the board. You can also talk to a confidential adviser."


async def test_the_member_route_is_off_until_the_board_turns_it_on(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")
    refused = (await (await emulator.person(lotte).slash(tragos.guild, "report")).wait()).message
    assert refused is not None and refused.ephemeral
    assert "niet aangezet" in refused.text and "/hulp" in refused.text

    no_channel = await switch_member_route(emulator, world, "tragos", None)
    assert "Kies eerst het kanaal" in no_channel.text
    channel = vcp_channel(emulator, world, "tragos")
    turned_on = await switch_member_route(emulator, world, "tragos", channel)
    assert turned_on.ephemeral and "kunnen je VCP's nu anoniem bereiken" in turned_on.text
    assert "iedereen in deze server" not in turned_on.text  # the channel is private
    intro = (await (await emulator.person(lotte).slash(tragos.guild, "report")).wait()).message
    assert intro is not None and "Anoniem je VCP's bereiken" in intro.text
    # /help now tells members the anonymous way to their VCPs too.
    helped = (await (await emulator.person(lotte).slash(tragos.guild, "help")).wait()).message
    assert "zonder je naam te geven: gebruik /melden" in helped.text
    # She is told nothing goes to the UM team unless she says yes, and the one exception.
    assert "Er gaat niets naar het UM-team zonder dat jij ja zegt" in intro.text
    assert "acuut gevaar" in intro.text

    off = await switch_member_route(emulator, world, "tragos", None, enabled=False)
    assert "geen nieuwe anonieme meldingen meer" in off.text
    again = (await (await emulator.person(lotte).slash(tragos.guild, "report")).wait()).message
    assert again is not None and "niet aangezet" in again.text
    helped = (await (await emulator.person(lotte).slash(tragos.guild, "help")).wait()).message
    assert "zonder je naam te geven" not in helped.text


@pytest.mark.threat("T3")
async def test_a_member_reaches_the_vcps_who_ask_before_it_goes_to_the_um_team(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", "noor", locale="nl")

    _, confirmation = await escalate(
        emulator, member, tragos.guild, text=MEMBER_TEXT, category="bullying", urgency="routine"
    )
    assert "verstuurd naar de VCP's van je vereniging" in confirmation.text
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    on = await (
        await emulator.person(member).press(
            confirmation, label="Stuur me een privébericht bij een reactie"
        )
    ).final()
    assert "Je krijgt nu een privébericht bij nieuws" in on.text and receipt in on.text

    # The card arrives in the VCPs' channel, not in the hub; no text, no name.
    sanne = emulator.person(vcp)
    card = await sanne.wait_for_message(channel, contains=code)
    assert MEMBER_TEXT not in card.text and "noor" not in card.text
    assert button_labels(card) == [
        "In behandeling nemen",
        "Openen",
        "Reageren",
        "Vragen om door te sturen",
        "Nu doorsturen: acuut gevaar",
        "Afsluiten",
    ]
    assert cards_in(emulator, world) == []
    assert emulator.channel_messages(channel, viewer=member) == []

    opened = await (await sanne.press(card, label="Openen")).final()
    assert opened.ephemeral and MEMBER_TEXT in opened.text
    form = (await sanne.press(card, label="Reageren")).response.modal
    assert form is not None
    await (await sanne.submit(form, {"text": VCP_REPLY})).final()
    notice = await emulator.person(member).wait_for_dm(contains="Je hebt een nieuw bericht")
    assert MEMBER_TEXT not in notice.text and VCP_REPLY not in notice.text

    seen = await open_case(emulator, member, receipt)
    assert VCP_REPLY in seen.text and "Lid naar VCP's van de vereniging" in seen.text
    form = (await emulator.person(member).press(seen, label="Reageren")).response.modal
    assert form is not None
    await (await emulator.person(member).submit(form, {"text": MEMBER_YES})).final()

    # Sanne asks whether it may go to the UM team, with her own summary.
    form = (await sanne.press(card, label="Vragen om door te sturen")).response.modal
    assert form is not None and form.title == f"{code}: vragen om door te sturen"
    asked = await (await sanne.submit(form, {"text": SUMMARY})).final()
    assert asked.ephemeral and "er gaat niets naar het team zonder ja" in asked.text
    await wait_until(
        emulator, lambda: "wacht op antwoord" in card.text, "the card to show the question"
    )
    assert cards_in(emulator, world) == []  # the team has nothing yet
    await emulator.person(member).wait_for_dm(contains="Je hebt een nieuw bericht")
    # The member answers in /mijn-melding: only with her own words left out.
    seen = await open_case(emulator, member, receipt)
    assert "mag je melding naar het UM-team?" in seen.text and SUMMARY in seen.text
    sure = await (
        await emulator.person(member).press(seen, label="Alleen zonder mijn eigen woorden")
    ).final()
    assert "zonder je eigen woorden" in sure.text
    done = await (await emulator.person(member).press(sure, label="Ja, stuur door")).final()
    assert "vanaf de samenvatting van je VCP" in done.text
    await wait_until(
        emulator, lambda: button_labels(card) == ["Openen"], "the VCPs' card to show forwarded"
    )

    # The team sees the summary and what follows, never what the member told the VCPs.
    hub_card = await card_for(emulator, world, code)
    assert "met instemming van het lid, vanaf de samenvatting" in hub_card.text
    team = emulator.person(world.team_member)
    opened = await (await team.press(hub_card, label="Openen")).final()
    assert SUMMARY in opened.text
    for private in (MEMBER_TEXT, VCP_REPLY, MEMBER_YES):
        assert private not in opened.text
    form = (await team.press(hub_card, label="Reageren")).response.modal
    assert form is not None
    await (await team.submit(form, {"text": TEAM_REPLY})).final()

    # The member keeps following with the same receipt: the summary and the team's reply.
    seen = await open_case(emulator, member, receipt, guild=tragos.guild)
    assert "Je stemde in met doorsturen zonder je eigen woorden" in seen.text
    assert SUMMARY in seen.text and TEAM_REPLY in seen.text
    assert "VCP, samenvatting voor het UM-team" in seen.text
    # The VCPs still read what they had, not what the team and the member say now.
    reread = await (await sanne.press(card, label="Openen")).final()
    assert MEMBER_YES in reread.text and SUMMARY in reread.text and TEAM_REPLY not in reread.text
    assert "Deze melding is doorgestuurd" in reread.text
    # Only the team acts on it now; the VCPs' /open-cases no longer lists it.
    listing = (await (await sanne.slash(tragos.guild, "open-cases")).wait()).message
    assert listing is not None and code not in listing.text
    listing = (await (await team.slash(world.hub, "open-cases")).wait()).message
    assert listing is not None and code in listing.text
