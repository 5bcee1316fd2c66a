"""A handler starts a reply from a saved reply: it comes in the reporter's language, the
handler may change it before sending, and each reporter reads their own language in /my-case.
With no saved replies, Reply opens the form at once, as before."""

from __future__ import annotations

from sqlalchemy import update

from discord_emulator import Emulator
from tests.e2e.escalation.snippets_steps import (
    add_snippet,
    picker_options,
    reply_from,
)
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
from vcpbot.db.escalation import Case
from vcpbot.services import snippets
from vcpbot_harness import BotHarness, NetworkWorld

NL = "Dank je dat je dit met ons deelt. We nemen binnen twee werkdagen contact op."
EN = "Thank you for sharing this with us. We will be in touch within two working days."
EXTRA = " Could you tell us which evening it was?"


async def test_one_saved_reply_reaches_a_dutch_and_an_english_reporter_each_in_their_language(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos", "saurus")
    tragos, saurus = world.association("tragos"), world.association("saurus")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    maria = await add_vcp(emulator, world, "saurus", "maria", locale="en-US")
    team = world.team_member  # English Discord
    await add_snippet(emulator, team, world.hub, name="First reply", nl=NL, en=EN)

    _, dutch = await escalate(emulator, sanne, tragos.guild, text="Bij de borrel ging het mis.")
    _, english = await escalate(emulator, maria, saurus.guild, text="Something went wrong.")
    dutch_card = await card_for(emulator, world, code_in(dutch))
    english_card = await card_for(emulator, world, code_in(english))

    # The Dutch reporter's case: the picker offers Blank first, the form starts in Dutch.
    picker, form = await reply_from(
        emulator, team, dutch_card, button="Reageren", option="First reply"
    )
    assert "The reporter reads Dutch" in picker.text
    assert "change the text before you send it" in picker.text
    assert [o["label"] for o in picker_options(picker)] == ["Blank", "First reply"]
    assert form.title == f"Reply on case {code_in(dutch)}"
    assert form.input("text")["value"] == NL
    sent = await (await emulator.person(team).submit(form, {})).final()  # sent as it is
    assert f"Your reply on case {code_in(dutch)} has been added" in sent.text

    # The English reporter's case: the same saved reply starts in English, and is changed.
    picker, form = await reply_from(
        emulator, team, english_card, button="Reageren", option="First reply"
    )
    assert "The reporter reads English" in picker.text
    assert form.input("text")["value"] == EN
    await (await emulator.person(team).submit(form, {"text": EN + EXTRA})).final()

    dutch_view = await open_case(emulator, sanne, receipt_in(dutch))
    assert NL in dutch_view.text and EN not in dutch_view.text
    english_view = await open_case(emulator, maria, receipt_in(english))
    assert EN + EXTRA in english_view.text and NL not in english_view.text


async def test_blank_opens_an_empty_form_and_without_saved_replies_reply_opens_it_at_once(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    coordinator = world.coordinator  # Dutch Discord
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Iets op het gala.")
    card = await card_for(emulator, world, code_in(confirmation))

    # No saved replies yet: Reply opens the form, as it always did.
    form = (await emulator.person(coordinator).press(card, label="Reageren")).response.modal
    assert form is not None and form.title == f"Reactie op melding {code_in(confirmation)}"
    assert not form.input("text").get("value")

    await add_snippet(emulator, coordinator, world.hub, name="Afspraak", nl=NL, en=EN)
    picker, form = await reply_from(emulator, coordinator, card, button="Reageren", option="Leeg")
    assert "Begin met een opgeslagen antwoord" in picker.text
    assert "De melder leest Nederlands" in picker.text
    assert not form.input("text").get("value")


async def test_the_vcps_start_a_reply_to_a_member_from_their_own_saved_replies(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await switch_member_route(emulator, world, "tragos", vcp_channel(emulator, world, "tragos"))
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", "noor", locale="en-US")
    await add_snippet(emulator, world.team_member, world.hub, name="Team reply", nl=NL, en=EN)
    await add_snippet(
        emulator, vcp, tragos.guild, name="Welkom", nl="Hoi, ik ben je VCP.", en="Hi, I'm your VCP."
    )
    _, confirmation = await escalate(emulator, member, tragos.guild, text="At the hazing.")
    code = code_in(confirmation)
    card = await emulator.person(vcp).wait_for_message(
        next(c for c in tragos.guild.text_channels if c.name == "vcp-cases"), contains=code
    )
    picker, form = await reply_from(emulator, vcp, card, button="Reageren", option="Welkom")
    assert [o["label"] for o in picker_options(picker)] == ["Leeg", "Welkom"]  # not the team's
    assert "De melder leest Engels" in picker.text
    assert form.input("text")["value"] == "Hi, I'm your VCP."
    await (await emulator.person(vcp).submit(form, {})).final()
    seen = await open_case(emulator, member, receipt_in(confirmation))
    assert "Hi, I'm your VCP." in seen.text


async def test_with_many_saved_replies_the_picker_shows_the_first_by_name_and_says_so(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    async with harness.db.sessions.begin() as session:
        for number in range(30):
            await snippets.add_snippet(
                session, desk=None, name=f"reply {number:02d}", text_nl=NL, text_en=EN
            )
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Iets op het gala.")
    card = await card_for(emulator, world, code_in(confirmation))
    picker = await (await emulator.person(world.team_member).press(card, label="Reageren")).final()
    labels = [o["label"] for o in picker_options(picker)]
    assert len(labels) == 25 and labels[0] == "Blank" and labels[-1] == "reply 23"
    assert "the first 24 of 30 saved replies" in picker.text


async def test_a_case_from_before_languages_were_kept_lets_the_handler_choose(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    await add_snippet(emulator, world.team_member, world.hub, name="First reply", nl=NL, en=EN)
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Iets op het gala.")
    async with harness.db.sessions.begin() as session:  # as a case from before revision 0019
        await session.execute(update(Case).values(language=None))
    card = await card_for(emulator, world, code_in(confirmation))
    picker, form = await reply_from(
        emulator, world.team_member, card, button="Reageren", option="First reply (Dutch)"
    )
    assert "The reporter's language is not known" in picker.text
    assert [o["label"] for o in picker_options(picker)] == [
        "Blank",
        "First reply (Dutch)",
        "First reply (English)",
    ]
    assert form.input("text")["value"] == NL
