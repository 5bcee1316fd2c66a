"""The member decides whether their case goes to the UM team: what a member and their VCP
do and see, in Dutch, in English, and for a member whose Discord speaks German (who reads
English).

The VCPs' channel and the hub speak the association's language (Dutch), so the card's
buttons and lines are Dutch in every run; what each person is told privately, and the
member's /my-case, is in their own language.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
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
from vcpbot_harness import NetworkWorld

MEMBER_TEXT = "At the drinks my mentor kept touching me although I said no."
SUMMARY = "A member describes unwanted touching by a mentor at an association event."
REASON = "The member writes they do not feel safe going home tonight."


@dataclass(frozen=True)
class Words:
    """What a reader of this language sees: the member's /my-case and the VCP's replies."""

    promise: str
    exception: str
    notice: str
    question: str
    without: str
    no: str
    go: str
    answered_without: str
    answered_no: str
    declined: str
    urgent_told: str
    reason_by: str
    asked: str
    urgent_continue: str
    urgent_done: str


DUTCH = Words(
    promise="Er gaat niets naar het UM-team zonder dat jij ja zegt",
    exception="acuut gevaar",
    notice="Je hebt een nieuw bericht",
    question="mag je melding naar het UM-team?",
    without="Alleen zonder mijn eigen woorden",
    no="Nee, laat het bij mijn VCP's",
    go="Ja, stuur door",
    answered_without="vanaf de samenvatting van je VCP",
    answered_no="Je zei nee. Er gaat niets naar het UM-team",
    declined="Je zei nee tegen doorsturen",
    urgent_told="zonder het je eerst te vragen",
    reason_by="waarom het niet kon wachten",
    asked="er gaat niets naar het team zonder ja",
    urgent_continue="Ja, acuut gevaar: verder",
    urgent_done="vanwege acuut gevaar",
)
ENGLISH = Words(
    promise="Nothing goes to the UM team unless you say yes",
    exception="acute danger",
    notice="You have a new message",
    question="may your case go to the UM team?",
    without="Only with my words left out",
    no="No, keep it with my VCPs",
    go="Yes, pass it on",
    answered_without="from your VCP's summary on",
    answered_no="You said no. Nothing goes to the UM team",
    declined="You said no to passing your case on",
    urgent_told="without asking you first",
    reason_by="why it could not wait",
    asked="nothing reaches the team before a yes",
    urgent_continue="Yes, acute danger: continue",
    urgent_done="because of acute danger",
)
# Discord locale -> what that person reads. German is not offered: it reads English.
READERS = {"nl": DUTCH, "en-GB": ENGLISH, "de": ENGLISH}


@dataclass
class Story:
    emulator: Emulator
    world: NetworkWorld
    member: User
    vcp: User
    words: Words
    card: Message
    receipt: str
    code: str


@pytest.fixture(params=list(READERS), ids=["dutch", "english", "german"])
def locale(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_the_member_reads_the_same_promise_in_help_privacy_and_before_she_writes(
    emulator: Emulator, world: NetworkWorld, locale: str, harness: object
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await switch_member_route(emulator, world, "tragos", vcp_channel(emulator, world, "tragos"))
    noor = emulator.person(add_member(emulator, world, "tragos", "noor", locale=locale))
    words = READERS[locale]
    for command, subcommand in (("help", None), ("report", None), ("privacy", "info")):
        asked = await noor.slash(tragos.guild, command, subcommand=subcommand)
        shown = (await asked.wait()).message
        assert shown is not None and shown.ephemeral
        assert words.promise in shown.text, command
        assert words.exception in shown.text and "/my-case" in shown.text.replace(
            "/mijn-melding", "/my-case"
        ), command


async def a_member_writes_to_their_vcps(
    emulator: Emulator, world: NetworkWorld, locale: str
) -> Story:
    """Noor (or Emma, or Lena) reports to her own VCPs and asks for DM notices."""
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    member = add_member(emulator, world, "tragos", "noor", locale=locale)
    _, confirmation = await escalate(
        emulator, member, tragos.guild, text=MEMBER_TEXT, category="bullying", urgency="soon"
    )
    notify = next(
        b["label"] for b in confirmation.buttons if "DM" in b["label"] or "privé" in b["label"]
    )
    await (await emulator.person(member).press(confirmation, label=notify)).final()
    code = code_in(confirmation)
    card = await emulator.person(vcp).wait_for_message(channel, contains=code)
    return Story(
        emulator, world, member, vcp, READERS[locale], card, receipt_in(confirmation), code
    )


async def the_vcp_asks(story: Story) -> None:
    """Sanne asks on the card whether the case may go to the UM team, with her summary."""
    sanne = story.emulator.person(story.vcp)
    form = (await sanne.press(story.card, label="Vragen om door te sturen")).response.modal
    assert form is not None
    asked = await (await sanne.submit(form, {"text": SUMMARY})).final()
    assert asked.ephemeral and story.words.asked in asked.text
    await wait_until(
        story.emulator,
        lambda: "Het lid is gevraagd; wacht op antwoord" in story.card.text,
        "the card to show that the member was asked",
    )


async def the_member_reads_the_question(story: Story) -> Message:
    """A discreet notice, then /my-case with the question and the summary on top."""
    notice = await story.emulator.person(story.member).wait_for_dm(contains=story.words.notice)
    for private in (SUMMARY, MEMBER_TEXT, "UM"):
        assert private not in notice.text
    seen = await open_case(story.emulator, story.member, story.receipt)
    assert story.words.question in seen.text and SUMMARY in seen.text
    assert seen.text.index(SUMMARY) < seen.text.index(MEMBER_TEXT)  # pinned above
    return seen


def hub_log_lines(story: Story) -> list[str]:
    emulator, world = story.emulator, story.world
    return [m.text for m in emulator.channel_messages(world.network_log, viewer=emulator.bot_user)]


@pytest.mark.threat("T3")
@pytest.mark.threat("T5")
async def test_the_member_lets_it_go_without_her_own_words_and_the_team_reads_the_summary(
    emulator: Emulator, world: NetworkWorld, locale: str, harness: object
) -> None:
    story = await a_member_writes_to_their_vcps(emulator, world, locale)
    await the_vcp_asks(story)
    assert cards_in(emulator, world) == []  # nothing reached the team with the question
    seen = await the_member_reads_the_question(story)

    noor = emulator.person(story.member)
    sure = await (await noor.press(seen, label=story.words.without)).final()
    done = await (await noor.press(sure, label=story.words.go)).final()
    assert story.words.answered_without in done.text

    # Sanne's card shows only the answer: forwarded, with consent, from her summary on.
    hub_card = await card_for(emulator, world, story.code)
    assert "met instemming van het lid, vanaf de samenvatting" in hub_card.text
    await wait_until(
        emulator,
        lambda: "met instemming van het lid" in story.card.text,
        "the VCPs' card to show the member's answer",
    )
    assert MEMBER_TEXT not in story.card.text and SUMMARY not in story.card.text
    # The team reads the summary, never what the member wrote before.
    team = emulator.person(world.team_member)
    opened = await (await team.press(hub_card, label="Openen")).final()
    assert SUMMARY in opened.text and MEMBER_TEXT not in opened.text


@pytest.mark.threat("T3")
@pytest.mark.threat("T5")
async def test_the_member_says_no_and_nothing_reaches_the_hub(
    emulator: Emulator, world: NetworkWorld, locale: str, harness: object
) -> None:
    story = await a_member_writes_to_their_vcps(emulator, world, locale)
    await the_vcp_asks(story)
    seen = await the_member_reads_the_question(story)

    answered = await (await emulator.person(story.member).press(seen, label=story.words.no)).final()
    assert story.words.answered_no in answered.text
    await wait_until(
        emulator,
        lambda: "Het lid zei nee" in story.card.text,
        "the VCPs' card to show the member said no",
    )
    # The card has moved on after the answer: the hub would have had its card by now.
    assert cards_in(emulator, world) == []
    assert not any(story.code in line for line in hub_log_lines(story))
    # The VCP may ask again later; the member reads her answer back in /my-case.
    assert any(b["label"] == "Vragen om door te sturen" for b in story.card.buttons)
    again = await open_case(emulator, story.member, story.receipt)
    assert story.words.declined in again.text and story.words.question not in again.text


@pytest.mark.threat("T3")
@pytest.mark.threat("T5")
async def test_acute_danger_goes_at_once_with_a_reason_the_member_is_told(
    emulator: Emulator, world: NetworkWorld, locale: str, harness: object
) -> None:
    story = await a_member_writes_to_their_vcps(emulator, world, locale)
    sanne = emulator.person(story.vcp)

    # A separate button, confirmed: only for acute danger.
    ask = await (await sanne.press(story.card, label="Nu doorsturen: acuut gevaar")).final()
    assert ask.ephemeral and "112" in ask.text
    form = (await sanne.press(ask, label=story.words.urgent_continue)).response.modal
    assert form is not None
    done = await (await sanne.submit(form, {"reason": REASON, "text": SUMMARY})).final()
    assert done.ephemeral and story.words.urgent_done in done.text

    # The hub's log records it by case code only: no reason, no summary, no who.
    line = await wait_until(
        emulator,
        lambda: next((text for text in hub_log_lines(story) if story.code in text), None),
        "the hub's log to record the urgent forward",
    )
    assert "acuut gevaar" in line
    for private in (REASON, SUMMARY, MEMBER_TEXT, "sanne", "noor", str(story.vcp.id)):
        assert private not in line
    hub_card = await card_for(emulator, world, story.code)
    assert "zonder het lid te vragen: acuut gevaar" in hub_card.text
    team = emulator.person(world.team_member)
    opened = await (await team.press(hub_card, label="Openen")).final()
    assert REASON in opened.text and SUMMARY in opened.text and MEMBER_TEXT not in opened.text

    # The member is told: a discreet notice, and /my-case says why, in her language.
    notice = await emulator.person(story.member).wait_for_dm(contains=story.words.notice)
    assert REASON not in notice.text and "UM" not in notice.text
    seen = await open_case(emulator, story.member, story.receipt)
    assert story.words.urgent_told in seen.text and REASON in seen.text
    assert story.words.reason_by in seen.text
