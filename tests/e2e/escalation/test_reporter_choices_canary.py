"""Who a reporter says they are, and how to reach them, reach only the handlers' ephemeral Open:
never the database's bytes, a log line, a card or any message others can see."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    code_in,
    escalate,
    network_with,
    receipt_in,
    switch_member_route,
    vcp_channel,
)
from tests.e2e.escalation.test_escalation_canary import (
    CANARY,
    bodies,
    database_text,
    debug_logs,
    forms_of,
)
from tests.e2e.escalation.test_reporter_choices import choices, press
from vcpbot_harness import BotHarness, NetworkWorld

__all__ = ["bodies", "debug_logs"]  # the canary's fixtures, used here by name

NAME = f"{CANARY.lower()}naam"  # the reporter's Discord name
HOW = f"{CANARY}-06-12345678"
WHEN = f"{CANARY} na vijven"


@pytest.mark.threat("T6")
@pytest.mark.threat("T1")
async def test_a_revealed_name_and_a_way_to_reach_someone_are_never_readable_at_rest(
    bodies: list[tuple[str, str, Any]],
    debug_logs: pytest.LogCaptureFixture,
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", NAME, locale="nl")
    _, confirmation = await escalate(emulator, member, tragos.guild, text="Mag ik iemand spreken?")
    receipt, code = receipt_in(confirmation), code_in(confirmation)

    screen = await choices(emulator, member, receipt)
    ask = await press(emulator, member, screen, "Laat weten wie ik ben")
    await press(emulator, member, ask, "Ja, laat het weten")
    screen = await choices(emulator, member, receipt)
    form = (await emulator.person(member).press(screen, label="Vraag om een gesprek")).response
    assert form.modal is not None
    ask = await (
        await emulator.person(member).submit(form.modal, {"how": HOW, "when": WHEN})
    ).final()
    await press(emulator, member, ask, "Ja, verstuur")
    card = await emulator.person(vcp).wait_for_message(channel, contains=code)
    opened = await press(emulator, vcp, card, "Openen")
    # The positive control: the VCPs read both, privately.
    assert opened.ephemeral and NAME in opened.text and HOW in opened.text and WHEN in opened.text

    # 1. No message anyone else can see carried them (the card least of all).
    for message in emulator.world.messages.values():
        if not message.ephemeral:
            assert CANARY not in message.text.upper(), message.channel.name
            assert str(member.id) not in message.text, message.channel.name
    # 2. No request outside an interaction's own response carried them.
    for method, path, body in bodies:
        if not path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/")):
            dumped = json.dumps(body, ensure_ascii=False).upper()
            assert CANARY not in dumped, f"{method} {path}"
    # 3. No log line, at DEBUG, carried them, or named the reporter next to the case.
    assert any(r.levelno == logging.DEBUG for r in debug_logs.records)
    for record in debug_logs.records:
        line = record.getMessage() + (record.exc_text or "")
        assert CANARY not in line.upper(), record.name
        if code in line:
            assert str(member.id) not in line, record.name
    # 4. The database holds none of it, and the reporter's id in no form.
    stored = await database_text(harness)
    for secret in (NAME, HOW, WHEN):
        assert secret.encode() not in stored and secret.encode().hex().encode() not in stored
    assert CANARY.encode() not in stored.upper()
    for form_ in forms_of(member):
        assert form_ not in stored, "the reporter's id is stored"
