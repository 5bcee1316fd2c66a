"""A full session with a waiting list moving up: the coordinator plans a session with one
place; the first Yes gets it, the next ones are told their number on the waiting list.
When the one with the place says No, the first on the list is asked by DM; an offer not
taken in time (across a restart of the bot) goes to the next, who takes it. Waiting
people get no reminders; only the coordinator sees who waits."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import (
    at,
    dms_with,
    form,
    network_with_vcps,
    plan,
    reminder_job_times,
    session_ids,
    start_clock,
    three_association_world,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

THREE = {"invitees": "associations", "associations": "Tragos, Saurus, Koko", "places": 1}
START = at(9, 15, 19, 30)
ORDER = ("sanne", "ahmed", "liv", "kim")
ASSOCIATION = {"sanne": "tragos", "ahmed": "tragos", "liv": "saurus", "kim": "koko"}

DUTCH = {
    "locale": "nl",
    "invitation": "Uitnodiging",
    "yes": "Ja, ik kom",
    "no": "Nee, ik kan niet",
    "yes_said": "je staat genoteerd voor Intervisie najaar",
    "waiting": "Je staat op de wachtlijst: je bent nummer {n}.",
    "no_reminders": "Tot die tijd krijg je geen herinneringen.",
    "offer": "Er is een plek vrijgekomen bij **Intervisie najaar**",
    "until": "Je kunt kiezen tot {until};",
    "take": "Ik neem de plek",
    "pass": "Geef de plek door",
    "gone": "Deze plek is niet meer beschikbaar",
    "lapsed": "De tijd om de plek bij **Intervisie najaar**",
    "again": "Druk dan opnieuw op Ja in de uitnodiging",
    "taken": "Fijn, de plek is van jou",
    "maybe": "Misschien",
    "passed": "De plek gaat naar de volgende op de wachtlijst",
}
ENGLISH = {
    "locale": "en-US",
    "invitation": "Invitation",
    "yes": "Yes, I'll come",
    "no": "No, I can't",
    "yes_said": "you are down as coming to Intervisie najaar",
    "waiting": "You are on the waiting list: you are number {n}.",
    "no_reminders": "Until then you get no reminders.",
    "offer": "A place has come free at **Intervisie najaar**",
    "until": "You can choose until {until};",
    "take": "I'll take the place",
    "pass": "Pass the place on",
    "gone": "This place is no longer available",
    "lapsed": "The time to take the place at **Intervisie najaar**",
    "again": "Press Yes in the invitation again",
    "taken": "Good, the place is yours",
    "maybe": "Maybe",
    "passed": "The place goes to the next person on the waiting list",
}


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def offers(harness: BotHarness) -> Any:
    """The bot's offer runner: the one its scheduler jobs call."""
    assert harness.bot is not None
    cog: Any = harness.bot.get_cog("IntervisieCog")
    return cog.offers


def offer_job_times(harness: BotHarness) -> list:
    assert harness.bot is not None
    scheduler = harness.bot.scheduler
    times = [scheduler.next_run(j) for j in scheduler.job_ids("intervisie:offer:")]
    return sorted(t.astimezone(UTC) for t in times if t is not None)


async def show(emulator: Emulator, world: NetworkWorld) -> str:
    [session_id] = await session_ids(emulator, world)
    shown = await emulator.person(world.coordinator).slash(
        world.hub, "intervisie", {"session": session_id}, subcommand="show"
    )
    message = (await shown.wait()).message
    assert message.ephemeral
    return message.text


@pytest.mark.parametrize("words", [DUTCH, ENGLISH], ids=["nl", "en"])
async def test_a_full_session_with_a_waiting_list_moving_up(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    words: dict[str, str],
) -> None:
    vcps = await network_with_vcps(
        emulator, world, {name: (ASSOCIATION[name], words["locale"]) for name in ORDER}
    )
    await plan(emulator, world, THREE, form(START))
    people = {name: emulator.person(vcps[name]) for name in ORDER}
    invitations = {n: await p.wait_for_dm(contains=words["invitation"]) for n, p in people.items()}

    # One by one they say Yes: Sanne gets the place, the others a number on the list.
    said = await (await people["sanne"].press(invitations["sanne"], label=words["yes"])).wait()
    assert words["yes_said"] in said.message.text
    for number, name in enumerate(ORDER[1:], start=1):
        pressed = await (await people[name].press(invitations[name], label=words["yes"])).wait()
        assert pressed.message.ephemeral
        assert words["waiting"].format(n=number) in pressed.message.text
        assert words["no_reminders"] in pressed.message.text
        # Nobody is told who else is invited or waiting.
        for other in ORDER:
            assert vcps[other].username not in pressed.message.text
    # Only Sanne, who has the place, has reminders planned (a week, a day, an hour before).
    assert len(reminder_job_times(harness)) == 3

    # The coordinator sees the places and, privately, who waits in which order.
    details = await show(emulator, world)
    assert "Plaatsen: 1 van 1 bezet" in details
    assert "Wachtlijst (3)" in details
    assert "1. ahmed (Tragos)\n2. liv (Saurus)\n3. kim (Koko)" in details
    listing = await emulator.person(world.coordinator).slash(
        world.hub, "intervisie", subcommand="list"
    )
    assert "1 van 1 bezet · 3 op de wachtlijst" in (await listing.wait()).message.text

    # Sanne cannot come after all: the place is offered to Ahmed, first on the list.
    await (await people["sanne"].press(invitations["sanne"], label=words["no"])).wait()
    offer = await people["ahmed"].wait_for_dm(contains=words["offer"])
    until = clock() + timedelta(hours=24)
    assert words["until"].format(until=_moment(until, words["locale"])) in offer.text
    assert [b["label"] for b in offer.buttons] == [words["take"], words["pass"]]
    assert dms_with(emulator, vcps["liv"], words["offer"]) == []
    assert offer_job_times(harness) == [until.astimezone(UTC)]

    # The bot restarts; the offer's end is planned again, and Ahmed lets it run out.
    await harness.restart()
    assert offer_job_times(harness) == [until.astimezone(UTC)]
    clock.set(until + timedelta(minutes=1))
    await offers(harness).run_due()
    liv_offer = await people["liv"].wait_for_dm(contains=words["offer"])
    # Ahmed is told, in his language, that the time passed and how to wait again.
    note = await people["ahmed"].wait_for_dm(contains=words["lapsed"])
    assert note.buttons == [] and words["again"] in note.text
    # Too late for Ahmed: he is told so, calmly, and nothing changes.
    late = await (await people["ahmed"].press(offer, label=words["take"])).wait()
    assert late.message.ephemeral and words["gone"] in late.message.text

    # A restart before Liv answers changes nothing; she takes the place.
    await harness.restart()
    await offers(harness).run_due()
    assert len(dms_with(emulator, vcps["liv"], words["offer"])) == 1
    taken = await (await people["liv"].press(liv_offer, label=words["take"])).wait()
    assert taken.message.ephemeral and words["taken"] in taken.message.text
    assert offer_job_times(harness) == []
    # Liv now has the place and its reminders; Kim, still waiting, has none.
    assert len(reminder_job_times(harness)) == 3
    assert dms_with(emulator, vcps["kim"], words["offer"]) == []

    details = await show(emulator, world)
    assert "Plaatsen: 1 van 1 bezet" in details
    assert "Wachtlijst (1)" in details and "1. kim (Koko)" in details
    assert "liv (Saurus) · Ja, ik kom" in details


@pytest.mark.parametrize("words", [DUTCH, ENGLISH], ids=["nl", "en"])
async def test_a_yes_turned_maybe_frees_the_place_and_a_place_passed_on_goes_to_the_next(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    words: dict[str, str],
) -> None:
    names = ORDER[:3]
    vcps = await network_with_vcps(
        emulator, world, {name: (ASSOCIATION[name], words["locale"]) for name in names}
    )
    two = THREE | {"associations": "Tragos, Saurus"}
    await plan(emulator, world, two, form(START))
    people = {name: emulator.person(vcps[name]) for name in names}
    invitations = {n: await p.wait_for_dm(contains=words["invitation"]) for n, p in people.items()}
    for name in names:
        await (await people[name].press(invitations[name], label=words["yes"])).wait()

    # Sanne's Yes becomes Maybe: her place is offered to Ahmed, who passes it on.
    await (await people["sanne"].press(invitations["sanne"], label=words["maybe"])).wait()
    offer = await people["ahmed"].wait_for_dm(contains=words["offer"])
    passed = await (await people["ahmed"].press(offer, label=words["pass"])).wait()
    assert passed.message.ephemeral and words["passed"] in passed.message.text
    liv_offer = await people["liv"].wait_for_dm(contains=words["offer"])
    await (await people["liv"].press(liv_offer, label=words["take"])).wait()

    details = await show(emulator, world)
    assert "Plaatsen: 1 van 1 bezet" in details and "Wachtlijst" not in details
    assert "liv (Saurus) · Ja, ik kom" in details
    # Passing a place on is not a No: Ahmed's own answer stays as it was.
    assert "ahmed (Tragos) · Nog geen antwoord" in details


def _moment(value: Any, locale: str) -> str:
    from vcpbot.i18n import formats

    return formats.moment(value.astimezone(START.tzinfo), "nl" if locale == "nl" else "en")
