"""Finding a date together: the coordinator offers six evenings to twelve VCPs, who answer
per date from a DM (in Dutch or English, changing their minds), nobody sees anyone else's
name, the coordinator reads the tally, one reminder reaches only those who have not
answered every date (once, also across restarts), and the best evening becomes a session
with the usual invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.poll_steps import (
    OPTIONS,
    REMIND_AT,
    TWELVE,
    answer,
    mentions_anyone_else,
    poll_form,
    poll_jobs,
    poll_messages,
    poll_runner,
    send_poll,
)
from tests.e2e.intervisie.steps import (
    calendar_entry,
    network_with_vcps,
    start_clock,
    three_association_world,
)
from vcpbot.i18n import formats
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

# Eight answer every date: the third evening suits them, the first and last if need be.
COMPLETE = ("sanne", "daan", "ruben", "ahmed", "emma", "finn", "lotte", "olaf")
EVERY_DATE = {1: "maybe", 2: "no", 3: "yes", 4: "no", 5: "no", 6: "maybe"}
# Kim answers two dates, Yara five; Liv and Mila none: these four get the reminder.
PARTLY = {"kim": {1: "yes", 3: "yes"}, "yara": dict.fromkeys(range(1, 6), "yes")}
REMINDED = ("kim", "yara", "liv", "mila")


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def reminders(emulator: Emulator, user) -> int:
    return sum(
        "Herinnering: datumprikker" in m.text or "Reminder: finding a date" in m.text
        for m in emulator.person(user).dms()
    )


async def test_six_evenings_to_twelve_vcps_become_one_session(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, TWELVE)
    reply = await send_poll(emulator, world, poll_form())
    assert reply.ephemeral
    assert "Datumprikker **Intervisie najaar** (#1) verstuurd: 6 data, 12 personen" in reply.text
    assert "12 kregen de uitnodiging" in reply.text

    # Dutch VCPs read the poll in Dutch, English ones in English: six rows of buttons,
    # five in the first message and one in the next.
    sanne, liv = vcps["sanne"], vcps["liv"]
    [first, more] = poll_messages(emulator, sanne)
    assert "Datumprikker: Intervisie najaar" in first.text
    assert f"**3.** {formats.moment(OPTIONS[2], 'nl')} (Nederlandse tijd)" in first.text
    assert "Alleen de coördinator ziet wat je antwoordt" in first.text
    assert len(first.buttons) == 15 and len(more.buttons) == 3
    assert first.buttons[6]["label"] == f"3. {formats.short_moment(OPTIONS[2], 'nl')} · Ja"
    [english, _] = poll_messages(emulator, liv)
    assert "Finding a date: Intervisie najaar" in english.text
    assert [b["label"].split(" · ")[-1] for b in english.buttons[:3]] == [
        "Yes",
        "If need be",
        "No",
    ]

    # Sanne changes her mind twice; Ahmed once.
    said = await answer(emulator, sanne, 3, "no")
    assert said.ephemeral and "Genoteerd:" in said.text and ": Nee." in said.text
    assert "Je hebt 1 van 6 data beantwoord" in said.text
    for name in COMPLETE:
        for position, value in EVERY_DATE.items():
            await answer(emulator, vcps[name], position, value)
    await answer(emulator, vcps["ahmed"], 3, "no")
    changed = await answer(emulator, vcps["ahmed"], 3, "yes")
    assert "You have answered 6 of 6 dates" in changed.text
    for name, answers in PARTLY.items():
        for position, value in answers.items():
            await answer(emulator, vcps[name], position, value)

    # Only the coordinator sees who said what, privately.
    coordinator = emulator.person(world.coordinator)
    shown = await (
        await coordinator.slash(world.hub, "intervisie", {"poll": 1}, subcommand="poll-results")
    ).wait()
    tally = shown.message
    assert tally.ephemeral
    assert "★ **3.**" in tally.text and "Ja 10 · Als het moet 0 · Nee 0" in tally.text
    assert "Ja 2 · Als het moet 8 · Nee 0" in tally.text  # the first evening
    assert "Nog niet bij elke datum geantwoord:" in tally.text
    incomplete = tally.text.split("Nog niet bij elke datum geantwoord:")[1]
    assert all(name in incomplete for name in REMINDED)
    assert not any(name in incomplete for name in COMPLETE)

    # A restart before the reminder: its job is rebuilt from the rows.
    await harness.restart()
    assert poll_jobs(harness) == ["intervisie:poll:1"]
    clock.set(REMIND_AT - timedelta(minutes=1))
    assert await poll_runner(harness).run_due() == []
    clock.set(REMIND_AT)
    assert await poll_runner(harness).run_due() == ["sent"] * 4
    await harness.restart()
    assert await poll_runner(harness).run_due() == []
    assert {name: reminders(emulator, vcps[name]) for name in TWELVE} == {
        name: int(name in REMINDED) for name in TWELVE
    }
    assert (
        "Herinnering: datumprikker Intervisie najaar"
        in poll_messages(emulator, vcps["mila"], reminder=True)[0].text
    )
    assert (
        "Reminder: finding a date for Intervisie najaar"
        in poll_messages(emulator, vcps["liv"], reminder=True)[0].text
    )
    # The reminder's buttons answer like the poll's.
    late = await answer(emulator, vcps["mila"], 3, "yes", reminder=True)
    assert "Je hebt 1 van 6 data beantwoord" in late.text

    # Nobody's DMs name anyone else.
    for name, user in vcps.items():
        for message in emulator.person(user).dms():
            assert mentions_anyone_else(message.text, name, vcps) == [], (name, message.text)

    # The best evening becomes a session for all twelve, planned as /intervisie plan does.
    planned = await (
        await coordinator.slash(world.hub, "intervisie", {"poll": 1}, subcommand="poll-choose")
    ).final(within=30)
    assert planned.ephemeral
    assert "Gepland: 1 bijeenkomst, 12 personen uitgenodigd" in planned.text
    [event] = emulator.scheduled_events(world.hub)
    assert event.name == "Intervisie najaar"
    chosen = await emulator.person(sanne).wait_for_dm(contains="De datum voor")
    assert formats.moment(OPTIONS[2], "nl") in chosen.text
    invitation = await emulator.person(sanne).wait_for_dm(contains="Uitnodiging: Intervisie najaar")
    assert [b["label"] for b in invitation.buttons][:3] == [
        "Ja, ik kom",
        "Nee, ik kan niet",
        "Misschien",
    ]
    assert calendar_entry(invitation.attachments[0]).start == OPTIONS[2]
    told = await emulator.person(liv).wait_for_dm(contains="The date for")
    assert formats.moment(OPTIONS[2], "en") in told.text
    await emulator.person(liv).wait_for_dm(contains="Invitation: Intervisie najaar")

    # The poll is closed: its buttons say so, calmly, and nothing is left to remind.
    closed = await answer(emulator, vcps["kim"], 2, "yes")
    assert "Deze datumprikker is niet meer open" in closed.text
    assert poll_jobs(harness) == []
