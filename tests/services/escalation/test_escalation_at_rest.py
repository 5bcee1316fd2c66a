"""Nothing at rest links a person to a case, even for someone holding the database and
every key the bot stores.

The attacker here has the SQLite file with its whole WAL (replayed commit by commit,
so every intermediate state counts, also rows deleted later) or every PostgreSQL
table after every step, the settings with the master keys and the index key, and
the id of every member of the guild. They recompute whatever the bot's code could
compute from that: raw ids, pseudonyms for every day and semester around, sealed
values opened with the master keys. Nothing they find may name a member.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import LargeBinary, bindparam, event, inspect, text

from tests.services.escalation.steps import (
    NOW,
    TEAM,
    add_association,
    enable_member_route,
    make_config,
)
from vcpbot.crypto import (
    BUCKETS,
    CryptoError,
    IndexKey,
    MasterKeys,
    generate_index_key,
    generate_master_key,
    open_sealed,
    semester_of,
)
from vcpbot.db import Database
from vcpbot.db.migrate import downgrade, upgrade
from vcpbot.errors import Conflict, NotAllowed
from vcpbot.runtime_key import RuntimeKey
from vcpbot.services import escalation
from vcpbot.services.escalation import CaseCode, EscalationConfig
from vcpbot.services.escalation._core import case_aad

# Members of the guild: distinctive ids, as public as a member list makes them.
MEMBERS = (
    918273645546372819,
    827364554637281909,
    736455463728190918,
    645546372819091827,
    554637281909182736,
)
DAYS_AROUND = 45
SEMESTERS_AROUND = 2


# --- the attacker ----------------------------------------------------------------------


@dataclass
class Attacker:
    """Holds the database, every stored key and every member id; not the host's memory."""

    master: MasterKeys
    index: IndexKey
    # The bot's own code, built from the stored keys; the runtime key is one the
    # attacker makes (or, for the control, the host's own).
    config: EscalationConfig
    names: dict[bytes, str] = field(default_factory=dict)  # what would name a member

    @classmethod
    def holding(
        cls, master: str, index: str, around: date, runtime: RuntimeKey | None = None
    ) -> Attacker:
        config = make_config(master, index, runtime=runtime)
        attacker = cls(MasterKeys.parse(master), IndexKey.parse(index), config)
        attacker.learn(around)
        return attacker

    def learn(self, around: date) -> None:
        days = [around + timedelta(days=n) for n in range(-DAYS_AROUND, DAYS_AROUND + 1)]
        semesters = sorted({semester_of(d) for d in days} | _semesters_near(around))
        for member in MEMBERS:
            who = f"member {member}"
            for form in (str(member).encode(), f"{member:x}".encode()):
                self.names[form] = who
            self.names[struct.pack("<q", member)] = who
            self.names[struct.pack(">q", member)] = who
            for label in semesters + [d.isoformat() for d in days]:
                for value in self._pseudonyms(member, label):
                    self.names[value.encode()] = f"{who} ({label})"

    def _pseudonyms(self, member: int, label: str) -> Iterator[str]:
        """Every keyed pseudonym the stored keys give: the index key's, the way the bot
        derived them before, and whatever the bot's own code derives from these keys."""
        old = hmac.new(
            self.index.key,
            "\x1f".join(("vcpbot:pseudonym:v1", label, str(member))).encode(),
            hashlib.sha256,
        ).hexdigest()
        yield old[:32]
        yield from _code_pseudonyms(self.config, member, label)

    def names_in(self, raw: bytes) -> list[str]:
        return [who for form, who in self.names.items() if form in raw]

    def open_everything(self, case_id: int, wrapped: bytes, version: int, blob: bytes) -> bytes:
        """Every way the stored keys might open a sealed value of this case."""
        found = b""
        keys = [self.index.key, *self.master.keys.values()]
        with contextlib.suppress(CryptoError):
            keys.append(self.master.unwrap(wrapped, case_id=case_id, version=version))
        for purpose in ("reporter-tag", "dm-link"):
            for key in keys:
                with contextlib.suppress(CryptoError):
                    found += open_sealed(blob, key=key, aad=case_aad(case_id, purpose)).encode()
            # The bot's own code, with the attacker's config (no runtime key of the host).
            opened = self.config.runtime.open(blob, case_id=case_id, purpose=purpose)
            found += (opened or "").encode()
        return found


def _semesters_near(day: date) -> set[str]:
    found = set()
    for n in range(-SEMESTERS_AROUND * 190, SEMESTERS_AROUND * 190, 20):
        found.add(semester_of(day + timedelta(days=n)))
    return found


def _code_pseudonyms(config: EscalationConfig, member: int, label: str) -> Iterator[str]:
    """The pseudonyms the bot's code computes, with the attacker's config."""
    if "-S" in label:
        yield config.runtime.semester_pseudonym(member, label)
    else:
        yield config.runtime.day_pseudonym(member, date.fromisoformat(label))


# --- what is stored ------------------------------------------------------------------


Rows = dict[str, list[dict[str, Any]]]


def _scan(attacker: Attacker, rows: Rows, where: str) -> list[str]:
    found = []
    for table, records in rows.items():
        for record in records:
            for column, value in record.items():
                raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                found += [f"{who} in {table}.{column} ({where})" for who in attacker.names_in(raw)]
    cases = {r["id"]: r for r in rows.get("escalation_cases", [])}
    sealed: list[tuple[str, int, bytes]] = []
    for case in cases.values():
        sealed += [
            (f"escalation_cases.{c}", case["id"], case[c]) for c in ("reporter_tag", "dm_link")
        ]
    for item in rows.get("escalation_outbox", []):
        sealed.append(("escalation_outbox.dm_link", item["case_id"], item["dm_link"]))
    for column, case_id, blob in sealed:
        case = cases.get(case_id)
        if case is None or blob is None or len(bytes(blob)) not in BUCKETS:
            continue
        plain = attacker.open_everything(
            case_id, bytes(case["wrapped_key"]), case["key_version"], bytes(blob)
        )
        found += [f"{who} sealed in {column} ({where})" for who in attacker.names_in(plain)]
    return found


def _sqlite_rows(path: Path) -> Rows:
    connection = sqlite3.connect(path)
    try:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        rows: Rows = {}
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            columns = [d[0] for d in cursor.description]
            rows[table] = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
        return rows
    finally:
        connection.close()


async def _table_rows(db: Database) -> Rows:
    rows: Rows = {}
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for table in tables:
            result = await conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            rows[table] = [dict(r) for r in result.mappings().all()]
    return rows


def wal_commits(main: bytes, wal: bytes) -> Iterator[bytes]:
    """The database as it stood after each commit in the WAL, oldest first.

    A WAL is a 32-byte header and frames of a 24-byte header and one page; a frame
    whose "database size after commit" is not zero ends a transaction.
    """
    page_size, salts = struct.unpack(">I", wal[8:12])[0], wal[16:24]
    image = bytearray(main)
    pending: list[tuple[int, bytes]] = []
    offset = 32
    while offset + 24 + page_size <= len(wal):
        page, size_after = struct.unpack(">II", wal[offset : offset + 8])
        if wal[offset + 8 : offset + 16] != salts:
            break
        pending.append((page, wal[offset + 24 : offset + 24 + page_size]))
        offset += 24 + page_size
        if size_after:
            for number, content in pending:
                start = (number - 1) * page_size
                if len(image) < start + page_size:
                    image.extend(b"\0" * (start + page_size - len(image)))
                image[start : start + page_size] = content
            del image[size_after * page_size :]
            pending = []
            yield bytes(image)


# --- the story ----------------------------------------------------------------------------


@dataclass
class Story:
    """Several members report, guess receipts, opt into notices; a sender is blocked."""

    db: Database
    config: EscalationConfig
    steps: list[Rows] = field(default_factory=list)

    async def step(self) -> None:
        if not self.db.is_sqlite:
            self.steps.append(await _table_rows(self.db))

    async def submit(self, member: int, association: int, route: str, now: datetime) -> Any:
        receipt = await escalation.prepare_receipt(self.config)
        async with self.db.sessions.begin() as session:
            done = await escalation.submit_case(
                session,
                config=self.config,
                route=route,
                user_id=member,
                association_id=association,
                category="intimidation",
                urgency="soon",
                text=f"Something happened ({route}).",
                association_shown=True,
                receipt=receipt,
                now=now,
            )
        await self.step()
        return done

    async def unlock(self, member: int, receipt: str, now: datetime) -> escalation.Unlocked:
        return await escalation.unlock(
            self.db, config=self.config, receipt=receipt, user_id=member, now=now
        )

    async def open(self, member: int, receipt: str, now: datetime) -> Any:
        unlocked = await self.unlock(member, receipt, now)
        async with self.db.sessions.begin() as session:
            view = await escalation.open_case(session, config=self.config, unlocked=unlocked)
        await self.step()
        return view

    async def notices(self, member: int, receipt: str, now: datetime) -> None:
        unlocked = await self.unlock(member, receipt, now)
        async with self.db.sessions.begin() as session:
            await escalation.set_notices(
                session, config=self.config, unlocked=unlocked, enabled=True
            )
        await self.step()

    async def team(self, action: str, code: str, now: datetime) -> None:
        async with self.db.sessions.begin() as session:
            if action == "reply":
                await escalation.reply(
                    session,
                    config=self.config,
                    handler=TEAM,
                    case_ref=CaseCode(code),
                    text="Hi.",
                    now=now,
                )
            else:
                await escalation.block_sender(
                    session, config=self.config, handler=TEAM, case_ref=CaseCode(code), now=now
                )
        await self.step()

    async def tell(self) -> None:
        """Members report on two days, guess, ask for notices; the team replies and blocks."""
        association = await add_association(self.db)
        await enable_member_route(self.db, association)
        one, two, three, four, five = MEMBERS
        tomorrow = NOW + timedelta(days=1)
        first = await self.submit(one, association, "vcp", NOW)
        member = await self.submit(two, association, "member", NOW)
        second = await self.submit(three, association, "vcp", NOW)
        await self.submit(three, association, "vcp", NOW)
        await self.notices(one, first.receipt, NOW)
        await self.notices(two, member.receipt, NOW)
        await self.team("reply", first.code, NOW)
        for guess in range(3):
            wrong = f"{guess:04d}" + first.receipt.replace("-", "")[4:]
            assert await self.open(four, wrong, NOW) is None
        assert await self.open(two, "ZZZZ" + member.receipt.replace("-", "")[4:], NOW) is None
        assert await self.open(two, member.receipt, NOW) is not None
        await self.team("block", second.code, NOW)
        with pytest.raises(NotAllowed):
            await self.submit(three, association, "vcp", NOW)
        await self.submit(one, association, "vcp", tomorrow)
        last = first.receipt[-1]
        wrong = first.receipt[:-1] + ("1" if last == "0" else "0")
        assert await self.open(five, wrong, tomorrow) is None


def _count_writing_commits(db: Database) -> list[int]:
    """How many commits changed a row, from now on (a read-only one adds no WAL frame)."""
    counted, wrote = [0], set()

    def executed(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            wrote.add(id(conn))

    def committed(conn: Any) -> None:
        if id(conn) in wrote:
            wrote.discard(id(conn))
            counted[0] += 1

    event.listen(db.engine.sync_engine, "after_cursor_execute", executed)
    event.listen(db.engine.sync_engine, "commit", committed)
    return counted


def _sqlite_bytes(db: Database) -> tuple[bytes, bytes]:
    """The main file and the WAL as they are now (the engine still holds them open)."""
    path = Path(db.engine.url.database or "")
    return path.read_bytes(), Path(f"{path}-wal").read_bytes()


async def _wal_database(databases: Any) -> Database:
    """A SQLite database whose WAL keeps every frame: no automatic checkpoint."""
    db = await databases.create()

    def no_checkpoints(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        finally:
            cursor.close()

    event.listen(db.engine.sync_engine, "connect", no_checkpoints)
    await upgrade(db)
    return db


@pytest.mark.threat("T7", "T15")
async def test_nothing_at_rest_names_who_reported_or_when_even_with_every_stored_key(
    databases: Any, tmp_path: Path
) -> None:
    master, index, host = generate_master_key(1), generate_index_key(), RuntimeKey.generate()
    db = await _wal_database(databases) if databases.kind == "sqlite" else await databases.create()
    if not db.is_sqlite:
        await upgrade(db)
    story = Story(db, make_config(master, index, runtime=host))
    commits = _count_writing_commits(db)
    await story.tell()
    attacker = Attacker.holding(master, index, NOW.date())

    if db.is_sqlite:
        main, wal = _sqlite_bytes(db)
        snapshots = list(wal_commits(main, wal))
        assert len(snapshots) >= commits[0] > 15, "the WAL did not keep every commit"
        for number, image in enumerate(snapshots):
            copy = tmp_path / f"commit-{number}.db"
            copy.write_bytes(image)
            story.steps.append(_sqlite_rows(copy))
    found = []
    for number, rows in enumerate(story.steps):
        found += _scan(attacker, rows, f"after commit {number}")
    last = story.steps[-1]
    # The attacker looked at what there is: counters, a block, tags and DM links.
    assert last["escalation_counters"] and last["escalation_blocks"]
    assert any(r["dm_link"] for r in last["escalation_cases"])
    assert any(r["dm_link"] for rows in story.steps for r in rows["escalation_outbox"])
    # One line per kind of finding (each may recur in many commits).
    assert sorted({line.split(" (after commit")[0] for line in found}) == []

    # The control: with the host's runtime key as well, the same search names the
    # members, in every place that holds a pseudonym or a sealed link.
    insider = Attacker.holding(master, index, NOW.date(), runtime=host)
    seen = {line.split(" in ")[1].split(" (")[0] for line in _scan(insider, last, "now")}
    assert seen >= {
        "escalation_counters.pseudonym",
        "escalation_blocks.pseudonym",
    }, seen
    sealed = {f for rows in story.steps for f in _scan(insider, rows, "")}
    assert {
        line.split(" sealed in ")[1].split(" (")[0] for line in sealed if " sealed in " in line
    } == {
        "escalation_cases.reporter_tag",
        "escalation_cases.dm_link",
        "escalation_outbox.dm_link",
    }


# --- the upgrade -----------------------------------------------------------------------


@pytest.mark.threat("T8")
async def test_the_upgrade_drops_every_value_the_stored_keys_could_name_someone_by(
    empty_db: Database,
) -> None:
    """Rows written before the runtime key (keyed or sealed with the stored keys) cannot be
    converted; the upgrade removes them, and the reporter is told their notices stopped."""
    # The story is written with today's code, then taken back to 0007 and given the
    # values the old code wrote, as a database that ran 0007 would hold them.
    await upgrade(empty_db)
    config = make_config()
    association = await add_association(empty_db)
    story = Story(empty_db, config)
    first = await story.submit(MEMBERS[0], association, "vcp", NOW)
    await story.notices(MEMBERS[0], first.receipt, NOW)
    await story.team("reply", first.code, NOW)
    await story.team("block", first.code, NOW)
    await downgrade(empty_db, "0007")
    old = b"\x01" * 256  # stands for a value sealed with the case key
    async with empty_db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE escalation_cases SET reporter_tag = :old, dm_link = :old").bindparams(
                bindparam("old", old, type_=LargeBinary())
            )
        )
        await conn.execute(
            text(
                "UPDATE escalation_outbox SET dm_link = :old WHERE dm_link IS NOT NULL"
            ).bindparams(bindparam("old", old, type_=LargeBinary()))
        )

    await upgrade(empty_db)
    rows = await _table_rows(empty_db)
    assert rows["escalation_counters"] == [] and rows["escalation_blocks"] == []
    assert [bytes(r["reporter_tag"]) for r in rows["escalation_cases"]] == [b""]
    assert [bytes(r["dm_link"]) for r in rows["escalation_cases"]] == [b""]
    assert [bytes(r["dm_link"]) for r in rows["escalation_outbox"] if r["dm_link"] is not None]
    assert all(
        bytes(r["dm_link"]) == b"" for r in rows["escalation_outbox"] if r["dm_link"] is not None
    )
    view = await story.open(MEMBERS[0], first.receipt, NOW)
    assert view is not None and not view.notices and view.notices_lost
    async with empty_db.sessions.begin() as session:
        with pytest.raises(Conflict) as caught:
            await escalation.block_sender(
                session, config=config, handler=TEAM, case_ref=CaseCode(first.code), now=NOW
            )
    assert caught.value.key == "escalation.error.sender_unknown"
    await story.notices(MEMBERS[0], first.receipt, NOW)
    view = await story.open(MEMBERS[0], first.receipt, NOW)
    assert view is not None and view.notices and not view.notices_lost
