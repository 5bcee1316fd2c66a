"""Retention leaves only a count, in Discord too: when a case is destroyed, every message the
bot posted about it (its cards, overdue nudges, pattern notices) goes, or, where the bot
may not delete it, becomes an anonymous tombstone, or the coordinator is told where it is."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from discord_emulator import Emulator, messages
from discord_emulator import permissions as perm
from discord_emulator.entities import Message, User
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
    wait_until,
)
from vcpbot.services import escalation
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

DELETE = "DELETE /channels/{channel_id}/messages/{message_id}"
RETENTION = timedelta(days=91)  # escalation.retention_days is 90


def escalation_cog(harness: BotHarness):
    assert harness.bot is not None
    return harness.bot.get_cog("EscalationCog")


async def close_by_reporter(emulator: Emulator, user: User, receipt: str) -> None:
    """/my-case, Close my case, yes: as the reporter closes it (in either language)."""
    person = emulator.person(user)
    seen = await open_case(emulator, user, receipt)
    ask = (await person.press(seen, label=_close(user))).response.message
    assert ask is not None
    await (await person.press(ask, label=_yes(user))).final()


def _close(user: User) -> str:
    return "Mijn melding sluiten" if user.locale == "nl" else "Close my case"


def _yes(user: User) -> str:
    return "Ja, sluit mijn melding" if user.locale == "nl" else "Yes, close my case"


async def pending(harness: BotHarness) -> int:
    assert harness.bot is not None
    async with harness.bot.db.sessions.begin() as session:
        return await escalation.pending_deliveries(session)


async def outbox_emptied(harness: BotHarness) -> None:
    for _ in range(50):
        if await pending(harness) == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox did not empty")


async def purge(harness: BotHarness, clock: ManualClock) -> None:
    clock.advance(RETENTION)
    await escalation_cog(harness).upkeep()  # as the scheduler does every day


def gone(*posted: Message) -> bool:
    return all(m.deleted for m in posted)


@pytest.mark.threat("T9")
async def test_after_retention_the_cards_nudges_and_pattern_notice_are_gone(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    team = emulator.person(world.team_member)
    reporters = []
    for name in ("sanne", "ahmed"):
        vcp = await add_vcp(emulator, world, "tragos", name, locale="nl")
        _, confirmation = await escalate(
            emulator, vcp, tragos.guild, text=f"Zorgen ({name}).", category="discrimination"
        )
        reporters.append((vcp, receipt_in(confirmation), code_in(confirmation)))
    cards = [await card_for(emulator, world, code) for _, _, code in reporters]
    notice = await team.wait_for_message(world.escalations, contains="Mogelijk patroon")
    clock.advance(timedelta(days=3))  # past the two working days of "soon"
    await escalation_cog(harness).check_overdue()
    await wait_until(
        emulator,
        lambda: len([m for m in team.sees(world.escalations) if "streeftijd" in m.text]) == 2,
        "two overdue nudges",
    )
    nudges = [m for m in team.sees(world.escalations) if "streeftijd" in m.text]
    for vcp, receipt, _ in reporters:
        await close_by_reporter(emulator, vcp, receipt)
    log_before = team.sees(world.network_log)

    await purge(harness, clock)
    posted = [*cards, notice, *nudges]
    await wait_until(emulator, lambda: gone(*posted), "every message about the cases to go")
    for _, _, code in reporters:
        assert not any(code in m.text for m in team.sees(world.escalations))
    await outbox_emptied(harness)
    assert team.sees(world.network_log) == log_before  # nothing to report to the coordinator


async def test_a_member_case_card_leaves_the_associations_channel(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", "noor", locale="nl")
    _, confirmation = await escalate(
        emulator, member, tragos.guild, text="Iets.", urgency="routine"
    )
    card = await emulator.person(vcp).wait_for_message(channel, contains=code_in(confirmation))
    await close_by_reporter(emulator, member, receipt_in(confirmation))

    await purge(harness, clock)
    await wait_until(emulator, lambda: gone(card), "the card to leave the VCPs' channel")


async def test_a_card_someone_deleted_by_hand_counts_as_removed(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Short.")
    card = await card_for(emulator, world, code_in(confirmation))
    await close_by_reporter(emulator, vcp, receipt_in(confirmation))
    await wait_until(emulator, lambda: "melder" in card.text, "the card to show closed")
    messages.delete(emulator.world, card)  # a moderator tidied the channel
    log_before = emulator.person(world.coordinator).sees(world.network_log)

    await purge(harness, clock)
    await wait_until(
        emulator,
        lambda: any(r.method == "DELETE" and r.status == 404 for r in emulator.requests),
        "the bot to find the card gone",
    )
    await outbox_emptied(harness)
    assert emulator.person(world.coordinator).sees(world.network_log) == log_before


@pytest.mark.threat("T9")
async def test_a_card_the_bot_may_not_delete_becomes_an_anonymous_tombstone(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
    _, confirmation = await escalate(
        emulator, vcp, tragos.guild, text="Short.", category="stalking", urgency="urgent"
    )
    code = code_in(confirmation)
    card = await card_for(emulator, world, code)
    await close_by_reporter(emulator, vcp, receipt_in(confirmation))
    await wait_until(emulator, lambda: "melder" in card.text, "the card to show closed")

    emulator.inject(DELETE, status=403, channel=world.escalations)  # Missing Permissions, once
    await purge(harness, clock)
    await wait_until(emulator, lambda: "bewaartermijn" in card.text, "the tombstone")
    assert not card.deleted
    assert code not in card.text and "Stalking" not in card.text and "Tragos" not in card.text
    assert card.embeds == [] and card.buttons == []
    await outbox_emptied(harness)


@pytest.mark.threat("T9")
async def test_without_access_to_the_channel_the_coordinator_is_told_once_and_the_bot_stops(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Short.")
    code = code_in(confirmation)
    card = await card_for(emulator, world, code)
    await close_by_reporter(emulator, vcp, receipt_in(confirmation))
    await wait_until(emulator, lambda: "melder" in card.text, "the card to show closed")
    # Someone takes the bot's access to the escalations channel away.
    world.hub.set_overwrite(world.escalations, emulator.bot_user, deny=perm.VIEW_CHANNEL)

    await purge(harness, clock)
    coordinator = emulator.person(world.coordinator)
    told = await coordinator.wait_for_message(world.network_log, contains=str(card.id))
    assert f"/channels/{world.hub.id}/{world.escalations.id}/{card.id}" in told.text
    assert code not in told.text and told.allowed_mentions == {"parse": []}
    await outbox_emptied(harness)
    tried = len([r for r in emulator.requests if r.method in ("DELETE", "PATCH")])
    for _ in range(3):
        clock.advance(timedelta(hours=2))
        await asyncio.sleep(0.5)
    assert len([r for r in emulator.requests if r.method in ("DELETE", "PATCH")]) == tried
    assert [m for m in coordinator.sees(world.network_log) if str(card.id) in m.text] == [told]
