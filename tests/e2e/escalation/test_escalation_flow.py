"""A VCP escalates to the UM team anonymously, the team answers, and the VCP reads it by receipt."""

from __future__ import annotations

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_vcp,
    button_labels,
    card_for,
    cards_in,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    wait_until,
)
from vcpbot_harness import BotHarness, NetworkWorld


def card_edits(emulator: Emulator) -> list[object]:
    return [
        r
        for r in emulator.requests
        if r.method == "PATCH" and r.route == "/channels/{channel_id}/messages/{message_id}"
    ]


NARRATIVE = "At the gala a board member kept pressuring first-years to drink."
TEAM_REPLY = "Thank you for telling us. Could the first-years talk to an adviser this week?"
VCP_ANSWER = "Twee van hen willen graag een gesprek, liefst donderdag."


async def test_a_dutch_vcp_escalates_and_reads_the_english_teams_reply_by_receipt(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")

    intro, confirmation = await escalate(
        emulator, sanne, tragos.guild, text=NARRATIVE, category="intimidation", urgency="soon"
    )
    # First who sees what, in her language, privately; then the receipt, once, privately.
    assert intro is confirmation  # the explanation became the confirmation
    assert confirmation.ephemeral
    assert "is verstuurd naar het UM-team" in confirmation.text
    assert "Bewaar deze ontvangstcode" in confirmation.text
    assert "binnen 2 werkdagen" in confirmation.text
    # Issue 18: the receipt also offers to add a file (tests/e2e/escalation/test_evidence.py).
    assert button_labels(confirmation) == [
        "Stuur me een privébericht bij een reactie",
        "Bestand toevoegen",
    ]
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    # Nothing at all was posted in the association's server.
    for channel in tragos.guild.text_channels:
        assert [m for m in channel.messages if not m.ephemeral] == []

    # The hub gets a card: no narrative, no name.
    card = await card_for(emulator, world, code)
    assert not card.ephemeral and card.allowed_mentions == {"parse": []}
    assert "Intimidatie" in card.text and "Snel: het heeft deze week aandacht nodig" in card.text
    assert "Studentenvereniging Tragos" in card.text
    assert NARRATIVE not in card.text and "sanne" not in card.text
    assert str(sanne.id) not in card.text
    assert button_labels(card) == [
        "In behandeling nemen",
        "Openen",
        "Reageren",
        "Afsluiten",
        "Afzender blokkeren",
    ]

    # An English-speaking team member opens it (privately) and replies.
    team = emulator.person(world.team_member)
    opened = await (await team.press(card, label="Openen")).final()
    assert opened.ephemeral and NARRATIVE in opened.text
    assert "Reporter" in opened.text and "sanne" not in opened.text
    assert opened not in emulator.channel_messages(world.escalations, viewer=world.coordinator)
    form = (await team.press(card, label="Reageren")).response.modal
    assert form is not None and form.title == f"Reply on case {code}"
    replied = await (await team.submit(form, {"text": TEAM_REPLY})).final()
    assert replied.ephemeral and f"Your reply on case {code} has been added" in replied.text

    # The card follows: replying acknowledges; the Acknowledge button is gone.
    await wait_until(
        emulator, lambda: "In behandeling" in card.text, "the card to show the acknowledgement"
    )
    assert "Openen" in button_labels(card) and "In behandeling nemen" not in button_labels(card)

    # Sanne follows her case by receipt, in a DM, and answers.
    seen = await open_case(emulator, sanne, receipt)
    assert seen.ephemeral
    assert TEAM_REPLY in seen.text and NARRATIVE in seen.text
    assert "Status: **In behandeling**" in seen.text
    assert "Jij" in seen.text and "UM-team" in seen.text
    assert button_labels(seen) == [
        "Reageren",
        "Mijn melding sluiten",
        "Stuur me een privébericht",
        "Jouw keuzes",
        "Bestanden",  # issue 18: the files with the case (test_evidence.py)
    ]
    sanne_person = emulator.person(sanne)
    form = (await sanne_person.press(seen, label="Reageren")).response.modal
    assert form is not None
    redrawn = await (await sanne_person.submit(form, {"text": VCP_ANSWER})).final()
    assert "Je bericht is aan je melding toegevoegd" in redrawn.text
    assert VCP_ANSWER in redrawn.text
    await wait_until(
        emulator,
        lambda: "De melder schreef als laatste" in card.text,
        "the card to show the reporter wrote last",
    )

    # The team closes it with an outcome (a last message is optional: it replied before);
    # Sanne sees it closed, and until when she can read it.
    form = (await team.press(card, label="Afsluiten")).response.modal
    assert form is not None and form.title == f"Close case {code}"
    assert "Optional" in form.text
    done = await (await team.submit(form, {"outcome": "advice_given"})).final()
    assert done.ephemeral and f"Case {code} is closed" in done.text
    await wait_until(emulator, lambda: "Afgesloten" in card.text, "the card to show closed")
    assert button_labels(card) == ["Openen", "Afzender blokkeren"]
    closed = await open_case(emulator, sanne, receipt, guild=tragos.guild)
    assert closed.ephemeral and "Status: **Afgesloten**" in closed.text
    # Closed on Monday 17 August 2026, kept 90 days.
    assert "Je kunt haar hier tot zondag 15 november 2026 lezen" in closed.text
    assert "Reageren" not in button_labels(closed)
    assert len(cards_in(emulator, world)) == 1


async def test_an_english_vcp_escalates_with_the_association_withheld(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "saurus")
    saurus = world.association("saurus")
    maria = await add_vcp(emulator, world, "saurus", "maria", locale="en-US")
    _, confirmation = await escalate(
        emulator,
        maria,
        saurus.guild,
        text="A member says a senior follows her home after trainings.",
        category="stalking",
        urgency="urgent",
        shown="no",
    )
    assert "has been sent to the UM team" in confirmation.text
    assert "Please keep this receipt somewhere safe" in confirmation.text
    assert "within 4 hours" in confirmation.text
    code = code_in(confirmation)
    card = await card_for(emulator, world, code)
    assert "niet gedeeld" in card.text and "Saurus" not in card.text
    assert "Dringend" in card.text
    # Urgent: the team role is pinged, and nothing else.
    assert f"<@&{world.team_role.id}>" in card.content
    assert card.allowed_mentions == {"parse": [], "roles": [world.team_role.id]}

    # The Dutch coordinator acknowledges; Maria turns on DM notices and gets one on a reply.
    coordinator = emulator.person(world.coordinator)
    ack = await (await coordinator.press(card, label="In behandeling nemen")).final()
    assert f"Melding {code} is nu in behandeling" in ack.text
    receipt = receipt_in(confirmation)
    seen = await open_case(emulator, maria, receipt)
    assert "DM notices: off" in seen.text
    on = await (await emulator.person(maria).press(seen, label="Notify me by DM")).final()
    assert "DM notices are on" in on.text and "Stop notices" in button_labels(on)
    form = (await coordinator.press(card, label="Reageren")).response.modal
    assert form is not None
    await (
        await coordinator.submit(form, {"text": "We bellen vandaag nog. / We call today."})
    ).final()
    # Short by default, and in both languages: the bot does not know Maria's.
    notice = await emulator.person(maria).wait_for_dm(contains="Je hebt een nieuw bericht")
    assert not notice.ephemeral and "You have a new message" in notice.text
    assert code not in notice.text and "We call today" not in notice.text
    assert notice.allowed_mentions == {"parse": []}

    # She stops the notices; the next reply reaches her only through /my-case.
    seen = await open_case(emulator, maria, receipt)
    off = await (await emulator.person(maria).press(seen, label="Stop notices")).final()
    assert "DM notices are off" in off.text and "Notify me by DM" in button_labels(off)
    form = (await coordinator.press(card, label="Reageren")).response.modal
    assert form is not None
    edits = len(card_edits(emulator))
    await (await coordinator.submit(form, {"text": "Nog iets / One more thing."})).final()
    # A notice would have gone out before the card edit queued with it.
    await wait_until(emulator, lambda: len(card_edits(emulator)) > edits, "the card edit")
    seen = await open_case(emulator, maria, receipt)
    assert "One more thing." in seen.text
    assert len([m for m in emulator.person(maria).dms() if not m.ephemeral]) == 1


async def test_privacy_info_explains_escalation_and_why_delete_cannot_find_a_case(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    student = emulator.create_user("sam", locale="en-US")
    emulator.add_member(world.association("tragos").guild, student)
    info = await (await emulator.person(student).slash(None, "privacy", subcommand="info")).final()
    assert info.ephemeral and "Anonymous escalation" in info.text
    assert "closed and 90 days after that" in info.text
    assert "delete-my-data cannot find it, by design" in info.text
    # Issue 18's data on a case: files, a reporter's choice to say who they are, the
    # handlers' notes and read log; each encrypted with the case and gone with it.
    assert "Files, your choices and the handlers' notes" in info.text
    assert "Discord keeps its own copy of an upload" in info.text
    assert "only if you choose to tell them who you are" in info.text
