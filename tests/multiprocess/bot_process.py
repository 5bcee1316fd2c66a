"""``vcpbot run`` in a process of its own, for the tests of several processes:
``python tests/multiprocess/bot_process.py run --shard-ids 0,1 --shard-count 4``.

The arguments are the ``vcpbot`` command's, and settings come from ``VCPBOT_*``
variables, as in a deployment; the bot is the unmodified one that ``vcpbot run``
starts. Only what a test against the emulator needs is changed:

- no five-second pause between a process's shards (discord.py keeps Discord's
  identify rate limit, which the emulator does not have) and no two-second wait
  for guilds after READY;
- ``VCPBOT_TEST_REMINDER_LEASE_S``: a shorter claim on an intervisie reminder, so a
  reminder claimed by a killed leader runs out within the test, not after 60 s.

It writes ``ready`` on stdout once every shard of the process is ready.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from typing import Any


def _patch() -> None:
    from vcpbot import runner
    from vcpbot.bot import ShardedVCPBot

    async def no_pause(self: Any, shard_id: int | None, *, initial: bool = False) -> None:
        return

    ShardedVCPBot.before_identify_hook = no_pause  # type: ignore[method-assign]

    lease = os.environ.get("VCPBOT_TEST_REMINDER_LEASE_S")
    if lease:
        from vcpbot.services.intervisie import _jobs as jobs
        from vcpbot.services.intervisie import _sending

        _sending.REMINDER_LEASE = timedelta(seconds=float(lease))
        jobs.SEND_TIMEOUT_S = float(lease) / 2

    create_bot = runner.create_bot

    def create_and_report(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("guild_ready_timeout", 0.05)
        bot = create_bot(*args, **kwargs)

        async def on_ready() -> None:
            sys.stdout.write("ready\n")
            sys.stdout.flush()

        bot.add_listener(on_ready, "on_ready")
        return bot

    runner.create_bot = create_and_report  # type: ignore[assignment]


def main() -> int:
    _patch()
    from vcpbot.cli import main as vcpbot

    return vcpbot(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
