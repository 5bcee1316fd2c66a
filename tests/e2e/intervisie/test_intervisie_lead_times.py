"""My reminders: in the invitation DM a VCP chooses their own lead times (or none), and
gets exactly those reminders, once, also when the bot restarts in between."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from discord_emulator import Emulator, Message
from tests.e2e.intervisie.steps import (
    at,
    dms_with,
    form,
    network_with_vcps,
    plan,
    reminder_job_times,
    runner,
    start_clock,
    three_association_world,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

TRAGOS = {"invitees": "associations", "associations": "Tragos"}
START = at(9, 15, 19, 30)
DAY_BEFORE = START.astimezone(UTC) - timedelta(hours=24)
HOUR_BEFORE = START.astimezone(UTC) - timedelta(hours=1)
MENU = "vcp:intervisie:leads"

DUTCH = {
    "locale": "nl",
    "invitation": "Uitnodiging",
    "yes": "Ja, ik kom",
    "who_sees": "Alleen de bot ziet je keuze",
    "options": [
        "1 week van tevoren",
        "1 dag van tevoren",
        "3 uur van tevoren",
        "1 uur van tevoren",
        "geen herinneringen",
    ],
    "saved": "Je krijgt een herinnering: 1 dag van tevoren, 1 uur van tevoren.",
    "saved_none": "je krijgt geen herinneringen",
    "reminder": "Herinnering:",
    "day": "begint morgen",
    "hour": "begint over een uur",
}
ENGLISH = {
    "locale": "en-US",
    "invitation": "Invitation",
    "yes": "Yes, I'll come",
    "who_sees": "Only the bot sees your choice",
    "options": [
        "1 week before",
        "1 day before",
        "3 hours before",
        "1 hour before",
        "no reminders",
    ],
    "saved": "You will get a reminder: 1 day before, 1 hour before.",
    "saved_none": "you will get no reminders",
    "reminder": "Reminder:",
    "day": "starts tomorrow",
    "hour": "starts in one hour",
}


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def menu_of(message: Message) -> dict:
    [menu] = [c for c in message.walk_components() if c.get("custom_id") == MENU]
    return menu


async def choose(emulator: Emulator, user, words: dict, values: list[str]) -> str:
    """The VCP says Yes in the invitation DM and picks lead times in its menu;
    returns what the bot tells them privately."""
    person = emulator.person(user)
    invitation = await person.wait_for_dm(contains=words["invitation"])
    assert words["who_sees"] in invitation.text
    assert [o["label"] for o in menu_of(invitation)["options"]] == words["options"]
    await (await person.press(invitation, label=words["yes"])).wait()
    picked = await (await person.select(invitation, MENU, values)).wait()
    assert picked.message.ephemeral
    return picked.message.text


@pytest.mark.parametrize("story", [(DUTCH, ENGLISH), (ENGLISH, DUTCH)], ids=["nl", "en"])
async def test_a_vcp_gets_exactly_the_reminders_they_chose_once_across_a_restart(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    story: tuple[dict, dict],
) -> None:
    # The one who chooses 1 day + 1 hour reads in the first language; the one who
    # chooses none, in the other.
    chooser, other = story
    vcps = await network_with_vcps(
        emulator,
        world,
        {"sanne": ("tragos", chooser["locale"]), "ahmed": ("tragos", other["locale"])},
    )
    await plan(emulator, world, TRAGOS, form(START, title="Intervisie september"))
    said = await choose(emulator, vcps["sanne"], chooser, ["PT24H", "PT1H"])
    assert chooser["saved"] in said
    said = await choose(emulator, vcps["ahmed"], other, ["none"])
    assert other["saved_none"] in said
    # Only Sanne's two: no week reminder, and none at all for Ahmed.
    assert reminder_job_times(harness) == [DAY_BEFORE, HOUR_BEFORE]

    await harness.restart()
    assert reminder_job_times(harness) == [DAY_BEFORE, HOUR_BEFORE]
    for due, text in ((DAY_BEFORE, chooser["day"]), (HOUR_BEFORE, chooser["hour"])):
        clock.set(due)
        await runner(harness).run_due()
        await emulator.person(vcps["sanne"]).wait_for_dm(contains=text)
        # A restart right after sending does not send it again.
        await harness.restart()
        await runner(harness).run_due()
    assert len(dms_with(emulator, vcps["sanne"], chooser["reminder"])) == 2
    assert dms_with(emulator, vcps["ahmed"], other["reminder"]) == []
    assert reminder_job_times(harness) == []


async def test_mine_shows_the_current_choice_and_changing_it_re_plans(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await plan(emulator, world, TRAGOS, form(START))
    sanne = emulator.person(vcps["sanne"])
    invitation = await sanne.wait_for_dm(contains="Uitnodiging")
    await (await sanne.press(invitation, label="Ja, ik kom")).wait()
    # Until she chooses, the reminders everyone gets.
    assert len(reminder_job_times(harness)) == 3
    shown = await sanne.slash(world.association("tragos").guild, "intervisie", subcommand="mine")
    menu_message = await shown.followup(1)
    assert menu_message.ephemeral
    assert "Je herinneringen: 1 week van tevoren, 1 dag van tevoren, 1 uur van tevoren" in (
        menu_message.text
    )
    picked = await (await sanne.select(menu_message, MENU, ["PT3H"])).wait()
    assert "3 uur van tevoren" in picked.message.text
    assert reminder_job_times(harness) == [START.astimezone(UTC) - timedelta(hours=3)]
    # Choosing "no reminders" takes them all off the schedule.
    picked = await (await sanne.select(menu_message, MENU, ["none"])).wait()
    assert "je krijgt geen herinneringen" in picked.message.text
    assert reminder_job_times(harness) == []
    shown = await sanne.slash(world.association("tragos").guild, "intervisie", subcommand="mine")
    assert "Je krijgt nu geen herinneringen" in (await shown.followup(1)).text
