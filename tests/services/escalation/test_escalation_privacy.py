"""What is stored about a case, and for how long: canaries, schema, retention, key rotation."""

from __future__ import annotations

import logging
import re
import struct
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import BigInteger, Date, DateTime, inspect, select, text

from tests.services.escalation.steps import (
    NOW,
    TEAM,
    add_association,
    enable_member_route,
    make_config,
    submit,
    unlocked,
)
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import Database
from vcpbot.db.base import USER_ID_INFO, Base
from vcpbot.db.escalation import Case
from vcpbot.i18n import catalog
from vcpbot.services import escalation
from vcpbot.services.escalation import CaseCode, EscalationConfig, Handler
from vcpbot.services.escalation._retention import sqlite_outside_transaction
from vcpbot.services.privacy import load_erasers

CANARY = "CANARY-7f3c9e21-kanarie"
# Distinctive ids, so a hit in the stored bytes cannot be a coincidence.
REPORTER_ID = 918273645546372819
MEMBER_ID = 827364554637281909
ESCALATION_TABLES = sorted(t for t in Base.metadata.tables if t.startswith("escalation_"))


def _needles(receipts: list[str]) -> dict[str, list[bytes]]:
    needles: dict[str, list[bytes]] = {
        "canary": [CANARY.encode(), CANARY.encode("utf-16-le"), CANARY.lower().encode()],
    }
    for user_id in (REPORTER_ID, MEMBER_ID):
        needles[f"user {user_id}"] = [
            str(user_id).encode(),
            f"{user_id:x}".encode(),
            struct.pack("<q", user_id),
            struct.pack(">q", user_id),
        ]
    for receipt in receipts:
        needles[f"receipt {receipt}"] = [receipt.encode(), receipt.replace("-", "").encode()]
    return needles


async def _all_values(db: Database) -> list[tuple[str, str, Any]]:
    """Every stored value of every table, with where it came from."""
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        found = []
        for table in tables:
            result = await conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            for row in result.mappings().all():
                found.extend((table, column, value) for column, value in row.items())
    return found


async def _scan_rows(db: Database, needles: dict[str, list[bytes]]) -> list[str]:
    hits = []
    for table, column, value in await _all_values(db):
        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        hits.extend(
            f"{name} in {table}.{column}"
            for name, forms in needles.items()
            if any(form in raw for form in forms)
        )
    return hits


def _sqlite_files(db: Database) -> list[Path]:
    path = Path(db.engine.url.database or "")
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _scan_files(db: Database, needles: dict[str, list[bytes]]) -> list[str]:
    hits = []
    for file in _sqlite_files(db):
        data = file.read_bytes()
        hits.extend(
            f"{name} in {file.name}"
            for name, forms in needles.items()
            if any(form in data for form in forms)
        )
    return hits


async def _full_story(db: Database, config: EscalationConfig) -> list[str]:
    """Both routes, every free-text field and every action, each carrying the canary."""
    association = await add_association(db)
    await enable_member_route(db, association)
    vcps = Handler.vcps(association)
    first = await submit(
        db, config, association_id=association, user_id=REPORTER_ID, text=f"{CANARY} narrative"
    )
    member = await submit(
        db,
        config,
        association_id=association,
        route="member",
        user_id=MEMBER_ID,
        text=f"Member: {CANARY} at the gala",
        urgency="urgent",
    )
    urgent = await submit(
        db,
        config,
        association_id=association,
        route="member",
        user_id=MEMBER_ID,
        text=f"Tonight {CANARY}",
        urgency="urgent",
    )
    async with db.sessions.begin() as session:
        for receipt, user in ((first.receipt, REPORTER_ID), (member.receipt, MEMBER_ID)):
            await escalation.set_notices(
                session,
                config=config,
                unlocked=await unlocked(db, config, receipt, user),
                enabled=True,
            )
            await escalation.reporter_reply(
                session,
                config=config,
                unlocked=await unlocked(db, config, receipt, user),
                text=f"{CANARY} +",
                now=NOW,
            )
        await escalation.reply(
            session,
            config=config,
            handler=vcps,
            case_ref=CaseCode(member.code),
            text=CANARY,
            now=NOW,
        )
        await escalation.ask_consent(
            session,
            config=config,
            handler=vcps,
            case_ref=CaseCode(member.code),
            summary=f"Summary {CANARY}",
            now=NOW,
        )
        await escalation.answer_consent(
            session,
            config=config,
            unlocked=await unlocked(db, config, member.receipt, MEMBER_ID),
            answer="yes",
            now=NOW,
        )
        # The same member's second case goes at once, for acute danger, with a reason.
        await escalation.forward_urgently(
            session,
            config=config,
            handler=vcps,
            case_ref=CaseCode(urgent.code),
            reason=f"Reason {CANARY}",
            summary=f"Urgent summary {CANARY}",
            now=NOW,
        )
        await escalation.reply(
            session,
            config=config,
            handler=TEAM,
            case_ref=CaseCode(first.code),
            text=CANARY * 3,
            now=NOW,
        )
        await escalation.block_sender(
            session, config=config, handler=TEAM, case_ref=CaseCode(member.code), now=NOW
        )
    async with db.sessions.begin() as session:
        claimed = await escalation.claim_deliveries(session, token="w", limit=3, with_held=True)
        for item in claimed:
            await escalation.mark_delivered(
                session, config=config, delivery=item, posted=escalation.MessageRef(1, 2)
            )
    async with db.sessions.begin() as session:
        for code in (first.code, member.code, urgent.code):
            await escalation.close_case(
                session,
                config=config,
                handler=TEAM,
                case_ref=CaseCode(code),
                outcome="advice_given",
                message="Closing this case.",
                now=NOW,
            )
    return [first.receipt, member.receipt, urgent.receipt]


@pytest.mark.threat("T6")
async def test_no_canary_user_id_or_receipt_is_stored_anywhere(db: Database) -> None:
    config = make_config()
    receipts = await _full_story(db, config)
    needles = _needles(receipts)
    assert await _scan_rows(db, needles) == []
    # The scan does find what is stored in clear, so an empty result means something.
    async with db.sessions.begin() as session:
        code = await session.scalar(select(Case.code).limit(1))
    assert await _scan_rows(db, {"code": [code.encode()]})
    if db.is_sqlite:
        assert _scan_files(db, {"code": [code.encode()]}), "the SQLite files were not scanned"
        assert _scan_files(db, needles) == []  # before a checkpoint: the WAL holds the writes
        await sqlite_outside_transaction(db, "PRAGMA wal_checkpoint(FULL)")
        assert _scan_files(db, needles) == []


async def test_nothing_logged_names_the_reporter_or_quotes_the_case(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # DEBUG everywhere, SQLAlchemy's statement and parameter logging included: even
    # the SQL the services send carries no canary, user id or receipt.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    config = make_config()
    receipts = await _full_story(db, config)
    logged = caplog.text.encode() + b"".join(
        repr(record.args).encode() for record in caplog.records
    )
    assert b"INSERT INTO escalation_messages" in logged, "SQL was not logged: the test is blind"
    assert [
        name for name, forms in _needles(receipts).items() if any(f in logged for f in forms)
    ] == []


@pytest.mark.threat("T6")
async def test_escalation_tables_hold_no_id_of_a_person(db: Database) -> None:
    # The channels the bot posts in are the only Discord ids in clear; its own messages
    # about a case are sealed (``escalation_posts.ref``): a message id tells the time.
    bot_owned = {("escalation_member_routes", "channel_id")}
    # Instants only where a clock needs them: the urgent due hour. The outbox holds none.
    clocks = {("escalation_cases", "ack_due")}
    person = re.compile(
        r"(user|member|message|author|actor|sender|reporter|subject|guild|channel)_id$|_by(_id)?$"
    )
    assert ESCALATION_TABLES
    for name in ESCALATION_TABLES:
        for column in Base.metadata.tables[name].columns:
            where = (name, column.name)
            assert column.info.get("discord_user_id") is not True, where
            assert USER_ID_INFO.items() - column.info.items(), where
            if where in bot_owned:
                continue
            assert not isinstance(column.type, BigInteger), where
            assert not person.search(column.name), where
            if column.name.endswith("_id"):
                assert column.name in ("association_id", "case_id"), where
            if isinstance(column.type, DateTime) or "UTCDateTime" in type(column.type).__name__:
                assert where in clocks, where
    covered = load_erasers().covered_tables()
    assert not covered & set(ESCALATION_TABLES), "nothing here is erasable by user id, by design"


# --- retention -------------------------------------------------------------------------


async def _close(
    db: Database, config: EscalationConfig, code: str, now: datetime, handler: Handler = TEAM
) -> None:
    async with db.sessions.begin() as session:
        await escalation.close_case(
            session,
            config=config,
            handler=handler,
            case_ref=CaseCode(code),
            outcome="advice_given",
            message="Closing this case.",
            now=now,
        )


async def _purge(db: Database, config: EscalationConfig, now: datetime) -> int:
    async with db.sessions.begin() as session:
        result = await escalation.purge_expired(session, config=config, now=now)
    await escalation.compact_sqlite(db)
    return result.cases


@pytest.mark.threat("T9")
async def test_the_purge_leaves_only_the_count_of_a_closed_case(db: Database) -> None:
    config = make_config(retention_days=90)
    association = await add_association(db)
    await enable_member_route(db, association)
    doomed = await submit(db, config, association_id=association, text=f"{CANARY} old")
    kept = await submit(db, config, association_id=association, user_id=7, text="still open")
    member = await submit(db, config, association_id=association, route="member", user_id=MEMBER_ID)
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, doomed.receipt, REPORTER_ID),
            enabled=True,
        )
        await escalation.reply(
            session, config=config, handler=TEAM, case_ref=CaseCode(doomed.code), text="hi", now=NOW
        )
        for item in await escalation.claim_deliveries(session, token="w", with_held=True):
            if item.case_id is not None:
                await escalation.mark_delivered(
                    session, config=config, delivery=item, posted=escalation.MessageRef(5, 6)
                )
    async with db.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.code == doomed.code))
        doomed_id, card_token, wrapped = case.id, case.card_token, bytes(case.wrapped_key)
    await _close(db, config, doomed.code, NOW)
    await _close(db, config, member.code, NOW + timedelta(days=5), Handler.vcps(association))

    assert await _purge(db, config, NOW + timedelta(days=89)) == 0
    if db.is_sqlite:
        assert _scan_files(db, {"key": [wrapped]}), "the wrapped key should be found before"
    assert await _purge(db, config, NOW + timedelta(days=90)) == 1
    # Its card goes from Discord too: the deletion waits in the outbox, naming only the
    # message. Once the bot has removed it, nothing of the case is left.
    async with db.sessions.begin() as session:
        claimed = await escalation.claim_deliveries(session, token="w", with_held=True)
        removals = [d for d in claimed if d.kind is escalation.OutboxKind.MESSAGE_DELETE]
        assert [(d.case_id, dict(d.payload)) for d in removals] == [
            (None, {"channel_id": 5, "message_id": 6})
        ]
        await escalation.mark_delivered(session, config=config, delivery=removals[0])

    leftovers = [
        (table, column)
        for table, column, value in await _all_values(db)
        if (column in ("case_id", "id") and table.startswith("escalation_") and value == doomed_id)
        or (isinstance(value, str) and (doomed.code in value or card_token in value))
        or (isinstance(value, bytes | memoryview) and bytes(value) == wrapped)
    ]
    assert leftovers == []
    if db.is_sqlite:
        # Crypto-shredding: the wrapped key is gone from the file itself, not only the rows.
        assert _scan_files(db, {"key": [wrapped]}) == []
    async with db.sessions.begin() as session:
        codes = {c.code for c in await escalation.list_open_cases(
            session, config=config, handler=TEAM, now=NOW
        )}  # fmt: skip
        counts = await escalation.case_counts(session)
        view = await escalation.open_case(
            session, config=config, unlocked=await unlocked(db, config, doomed.receipt, 1)
        )
    assert codes == {kept.code}
    assert view is None  # a destroyed case's receipt is simply not found
    assert sorted((c.route, c.outcome, c.count) for c in counts) == [
        ("member", "advice_given", 1),
        ("vcp", "advice_given", 1),
    ]
    assert await _purge(db, config, NOW + timedelta(days=95)) == 1  # the member case
    async with db.sessions.begin() as session:
        assert len(await escalation.case_counts(session)) == 2


async def test_the_purge_also_drops_old_counters_and_past_blocks(db: Database) -> None:
    config = make_config()
    first = await submit(db, config, association_id=None)
    async with db.sessions.begin() as session:
        await escalation.block_sender(
            session, config=config, handler=TEAM, case_ref=CaseCode(first.code), now=NOW
        )
    async with db.sessions.begin() as session:
        result = await escalation.purge_expired(session, config=config, now=NOW + timedelta(days=1))
    assert (result.counters, result.blocks) == (1, 0)
    async with db.sessions.begin() as session:
        result = await escalation.purge_expired(
            session, config=config, now=NOW + timedelta(days=80)
        )
    assert result.blocks == 1  # this semester's; next semester's stays until September
    async with db.sessions.begin() as session:
        result = await escalation.purge_expired(
            session, config=config, now=NOW + timedelta(days=300)
        )
    assert result.blocks == 1


# --- key rotation --------------------------------------------------------------------


async def test_rotation_keeps_every_case_readable_and_frees_the_old_key(db: Database) -> None:
    v1, v2, index = generate_master_key(1), generate_master_key(2), generate_index_key()
    old = make_config(master=v1, index=index)
    receipts = [
        (await submit(db, old, association_id=None, user_id=u, text=f"case {u}")).receipt
        for u in range(5)
    ]
    both = make_config(master=f"{v1},{v2}", index=index)
    newest = (await submit(db, both, association_id=None, user_id=99, text="case 99")).receipt
    async with db.sessions.begin() as session:
        assert await escalation.key_versions_in_use(session) == (1, 2)
        result = await escalation.rotate_keys(session, keys=both.keys)
    assert result.rewrapped == 5 and result.versions_in_use == (2,)
    only_new = make_config(master=v2, index=index)
    async with db.sessions.begin() as session:
        for number, receipt in [*enumerate(receipts), (99, newest)]:
            view = await escalation.open_case(
                session, config=only_new, unlocked=await unlocked(db, only_new, receipt, 1)
            )
            assert view is not None and view.messages[0].text == f"case {number}"
        again = await escalation.rotate_keys(session, keys=both.keys)
    assert again.rewrapped == 0


# --- catalog -----------------------------------------------------------------------------


def test_every_message_key_the_services_raise_is_in_both_catalogs() -> None:
    root = Path(__file__).resolve().parents[3] / "vcpbot"
    used = set()
    for source in [root / "crypto.py", *sorted((root / "services").glob("escalation*.py"))]:
        used |= set(re.findall(r'"(escalation\.[a-z_.]+)"', source.read_text("utf-8")))
    assert used
    assert sorted(k for k in used if not catalog().has(k)) == []
    for member in escalation.Category:  # shared with KMTM: categories.json
        assert catalog().has(f"category.{member.value}"), member
        assert catalog().has(f"category.{member.value}.hint"), member
    for enum, prefix in (
        (escalation.Urgency, "urgency"),
        (escalation.Outcome, "outcome"),
        (escalation.CaseStatus, "status"),
        (escalation.Route, "route"),
        (escalation.Author, "author"),
    ):
        for member in enum:
            assert catalog().has(f"escalation.{prefix}.{member.value}"), member


def test_dates_of_cases_are_days() -> None:
    table = Base.metadata.tables["escalation_cases"]
    day_columns = [c.name for c in table.columns if c.name.endswith("_on")]
    assert day_columns == ["created_on", "acknowledged_on", "forwarded_on", "closed_on"]
    assert all(type(table.columns[c].type) is Date for c in day_columns)
