"""The coordinator invites 600 VCPs at once. The invitations go out from the leader's
outbox within Discord's rate limits, not inside the coordinator's interaction; the
coordinator sees "Invitations: 120 of 600 sent" grow in their confirmation and ends
with how many were sent and who could not be reached; each VCP gets exactly one
invitation, in their language, also when the bot is restarted halfway."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from cogs.intervisie import _fanout as fanout_part
from discord_emulator import Emulator
from tests.e2e.intervisie.fanout_steps import (
    FINAL,
    invitations_each,
    many_vcps,
    progress_counts,
    watch,
)
from tests.e2e.intervisie.steps import (
    at,
    form,
    open_form,
    start_clock,
    three_association_world,
)
from vcpbot.services.intervisie import INVITATION_LEASE
from vcpbot.services.intervisie import _fanout_jobs as fanout_jobs
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

START = at(10, 6, 19, 30)
BOTH = {"invitees": "associations", "associations": "Tragos, Saurus"}
TITLE = "Grote intervisie"
SEND = "POST /channels/{channel_id}/messages"


class ProcessKilled(BaseException):
    """The process is gone: nothing after this point runs, nothing is cleaned up."""


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


@pytest.fixture
def quick_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """The confirmation is first shown and then edited sooner than in production."""
    monkeypatch.setattr(fanout_part, "FIRST_WAIT_S", 0.2)
    monkeypatch.setattr(fanout_part, "PROGRESS_EVERY_S", 0.2)


def cog(harness: BotHarness) -> Any:
    assert harness.bot is not None
    return harness.bot.get_cog("IntervisieCog")


async def submit_plan(emulator: Emulator, world: NetworkWorld) -> Any:
    modal = await open_form(emulator, world, BOTH)
    return await emulator.person(world.coordinator).submit(modal, form(START, title=TITLE))


@pytest.mark.usefixtures("quick_progress")
async def test_600_invitations_go_out_with_progress_and_one_each(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    people = await many_vcps(emulator, world, harness, clock, 600)
    for user in people[:3]:
        user.dms_closed = True
    # Discord's global limit, raised from 50 to 300 requests a second to keep this short;
    # and Discord says "slow down" (429, retry after 0.3 s) to five DMs on their way.
    emulator.rate_limits.global_limit = 300
    emulator.inject(SEND, status=429, count=5, retry_after=0.3)

    submitted = await submit_plan(emulator, world)
    reply = await submitted.final(within=30)
    assert reply.ephemeral
    assert "600 personen uitgenodigd" in reply.text
    seen = await watch(emulator, reply, within=180)

    # The coordinator saw the count grow, never shrink, before it ended.
    counts = progress_counts(seen)
    assert counts, seen
    assert all(total == 600 for _, total in counts)
    assert [sent for sent, _ in counts] == sorted(sent for sent, _ in counts)
    assert any(0 < sent < 600 for sent, _ in counts), seen
    final = reply.text
    assert FINAL.search(final)[0] == "Uitnodigingen: 597 verstuurd · 3 "  # type: ignore[index]
    assert "597 kregen de uitnodiging" in final
    assert "3 niet bereikbaar (privéberichten dicht)" in final
    for user in people[:3]:
        assert user.username in final  # who, so the coordinator can reach them otherwise

    # Every reachable VCP has exactly one invitation, in the language they read.
    assert invitations_each(emulator, people[3:], TITLE) == Counter({1: 597})
    assert invitations_each(emulator, people[:3], TITLE) == Counter({0: 3})
    english = emulator.person(people[3]).dms()[-1]
    assert "Invitation: " + TITLE in english.text
    dutch = emulator.person(people[4]).dms()[-1]
    assert "Uitnodiging: " + TITLE in dutch.text
    assert sum(s.startswith("429") for s in emulator.rate_limits.served) >= 5

    # Later, the coordinator can look it up; nothing goes out again.
    coordinator = emulator.person(world.coordinator)
    later = await (await coordinator.slash(world.hub, "intervisie", subcommand="progress")).wait()
    assert later.message.ephemeral
    assert TITLE in later.message.text
    assert "Uitnodigingen: 597 verstuurd · 3 niet bereikbaar" in later.message.text
    assert await cog(harness).invitations.run_pending() == 0
    assert invitations_each(emulator, people[3:], TITLE) == Counter({1: 597})


@pytest.mark.usefixtures("quick_progress")
async def test_an_english_coordinator_follows_the_invitations_in_english(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    people = await many_vcps(emulator, world, harness, clock, 120)
    people[7].dms_closed = True
    world.coordinator.locale = "en-US"
    # 120 DMs at 20 a second take 6 s, longer than the confirmation waits before it
    # shows progress (3 s), on a fast machine too: the coordinator sees it grow.
    emulator.rate_limits.global_limit = 20

    reply = await (await submit_plan(emulator, world)).final(within=30)
    assert "120 people invited" in reply.text
    seen = await watch(emulator, reply, within=120)
    assert any(0 <= sent < 120 for sent, _ in progress_counts(seen)), seen
    assert "Invitations: 119 sent · 1 could not be reached (DMs closed)" in reply.text
    assert people[7].username in reply.text
    assert invitations_each(emulator, people, TITLE) == Counter({1: 119, 0: 1})

    coordinator = emulator.person(world.coordinator)
    later = await (await coordinator.slash(world.hub, "intervisie", subcommand="progress")).wait()
    assert "Invitations: 119 sent · 1 could not be reached (DMs closed)" in later.message.text


async def test_a_fan_out_killed_halfway_ends_with_one_invitation_each_after_the_restart(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = await many_vcps(emulator, world, harness, clock, 60)
    original = fanout_jobs.mark_invitation
    calls = 0

    async def mark_invitation(session: Any, **kwargs: Any) -> bool:
        # The 25th DM is out; the process dies before it is marked sent.
        nonlocal calls
        calls += 1
        if calls == 25:
            raise ProcessKilled
        return await original(session, **kwargs)

    monkeypatch.setattr(fanout_jobs, "mark_invitation", mark_invitation)
    reply = await (await submit_plan(emulator, world)).final(within=30)
    assert "60 personen uitgenodigd" in reply.text
    await cog(harness).invitations.idle()
    monkeypatch.undo()
    halfway = invitations_each(emulator, people, TITLE)
    assert set(halfway) == {0, 1} and halfway[1] >= 25  # nobody twice

    # A new process: what nobody claimed goes out at once; the claims of the dead one
    # (the DM that went out unmarked among them) wait for their leases to run out.
    clock.advance(timedelta(seconds=20))
    await harness.restart()
    await cog(harness).invitations.idle()
    assert set(invitations_each(emulator, people, TITLE)) <= {0, 1}

    # Then the one whose DM is there is found, not sent again; the others are sent.
    clock.advance(INVITATION_LEASE)
    await cog(harness).invitations.run_pending()
    assert invitations_each(emulator, people, TITLE) == Counter({1: 60})
    await harness.restart()
    await cog(harness).invitations.idle()
    assert await cog(harness).invitations.run_pending() == 0
    assert invitations_each(emulator, people, TITLE) == Counter({1: 60})

    coordinator = emulator.person(world.coordinator)
    later = await (await coordinator.slash(world.hub, "intervisie", subcommand="progress")).wait()
    assert "Uitnodigingen: 60 verstuurd · 0 niet bereikbaar" in later.message.text
