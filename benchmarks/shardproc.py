"""One process of a sharded deployment, for ``python -m benchmarks.scaleout``:
``python -m benchmarks.shardproc run --shard-ids 0,1 --shard-count 4``.

The arguments are the ``vcpbot`` command's and the settings come from ``VCPBOT_*``
variables: the bot is the one ``vcpbot run`` starts. For the emulator only, the
five-second pause between a process's shards (Discord's identify rate limit) and the
two-second wait for guilds after READY are left out. It prints ``ready`` once every
shard of the process is ready. ``BENCH_CLOCK_OFFSET`` (seconds) runs the process's clock
and scheduler that far ahead, as ``benchmarks.botproc --clock-offset`` does for one bot
(``python -m benchmarks.national`` uses it to reach the reminders' due time).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

CLOCK_OFFSET_ENV = "BENCH_CLOCK_OFFSET"


def main() -> int:
    from vcpbot import runner
    from vcpbot.bot import ShardedVCPBot
    from vcpbot.cli import main as vcpbot

    async def no_pause(self: Any, shard_id: int | None, *, initial: bool = False) -> None:
        return

    ShardedVCPBot.before_identify_hook = no_pause  # type: ignore[method-assign]
    create_bot = runner.create_bot

    def create_and_report(*args: Any, **kwargs: Any) -> Any:
        kwargs |= _shifted_clock(args[0].timezone)
        bot = create_bot(*args, guild_ready_timeout=0.05, **kwargs)

        async def on_ready() -> None:
            print("ready", flush=True)

        bot.add_listener(on_ready, "on_ready")
        return bot

    runner.create_bot = create_and_report  # type: ignore[assignment]
    return vcpbot(sys.argv[1:])


def _shifted_clock(timezone: str) -> dict[str, Any]:
    """The scheduler and clock of a process whose clock runs ``BENCH_CLOCK_OFFSET`` ahead."""
    offset = float(os.environ.get(CLOCK_OFFSET_ENV) or 0)
    if not offset:
        return {}
    from benchmarks.realbot import ShiftedScheduler

    shift = timedelta(seconds=offset)

    def clock() -> datetime:
        return datetime.now(UTC) + shift

    return {"scheduler": ShiftedScheduler(shift=shift, timezone=timezone), "clock": clock}


if __name__ == "__main__":
    sys.exit(main())
