"""Every committed case reaches someone who can act on it, or its reporter is told: a member
case whose association switched the member route off before it arrived, a card Discord
refuses, and the way from a /open-cases line to the card."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from discord_emulator import Emulator
from discord_emulator.entities import User
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
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

POST = "POST /channels/{channel_id}/messages"
MEMBER_TEXT = "Bij de borrel werd ik steeds aangeraakt terwijl ik nee zei."


async def member_case_after_the_route_went_off(
    emulator: Emulator, world: NetworkWorld, clock: ManualClock
) -> tuple[User, str, str]:
    """A member sends a case to the VCPs; Discord is briefly unavailable, and before the card
    is tried again the board turns the route off."""
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", "noor", locale="nl")
    emulator.inject(POST, status=503, channel=channel)
    _, confirmation = await escalate(
        emulator, member, tragos.guild, text=MEMBER_TEXT, urgency="routine", shown="no"
    )
    await wait_until(emulator, lambda: emulator.rate_limits.served or None, "the outage")
    await switch_member_route(emulator, world, "tragos", None, enabled=False)
    clock.advance(timedelta(minutes=5))
    await asyncio.sleep(0.6)  # the worker tries again
    assert emulator.channel_messages(channel, viewer=emulator.bot_user) == []
    return member, receipt_in(confirmation), code_in(confirmation)


async def test_a_member_case_that_could_not_reach_the_vcps_can_go_to_the_team_instead(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    member, receipt, code = await member_case_after_the_route_went_off(emulator, world, clock)
    tragos = world.association("tragos")
    noor = emulator.person(member)

    seen = await open_case(emulator, member, receipt)
    assert "konden deze melding niet ontvangen" in seen.text
    assert "anoniem contact met haar VCP's uitgezet" in seen.text
    assert "Niemand heeft haar gelezen" in seen.text
    # The VCPs cannot be shown a case they never received.
    vcp = world.users["sanne"]
    listing = (await (await emulator.person(vcp).slash(tragos.guild, "open-cases")).wait()).message
    assert listing is not None and code not in listing.text

    ask = (await noor.press(seen, label="Naar het UM-team sturen")).response.message
    assert ask is not None and "UM-team" in ask.text
    sent = await (await noor.press(ask, label="Ja, stuur naar het UM-team")).final()
    assert "naar het UM-team gestuurd" in sent.text
    hub_card = await card_for(emulator, world, code)
    assert "door het lid zelf" in hub_card.text and "Tragos" not in hub_card.text
    opened = await (
        await emulator.person(world.team_member).press(hub_card, label="Openen")
    ).final()
    assert MEMBER_TEXT in opened.text
    again = await open_case(emulator, member, receipt)
    assert "Je stuurde deze melding naar het UM-team" in again.text
    assert "Naar het UM-team sturen" not in [b["label"] for b in again.buttons]


async def test_a_member_case_that_could_not_reach_the_vcps_can_be_closed_instead(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    member, receipt, _ = await member_case_after_the_route_went_off(emulator, world, clock)
    noor = emulator.person(member)
    seen = await open_case(emulator, member, receipt)
    assert "konden deze melding niet ontvangen" in seen.text
    ask = (await noor.press(seen, label="Mijn melding sluiten")).response.message
    assert ask is not None
    closed = await (await noor.press(ask, label="Ja, sluit mijn melding")).final()
    assert "Status: **Afgesloten**" in closed.text
    clock.advance(timedelta(hours=1))
    await asyncio.sleep(0.6)
    assert cards_in(emulator, world) == []


async def test_a_card_discord_refuses_is_reported_once_with_its_code_and_arrives_once_fixed(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    coordinator = emulator.person(world.coordinator)
    emulator.inject(POST, status=400, code=50035, channel=world.escalations)
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Geheim verhaal.")
    code = code_in(confirmation)

    told = await coordinator.wait_for_message(world.network_log, contains=code)
    assert "400" in told.text and "Geheim" not in told.text
    # Discord's error code as Discord writes it, not as a number in prose ("50.035").
    assert "code 50035" in told.text
    assert told.allowed_mentions == {"parse": []}

    def refused() -> int:
        return sum(s.startswith("400") for s in emulator.rate_limits.served)

    # The cause is not fixed yet: the next try fails too, and is not reported again.
    emulator.inject(POST, status=400, code=50035, channel=world.escalations)
    await asyncio.sleep(0.3)  # the worker notes when to try again
    clock.advance(timedelta(minutes=10))
    await asyncio.sleep(0.6)
    assert refused() == 1 and cards_in(emulator, world) == []
    clock.advance(timedelta(minutes=55))
    await wait_until(emulator, lambda: refused() == 2 or None, "the hourly retry")
    clock.advance(timedelta(minutes=65))
    card = await card_for(emulator, world, code)
    assert "Geheim" not in card.text
    assert [m for m in coordinator.sees(world.network_log) if code in m.text] == [told]


async def listing_once_recorded(emulator: Emulator, user: User, guild: Any) -> str:
    """/open-cases, as soon as the bot has recorded the card it just posted (a moment later)."""
    for _ in range(20):
        listing = (await (await emulator.person(user).slash(guild, "open-cases")).wait()).message
        assert listing is not None
        if "discord.com/channels" in listing.text:
            break
        await asyncio.sleep(0.1)
    return listing.text


async def test_every_line_of_cases_leads_to_its_card(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", "noor", locale="nl")
    _, team_case = await escalate(emulator, vcp, tragos.guild, text="Voor het team.")
    _, member_case = await escalate(emulator, member, tragos.guild, text="Voor de VCP's.")
    hub_card = await card_for(emulator, world, code_in(team_case))
    vcp_card = await emulator.person(vcp).wait_for_message(channel, contains=code_in(member_case))

    team_link = f"https://discord.com/channels/{world.hub.id}/{world.escalations.id}/{hub_card.id}"
    assert team_link in await listing_once_recorded(emulator, world.team_member, world.hub)
    vcp_link = f"https://discord.com/channels/{tragos.guild.id}/{channel.id}/{vcp_card.id}"
    assert vcp_link in await listing_once_recorded(emulator, vcp, tragos.guild)
