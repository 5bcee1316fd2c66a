"""Migrations take an empty database to head and back, on SQLite and PostgreSQL."""

from sqlalchemy import inspect

from vcpbot.db import Database
from vcpbot.db.base import Base
from vcpbot.db.migrate import downgrade, head_revisions, schema_diff, state, upgrade


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_to_head_creates_every_model_table(empty_db: Database) -> None:
    assert not (await state(empty_db)).at_head
    await upgrade(empty_db)
    current = await state(empty_db)
    assert current.at_head
    assert current.current == head_revisions()
    assert set(Base.metadata.tables) <= await _tables(empty_db)


async def test_migrations_match_the_models(db: Database) -> None:
    assert await schema_diff(db) == []


async def test_downgrade_to_base_removes_every_table(db: Database) -> None:
    await downgrade(db, "base")
    assert (await state(db)).current == ()
    assert await _tables(db) <= {"alembic_version"}
    await upgrade(db)
    assert (await state(db)).at_head


async def test_advice_says_how_to_fix_an_empty_database(empty_db: Database) -> None:
    advice = (await state(empty_db)).advice()
    assert "vcpbot db upgrade" in advice


def test_the_history_is_one_line() -> None:
    # Features may branch while they are built side by side; what lands is linear,
    # so every deployment applies the revisions in the same order.
    assert len(head_revisions()) == 1
