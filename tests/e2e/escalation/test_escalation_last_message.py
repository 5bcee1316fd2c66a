"""No case closes in silence: whoever closes a case nobody answered writes a last message,
and the reporter's notice says for how many more days, and until which day, they can
still read it (the real retention, escalation.retention_days)."""

from __future__ import annotations

from discord_emulator import Emulator
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

LAST_WORDS = "We are sorry nobody answered in time. You can always start a new case."


async def test_a_vcp_closes_an_unanswered_case_with_a_last_message_the_member_can_read_90_days(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="en-GB")
    member = add_member(emulator, world, "tragos", "emma", locale="en-GB")
    _, confirmation = await escalate(emulator, member, tragos.guild, text="Can I talk to someone?")
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    await (
        await emulator.person(member).press(
            confirmation, label="Notify me by DM when there is a reply"
        )
    ).final()

    # Nobody has answered: the close form says a last message is needed, and why.
    sanne = emulator.person(vcp)
    card = await sanne.wait_for_message(channel, contains=code)
    form = (await sanne.press(card, label="Afsluiten")).response.modal
    assert form is not None and "nobody has answered them yet" in form.text
    assert "can still read it for 90 days" in form.text
    done = await (await sanne.submit(form, {"outcome": "advice_given", "text": LAST_WORDS})).final()
    assert done.ephemeral and f"Case {code} is closed" in done.text

    # Emma's notice names nothing, and says how long she can still read it.
    notice = await emulator.person(member).wait_for_dm(contains="You have a new message")
    assert "for 90 more days, until Sunday 15 November 2026" in notice.text
    assert "nog 90 dagen lezen, tot zondag 15 november 2026" in notice.text  # she was never seen
    assert LAST_WORDS not in notice.text
    seen = await open_case(emulator, member, receipt)
    assert LAST_WORDS in seen.text and "until Sunday 15 November 2026" in seen.text
