"""What a reply started from a saved reply adds about a case is sealed like every reply: the
saved reply itself is the team's plain wording (docs/privacy.md says so), but the handler's
own words and the reporter's never reach the database's bytes or the logs. And a saved
reply the bot acknowledged is still there after a restart."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation import test_escalation_canary as canary_tests
from tests.e2e.escalation.snippets_steps import add_snippet, reply_from, snippets_command
from tests.e2e.escalation.steps import (
    add_vcp,
    card_for,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
)
from vcpbot_harness import BotHarness, NetworkWorld

canary, database_text = canary_tests.canary, canary_tests.database_text
debug_logs = canary_tests.debug_logs  # the fixture: every logger at DEBUG, as in production

TEAM_WORDING = "Dank je voor je bericht; we nemen contact op."


async def test_a_reply_started_from_a_saved_reply_keeps_its_case_words_sealed(
    debug_logs: pytest.LogCaptureFixture,
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    team = world.team_member
    await add_snippet(
        emulator, team, world.hub, name="Eerste", nl=TEAM_WORDING, en="Thanks; we'll be in touch."
    )
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text=canary(1))
    card = await card_for(emulator, world, code_in(confirmation))
    _, form = await reply_from(emulator, team, card, button="Reageren", option="Eerste")
    written = f"{TEAM_WORDING} {canary(2)}"
    await (await emulator.person(team).submit(form, {"text": written})).final()
    seen = await open_case(emulator, sanne, receipt_in(confirmation))
    assert written in seen.text  # the positive control: the reporter reads it all

    stored = await database_text(harness)
    assert TEAM_WORDING.encode() in stored  # the team's wording: plain, as documented
    assert canary(1).encode() not in stored and canary(2).encode() not in stored
    logged = "\n".join(r.getMessage() for r in debug_logs.records)
    assert "KANARIE" not in logged and TEAM_WORDING not in logged


async def test_a_saved_reply_the_bot_acknowledged_is_there_after_a_restart(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    added = await add_snippet(
        emulator, world.coordinator, world.hub, name="Afspraak", nl=TEAM_WORDING, en="Thanks."
    )
    assert "is bewaard" in added.text
    await harness.restart()
    listed = await snippets_command(emulator, world.coordinator, world.hub, "list")
    assert "Afspraak" in listed.text and TEAM_WORDING in listed.text
