"""The bot is killed (SIGKILL) while reporters submit: every receipt shown still opens its case,
and every committed case reaches the hub exactly once after the restart.

The bot runs in a separate process (``crash_bot.py``) against this test's emulator and
database. ``VCPBOT_TEST_CRASH_REPORTERS`` raises the number of reporters (10 by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from discord_emulator import Emulator
from discord_emulator.entities import User
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
from tests.helpers.migrated import to_head
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import Database, create_database
from vcpbot.settings import normalise_database_url
from vcpbot_harness import NetworkWorld, runtime_dir_for

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).parents[1] / "support" / "crash_bot.py"
REPORTERS = int(os.environ.get("VCPBOT_TEST_CRASH_REPORTERS", "10"))
START_TIMEOUT_S = 30.0
# The restarted bot takes over the killed one's leases at once; its clock runs on.
RESTART_CLOCK_OFFSET_S = "120"


class BotProcess:
    """The real bot, started and killed as an operating system process."""

    def __init__(
        self, emulator: Emulator, world: NetworkWorld, database_url: str, guard_file: Path
    ) -> None:
        keep = {k: v for k, v in os.environ.items() if not k.upper().startswith("VCPBOT_")}
        self.env = keep | {
            "PYTHONPATH": str(Path(__file__).parents[3]),
            "VCPBOT_DISCORD_TOKEN": emulator.token,
            "VCPBOT_DISCORD_API_BASE": emulator.api_base,
            "VCPBOT_DISCORD_GATEWAY_URL": emulator.gateway_url,
            "VCPBOT_DATABASE_URL": database_url,
            "VCPBOT_HUB_GUILD_ID": str(world.hub.id),
            "VCPBOT_COGS": '["network", "help", "escalation"]',
            "VCPBOT_LOG_LEVEL": "WARNING",
            "VCPBOT_MASTER_KEYS": generate_master_key(1),
            "VCPBOT_INDEX_KEY": generate_index_key(),
            "VCPBOT_RUNTIME_DIR": str(runtime_dir_for(emulator)),
            "VCPBOT_ESCALATION__ARGON2_TIME_COST": "1",
            "VCPBOT_ESCALATION__ARGON2_MEMORY_KIB": "8",
            "VCPBOT_ESCALATION__OUTBOX_POLL_SECONDS": "0.2",
            "VCPBOT_ESCALATION__BATCH_MIN_MINUTES": "0",
            "VCPBOT_ESCALATION__BATCH_MAX_MINUTES": "0",
            # The same guard as the in-process tests: no call to Discord in a write.
            "VCPBOT_TEST_WRITE_GUARD_FILE": str(guard_file),
        }
        self.guard_file = guard_file
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, **extra: str) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            env=self.env | extra,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), START_TIMEOUT_S)
        except TimeoutError:
            line = b""
        if line.strip() != b"ready":
            await self.kill()
            errors = await self.process.stderr.read() if self.process.stderr else b""
            raise AssertionError(f"the bot did not start: {errors.decode()[-2000:]}")

    def violations(self, *, take: bool = False) -> str:
        """What the process's write guard caught (``take``: and forget it)."""
        if not self.guard_file.exists():
            return ""
        caught = self.guard_file.read_text()
        if take:
            self.guard_file.unlink()
        return caught

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def exited(self, within: float = 10.0) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), within)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                await self.kill()


@pytest.fixture
async def database(databases) -> AsyncIterator[tuple[str, Database]]:
    """A whole database the bot process opens by URL (a file for SQLite)."""
    url = normalise_database_url(await databases.create_url())
    db = create_database(url)
    await to_head(db)
    yield url, db
    await db.dispose()


@pytest.fixture
async def bot_process(
    emulator: Emulator, world: NetworkWorld, database: tuple[str, Database], tmp_path: Path
) -> AsyncIterator[BotProcess]:
    process = BotProcess(emulator, world, database[0], tmp_path / "write-guard.txt")
    yield process
    await process.stop()
    violations = process.violations()
    assert not violations, "the bot called Discord inside a write transaction:\n" + violations


async def test_the_bot_in_its_own_process_is_watched_by_the_write_guard_too(
    emulator: Emulator, world: NetworkWorld, bot_process: BotProcess
) -> None:
    await bot_process.start(VCPBOT_TEST_SEND_IN_WRITE=str(world.hub_general.id))
    await bot_process.stop()
    caught = bot_process.violations(take=True)
    assert caught.startswith("POST /channels/{channel_id}/messages at "), caught


async def case_total(db: Database) -> int:
    async with db.sessions.begin() as session:
        return int(await session.scalar(text("SELECT count(*) FROM escalation_cases")) or 0)


async def pending(db: Database) -> int:
    async with db.sessions.begin() as session:
        return int(await session.scalar(text("SELECT count(*) FROM escalation_outbox")) or 0)


def card_counts(emulator: Emulator, world: NetworkWorld) -> Counter[str]:
    return Counter(code_in(card) for card in cards_in(emulator, world))


async def test_receipts_shown_before_a_sigkill_open_their_cases_after_the_restart(
    emulator: Emulator,
    world: NetworkWorld,
    database: tuple[str, Database],
    bot_process: BotProcess,
) -> None:
    _, db = database
    await bot_process.start(VCPBOT_TEST_SYNC="1")
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    reporters = [
        await add_vcp(emulator, world, "tragos", f"vcp{n}", locale="nl") for n in range(REPORTERS)
    ]
    shown: list[tuple[User, str, str]] = []
    # Everyone has the form open; they press Submit at nearly the same moment.
    forms = []
    for user in reporters:
        person = emulator.person(user)
        intro = (await (await person.slash(tragos.guild, "report")).wait()).message
        assert intro is not None
        forms.append((user, (await person.press(intro, label="Verder")).response.modal))

    async def submit(n: int, user: User, form: Any) -> None:
        await asyncio.sleep(0.005 * n)
        values = {"category": "advice", "urgency": "soon", "text": f"Melding {n}.", "shown": "no"}
        result = await emulator.person(user).submit(form, values, wait=False)
        confirmation = await result.final()
        shown.append((user, receipt_in(confirmation), code_in(confirmation)))

    tasks = [asyncio.create_task(submit(n, u, f)) for n, (u, f) in enumerate(forms)]
    # Kill the bot once some receipts are shown and others are still on their way.
    await wait_until(emulator, lambda: len(shown) >= 2, "some receipts", within=60)
    # ...at a moment that differs from run to run: mid-transaction, between the commit
    # and the receipt, or while the card is being posted.
    await asyncio.sleep(random.uniform(0, 0.2))
    await bot_process.kill()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert len(shown) >= 2

    await bot_process.start(VCPBOT_TEST_CLOCK_OFFSET_S=RESTART_CLOCK_OFFSET_S)
    for user, receipt, code in shown:
        seen = await open_case(emulator, user, receipt)
        assert f"Je melding {code}" in seen.text, code
    # Every committed case (shown or not) is in the hub exactly once.
    committed = await case_total(db)
    assert committed >= len(shown)
    await wait_until(
        emulator,
        lambda: len(card_counts(emulator, world)) == committed,
        f"{committed} cards",
        within=30,
    )
    counts = card_counts(emulator, world)
    assert set(counts.values()) == {1}, counts
    assert {code for _, _, code in shown} <= set(counts)


async def test_a_crash_right_after_posting_a_card_does_not_post_it_twice(
    emulator: Emulator,
    world: NetworkWorld,
    database: tuple[str, Database],
    bot_process: BotProcess,
) -> None:
    _, db = database
    await bot_process.start(VCPBOT_TEST_SYNC="1", VCPBOT_TEST_DIE_AFTER_POST="1")
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    with contextlib.suppress(AssertionError):  # the bot may die before the receipt is drawn
        await escalate(emulator, vcp, tragos.guild, text="Net voor de stroomstoring.")
    assert await bot_process.exited() == 137
    [card] = cards_in(emulator, world)
    assert await pending(db) == 1  # posted, but not known to be

    await bot_process.start(VCPBOT_TEST_CLOCK_OFFSET_S=RESTART_CLOCK_OFFSET_S)
    for _ in range(50):
        if await pending(db) == 0:
            break
        await asyncio.sleep(0.1)
    assert await pending(db) == 0
    assert cards_in(emulator, world) == [card]
    # The card found again is the one the bot edits from now on.
    code = code_in(card)
    ack = await (
        await emulator.person(world.team_member).press(card, label="In behandeling nemen")
    ).final()
    assert code in ack.text
    await wait_until(
        emulator,
        lambda: "In behandeling nemen" not in [b["label"] for b in card.buttons],
        "the card to be edited",
    )
    assert (await card_for(emulator, world, code)) is card
