"""Every committed case reaches the hub exactly once, through 429s, 5xx and restarts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_vcp,
    card_for,
    cards_in,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    wait_until,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

POST = "POST /channels/{channel_id}/messages"
PATCH = "PATCH /channels/{channel_id}/messages/{message_id}"


def card_codes(emulator: Emulator, world: NetworkWorld) -> Counter[str]:
    return Counter(code_in(card) for card in cards_in(emulator, world))


async def advance_until(emulator: Emulator, clock: ManualClock, probe: Callable[[], bool]) -> None:
    """Move the bot's clock past each back-off until ``probe`` holds (the worker polls)."""
    for _ in range(12):
        clock.advance(timedelta(minutes=2))
        try:
            await emulator.world.wait_for(probe, within=1.0, what="the worker to catch up")
            return
        except AssertionError:
            continue
    raise AssertionError("the worker never caught up")


async def exactly_once(emulator: Emulator, world: NetworkWorld, codes: list[str]) -> None:
    await wait_until(
        emulator,
        lambda: set(card_codes(emulator, world)) >= set(codes),
        f"cards for {codes}",
        within=15,
    )
    counted = card_codes(emulator, world)
    assert all(counted[code] == 1 for code in codes), counted


async def test_rate_limits_and_server_errors_delay_cards_but_never_double_them(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcps = [await add_vcp(emulator, world, "tragos", f"vcp{n}", locale="nl") for n in range(4)]
    codes = []

    # Short bursts: discord.py waits out the 429s and retries the 500 itself.
    emulator.inject(POST, status=429, count=3, retry_after=0.05)
    _, confirmation = await escalate(emulator, vcps[0], tragos.guild, text="Eén.")
    codes.append(code_in(confirmation))
    emulator.inject(POST, status=500, count=1)
    _, confirmation = await escalate(emulator, vcps[1], tragos.guild, text="Twee.")
    codes.append(code_in(confirmation))
    await exactly_once(emulator, world, codes)

    # Longer outages reach the worker: it backs off (on the bot's clock) and tries again.
    emulator.inject(POST, status=429, count=12, retry_after=0.01)
    emulator.inject(POST, status=503, count=2)
    for vcp in vcps[2:]:
        _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Drie of vier.")
        codes.append(code_in(confirmation))
    await wait_until(
        emulator,
        lambda: any(s.startswith("503") for s in emulator.rate_limits.served),
        "the outage to be served",
    )
    await advance_until(emulator, clock, lambda: set(card_codes(emulator, world)) >= set(codes))
    await exactly_once(emulator, world, codes)
    served = emulator.rate_limits.served
    assert sum(s.startswith("429") for s in served) >= 15
    assert sum(s.startswith("503") for s in served) == 2
    assert sum(s.startswith("500") for s in served) == 1

    # A card edit that fails is retried too: the acknowledgement shows up once it passes.
    card = await card_for(emulator, world, codes[0])
    emulator.inject(PATCH, status=503, count=1)
    await (
        await emulator.person(world.team_member).press(card, label="In behandeling nemen")
    ).final()
    await advance_until(
        emulator, clock, lambda: "In behandeling nemen" not in [b["label"] for b in card.buttons]
    )
    assert "In behandeling" in card.text
    assert card_codes(emulator, world)[codes[0]] == 1


async def test_cards_queued_while_the_bot_was_down_arrive_once_after_a_restart(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    codes, receipts = [], []
    # Discord fails each case's first post; the bot stops before its back-off runs out.
    emulator.inject(POST, status=503, count=3)
    for n in range(3):
        vcp = await add_vcp(emulator, world, "tragos", f"vcp{n}", locale="en-US")
        _, confirmation = await escalate(emulator, vcp, tragos.guild, text=f"Case {n}.")
        codes.append(code_in(confirmation))
        receipts.append((vcp, receipt_in(confirmation)))
    await wait_until(
        emulator,
        lambda: sum(s.startswith("503") for s in emulator.rate_limits.served) >= 3,
        "the hub to be unreachable",
    )
    assert cards_in(emulator, world) == []
    await harness.stop()
    clock.advance(timedelta(hours=1))
    await harness.start(sync=False)
    await exactly_once(emulator, world, codes)
    for vcp, receipt in receipts:
        assert "Your case" in (await open_case(emulator, vcp, receipt)).text


async def test_a_reply_notice_to_closed_dms_is_dropped_and_the_case_goes_on(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Iets.")
    await (
        await emulator.person(vcp).press(
            confirmation, label="Stuur me een privébericht bij een reactie"
        )
    ).final()
    vcp.dms_closed = True
    card = await card_for(emulator, world, code_in(confirmation))
    team = emulator.person(world.team_member)
    form = (await team.press(card, label="Reageren")).response.modal
    assert form is not None
    await (await team.submit(form, {"text": "Een antwoord."})).final()
    await wait_until(
        emulator,
        lambda: any(r.status == 403 and r.method == "POST" for r in emulator.requests),
        "the notice to be tried",
    )
    assert emulator.person(vcp).dms() == []
    seen = await open_case(emulator, vcp, receipt_in(confirmation))
    assert "Een antwoord." in seen.text
