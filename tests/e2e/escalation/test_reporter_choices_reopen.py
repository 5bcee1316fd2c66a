"""A reporter reopens their closed case within its retention: it goes back to its handlers as
new, the card follows, the conversation says so, and the closing figures forget it until it
closes again. After the purge there is nothing left to reopen."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import (
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
from tests.e2e.escalation.test_escalation_retention import close_by_reporter, purge
from tests.e2e.escalation.test_reporter_choices import choices, press
from vcpbot.db.escalation import CaseCount
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

LAST_WORDS = "We hebben je advies gegeven; je kunt altijd terugkomen."


async def counts(harness: BotHarness) -> dict[str, int]:
    async with harness.db.sessions.begin() as session:
        return {r.outcome: r.count for r in (await session.scalars(select(CaseCount))).all()}


async def reported(emulator: Emulator, world: NetworkWorld, name: str, locale: str):
    tragos = world.association("tragos")
    user = await add_vcp(emulator, world, "tragos", name, locale=locale)
    _, confirmation = await escalate(emulator, user, tragos.guild, text="Er gebeurde iets.")
    return user, receipt_in(confirmation), code_in(confirmation)


async def team_closes(emulator: Emulator, world: NetworkWorld, card: Message) -> None:
    team = emulator.person(world.team_member)
    form = (await team.press(card, label="Afsluiten")).response.modal
    assert form is not None
    await (await team.submit(form, {"outcome": "advice_given", "text": LAST_WORDS})).final()
    await wait_until(emulator, lambda: "Afgesloten" in card.text, "the card to show closed")


async def reopen(emulator: Emulator, user: User, receipt: str, labels: tuple[str, str]) -> Message:
    screen = await choices(emulator, user, receipt)
    ask = await press(emulator, user, screen, labels[0])
    return await press(emulator, user, ask, labels[1])


async def test_a_dutch_reporter_reopens_a_case_the_team_closed_and_it_is_counted_once_more_later(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    sanne, receipt, code = await reported(emulator, world, "sanne", "nl")
    card = await card_for(emulator, world, code)
    await team_closes(emulator, world, card)
    assert await counts(harness) == {"advice_given": 1}

    screen = await choices(emulator, sanne, receipt)
    assert "Heropen mijn melding" in button_labels(screen)
    ask = await press(emulator, sanne, screen, "Heropen mijn melding")
    assert "Ze gaat terug naar het UM-team sociale veiligheid" in ask.text
    assert "nieuwe melding" in ask.text
    done = await press(emulator, sanne, ask, "Ja, heropen mijn melding")
    assert "Je melding is weer open" in done.text
    assert "Status: **Nieuw**" in done.text and "Je hebt je melding heropend." in done.text
    assert "Reageren" in button_labels(done)

    # The card follows: open again, to be acknowledged; the figures forget the closing.
    await wait_until(
        emulator,
        lambda: "In behandeling nemen" in button_labels(card),
        "the card to show the case open again",
    )
    assert "Afgesloten" not in card.text
    assert await counts(harness) == {}
    opened = await press(emulator, world.team_member, card, "Openen")
    assert "The reporter reopened this case." in opened.text

    await close_by_reporter(emulator, sanne, receipt)
    assert await counts(harness) == {"closed_by_reporter": 1}


async def test_an_english_reporter_cannot_reopen_after_the_purge(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    lotte, receipt, _ = await reported(emulator, world, "lotte", "en-GB")
    await close_by_reporter(emulator, lotte, receipt)

    # On its last day it can still be reopened; the day retention deletes it, no longer.
    clock.advance(timedelta(days=89))
    screen = await choices(emulator, lotte, receipt)
    assert "Reopen my case" in button_labels(screen)
    assert "Reopen my case" in screen.text and "Sunday 15 November 2026" in screen.text
    clock.advance(timedelta(days=1))
    screen = await choices(emulator, lotte, receipt)
    assert "Reopen my case" not in button_labels(screen)

    await purge(harness, clock)
    gone = await open_case(emulator, lotte, receipt)
    assert "Reopen my case" not in button_labels(gone)
    assert "No case was found for this receipt" in gone.text
