"""Several bot processes on one PostgreSQL: real processes, one emulated Discord.

Every process logs at DEBUG, and after each test no line of any process's log may
name a person, a DM channel, a receipt or what someone typed (``log_privacy``).

Every test here runs on PostgreSQL only (SQLite serves one process): a module sets
``pytestmark = POSTGRES_ONLY``, which skips it, with the reason, when
``VCPBOT_TEST_DATABASE_URL`` is not set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from tests.helpers.log_privacy import text_findings
from tests.helpers.migrated import to_head
from tests.multiprocess.steps import SHARDS, Deployment, process_env, shard_of
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import create_database
from vcpbot.settings import normalise_database_url
from vcpbot_harness import seed_network_world


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as em:
        yield em
        em.assert_no_failures()


@pytest.fixture
async def deployment(emulator: Emulator, databases) -> AsyncIterator[Deployment]:
    """The hub and an association server on every shard, a migrated database of its own,
    and no process yet: a test adds and starts them."""
    url = normalise_database_url(await databases.create_url())
    db = create_database(url)
    await to_head(db)
    world = seed_network_world(emulator)
    keys = (generate_master_key(1), generate_index_key())
    running = Deployment(emulator, world, url, db, process_env(emulator, world, url, keys))
    for association in world.associations.values():
        if shard_of(association.guild) not in running.guilds:
            running.guilds[shard_of(association.guild)] = association.guild
            running.boards[association.guild.id] = association.admin
    while len(running.guilds) < SHARDS:
        board = emulator.create_user(f"board-{len(running.guilds)}", locale="nl")
        guild = emulator.create_guild(f"Vereniging {len(running.guilds)}", owner=board, locale="nl")
        emulator.add_member(guild, board, permissions=perm.MANAGE_GUILD)
        if shard_of(guild) not in running.guilds:
            running.guilds[shard_of(guild)] = guild
            running.boards[guild.id] = board
    try:
        yield running
    finally:
        await running.stop()
        await db.dispose()
        errors = {p.name: p.errors() for p in running.processes if p.errors()}
        assert not errors, errors
        leaked = text_findings(emulator, [ln.text for p in running.processes for ln in p.lines])
        assert not leaked, "a process's log names someone:\n" + "\n".join(leaked[:20])
