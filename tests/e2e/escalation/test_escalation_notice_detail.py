"""A DM notice says only "You have a new message" unless the reporter asks, in /my-case,
for notices that say what kind of news it is; she can make them short again."""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    switch_member_route,
    vcp_channel,
)
from vcpbot_harness import BotHarness, NetworkWorld

SECRET = "My flatmate from the committee keeps reading my messages."


async def _vcp_replies(emulator: Emulator, vcp: User, card: Message, text: str) -> None:
    form = (await emulator.person(vcp).press(card, label="Reageren")).response.modal
    assert form is not None
    await (await emulator.person(vcp).submit(form, {"text": text})).final()


async def test_a_member_chooses_notices_that_say_what_kind_of_news_and_back_to_short(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", "emma", locale="en-GB")
    _, confirmation = await escalate(emulator, member, tragos.guild, text=SECRET)
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    emma = emulator.person(member)
    await (await emma.press(confirmation, label="Notify me by DM when there is a reply")).final()
    card = await emulator.person(vcp).wait_for_message(channel, contains=code)

    seen = await open_case(emulator, member, receipt)
    assert "DM notices: on, short" in seen.text
    chosen = await (await emma.press(seen, label="Say what kind of news")).final()
    assert "Notices now say what kind of news there is" in chosen.text
    await _vcp_replies(emulator, vcp, card, "Thank you for telling us.")
    detailed = await emma.wait_for_dm(contains="There is a new reply on your case")
    assert SECRET not in detailed.text and "Thank you" not in detailed.text

    short = await (await emma.press(chosen, label="Keep notices short")).final()
    assert "Notices are short again" in short.text
    await _vcp_replies(emulator, vcp, card, "Shall we talk this week?")
    plain = await emma.wait_for_dm(contains="You have a new message")
    assert "reply" not in plain.text.lower() and "Shall we" not in plain.text
