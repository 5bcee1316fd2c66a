"""Revision 0027 (training) on SQLite and PostgreSQL: sessions planned before it become
intervisie and keep their invitations, both up and back down."""

from datetime import UTC, datetime

from sqlalchemy import bindparam, text

from vcpbot.db import Database
from vcpbot.db.base import UTCDateTime
from vcpbot.db.migrate import downgrade, upgrade

AT = bindparam("at", type_=UTCDateTime())


async def test_existing_sessions_become_intervisie_and_keep_their_invitations(
    empty_db: Database,
) -> None:
    await upgrade(empty_db, "0022")
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
                "INSERT INTO intervisie_invitations (id, session_id, user_id, rsvp, attended,"
                " dm_failed, token, invited_at) VALUES (1, 1, 101, 'yes', true, false, 'inv', :at)"
            ).bindparams(AT),
            {"at": stamp},
        )

    await upgrade(empty_db, "0027")
    async with empty_db.engine.connect() as conn:
        kind = (await conn.execute(text("SELECT kind, topic FROM intervisie_sessions"))).one()
        invited = (await conn.execute(text("SELECT id FROM intervisie_invitations"))).all()
    assert tuple(kind) == ("intervisie", None) and invited == [(1,)]

    await downgrade(empty_db, "0022")
    async with empty_db.engine.connect() as conn:
        invited = (await conn.execute(text("SELECT id FROM intervisie_invitations"))).all()
    assert invited == [(1,)]
