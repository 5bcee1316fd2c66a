"""The database a test gets at head is the one `vcpbot db upgrade` makes, and its own.

The suite migrates once per process and copies the result to every test that asks for a
database at head (``DatabaseFactory.create_migrated``; see tests/helpers/migrated.py):
alembic took most of a bot start's time. These tests hold the copy to what alembic makes,
table by table, on SQLite and PostgreSQL, and keep each copy apart from the others.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from tests.conftest import DatabaseFactory
from tests.helpers.migrated import to_head
from vcpbot.db import Database, create_database
from vcpbot.db.migrate import schema_diff, state, upgrade
from vcpbot.settings import normalise_database_url


def _describe(connection: Connection) -> dict[str, Any]:
    """Every table as the database reports it: columns, keys, indexes and constraints."""
    seen = inspect(connection)
    described: dict[str, Any] = {}
    for table in sorted(seen.get_table_names()):
        described[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in seen.get_columns(table)
            ],
            "primary key": seen.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (str(fk["name"]), tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in seen.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (str(ix["name"]), tuple(map(str, ix["column_names"])), bool(ix["unique"]))
                for ix in seen.get_indexes(table)
            ),
            "unique": sorted(
                (str(u["name"]), tuple(u["column_names"]))
                for u in seen.get_unique_constraints(table)
            ),
            "checks": sorted(
                (str(c["name"]), " ".join(c["sqltext"].split()))
                for c in seen.get_check_constraints(table)
            ),
        }
    return described


async def _schema(db: Database) -> dict[str, Any]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_describe)


async def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    async with db.engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(text(sql))]


async def test_a_copy_at_head_has_every_table_index_and_constraint_alembic_makes(
    databases: DatabaseFactory,
) -> None:
    migrated = await databases.create("by_alembic")
    await upgrade(migrated)
    copied = await databases.create_migrated("by_copy")
    assert (await state(copied)).at_head
    assert await _schema(copied) == await _schema(migrated)
    assert await schema_diff(copied) == []
    version = "SELECT version_num FROM alembic_version ORDER BY version_num"
    assert await _rows(copied, version) == await _rows(migrated, version)


async def test_a_whole_database_at_head_is_the_same_as_a_schema_at_head(
    databases: DatabaseFactory,
) -> None:
    """Tests that run the bot as its own process open a whole database by URL."""
    schema = await databases.create_migrated("schema")
    whole = create_database(normalise_database_url(await databases.create_url()))
    try:
        await to_head(whole)
        assert await _schema(whole) == await _schema(schema)
    finally:
        await whole.dispose()


async def test_what_one_test_writes_is_not_in_the_next_tests_database(
    databases: DatabaseFactory,
) -> None:
    first = await databases.create_migrated("first")
    async with first.engine.begin() as conn:
        await conn.execute(text("DELETE FROM alembic_version"))
    second = await databases.create_migrated("second")
    assert (await state(second)).at_head
    assert not (await state(first)).at_head
