"""The read cache never serves what a commit has changed: here, in another process, or
while it cannot hear other processes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text, update

from vcpbot.db import Database, create_database
from vcpbot.db.network import Association
from vcpbot.db.rules import RulesAcknowledgement, RulesKind
from vcpbot.readcache import Listener, ReadCache
from vcpbot.services import languages, network
from vcpbot.services.rules._common import ensure_row

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)
GUILD = 4242


async def _join(db: Database, guild_id: int = GUILD, name: str = "Tragos") -> None:
    async with db.sessions.begin() as session:
        await network.request_join(
            session,
            guild_id=guild_id,
            name=name,
            short_name=name[:6],
            locale="nl",
            vcp_role_id=7,
            rules_channel_id=None,
            requested_by=1,
            now=NOW,
        )


async def _rename(db: Database, name: str) -> None:
    async with db.sessions.begin() as session:
        row = await session.scalar(select(Association).where(Association.guild_id == GUILD))
        assert row is not None
        row.name = name


async def _name(cache: ReadCache, db: Database, loads: list[int]) -> str | None:
    async def load() -> str | None:
        loads.append(1)
        async with db.reading.begin() as session:
            view = await network.association_for_guild(session, guild_id=GUILD)
        return None if view is None else view.name

    return await cache.get(("name", GUILD), ("associations",), load)


async def test_a_commit_announces_the_tables_it_wrote(db: Database) -> None:
    heard: list[frozenset[str]] = []
    db.changes.subscribe(heard.append)
    await _join(db)
    assert heard and "associations" in heard[-1]
    heard.clear()
    async with db.reading.begin() as session:
        await network.association_for_guild(session, guild_id=GUILD)
    with pytest.raises(RuntimeError):
        async with db.sessions.begin():
            await _rename(db, "never")  # a separate session: commits on its own
            raise RuntimeError("roll back the outer one")
    assert heard == [frozenset({"associations"})]  # the reads and the rollback: nothing


async def test_statements_run_through_the_session_count_too(db: Database) -> None:
    heard: list[frozenset[str]] = []
    db.changes.subscribe(heard.append)
    async with db.sessions.begin() as session:
        await session.execute(select(func.count()).select_from(RulesAcknowledgement))
        await session.execute(text("SELECT 1"))
    assert heard == []  # reads only
    await _join(db)
    heard.clear()
    async with db.sessions.begin() as session:  # an UPDATE statement, not a flush
        await session.execute(
            update(Association).where(Association.guild_id == GUILD).values(name="X")
        )
    async with db.sessions.begin() as session:  # an upsert (INSERT ... ON CONFLICT)
        await ensure_row(session, GUILD, RulesKind.HOUSE_RULES, False, NOW)
    assert heard == [frozenset({"associations"}), frozenset({"rules_documents"})]


async def test_a_statement_that_changed_no_row_announces_nothing(db: Database) -> None:
    # Every intervisie answer keeps the person's language with an upsert that writes
    # only a change; an unchanged language must not empty every process's copies.
    heard: list[frozenset[str]] = []
    db.changes.subscribe(heard.append)
    async with db.sessions.begin() as session:
        assert await languages.remember(session, user_id=7, locale="nl")
    async with db.sessions.begin() as session:
        assert not await languages.remember(session, user_id=7, locale="nl")
    async with db.sessions.begin() as session:
        await session.execute(
            update(Association).where(Association.guild_id == GUILD).values(name="nobody")
        )
    assert heard == [frozenset({"user_languages"})]
    async with db.sessions.begin() as session:
        assert await languages.remember(session, user_id=7, locale="en")
    assert heard[-1] == frozenset({"user_languages"}) and len(heard) == 2


async def test_a_kept_copy_is_served_until_its_table_changes(db: Database) -> None:
    await _join(db)
    cache, loads = ReadCache(db), []
    cache.enabled = True
    assert await _name(cache, db, loads) == "Tragos"
    assert await _name(cache, db, loads) == "Tragos"
    assert len(loads) == 1
    await _rename(db, "Tragos II")
    assert await _name(cache, db, loads) == "Tragos II"
    assert len(loads) == 2


async def test_a_load_that_overlaps_a_commit_is_not_kept(db: Database) -> None:
    await _join(db)
    cache = ReadCache(db)
    cache.enabled = True

    async def slow_load() -> str:
        async with db.reading.begin() as session:
            view = await network.association_for_guild(session, guild_id=GUILD)
        await _rename(db, "changed meanwhile")  # commits after the read above
        assert view is not None
        return view.name

    assert await cache.get("k", ("associations",), slow_load) == "Tragos"
    calls: list[int] = []
    assert await _name(cache, db, calls) == "changed meanwhile"


async def test_nothing_is_kept_while_changes_cannot_be_heard(db: Database) -> None:
    await _join(db)
    cache, loads = ReadCache(db), []
    cache.enabled = False
    await _name(cache, db, loads)
    await _name(cache, db, loads)
    assert len(loads) == 2


@pytest.fixture
def postgres_only(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("other processes exist only on PostgreSQL")


async def _twin(db: Database) -> Database:
    """A second engine on the same schema, as another bot process would have."""
    async with db.reading.begin() as session:
        schema = await session.scalar(text("SELECT current_schema()"))
    url = db.engine.url.render_as_string(hide_password=False)
    return create_database(url, connect_args={"server_settings": {"search_path": schema}})


async def _until(condition: Callable[[], bool], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - a plain attribute, nothing to wait on
            await asyncio.sleep(0.01)


async def test_another_process_commit_reaches_the_cache(db: Database, postgres_only: None) -> None:
    await _join(db)
    other = await _twin(db)
    cache, loads = ReadCache(db), []
    listener = Listener(cache, db.engine.url.render_as_string(hide_password=False))
    listener.start()
    try:
        await _until(lambda: cache.enabled)
        assert await _name(cache, db, loads) == "Tragos"
        assert await _name(cache, db, loads) == "Tragos"
        assert len(loads) == 1
        # The other process's cache asked to hear about associations (it reads them too).
        other.changes.watch(["associations"])
        await _rename(other, "Tragos (renamed elsewhere)")
        await _until(lambda: cache.generation("associations") > 0)
        assert await _name(cache, db, loads) == "Tragos (renamed elsewhere)"
    finally:
        await listener.stop()
        await other.dispose()
    assert not cache.enabled  # stopped: read through from now on
