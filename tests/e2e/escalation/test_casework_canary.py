"""Nothing of a desk's work is readable at rest or leaves a private answer: a note's text,
who took a case and who read it (their names and Discord ids) are sealed with the case
key, never posted, never logged."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import text

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    card_for,
    code_in,
    escalate,
    network_with,
    switch_member_route,
    vcp_channel,
)
from tests.e2e.escalation.test_casework_story import add_note, open_with_desk
from tests.e2e.escalation.test_escalation_canary import (
    CANARY,
    bodies,
    canary,
    database_text,
    debug_logs,
    forms_of,
    table_rows,
)
from vcpbot_harness import BotHarness, NetworkWorld

__all__ = ["bodies", "debug_logs"]  # fixtures, used by name


async def tables_but_escalation(harness: BotHarness) -> tuple[str, ...]:
    async with harness.db.sessions.begin() as session:
        if harness.db.is_sqlite:
            listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            listing = (
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        names = (await session.scalars(text(listing))).all()
    return tuple(n for n in names if not n.startswith("escalation_"))


@pytest.mark.threat("T6")
@pytest.mark.threat("T1")
async def test_notes_claims_and_the_read_log_are_nowhere_in_clear(
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
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    noor = add_member(emulator, world, "tragos", "noor", locale="nl")
    team = world.team_member

    # The team's desk: a note, a claim, two readers.
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Iets gebeurd.")
    card = await card_for(emulator, world, code_in(confirmation))
    _, panel = await open_with_desk(emulator, team, card)
    await add_note(emulator, team, panel, canary(1))
    await (await emulator.person(team).press(panel, label="Take this case")).final()
    _, seen = await open_with_desk(emulator, world.coordinator, card)
    assert canary(1) in seen.text and "UM Team" in seen.text  # the positive control

    # The VCPs' desk on a member's case.
    _, member_confirmation = await escalate(emulator, noor, tragos.guild, text="Iets anders.")
    vcp_card = await emulator.person(sanne).wait_for_message(
        channel, contains=code_in(member_confirmation)
    )
    _, vcp_panel = await open_with_desk(emulator, sanne, vcp_card)
    await add_note(emulator, sanne, vcp_panel, canary(2))
    await (await emulator.person(sanne).press(vcp_panel, label="Ik pak dit op")).final()
    _, again = await open_with_desk(emulator, sanne, vcp_card)
    assert canary(2) in again.text

    # 1. No message others can see carries a note.
    for message in emulator.world.messages.values():
        if not message.ephemeral:
            assert CANARY not in message.text, message.channel.name
    # 2. No request outside an interaction's own answer carries one.
    for method, path, body in bodies:
        if not path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/")):
            assert CANARY not in json.dumps(body, ensure_ascii=False), f"{method} {path}"
    # 3. No log line carries a note, or a handler's id.
    assert any(r.levelno == logging.DEBUG for r in debug_logs.records)
    for record in debug_logs.records:
        line = record.getMessage() + (record.exc_text or "")
        assert CANARY not in line, record.name
        assert str(team.id) not in line and str(world.coordinator.id) not in line, record.name
    # 4. The database holds no note, no handler's name or id next to a case.
    stored = await database_text(harness)
    assert CANARY.encode() not in stored and CANARY.encode().hex().encode() not in stored
    assert b"UM Team" not in stored and "Coördinator UM".encode() not in stored
    for form_ in forms_of(team):
        assert form_ not in stored, "a team member's id is stored"
    # Elsewhere the coordinator's id is in the network's own records (who approved a
    # join) and a VCP's in the registry; never in a case's tables.
    rows = await table_rows(harness, leaving_out=await tables_but_escalation(harness))
    for user in (world.coordinator, sanne):
        for form_ in (str(user.id).encode(), user.id.to_bytes(8, "big").hex().encode()):
            assert form_ not in rows, f"{user.username}'s id is stored next to a case"
