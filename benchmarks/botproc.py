"""One bot under test, in its own process: ``python -m benchmarks.botproc``.

The runner starts this with the emulator's URLs on the command line and its
token in ``BENCH_EMULATOR_TOKEN``. It prints ``ready`` once the bot is connected
and its commands are synced, and stops cleanly on SIGTERM.

``--clock-offset`` runs the bot's clock that many seconds ahead of the real one,
and its scheduler with it, so a job due at the bot's time T runs when the bot's
clock says T (the reminder fan-out uses it to reach a reminder's due time).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from typing import Any

from benchmarks.baseline import create_baseline_bot
from vcpbot.discord_endpoints import point_discord_at

TOKEN_ENV = "BENCH_EMULATOR_TOKEN"  # noqa: S105 - where the token is, not a token
# Set to a file name prefix to profile each bot process with cProfile (<prefix>.<kind>.prof).
PROFILE_ENV = "BENCH_PROFILE"
# Set to a file name prefix to trace allocations: the first SIGUSR1 starts tracing, each
# later one writes a tracemalloc snapshot (<prefix>.<kind>.<n>.snap) of what was allocated
# since and is still held: where memory grew (tracing from the start would slow set-up).
TRACEMALLOC_ENV = "BENCH_TRACEMALLOC"
READY_TIMEOUT_S = 20.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.botproc")
    parser.add_argument("kind", choices=("vcpbot", "baseline"))
    parser.add_argument("--api", required=True, help="the emulator's REST base")
    parser.add_argument("--gateway", required=True, help="the emulator's gateway URL")
    parser.add_argument("--database", help="database URL (vcpbot only), already migrated")
    parser.add_argument("--hub-guild", type=int, help="the hub guild id (vcpbot only)")
    parser.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        help="run the bot's clock and scheduler this many seconds ahead (vcpbot only)",
    )
    return parser


def _build(args: argparse.Namespace) -> tuple[Any, Any]:
    """The bot and the database to dispose of afterwards (None for the baseline)."""
    options = {"guild_ready_timeout": 0.05}
    if args.kind == "baseline":
        return create_baseline_bot(**options), None
    # Imported here so that the baseline's process holds no more than discord.py.
    from benchmarks.realbot import build_vcpbot

    return build_vcpbot(
        api=args.api,
        gateway=args.gateway,
        database=args.database,
        hub_guild=args.hub_guild,
        clock_offset=args.clock_offset,
        **options,
    )


async def _run(args: argparse.Namespace) -> int:
    point_discord_at(args.api, args.gateway)
    bot, db = _build(args)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    _trace_allocations(args.kind)
    try:
        await bot.login(os.environ[TOKEN_ENV])
        connection = asyncio.create_task(bot.connect(reconnect=False))
        async with asyncio.timeout(READY_TIMEOUT_S):
            while not bot.is_ready():
                if connection.done():
                    connection.result()
                    return 1
                await asyncio.sleep(0.01)
        await bot.tree.sync()
        print("ready", flush=True)
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({connection, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        return 0 if stop.is_set() else 1
    finally:
        await bot.close()
        if db is not None:
            await db.dispose()


def _trace_allocations(kind: str) -> None:
    prefix = os.environ.get(TRACEMALLOC_ENV)
    if not prefix:
        return
    import itertools
    import tracemalloc  # only when asked: tracing slows the bot down

    numbers = itertools.count()

    def dump() -> None:
        if not tracemalloc.is_tracing():
            tracemalloc.start(8)
            return
        tracemalloc.take_snapshot().dump(f"{prefix}.{kind}.{next(numbers)}.snap")

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, dump)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # discord.py's start-up notes (no voice support) are noise here; its errors are not.
    logging.getLogger("discord").setLevel(logging.ERROR)
    args = _parser().parse_args(argv)
    prefix = os.environ.get(PROFILE_ENV)
    if not prefix:
        return asyncio.run(_run(args))
    import cProfile  # only when asked: profiling slows the bot down

    with cProfile.Profile() as profile:
        status = asyncio.run(_run(args))
    profile.dump_stats(f"{prefix}.{args.kind}.prof")
    return status


if __name__ == "__main__":
    sys.exit(main())
