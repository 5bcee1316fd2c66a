"""The bots' processes and the databases they run on, as the runner starts and stops them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.botproc import TOKEN_ENV
from discord_emulator import Emulator
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


@dataclass
class BotProcess:
    """A bot in its own process; what it logs goes to a file, summarised after the run."""

    kind: str
    process: asyncio.subprocess.Process
    log: IO[bytes]
    # Wall-clock seconds from spawning the process to its "ready" line.
    start_seconds: float = 0.0

    def logged(self) -> list[str]:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace").splitlines()

    def cpu_seconds(self) -> float | None:
        """User plus system CPU time the process has used so far (Linux only)."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        # After the command name, utime and stime are the 12th and 13th fields, in ticks.
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_kib(self, field: str = "VmRSS") -> int | None:
        """``VmRSS`` (resident now) or ``VmHWM`` (resident at its peak) in KiB (Linux only)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return None


async def start_bot(em: Emulator, kind: str, *extra: str) -> BotProcess:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop_bot
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.botproc",
        kind,
        "--api",
        em.api_base,
        "--gateway",
        em.gateway_url,
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
        env={**os.environ, TOKEN_ENV: em.token},
        cwd=ROOT,
    )
    bot = BotProcess(kind, process, log)
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_S)
    except TimeoutError:
        line = b""
    bot.start_seconds = time.monotonic() - started
    if line.strip() != b"ready":
        await stop_bot(bot)
        raise RuntimeError(f"the {kind} process did not become ready:\n" + "\n".join(bot.logged()))
    return bot


async def stop_bot(bot: BotProcess) -> None:
    if bot.process.returncode is None:
        bot.process.terminate()
    try:
        await asyncio.wait_for(bot.process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        bot.process.kill()
        await bot.process.wait()
    logged = bot.logged()
    errors = [line for line in logged if line.startswith("ERROR:")]
    if errors:
        # Kept for reading afterwards: the first line alone rarely says why.
        kept = Path(tempfile.gettempdir()) / f"vcpbot-bench-{bot.kind}-{bot.process.pid}.log"
        kept.write_text("\n".join(logged) + "\n", encoding="utf-8")
        print(f"  the {bot.kind} process logged {len(errors)} error(s), e.g. {errors[0]} ({kept})")
    bot.log.close()


@contextlib.asynccontextmanager
async def running(em: Emulator, kind: str, *extra: str) -> AsyncIterator[BotProcess]:
    bot = await start_bot(em, kind, *extra)
    try:
        yield bot
    finally:
        await stop_bot(bot)


def vcpbot_args(url: str, hub_guild: int | None, *extra: str) -> list[str]:
    args = ["--database", url, *extra]
    if hub_guild is not None:
        args += ["--hub-guild", str(hub_guild)]
    return args


# -- databases -------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def sqlite_database() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory(prefix="vcpbot-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await _migrate(url)
        yield url


@contextlib.asynccontextmanager
async def postgres_database(server_url: str) -> AsyncIterator[str]:
    """A fresh database on the server, dropped afterwards."""
    server_url = Settings.load(
        config_file=None, env_file=None, database_url=server_url
    ).database_url
    name = f"vcpbot_bench_{secrets.token_hex(4)}"
    admin = create_database(server_url, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        await _migrate(url)
        yield url
    finally:
        async with admin.engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def fresh_database(
    kind: str, postgres_url: str | None
) -> contextlib.AbstractAsyncContextManager[str]:
    """A new, migrated database of the kind under test ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        return sqlite_database()
    assert postgres_url is not None
    return postgres_database(postgres_url)


async def _migrate(url: str) -> None:
    db = create_database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()
