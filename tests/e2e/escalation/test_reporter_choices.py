"""The reporter's choices in /my-case: from anonymous to a conversation on their terms.

They can let the handlers know who they are, or ask for a call with a way to reach them;
before confirming they read exactly who will see what. What no handler has read yet can be
taken back (it is deleted); what was read cannot, and they are offered to say they would
rather stay anonymous from now on."""

from __future__ import annotations

from typing import Any

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    card_for,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    switch_member_route,
    vcp_channel,
)
from vcpbot_harness import BotHarness, NetworkWorld

CHOICES = {"nl": "Jouw keuzes", "en": "Your choices"}


def lang(user: User) -> str:
    return "nl" if user.locale == "nl" else "en"


async def choices(emulator: Emulator, user: User, receipt: str) -> Message:
    """/my-case with the receipt, then Your choices: the choices screen, privately."""
    seen = await open_case(emulator, user, receipt)
    screen = (await emulator.person(user).press(seen, label=CHOICES[lang(user)])).response.message
    assert screen is not None and screen.ephemeral
    return screen


async def press(emulator: Emulator, user: User, message: Message, label: str) -> Message:
    return await (await emulator.person(user).press(message, label=label)).final()


async def team_opens(emulator: Emulator, world: NetworkWorld, code: str) -> Message:
    card = await card_for(emulator, world, code)
    return await press(emulator, world.team_member, card, "Openen")


async def test_a_dutch_reporter_lets_the_team_know_who_she_is_and_takes_it_back_before_it_is_read(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Er gebeurde iets.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)

    screen = await choices(emulator, sanne, receipt)
    assert f"Jouw keuzes voor melding {code}" in screen.text
    ask = await press(emulator, sanne, screen, "Laat weten wie ik ben")
    # Before anything happens: exactly who will see what.
    assert "zichtbaar voor het UM-team sociale veiligheid" in ask.text
    assert f"<@{sanne.id}>" in ask.text and "**sanne**" in ask.text
    assert "niet op de kaart van de melding" in ask.text
    done = await press(emulator, sanne, ask, "Ja, laat het weten")
    assert "zodra ze je melding openen, zien ze wie je bent" in done.text
    assert f"Je liet weten wie je bent: <@{sanne.id}> (sanne)" in done.text
    card = await card_for(emulator, world, code)
    assert "sanne" not in card.text and str(sanne.id) not in card.text

    # Nobody has opened it yet: she takes it back, and it is gone from the conversation.
    screen = await choices(emulator, sanne, receipt)
    taken = await press(emulator, sanne, screen, "Neem terug wat ik deelde")
    assert "Teruggenomen" in taken.text
    assert "Je liet weten wie je bent" not in taken.text
    opened = await team_opens(emulator, world, code)
    assert "Er gebeurde iets." in opened.text
    assert "sanne" not in opened.text and str(sanne.id) not in opened.text
    assert "who they are" not in opened.text


async def test_an_english_member_whose_vcps_read_who_she_is_cannot_unread_it_and_asks_for_anonymity(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "daan", locale="en-GB")
    emma = add_member(emulator, world, "tragos", "emma", locale="en-GB")
    _, confirmation = await escalate(emulator, emma, tragos.guild, text="Can I talk to someone?")
    receipt, code = receipt_in(confirmation), code_in(confirmation)

    screen = await choices(emulator, emma, receipt)
    ask = await press(emulator, emma, screen, "Let them know who I am")
    assert "your association's VCPs will see your Discord account" in ask.text
    await press(emulator, emma, ask, "Yes, let them know")

    # Her VCP opens the case: who she is, as a mention they can DM.
    card = await emulator.person(vcp).wait_for_message(channel, contains=code)
    opened = await press(emulator, vcp, card, "Openen")
    assert opened.ephemeral
    assert f"The reporter chose to tell you who they are: <@{emma.id}> (emma)" in opened.text
    assert "emma" not in card.text

    # Read: it cannot be unread. She is told kindly, and offered to ask for anonymity.
    screen = await choices(emulator, emma, receipt)
    refused = await press(emulator, emma, screen, "Take back what I shared")
    assert "has already read what you shared" in refused.text
    assert "We are sorry" in refused.text
    done = await press(emulator, emma, refused, "Tell them I'd rather stay anonymous")
    assert "you would rather stay anonymous from now on" in done.text
    reopened = await press(emulator, vcp, card, "Openen")
    assert "The reporter would rather stay anonymous from now on" in reopened.text


async def contact_form(emulator: Emulator, user: User, receipt: str, label: str) -> Any:
    screen = await choices(emulator, user, receipt)
    form = (await emulator.person(user).press(screen, label=label)).response.modal
    assert form is not None
    return form


async def test_an_english_reporter_asks_for_a_call_and_the_team_reads_how_to_reach_her(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    lotte = await add_vcp(emulator, world, "tragos", "lotte", locale="en-GB")
    _, confirmation = await escalate(emulator, lotte, tragos.guild, text="Something happened.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)

    form = await contact_form(emulator, lotte, receipt, "Ask for a call or meeting")
    assert "How can they reach you?" in form.text
    values = {"how": "lotte@example.org", "when": "weekdays after 5 pm"}
    ask = await (await emulator.person(lotte).submit(form, values)).final()
    assert "the UM social-safety team" in ask.text and "and nobody else" in ask.text
    assert "lotte@example.org" in ask.text and "weekdays after 5 pm" in ask.text
    sent = await press(emulator, lotte, ask, "Yes, send it")
    assert "Your request for a call or meeting is in your case" in sent.text

    opened = await team_opens(emulator, world, code)
    assert "The reporter asks for a call or meeting." in opened.text
    assert "How to reach them: lotte@example.org" in opened.text
    assert "When suits them: weekdays after 5 pm" in opened.text


async def test_a_dutch_reporter_asks_for_a_call_without_saying_when(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Er gebeurde iets.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)

    form = await contact_form(emulator, sanne, receipt, "Vraag om een gesprek")
    ask = await (await emulator.person(sanne).submit(form, {"how": "06 12345678"})).final()
    assert "Dan komt het uit: niet gezegd" in ask.text
    await press(emulator, sanne, ask, "Nu niet")
    opened = await team_opens(emulator, world, code)
    assert "06 12345678" not in opened.text  # "not now" sent nothing


async def test_a_member_whose_case_went_to_the_team_is_told_the_team_will_see_who_she_is(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "daan", locale="nl")
    noor = add_member(emulator, world, "tragos", "noor", locale="en-GB")
    _, confirmation = await escalate(emulator, noor, tragos.guild, text="It keeps happening.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    daan = emulator.person(vcp)
    card = await daan.wait_for_message(channel, contains=code)
    form = (await daan.press(card, label="Vragen om door te sturen")).response.modal
    assert form is not None
    await (await daan.submit(form, {"text": "A member asks for help with a pattern."})).final()
    asked = await open_case(emulator, noor, receipt)
    sure = await press(emulator, noor, asked, "Yes, pass it on")
    await press(emulator, noor, sure, "Yes, pass it on")

    screen = await choices(emulator, noor, receipt)
    ask = await press(emulator, noor, screen, "Let them know who I am")
    assert "the UM social-safety team, who have your case now" in ask.text
    assert "your association's VCPs do not see new messages" in ask.text
    await press(emulator, noor, ask, "Yes, let them know")
    opened = await team_opens(emulator, world, code)
    assert f"<@{noor.id}> (noor)" in opened.text
    reread = await press(emulator, vcp, card, "Openen")
    assert str(noor.id) not in reread.text and "noor" not in reread.text
