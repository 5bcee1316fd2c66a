"""An operator scrapes the bot's metrics endpoint (issue 20, health and metrics).

The endpoint is off unless ``metrics.enabled``; on, it listens on 127.0.0.1 and says
how the bot is doing (interactions, the escalation outbox, reminders, the lead, the
database) without naming anyone: no id, name, receipt or case code of the test world
may appear anywhere in what it serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from discord_emulator import Emulator
from tests.e2e.escalation.steps import add_member, code_in, escalate, receipt_in
from tests.e2e.help.steps import ask_help
from tests.e2e.intervisie.steps import (
    YEAR,
    at,
    form,
    network_with_vcps,
    plan,
    runner,
    start_clock,
    three_association_world,
)
from tests.e2e.kmtm.steps import create_period, log_contact
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, settings_for
from vcpbot_harness.steps.escalation import CODE

RECEIPT = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")
CASE_CODE = CODE
NARRATIVE = "Na de borrel bleef iemand van het bestuur haar berichten sturen."
# Cards go out at once, and the receipt hash is cheap (tests/e2e/conftest.py does the same).
FAST_ESCALATION = {
    "argon2_time_cost": 1,
    "argon2_memory_kib": 8,
    "argon2_parallelism": 1,
    "outbox_poll_seconds": 0.2,
    "batch_min_minutes": 0,
    "batch_max_minutes": 0,
}
# As in production: a non-urgent card waits 15 to 45 minutes for its batch.
BATCHED_ESCALATION = {
    key: value for key, value in FAST_ESCALATION.items() if not key.startswith("batch_")
}
SESSION = at(9, 15, 19, 30)
WEEK_BEFORE = SESSION.astimezone(UTC) - timedelta(days=7)
DAY_BEFORE = SESSION.astimezone(UTC) - timedelta(hours=24)


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


@contextlib.asynccontextmanager
async def bot_with_metrics(
    emulator: Emulator,
    world: NetworkWorld,
    databases: Any,
    clock: ManualClock,
    *,
    batches: bool = False,
    **metrics: Any,
) -> AsyncIterator[BotHarness]:
    db = await databases.create_migrated()
    settings = settings_for(
        emulator,
        hub_guild_id=world.hub.id,
        master_keys=generate_master_key(1),
        index_key=generate_index_key(),
        escalation=BATCHED_ESCALATION if batches else FAST_ESCALATION,
        metrics=metrics,
    )
    running = BotHarness(emulator, settings, db, clock=clock)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def scrape(port: int) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        return await response.text()


async def scrape_until(port: int, name: str, wanted: float, within: float = 5.0) -> str:
    """Scrape until ``name`` reads ``wanted`` (the bot marks a delivery just after posting)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        scraped = await scrape(port)
        if value(scraped, name) == wanted or asyncio.get_running_loop().time() > deadline:
            return scraped
        await asyncio.sleep(0.05)


def samples(scraped: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found = {}
    for family in text_string_to_metric_families(scraped):
        for sample in family.samples:
            found[sample.name, frozenset(sample.labels.items())] = sample.value
    return found


def value(scraped: str, name: str, **labels: str) -> float:
    return samples(scraped).get((name, frozenset(labels.items())), 0.0)


def what_names_someone(emulator: Emulator, world: NetworkWorld) -> dict[str, str]:
    """Everything in the test world that points at a person, an association or a case."""
    known = emulator.world
    names: dict[str, str] = {}
    for user in known.people():
        names[str(user.id)] = f"the user id of {user.username}"
        names[user.username] = "a username"
        if user.global_name:
            names[user.global_name] = "a display name"
    for guild in known.guilds.values():
        names[str(guild.id)] = f"the id of the server {guild.name}"
        names[guild.name] = "a server's name"
        for role in guild.roles.values() if isinstance(guild.roles, dict) else guild.roles:
            names[str(role.id)] = f"a role id in {guild.name}"
    for channel_id in known.channels:
        names[str(channel_id)] = "a channel id"
    for channel in known.dm_channels.values():
        names[str(channel.id)] = "a DM channel id"
    for key in world.associations:
        names[key.capitalize()] = "an association's short name"
    for shown in known.shown:
        for receipt in RECEIPT.findall(shown):
            names[receipt] = "a receipt"
            names[receipt.replace("-", "")] = "a receipt without dashes"
        for code in CASE_CODE.findall(shown):
            names[code] = "a case code"
    for interaction in known.interactions.values():
        names[interaction.token] = "an interaction's token"
        names[str(interaction.id)] = "an interaction id"
    for typed in known.typed:
        if len(typed.strip()) >= 8:
            names[typed.strip()] = "text a person typed"
    return names


def leaks(scraped: str, names: dict[str, str]) -> list[str]:
    found = []
    for name, what in names.items():
        pattern = rf"(?<![0-9A-Za-z]){re.escape(name)}(?![0-9A-Za-z])"
        if re.search(pattern, scraped):
            found.append(f"{what}: {name!r}")
    return found


async def test_an_operator_scrapes_the_metrics_after_a_busy_hour_and_nobody_is_named(
    emulator: Emulator, world: NetworkWorld, databases: Any, clock: ManualClock
) -> None:
    async with bot_with_metrics(emulator, world, databases, clock, enabled=True, port=0) as bot:
        port = bot.bot.metrics_port
        assert port
        before = await scrape(port)
        assert value(before, "vcpbot_leader") == 1.0

        sanne = (await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")}))["sanne"]
        tragos = world.association("tragos")
        student = add_member(emulator, world, "tragos", "student-lotte", locale="nl")
        help_reply = await ask_help(emulator, student, tragos.guild)
        assert help_reply.ephemeral

        # A VCP escalates: a command, a button, a form; the card reaches the hub.
        _, confirmation = await escalate(emulator, sanne, tragos.guild, text=NARRATIVE)
        receipt, code = receipt_in(confirmation), code_in(confirmation)
        assert receipt and code
        await emulator.person(world.team_member).wait_for_message(world.escalations, contains=code)

        # A KMTM contact logged, and a student who may not log one is refused.
        await create_period(emulator, world, start=f"10-08-{YEAR}", end=f"30-08-{YEAR}")
        logged = await log_contact(
            emulator, sanne, tragos.guild, "intimidation", "student", "nothing_yet"
        )
        assert "KMTM 2026" in logged.text, logged.text
        refused = await log_contact(
            emulator, student, tragos.guild, "intimidation", "student", "nothing_yet"
        )
        assert refused.ephemeral

        # An intervisie session: the week's reminder goes out ten minutes late, the
        # day's is missed (the bot was away for hours past its grace).
        await plan(
            emulator, world, {"invitees": "associations", "associations": "Tragos"}, form(SESSION)
        )
        clock.set(WEEK_BEFORE + timedelta(minutes=10))
        await runner(bot).run_due()
        await emulator.person(sanne).wait_for_dm(contains="Herinnering:")
        clock.set(DAY_BEFORE + timedelta(hours=3))
        await runner(bot).run_due()

        scraped = await scrape(port)

    slash, ok = "slash_command", "ok"
    assert value(scraped, "vcpbot_interactions_total", kind=slash, command="help", outcome=ok) == 1
    # Anonymous reporting is never counted: a count moving in some minute would say when.
    assert ("vcpbot_interactions_total", "report") not in {
        (name, dict(labels).get("command")) for name, labels in samples(scraped)
    }
    assert value(scraped, "vcpbot_interactions_total", kind="component", command="-", outcome=ok)
    assert value(scraped, "vcpbot_interactions_total", kind="modal", command="-", outcome=ok) >= 2
    assert (
        value(
            scraped, "vcpbot_interactions_total", kind=slash, command="kmtm log", outcome="refused"
        )
        == 1
    )
    answered = value(scraped, "vcpbot_interaction_first_response_seconds_count", kind=slash)
    assert answered >= 5
    assert value(scraped, "vcpbot_escalation_outbox_depth") == 0
    assert value(scraped, "vcpbot_escalation_outbox_oldest_age_seconds") == 0
    assert value(scraped, "vcpbot_intervisie_reminders_total", outcome="due") == 2
    assert value(scraped, "vcpbot_intervisie_reminders_total", outcome="sent") == 1
    assert value(scraped, "vcpbot_intervisie_reminders_total", outcome="late") == 1
    assert value(scraped, "vcpbot_intervisie_reminders_total", outcome="missed") == 1
    assert ("vcpbot_database_errors_total", frozenset({("kind", "OperationalError")})) in samples(
        scraped
    )

    found = leaks(scraped, what_names_someone(emulator, world))
    assert found == [], "the metrics name someone:\n" + "\n".join(found)


async def test_a_card_held_for_its_batch_is_not_shown_and_a_late_answer_is(
    emulator: Emulator, world: NetworkWorld, databases: Any, clock: ManualClock
) -> None:
    async with bot_with_metrics(
        emulator, world, databases, clock, batches=True, enabled=True, port=0
    ) as bot:
        port = bot.bot.metrics_port
        assert port
        sanne = (await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")}))["sanne"]
        tragos = world.association("tragos")
        _, confirmation = await escalate(
            emulator, sanne, tragos.guild, text=NARRATIVE, urgency="routine"
        )
        code = code_in(confirmation)

        # The card waits for its batch, and the metrics do not show it: a wait that began
        # at some minute would tell when someone pressed Submit, which the batch hides.
        first = await scrape(port)
        assert value(first, "vcpbot_escalation_outbox_depth") == 0
        await asyncio.sleep(0.3)
        later = await scrape(port)
        assert value(later, "vcpbot_escalation_outbox_depth") == 0
        assert value(later, "vcpbot_escalation_outbox_oldest_age_seconds") == 0

        # The batch goes: the card reaches the hub, and the outbox is empty again.
        clock.advance(timedelta(minutes=46))
        await emulator.person(world.team_member).wait_for_message(
            world.escalations, contains=code, within=10
        )
        emptied = await scrape_until(port, "vcpbot_escalation_outbox_depth", 0)
        assert value(emptied, "vcpbot_escalation_outbox_depth") == 0
        assert value(emptied, "vcpbot_escalation_outbox_oldest_age_seconds") == 0

        # Discord is slow today: /help's answer comes after the 3 seconds.
        emulator.interaction_deadline = 0.0
        result = await emulator.person(sanne).slash(tragos.guild, "help", wait=False)
        await emulator.world.wait_for(
            lambda: result.rejections, within=5, what="the late answer refused"
        )
        await asyncio.sleep(0.1)
        emulator.interaction_deadline = 3.0
        slow = await scrape(port)

    late = value(
        slow, "vcpbot_interactions_total", kind="slash_command", command="help", outcome="late"
    )
    assert late == 1
    assert (
        value(slow, "vcpbot_interactions_total", kind="slash_command", command="help", outcome="ok")
        == 0
    )
    found = leaks(first + later + emptied + slow, what_names_someone(emulator, world))
    assert found == [], "the metrics name someone:\n" + "\n".join(found)


async def test_the_endpoint_is_not_there_unless_an_operator_turns_it_on(
    emulator: Emulator, world: NetworkWorld, databases: Any, clock: ManualClock
) -> None:
    async with bot_with_metrics(emulator, world, databases, clock) as bot:
        assert bot.bot.metrics is None
        assert bot.bot.metrics_port is None
        # Nothing listens on the default port either.
        async with aiohttp.ClientSession() as session:
            try:
                async with session.get("http://127.0.0.1:9464/metrics") as response:
                    assert response.status != 200 or "vcpbot_" not in await response.text()
            except aiohttp.ClientConnectionError:
                pass


async def test_reporting_leaves_no_trace_in_the_metrics(
    emulator: Emulator, world: NetworkWorld, databases: Any, clock: ManualClock
) -> None:
    """From a member's /report to their /my-case: not one series moves."""
    async with bot_with_metrics(
        emulator, world, databases, clock, batches=True, enabled=True, port=0
    ) as bot:
        port = bot.bot.metrics_port
        assert port
        sanne = (await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")}))["sanne"]
        tragos = world.association("tragos")
        before = samples(await scrape(port))
        _, confirmation = await escalate(emulator, sanne, tragos.guild, text=NARRATIVE)
        seen = await (
            await emulator.person(sanne).slash(
                None, "my-case", {"receipt": receipt_in(confirmation)}
            )
        ).final()
        assert NARRATIVE in seen.text
        after = samples(await scrape(port))
    moved = {
        key
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key) and not key[0].endswith("_created")
    }
    assert moved == set(), sorted(moved)
