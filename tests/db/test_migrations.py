"""Migrations take an empty database to head and back, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import bindparam, inspect, text

from vcpbot.db import Database
from vcpbot.db.base import Base, UTCDateTime
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


AT = bindparam("at", type_=UTCDateTime())


async def test_reminders_planned_before_leases_each_get_their_own_token(
    empty_db: Database,
) -> None:
    await upgrade(empty_db, "0006")
    stamp = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
    async with empty_db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO intervisie_sessions (id, title, starts_at, zone, duration_minutes,"
                " location_kind, location, status, sequence, token, created_at, updated_at)"
                " VALUES (1, 'Intervisie', :at, 'Europe/Amsterdam', 90, 'room', 'Zaal 2',"
                " 'planned', 0, 'sess', :at, :at)"
            ).bindparams(AT),
            {"at": stamp},
        )
        await conn.execute(
            text(
                "INSERT INTO intervisie_invitations (id, session_id, user_id, locale, rsvp,"
                " dm_failed, token, invited_at) VALUES (1, 1, 101, 'nl', 'none', false, 'inv', :at)"
            ).bindparams(AT),
            {"at": stamp},
        )
        await conn.execute(
            text(
                "INSERT INTO intervisie_reminders (id, invitation_id, lead, sequence, due_at,"
                " sent_at, outcome) VALUES (1, 1, 'P7D', 0, :at, :at, 'sent'),"
                " (2, 1, 'PT24H', 0, :at, NULL, NULL)"
            ).bindparams(AT),
            {"at": stamp},
        )
    await upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT id, token, claimed_at IS NOT NULL, lease_until IS NULL"
                    " FROM intervisie_reminders ORDER BY id"
                )
            )
        ).all()
    assert [(rid, claimed, no_lease) for rid, _, claimed, no_lease in rows] == [
        (1, True, True),
        (2, False, True),
    ]
    tokens = [token for _, token, _, _ in rows]
    assert all(len(t) >= 20 for t in tokens) and len(set(tokens)) == 2


async def test_a_vcps_remembered_language_moves_to_the_person_and_reminders_stay(
    empty_db: Database,
) -> None:
    await upgrade(empty_db, "0007")
    stamp = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
    async with empty_db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO intervisie_sessions (id, title, starts_at, zone, duration_minutes,"
                " location_kind, location, status, sequence, token, created_at, updated_at)"
                " VALUES (1, 'Intervisie', :at, 'Europe/Amsterdam', 90, 'room', 'Zaal 2',"
                " 'planned', 0, 'sess', :at, :at)"
            ).bindparams(AT),
            {"at": stamp},
        )
        await conn.execute(
            text(
                "INSERT INTO intervisie_invitations (id, session_id, user_id, locale, rsvp,"
                " dm_failed, token, invited_at) VALUES (1, 1, 101, 'nl', 'none', false, 'inv', :at)"
            ).bindparams(AT),
            {"at": stamp},
        )
        await conn.execute(
            text(
                "INSERT INTO intervisie_reminders (id, invitation_id, lead, sequence, due_at,"
                " token) VALUES (1, 1, 'P7D', 0, :at, 'reminder-token-1')"
            ).bindparams(AT),
            {"at": stamp},
        )
        await conn.execute(
            text(
                "INSERT INTO intervisie_preferences (user_id, reminders_enabled, locale,"
                " updated_at) VALUES (101, true, 'en', :at), (102, false, NULL, :at)"
            ).bindparams(AT),
            {"at": stamp},
        )
    await upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        kept = (await conn.execute(text("SELECT user_id, locale FROM user_languages"))).all()
        reminders = (await conn.execute(text("SELECT id FROM intervisie_reminders"))).all()
        preferences = (
            await conn.execute(text("SELECT user_id FROM intervisie_preferences ORDER BY 1"))
        ).all()
    assert kept == [(101, "en")]
    assert reminders == [(1,)]
    assert preferences == [(101,), (102,)]
    # And back: the invitation takes the person's language again, the reminder stays.
    await downgrade(empty_db, "0007")
    async with empty_db.engine.connect() as conn:
        invitation = (
            await conn.execute(text("SELECT locale FROM intervisie_invitations"))
        ).scalar()
        reminders = (await conn.execute(text("SELECT id FROM intervisie_reminders"))).all()
    assert invitation == "en" and reminders == [(1,)]
