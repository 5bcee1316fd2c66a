"""An operator backs up the running bot's database with ``vcpbot backup`` and puts it back
with ``vcpbot restore``: on SQLite and PostgreSQL, through the command as typed.

The drill with the bot itself (writes during the backup, reminders after the restore)
is ``tests/e2e/stories/test_backup_drill.py``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, update

from tests.services.escalation.steps import NOW, add_association, make_config, submit
from vcpbot.cli import main
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import Database, create_database
from vcpbot.db.escalation import Case
from vcpbot.db.migrate import head_revisions, state
from vcpbot.runtime_key import KEY_FILE, RuntimeKey
from vcpbot.services import escalation
from vcpbot.services.escalation._cases import reporter_view
from vcpbot.services.escalation._receipts import case_of

TEXT = "The treasurer keeps asking first-years to stay after the borrel."


@pytest.fixture
def keys() -> dict[str, str]:
    return {"master": generate_master_key(1), "index": generate_index_key()}


@pytest.fixture(autouse=True)
def operator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, keys: dict[str, str]
) -> Iterator[pytest.MonkeyPatch]:
    for key in list(os.environ):
        if key.upper().startswith("VCPBOT_") and not key.upper().startswith("VCPBOT_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VCPBOT_MASTER_KEYS", keys["master"])
    monkeypatch.setenv("VCPBOT_INDEX_KEY", keys["index"])
    monkeypatch.setenv("VCPBOT_RUNTIME_DIR", str(tmp_path / "run"))
    yield monkeypatch


async def vcpbot(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


def config_for(keys: dict[str, str], tmp_path: Path) -> escalation.EscalationConfig:
    runtime = RuntimeKey.load_or_create(tmp_path / "run")
    return make_config(keys["master"], keys["index"], runtime)


def opened(url: str) -> Database:
    return create_database(url.replace("sqlite:///", "sqlite+aiosqlite:///"))


async def live_database(operator: pytest.MonkeyPatch, databases) -> str:
    url = await databases.create_url()
    operator.setenv("VCPBOT_DATABASE_URL", url)
    assert await vcpbot("db", "upgrade") == 0
    return url


async def with_cases(url: str, config, count: int = 2) -> list[str]:
    db = opened(url)
    try:
        association = await add_association(db)
        return [
            (await submit(db, config, association_id=association, text=f"{TEXT} ({n})")).receipt
            for n in range(count)
        ]
    finally:
        await db.dispose()


async def read_case(url: str, config, receipt: str) -> str | None:
    db = opened(url)
    try:
        unlocked = await escalation.unlock(db, config=config, receipt=receipt, user_id=1, now=NOW)
        async with db.sessions.begin() as session:
            case = await case_of(session, config, unlocked)
            if case is None:
                return None
            view = await reporter_view(session, config, case)
    finally:
        await db.dispose()
    return view.messages[0].text


def scratch_files(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if ".restoring-" in p.name]


async def tables_of(url: str) -> set[str]:
    db = opened(url)
    try:
        async with db.engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await db.dispose()


async def test_a_backup_taken_and_restored_elsewhere_opens_every_case_with_its_receipt(
    databases, operator, tmp_path: Path, keys, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_for(keys, tmp_path)
    receipts = await with_cases(await live_database(operator, databases), config)

    copy = tmp_path / "vcpbot-backup"
    assert await vcpbot("backup", str(copy)) == 0
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    manifest_file = tmp_path / "vcpbot-backup.manifest.json"
    assert stat.S_IMODE(manifest_file.stat().st_mode) == 0o600
    manifest = json.loads(manifest_file.read_text())
    assert manifest["database"] == databases.kind.replace("postgres", "postgresql")
    assert manifest["migration_head"] == list(head_revisions())
    assert manifest["created_at"].endswith("Z")
    assert any("master keys" in line for line in manifest["not_inside"])
    assert any("index key" in line for line in manifest["not_inside"])
    assert any("runtime key" in line for line in manifest["not_inside"])
    assert "keys are not in it" in capsys.readouterr().out

    elsewhere = await databases.create_url()
    operator.setenv("VCPBOT_DATABASE_URL", elsewhere)
    assert await vcpbot("restore", str(copy)) == 0
    assert "2 case(s), every key unwrapped" in capsys.readouterr().out
    for n, receipt in enumerate(receipts):
        assert await read_case(elsewhere, config, receipt) == f"{TEXT} ({n})"
    assert scratch_files(tmp_path) == []
    if databases.kind == "sqlite":
        restored = os.stat(elsewhere.removeprefix("sqlite:///"))
        assert stat.S_IMODE(restored.st_mode) == 0o600
    db = opened(elsewhere)
    try:
        assert (await state(db)).at_head
    finally:
        await db.dispose()


async def test_a_backup_never_overwrites_a_file(
    databases, operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await live_database(operator, databases)
    copy = tmp_path / "taken-yesterday"
    copy.write_bytes(b"yesterday's backup")
    assert await vcpbot("backup", str(copy)) == 1
    assert copy.read_bytes() == b"yesterday's backup"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "never overwrites" in err[0]
    assert not (tmp_path / "taken-yesterday.manifest.json").exists()


async def test_the_backup_holds_no_key_material(databases, operator, tmp_path: Path, keys) -> None:
    config = config_for(keys, tmp_path)
    await with_cases(await live_database(operator, databases), config)
    copy = tmp_path / "copy"
    assert await vcpbot("backup", str(copy)) == 0

    held = copy.read_bytes() + (tmp_path / "copy.manifest.json").read_bytes()
    master = keys["master"].split(":", 1)[1]
    secrets = [
        keys["master"].encode(),
        master.encode(),
        base64.urlsafe_b64decode(master + "=="),
        keys["index"].encode(),
        base64.urlsafe_b64decode(keys["index"] + "=="),
        (tmp_path / "run" / KEY_FILE).read_bytes(),
    ]
    for secret in secrets:
        assert secret not in held


async def test_restore_onto_a_database_with_vcpbot_tables_is_refused_in_one_line(
    databases, operator, tmp_path: Path, keys, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_for(keys, tmp_path)
    live = await live_database(operator, databases)
    receipts = await with_cases(live, config, count=1)
    copy = tmp_path / "copy"
    assert await vcpbot("backup", str(copy)) == 0
    capsys.readouterr()

    assert await vcpbot("restore", str(copy)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "already holds vcpbot tables" in err[0]
    # The live database is untouched.
    assert await read_case(live, config, receipts[0]) == f"{TEXT} (0)"


async def test_restore_onto_a_sqlite_file_with_other_tables_is_refused(
    operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operator.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'live.db'}")
    assert await vcpbot("db", "upgrade") == 0
    copy = tmp_path / "copy"
    assert await vcpbot("backup", str(copy)) == 0
    notes = tmp_path / "notes.db"
    await asyncio.to_thread(make_table, notes)
    operator.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{notes}")
    capsys.readouterr()
    assert await vcpbot("restore", str(copy)) == 1
    assert "already holds tables; restore only onto an empty" in capsys.readouterr().err
    assert await asyncio.to_thread(table_names, notes) == ["notes"]


def make_table(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (line TEXT)")
    conn.commit()
    conn.close()


def table_names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        conn.close()


async def test_restore_with_other_master_keys_is_refused_and_leaves_the_target_empty(
    databases, operator, tmp_path: Path, keys, capsys: pytest.CaptureFixture[str]
) -> None:
    await with_cases(await live_database(operator, databases), config_for(keys, tmp_path))
    copy = tmp_path / "copy"
    assert await vcpbot("backup", str(copy)) == 0
    capsys.readouterr()

    elsewhere = await databases.create_url()
    operator.setenv("VCPBOT_DATABASE_URL", elsewhere)
    operator.setenv("VCPBOT_MASTER_KEYS", generate_master_key(1))
    assert await vcpbot("restore", str(copy)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "2 of 2 case(s) in the backup cannot be unwrapped" in err[0]
    assert await tables_of(elsewhere) == set()
    assert scratch_files(tmp_path) == []

    # With the right keys the same backup restores onto the same, still empty, database.
    operator.setenv("VCPBOT_MASTER_KEYS", keys["master"])
    assert await vcpbot("restore", str(copy)) == 0


async def test_a_case_past_retention_is_gone_right_after_the_restore(
    databases, operator, tmp_path: Path, keys, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_for(keys, tmp_path)
    live = await live_database(operator, databases)
    old, recent = await with_cases(live, config)
    db = opened(live)
    try:
        # The first case was closed long ago; it is still in the backup (taken before
        # the daily purge ran), the second is open.
        async with db.sessions.begin() as session:
            first = await session.scalar(select(Case).order_by(Case.id).limit(1))
            assert first is not None
            long_ago = NOW.date() - timedelta(days=config.policy.retention_days + 400)
            await session.execute(
                update(Case)
                .where(Case.id == first.id)
                .values(status="closed", outcome="advice_given", closed_on=long_ago)
            )
    finally:
        await db.dispose()
    copy = tmp_path / "copy"
    assert await vcpbot("backup", str(copy)) == 0

    elsewhere = await databases.create_url()
    operator.setenv("VCPBOT_DATABASE_URL", elsewhere)
    assert await vcpbot("restore", str(copy)) == 0
    assert "1 case(s) past retention destroyed at once" in capsys.readouterr().out
    assert await read_case(elsewhere, config, old) is None
    assert await read_case(elsewhere, config, recent) == f"{TEXT} (1)"


async def test_an_older_backup_is_upgraded_and_an_unknown_one_refused(
    databases, operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = await databases.create_url()
    operator.setenv("VCPBOT_DATABASE_URL", url)
    assert await vcpbot("db", "upgrade", "0007") == 0
    older = tmp_path / "older"
    assert await vcpbot("backup", str(older)) == 0
    assert json.loads((tmp_path / "older.manifest.json").read_text())["migration_head"] == ["0007"]

    newer = tmp_path / "newer"
    newer.write_bytes(older.read_bytes())
    manifest = json.loads((tmp_path / "older.manifest.json").read_text())
    manifest["migration_head"] = ["9999"]
    (tmp_path / "newer.manifest.json").write_text(json.dumps(manifest))

    elsewhere = await databases.create_url()
    operator.setenv("VCPBOT_DATABASE_URL", elsewhere)
    capsys.readouterr()
    assert await vcpbot("restore", str(newer)) == 1
    assert "migration 9999, which this version of vcpbot does not know" in capsys.readouterr().err
    assert await tables_of(elsewhere) == set()

    assert await vcpbot("restore", str(older)) == 0
    assert f"database now at {', '.join(head_revisions())}" in capsys.readouterr().out


async def test_a_backup_file_that_was_changed_is_refused(
    databases, operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await live_database(operator, databases)
    copy = tmp_path / "copy"
    assert await vcpbot("backup", str(copy)) == 0
    with copy.open("ab") as handle:
        handle.write(b"\0")
    elsewhere = await databases.create_url()
    operator.setenv("VCPBOT_DATABASE_URL", elsewhere)
    capsys.readouterr()
    assert await vcpbot("restore", str(copy)) == 1
    assert "not the file its manifest describes" in capsys.readouterr().err
    assert await tables_of(elsewhere) == set()


@pytest.mark.parametrize("databases", ["postgres"], indirect=True)
async def test_without_pg_dump_the_backup_says_so_in_one_line(
    databases, operator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await live_database(operator, databases)
    operator.setenv("PATH", str(tmp_path / "no-programs-here"))
    capsys.readouterr()
    copy = tmp_path / "copy"
    assert await vcpbot("backup", str(copy)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "pg_dump not found on PATH" in err[0]
    assert not copy.exists()
