"""The bot under test as its process builds it: settings, database, and (when asked) a clock
that runs ahead of the real one."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vcpbot.bot import create_bot
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import Database, create_database
from vcpbot.scheduler import Scheduler
from vcpbot.settings import Settings


class ShiftedScheduler(Scheduler):
    """The scheduler of a bot whose clock runs ``shift`` ahead of the real one: a job due at
    the bot's time T runs when the bot's clock says T."""

    def __init__(self, *, shift: timedelta, timezone: str) -> None:
        super().__init__(timezone=timezone)
        self.shift = shift

    def at(
        self, job_id: str, when: datetime, func: Callable[..., Awaitable[Any]], *args: Any
    ) -> None:
        super().at(job_id, when - self.shift, func, *args)

    def next_run(self, job_id: str) -> datetime | None:
        found = super().next_run(job_id)
        return None if found is None else found + self.shift


def build_vcpbot(
    *,
    api: str,
    gateway: str,
    database: str,
    hub_guild: int | None,
    clock_offset: float = 0.0,
    **discord_options: Any,
) -> tuple[Any, Database]:
    """The unmodified bot from ``create_bot``, and its database to dispose of afterwards."""
    db = create_database(database)
    # A machine of its own: a fresh runtime directory (a stand-in for /run/vcpbot).
    runtime_dir = Path(tempfile.mkdtemp(prefix="vcpbot-bench-run-"))
    atexit.register(shutil.rmtree, runtime_dir, True)
    settings = Settings.load(
        config_file=None,
        env_file=None,
        discord_api_base=api,
        discord_gateway_url=gateway,
        database_url=database,
        hub_guild_id=hub_guild,
        master_keys=generate_master_key(1),
        index_key=generate_index_key(),
        runtime_dir=runtime_dir,
        log_level="WARNING",
    )
    if not clock_offset:
        return create_bot(settings, db, **discord_options), db
    shift = timedelta(seconds=clock_offset)

    def clock() -> datetime:
        return datetime.now(UTC) + shift

    scheduler = ShiftedScheduler(shift=shift, timezone=settings.timezone)
    return create_bot(settings, db, scheduler=scheduler, clock=clock, **discord_options), db
