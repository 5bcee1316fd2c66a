"""A date poll refuses what cannot work, kindly: a date that cannot be used is named by
its line with how it was read, the form comes back filled in; only the coordinator
starts a poll, reads it or plans from it."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.poll_steps import (
    ALL,
    DEADLINE,
    OPTIONS,
    answer,
    open_poll_form,
    poll_form,
    poll_messages,
    send_poll,
)
from tests.e2e.intervisie.steps import (
    YEAR,
    network_with_vcps,
    start_clock,
    three_association_world,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student

GOOD = f"{OPTIONS[0]:%d-%m-%Y %H:%M}"
HUB_ONLY = "werkt alleen in de hub-server"
COORDINATOR_ONLY = "Only the UM coordinator can do this."
POLL_COMMANDS = (
    ("poll", ALL),
    ("poll-results", {"poll": 1}),
    ("poll-choose", {"poll": 1}),
)


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


async def test_dates_that_cannot_be_used_are_named_and_the_form_comes_back_filled_in(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    coordinator = emulator.person(world.coordinator)
    cases = [
        (
            [GOOD, f"16-08-{YEAR} 19:30"],
            ALL,
            [
                f"Datum 2 (“16-08-{YEAR} 19:30”) kan ik niet gebruiken:",
                f"maandag 16 augustus {YEAR}, 19:30 is al voorbij",
            ],
        ),
        ([GOOD, f"31-02-{YEAR} 19:30"], ALL, [f"“31-02-{YEAR}” bestaat niet op de kalender"]),
        ([GOOD, "ergens in september"], ALL, ["niet lezen als datum en tijd"]),
        ([GOOD], ALL, ["Een datumprikker heeft 2 tot 10 data nodig"]),
        ([GOOD] * 2, ALL, ["staat twee keer in de lijst"]),
        (
            [f"{d:%d-%m-%Y %H:%M}" for d in OPTIONS] * 2,
            ALL,
            ["Een datumprikker heeft 2 tot 10 data nodig"],
        ),
        (
            [GOOD, f"{OPTIONS[1]:%d-%m-%Y %H:%M}"],
            ALL | {"deadline": f"15-09-{YEAR} 12:00"},
            ["De sluiting ligt niet voor elke datum"],
        ),
    ]
    reply = None
    for lines, options, expected in cases:
        modal = await open_poll_form(emulator, world, options)
        reply = await (await coordinator.submit(modal, poll_form(lines=lines))).final()
        assert reply.ephemeral, lines
        for words in expected:
            assert words in reply.text, (lines, reply.text)
        assert [b["label"] for b in reply.buttons] == ["Formulier verbeteren"]
    assert emulator.person(vcps["sanne"]).dms() == []

    # A deadline already past is refused before the form opens.
    past = await coordinator.slash(
        world.hub, "intervisie", ALL | {"deadline": f"01-08-{YEAR} 12:00"}, subcommand="poll"
    )
    refused = (await past.wait()).message
    assert refused.ephemeral and "is al voorbij" in refused.text

    # The last form comes back as typed; with the deadline's form it goes through.
    assert reply is not None
    again = await (await coordinator.press(reply, label="Formulier verbeteren")).wait()
    assert again.modal is not None
    assert again.modal.input("title")["value"] == "Intervisie najaar"
    fixed = await coordinator.submit(
        again.modal, poll_form(lines=[GOOD, "17-09-" + f"{YEAR} 20:00"])
    )
    # The deadline of that command (15 September) is after the first date: still refused.
    assert "De sluiting ligt niet voor elke datum" in (await fixed.final()).text
    done = await send_poll(emulator, world, poll_form(lines=[GOOD, f"17-09-{YEAR} 20:00"]))
    assert "2 data, 1 persoon uitgenodigd" in done.text
    assert len(poll_messages(emulator, vcps["sanne"])) == 1


async def test_only_the_coordinator_starts_reads_and_plans_a_poll(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await send_poll(emulator, world, poll_form())
    await answer(emulator, vcps["sanne"], 1, "yes")
    tragos = world.association("tragos").guild
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    for user in (vcps["sanne"], student):
        for subcommand, options in POLL_COMMANDS:
            result = await emulator.person(user).slash(
                tragos, "intervisie", options, subcommand=subcommand
            )
            refusal = await result.final()
            assert refusal.ephemeral and HUB_ONLY in refusal.text, (user.username, subcommand)
    team = emulator.person(world.team_member)
    for subcommand, options in POLL_COMMANDS:
        result = await team.slash(world.hub, "intervisie", options, subcommand=subcommand)
        refusal = await result.final()
        assert refusal.ephemeral and COORDINATOR_ONLY in refusal.text, subcommand
        assert "sanne" not in refusal.text
    offered = await team.autocomplete(
        world.hub, "intervisie", {"poll": ""}, focused="poll", subcommand="poll-results"
    )
    assert offered == []
    # Nothing was planned: the VCP has only the poll, no invitation.
    assert emulator.scheduled_events(world.hub) == []
    assert [m for m in emulator.person(vcps["sanne"]).dms() if "Uitnodiging" in m.text] == []


async def test_an_english_coordinator_reads_refusals_and_the_tally_in_english(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(
        emulator, world, {"liv": ("saurus", "en-US"), "kim": ("koko", "nl")}
    )
    world.coordinator.locale = "en-US"
    coordinator = emulator.person(world.coordinator)
    modal = await open_poll_form(emulator, world, ALL)
    reply = await (
        await coordinator.submit(modal, poll_form(lines=[GOOD, f"16-08-{YEAR} 19:30"]))
    ).final()
    assert f"Date 2 (“16-08-{YEAR} 19:30”) cannot be used:" in reply.text
    assert f"Monday 16 August {YEAR}, 19:30 has already passed" in reply.text
    assert [b["label"] for b in reply.buttons] == ["Correct the form"]

    sent = await send_poll(emulator, world, poll_form(OPTIONS[:3]))
    assert "Date poll **Intervisie najaar** (#1) sent: 3 dates, 2 people invited" in sent.text
    await answer(emulator, vcps["liv"], 2, "yes")
    await answer(emulator, vcps["kim"], 2, "maybe")
    shown = await (
        await coordinator.slash(world.hub, "intervisie", {"poll": 1}, subcommand="poll-results")
    ).wait()
    assert "★ **2.**" in shown.message.text
    assert "Yes 1 · If need be 1 · No 0" in shown.message.text
    assert "If need be: kim (Koko)" in shown.message.text
    assert f"answers until {DEADLINE:%A} {DEADLINE.day} September" in shown.message.text
    planned = await (
        await coordinator.slash(
            world.hub, "intervisie", {"poll": 1, "option": 3}, subcommand="poll-choose"
        )
    ).final(within=30)
    assert "Planned: 1 session, 2 people invited" in planned.text
    told = await emulator.person(vcps["kim"]).wait_for_dm(contains="De datum voor")
    assert "donderdag 16 september" in told.text or "16 september" in told.text
