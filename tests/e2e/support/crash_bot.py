"""The real bot in a process of its own, for crash tests: ``python tests/e2e/support/crash_bot.py``.

Settings come from ``VCPBOT_*`` variables, as in a deployment, pointed at the
test's emulator. Variables for the test only:

- ``VCPBOT_TEST_SYNC=1``: register the commands first (the first start).
- ``VCPBOT_TEST_CLOCK_OFFSET_S``: run the bot's clock ahead (a restart after time
  has passed).
- ``VCPBOT_TEST_DIE_AFTER_POST=1``: die at the worst moment for exactly-once:
  right after Discord accepted the first case card, before it is marked delivered.
- ``VCPBOT_TEST_WRITE_GUARD_FILE``: run under ``write_guard`` and append each call to
  Discord made inside a write transaction to this file at once (the process may be
  killed before it could say so otherwise).
- ``VCPBOT_TEST_SEND_IN_WRITE``: a channel id; once ready, post there inside a write
  transaction on purpose (to show that the guard above watches this process).

It writes ``ready`` on stdout once the bot has its guilds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.support.write_guard import write_guard


def _die_before_marking() -> None:
    from vcpbot.services import escalation

    original = escalation.mark_delivered

    async def die(session: Any, **kwargs: Any) -> bool:
        delivery = kwargs["delivery"]
        if delivery.kind is escalation.OutboxKind.CASE_CARD_CREATE and kwargs.get("posted"):
            os._exit(137)  # as if the machine lost power
        return await original(session, **kwargs)

    escalation.mark_delivered = die


def _report_to(path: str) -> Callable[[str], None]:
    def report(violation: str) -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(violation + "\n")

    return report


async def main() -> int:
    guard_file = os.environ.get("VCPBOT_TEST_WRITE_GUARD_FILE")
    guarded = write_guard(_report_to(guard_file)) if guard_file else contextlib.nullcontext()
    with guarded:
        return await _run()


async def _send_in_write(bot: Any, db: Any, channel_id: int) -> None:
    from sqlalchemy import text

    async with db.sessions.begin() as session:
        await session.execute(text("SELECT 1"))
        await bot.get_channel(channel_id).send("inside a write transaction")


async def _run() -> int:
    from vcpbot.bot import create_bot
    from vcpbot.db import create_database
    from vcpbot.discord_endpoints import point_discord_at
    from vcpbot.logs import configure_logging
    from vcpbot.settings import Settings

    settings = Settings.load(config_file=None, env_file=None)
    configure_logging(settings.log_level, stream=sys.stderr)
    if os.environ.get("VCPBOT_TEST_DIE_AFTER_POST") == "1":
        _die_before_marking()
    offset = timedelta(seconds=float(os.environ.get("VCPBOT_TEST_CLOCK_OFFSET_S", "0")))
    point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    db = create_database(settings.database_url)
    bot = create_bot(
        settings, db, clock=lambda: datetime.now(UTC) + offset, guild_ready_timeout=0.05
    )
    assert settings.discord_token is not None
    try:
        async with bot:
            await bot.login(settings.discord_token.get_secret_value())
            if os.environ.get("VCPBOT_TEST_SYNC") == "1":
                await bot.tree.sync()
            connection = asyncio.create_task(bot.connect(reconnect=True))
            await bot.wait_until_ready()
            if channel_id := os.environ.get("VCPBOT_TEST_SEND_IN_WRITE"):
                await _send_in_write(bot, db, int(channel_id))
            sys.stdout.write("ready\n")
            sys.stdout.flush()
            await connection
    finally:
        await db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
