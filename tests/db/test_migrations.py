"""Migrations take an empty database to head and back, on SQLite and PostgreSQL."""

import subprocess
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, inspect, text

from vcpbot.crypto import (
    EscalationKeys,
    IndexKey,
    MasterKeys,
    ReceiptHasher,
    generate_index_key,
    generate_master_key,
    new_data_key,
)
from vcpbot.db import Database
from vcpbot.db.base import Base, UTCDateTime
from vcpbot.db.migrate import downgrade, head_revisions, schema_diff, state, upgrade
from vcpbot.db.revision import HEAD_REVISIONS, schema_state
from vcpbot.runtime_key import RuntimeKey
from vcpbot.services import escalation
from vcpbot.services.escalation import EscalationConfig, OutboxKind, Place
from vcpbot.settings import EscalationSettings

CHEAP = EscalationSettings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)


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


def test_the_bots_head_is_the_migrations_head() -> None:
    # The bot checks the schema without Alembic, against this constant: a new migration
    # must move it, or every bot would refuse (or accept) the wrong database.
    assert head_revisions() == HEAD_REVISIONS


async def test_the_bots_check_reads_what_alembic_reads(empty_db: Database) -> None:
    assert (await schema_state(empty_db)).current == (await state(empty_db)).current == ()
    assert not (await schema_state(empty_db)).at_head
    await upgrade(empty_db)
    assert (await schema_state(empty_db)).current == (await state(empty_db)).current
    assert (await schema_state(empty_db)).at_head
    await downgrade(empty_db, "-1")
    assert (await schema_state(empty_db)).current == (await state(empty_db)).current
    assert not (await schema_state(empty_db)).at_head


def test_a_running_bot_does_not_load_alembic() -> None:
    # About 11 MiB in every bot process (benchmarks/README.md, memory): only the CLI's
    # `vcpbot db` commands and backups need it.
    probe = (
        "import importlib, sys, vcpbot.runner\n"
        "from vcpbot.settings import Settings\n"
        "for name in Settings.load(config_file=None, env_file=None).cogs:\n"
        "    importlib.import_module(f'cogs.{name}')\n"
        "print('alembic' in sys.modules)"
    )
    loaded = subprocess.run(  # noqa: S603 - this interpreter and a fixed probe
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "False"


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


async def test_card_references_from_before_0010_are_sealed_by_the_next_upkeep(
    empty_db: Database,
) -> None:
    """A migration has no keys: it copies a card's message id as it was, and the bot
    seals it at its next daily upkeep. Edits still reach the card; the outbox row that
    waited keeps waiting, with no time of its own; the case keeps its conversation."""
    keys = EscalationKeys(
        master=MasterKeys.parse(generate_master_key(1)),
        index=IndexKey.parse(generate_index_key()),
        hasher=ReceiptHasher.from_settings(CHEAP),
    )
    config = EscalationConfig(
        keys=keys, policy=CHEAP, zone=ZoneInfo("Europe/Amsterdam"), runtime=RuntimeKey.generate()
    )
    wrapped, version = keys.master.wrap(new_data_key(), case_id=1)
    await upgrade(empty_db, "0007")
    async with empty_db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO escalation_cases (id, code, card_token, route, category, urgency,"
                " association_shown, status, created_on, nudged, pattern_signalled,"
                " key_version, wrapped_key, receipt_hash, receipt_index, reporter_tag)"
                " VALUES (1, 'C-AAAA', 'tok', 'vcp', 'advice', 'routine', false, 'new', :day,"
                " false, false, :version, :wrapped, 'h', 'i', :tag)"
            ),
            {"day": date(2026, 9, 1), "version": version, "wrapped": wrapped, "tag": b""},
        )
        await conn.execute(
            text(
                "INSERT INTO escalation_cards (case_id, place, channel_id, message_id)"
                " VALUES (1, 'hub', 900, 1234567890123456789)"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO escalation_messages (case_id, seq, author, body, created_on)"
                " VALUES (1, 1, 'reporter', :body, :day)"
            ),
            {"body": b"sealed", "day": date(2026, 9, 1)},
        )
        await conn.execute(
            text(
                "INSERT INTO escalation_outbox (case_id, kind, place, payload, delivery_key,"
                " attempts, available_at) VALUES (1, 'case_card_update', 'hub', '{}', 'k', 0, :at)"
            ).bindparams(AT),
            {"at": datetime(2026, 9, 1, 10, 7, 13, tzinfo=UTC)},
        )
    await upgrade(empty_db)
    async with empty_db.sessions.begin() as session:
        # Nothing of the case was lost on the way (SQLite's table copies cascade).
        messages = await session.scalar(text("SELECT count(*) FROM escalation_messages"))
        assert messages == 1
        assert await escalation.seal_legacy_posts(session, config=config) == 1
        assert await escalation.seal_legacy_posts(session, config=config) == 0
        ref = await escalation.card_message(session, config=config, case_id=1, place=Place.HUB)
        [stored] = (await session.execute(text("SELECT ref FROM escalation_posts"))).scalars()
        [waiting] = await escalation.claim_deliveries(session, token="w")
    assert ref == escalation.MessageRef(900, 1234567890123456789)
    assert b"1234567890123456789" not in bytes(stored)
    assert waiting.kind is OutboxKind.CASE_CARD_UPDATE


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


async def test_adding_announcement_columns_keeps_what_hangs_off_an_association(
    empty_db: Database,
) -> None:
    """0023 adds columns to ``associations``; on SQLite a copy of that table would
    cascade to every row that names an association (here its member route)."""
    await upgrade(empty_db, "0021")
    async with empty_db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO associations (id, guild_id, name, short_name, locale, vcp_role_id,"
                " status, present, requested_at, request_token)"
                " VALUES (1, 10, 'Tragos', 'Tragos', 'nl', 11, 'approved', true,"
                " :at, 'token')"
            ).bindparams(at=datetime(2026, 12, 1, tzinfo=UTC)),
        )
        await conn.execute(
            text(
                "INSERT INTO escalation_member_routes (association_id, enabled, channel_id,"
                " updated_on) VALUES (1, true, 12, :day)"
            ).bindparams(day=date(2026, 12, 1)),
        )
    await upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        routes = (
            await conn.execute(text("SELECT count(*) FROM escalation_member_routes"))
        ).scalar()
        opted_out = (
            await conn.execute(text("SELECT announcements_opt_out FROM associations"))
        ).scalar()
    assert routes == 1
    assert not opted_out
