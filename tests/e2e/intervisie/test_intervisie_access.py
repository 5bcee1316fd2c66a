"""Only the coordinator plans and sees answers, checked on every use; VCPs see only their
own sessions; invitations to many VCPs get through Discord's rate limits."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import (
    at,
    dms_with,
    form,
    network_with_vcps,
    open_form,
    plan,
    start_clock,
    three_association_world,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student

HUB_ONLY = "werkt alleen in de hub-server"
COORDINATOR_ONLY = "Only the UM coordinator can do this."
COORDINATOR_COMMANDS = (
    ("plan", {"invitees": "all"}),
    ("list", {}),
    ("show", {"session": 1}),
    ("move", {"session": 1, "when": "15-09-2099 19:30"}),
    ("cancel", {"session": 1}),
    ("attendance", {}),
    ("export", {}),
)


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


async def test_vcps_students_and_team_members_cannot_use_coordinator_commands(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await plan(emulator, world, {"invitees": "all"}, form(at(9, 15, 19, 30)))
    tragos = world.association("tragos").guild
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    for user in (vcps["sanne"], student):
        for subcommand, options in COORDINATOR_COMMANDS:
            result = await emulator.person(user).slash(
                tragos, "intervisie", options, subcommand=subcommand
            )
            refusal = await result.final()
            assert refusal.ephemeral and HUB_ONLY in refusal.text, (user.username, subcommand)
    team = emulator.person(world.team_member)
    for subcommand, options in COORDINATOR_COMMANDS:
        result = await team.slash(world.hub, "intervisie", options, subcommand=subcommand)
        refusal = await result.final()
        assert refusal.ephemeral and COORDINATOR_ONLY in refusal.text, subcommand
    offered = await team.autocomplete(
        world.hub, "intervisie", {"session": ""}, focused="session", subcommand="show"
    )
    assert offered == []
    # Nothing moved or was cancelled: the VCP heard of one session only.
    assert len(emulator.person(vcps["sanne"]).dms()) == 1
    [event] = emulator.scheduled_events(world.hub)
    assert event.status == 1

    # The VCP's own commands work anywhere, and show only their own answer.
    mine = await emulator.person(vcps["sanne"]).slash(None, "intervisie", subcommand="mine")
    own = (await mine.wait()).message
    assert "Intervisie najaar" in own.text and "jouw antwoord: Nog geen antwoord" in own.text
    nothing = await emulator.person(student).slash(tragos, "intervisie", subcommand="mine")
    assert "geen komende intervisiebijeenkomsten" in (await nothing.wait()).message.text


async def test_a_coordinator_who_lost_the_role_cannot_submit_an_open_form(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    modal = await open_form(emulator, world, {"invitees": "all"})
    member = world.hub.member(world.coordinator)
    assert member is not None
    member.roles.remove(world.coordinator_role)
    emulator.world.update_member(world.hub, member)
    submitted = await emulator.person(world.coordinator).submit(modal, form(at(9, 15, 19, 30)))
    refusal = await submitted.final()
    assert "Alleen de UM-coördinator kan dit doen" in refusal.text
    assert emulator.scheduled_events(world.hub) == []
    assert emulator.person(vcps["sanne"]).dms() == []


async def test_invitations_to_many_vcps_get_through_discords_rate_limits(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    keys = ("tragos", "saurus", "koko")
    vcps = await network_with_vcps(
        emulator, world, {f"vcp{n}": (keys[n % 3], "nl") for n in range(9)}
    )
    # Opening DM channels is throttled hard, and Discord answers 429 to some messages.
    emulator.rate_limits.set_bucket("POST /users/@me/channels", limit=2, per=0.3)
    emulator.inject("POST /channels/{channel_id}/messages", status=429, count=3, retry_after=0.2)
    reply = await plan(emulator, world, {"invitees": "all"}, form(at(9, 15, 19, 30)))
    assert "9 personen uitgenodigd; 9 kregen de uitnodiging" in reply.text
    for user in vcps.values():
        assert len(dms_with(emulator, user, "Intervisie najaar")) == 1
    assert emulator.rate_limits.served.count("429 POST /channels/{}/messages") == 3
