"""``vcpbot backup`` and ``vcpbot restore``: a copy that can be put back, and the checks
that make putting it back safe.

A backup is taken while the bot runs: SQLite's online backup API on a read-only
connection (a plain file copy of a WAL database is not consistent), or ``pg_dump``
in its custom format (one snapshot). The copy is a file an operator's own tools open
(``sqlite3``, ``pg_restore``); the manifest beside it (``DEST.manifest.json``) says
what it is. Neither holds a key: the master keys, the index key and the runtime key
live in the settings and in memory only, so a stolen backup without the keys is the
threat model's "someone with the database files and no keys".

A restore goes onto an empty database only, and either completes or leaves nothing:
SQLite is restored into a temporary file that replaces the target at the end;
PostgreSQL in one transaction, and what it created is dropped if a check fails. Before
it counts as done, the configured master keys must unwrap every case key, the schema is
upgraded to this code's head, and the retention purge runs at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from vcpbot.crypto import CryptoError, MasterKeys
from vcpbot.db import Database, create_database, migrate
from vcpbot.settings import Settings

MANIFEST_SUFFIX = ".manifest.json"
FORMAT = "vcpbot-backup/1"
FILE_MODE = 0o600
HASH_CHUNK = 1 << 20
INSIDE = (
    "every table of the database as it was at the time of the backup: cases (sealed, "
    "readable only with the master keys), KMTM counts, rules, the network, intervisie, "
    "the outbox and reminders",
)
NOT_INSIDE = (
    "the master keys (master_keys): keep them apart from the backups",
    "the index key (index_key): keep it apart from the backups",
    "the runtime key: it is only ever in memory (/run/vcpbot) and cannot be backed up",
    "the settings, the Discord token and any other secret",
)


class BackupError(Exception):
    """What stopped a backup or a restore, in one line for the operator."""


@dataclass(frozen=True)
class Manifest:
    format: str
    vcpbot_version: str
    database: str
    migration_head: list[str]
    created_at: str
    file: str
    sha256: str
    inside: list[str]
    not_inside: list[str]


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    head: str
    cases: int
    purged: int | None  # None: no escalation keys configured, so no case purge ran


def manifest_path(copy: Path) -> Path:
    return copy.with_name(copy.name + MANIFEST_SUFFIX)


def _version() -> str:
    try:
        return version("vcpbot")
    except PackageNotFoundError:
        return "unknown"


def database_kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"database: {backend} is not supported (SQLite or PostgreSQL)")
    return backend


def _sqlite_path(url: str) -> Path:
    name = make_url(url).database
    if name in (None, "", ":memory:"):
        raise BackupError("database: an in-memory SQLite database cannot be backed up or restored")
    return Path(name).resolve()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _create_private(path: Path) -> None:
    """An empty file only its owner reads; refuses to touch one that exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        raise BackupError(f"{path} exists; choose a new name (a backup never overwrites)") from None
    except OSError as exc:
        raise BackupError(f"cannot create {path}: {exc.strerror}") from None
    os.close(fd)
    os.chmod(path, FILE_MODE)  # whatever the umask


@contextlib.contextmanager
def _removed_on_failure(*paths: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise


# --- backup --------------------------------------------------------------------


async def backup(settings: Settings, dest: Path, *, now: datetime) -> Manifest:
    """Copy the configured database to ``dest`` (mode 0600) and write its manifest."""
    kind = database_kind(settings.database_url)
    dest, manifest_file = _reserve(dest)
    with _removed_on_failure(dest, manifest_file):
        if kind == "sqlite":
            heads = await asyncio.to_thread(_sqlite_copy, _sqlite_path(settings.database_url), dest)
        else:
            heads = await _pg_dump(settings.database_url, dest)
        manifest = Manifest(
            format=FORMAT,
            vcpbot_version=_version(),
            database=kind,
            migration_head=list(heads),
            created_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            file=dest.name,
            sha256=_sha256(dest),
            inside=list(INSIDE),
            not_inside=list(NOT_INSIDE),
        )
        _create_private(manifest_file)
        manifest_file.write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    return manifest


def _reserve(dest: Path) -> tuple[Path, Path]:
    """The copy's file, created empty and private; and its manifest's name, free."""
    dest = dest.resolve()
    manifest_file = manifest_path(dest)
    if manifest_file.exists():
        raise BackupError(f"{manifest_file} exists; choose a new name (a backup never overwrites)")
    _create_private(dest)
    return dest, manifest_file


def _sqlite_copy(source: Path, dest: Path) -> tuple[str, ...]:
    """The online backup API on a read-only connection; the copy as one file (no WAL)."""
    if not source.is_file():
        raise BackupError(f"database: {source} does not exist")
    reader = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    copy = sqlite3.connect(dest)
    try:
        reader.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_heads(copy)
    except sqlite3.Error as exc:
        raise BackupError(f"database: the copy failed: {exc}") from None
    finally:
        copy.close()
        reader.close()


def _sqlite_heads(conn: sqlite3.Connection) -> tuple[str, ...]:
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:
        rows = []
    return tuple(sorted(row[0] for row in rows))


def _pg_env(url: str) -> dict[str, str]:
    """libpq's variables for ``url``: the password travels in the environment, never
    on a command line that ``ps`` shows. Other ``PG*`` variables of the operator's
    environment (``PGSSLROOTCERT``...) are kept."""
    parsed = make_url(url)
    env = dict(os.environ)
    env["PGHOST"] = parsed.host or "localhost"
    env["PGPORT"] = str(parsed.port or 5432)
    env["PGDATABASE"] = parsed.database or ""
    if parsed.username:
        env["PGUSER"] = parsed.username
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    ssl = parsed.query.get("sslmode") or parsed.query.get("ssl")
    if isinstance(ssl, str):
        env["PGSSLMODE"] = ssl
    return env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found on PATH; install the PostgreSQL client programs "
            "(Debian: apt-get install postgresql-client) of the server's version or newer"
        )
    return found


async def _run(program: str, *args: str, env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        _program(program),
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{program} failed: {lines[0] if lines else process.returncode}")
    return out.decode(errors="replace")


async def _pg_dump(url: str, dest: Path) -> tuple[str, ...]:
    env = _pg_env(url)
    await _run("pg_dump", "--format=custom", "--no-password", f"--file={dest}", env=env)
    return await _pg_dump_heads(dest, env)


async def _pg_dump_heads(dump: Path, env: dict[str, str]) -> tuple[str, ...]:
    """The migration head inside the dump itself (not the live database's, which moves)."""
    script = await _run(
        "pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(dump), env=env
    )
    heads, copying = [], False
    for line in script.splitlines():
        if line.startswith("COPY "):
            copying = True
        elif line == "\\.":
            copying = False
        elif copying and line:
            heads.append(line)
    return tuple(sorted(heads))


# --- restore -------------------------------------------------------------------


def read_manifest(src: Path) -> Manifest:
    """The manifest beside ``src``, checked against the file it describes."""
    src = src.resolve()
    path = manifest_path(src)
    if not src.is_file():
        raise BackupError(f"{src} does not exist")
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**raw)
    except FileNotFoundError:
        raise BackupError(f"{path} is missing: the manifest belongs beside its backup") from None
    except (ValueError, TypeError):
        raise BackupError(f"{path} is not a vcpbot backup manifest") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.format!r}")
    if _sha256(src) != manifest.sha256:
        raise BackupError(f"{src} is not the file its manifest describes (damaged or replaced)")
    return manifest


def _check_head_known(manifest: Manifest) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = [rev for rev in manifest.migration_head if rev not in known]
    if not manifest.migration_head or unknown:
        shown = ", ".join(unknown) or "none"
        raise BackupError(
            f"the backup is at migration {shown}, which this version of vcpbot does not "
            "know; restore it with the version that made it (the manifest names it)"
        )


def _master_keys(settings: Settings) -> MasterKeys | None:
    if settings.master_keys is None:
        return None
    try:
        return MasterKeys.parse(settings.master_keys.get_secret_value())
    except ValueError as exc:
        raise BackupError(f"master_keys: {exc}") from None


async def restore(settings: Settings, src: Path, *, now: datetime) -> RestoreResult:
    """Put ``src`` onto the configured (empty) database, or refuse and leave it empty."""
    manifest = read_manifest(src)
    kind = database_kind(settings.database_url)
    if manifest.database != kind:
        raise BackupError(
            f"the backup is of a {manifest.database} database; the configured one is {kind}"
        )
    _check_head_known(manifest)
    if kind == "sqlite":
        cases, purged = await _restore_sqlite(settings, src, now=now)
    else:
        cases, purged = await _restore_postgres(settings, src, now=now)
    return RestoreResult(
        manifest=manifest, head=", ".join(migrate.head_revisions()), cases=cases, purged=purged
    )


def _vcpbot_tables() -> set[str]:
    from vcpbot.db import models  # noqa: F401 - registers every table on the metadata
    from vcpbot.db.base import Base

    return set(Base.metadata.tables) | {"alembic_version"}


def _refused_non_empty(where: str, what: str = "vcpbot tables") -> BackupError:
    return BackupError(
        f"database: {where} already holds {what}; restore only onto an empty "
        "database (create a new one, or drop this one if you mean to replace it)"
    )


async def _sqlite_tables(path: Path) -> set[str]:
    def names() -> set[str]:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            conn.close()
        return {row[0] for row in rows}

    return await asyncio.to_thread(names)


async def _restore_sqlite(
    settings: Settings, src: Path, *, now: datetime
) -> tuple[int, int | None]:
    target = _sqlite_path(settings.database_url)
    # The file is replaced as a whole, so any table in it would be lost, not only ours.
    tables = await _sqlite_tables(target) if target.exists() else set()
    if tables:
        what = "vcpbot tables" if tables & _vcpbot_tables() else "tables"
        raise _refused_non_empty(str(target), what)
    scratch = target.with_name(f".{target.name}.restoring-{secrets.token_hex(4)}")
    leftovers = [scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")]
    _create_private(scratch)
    with _removed_on_failure(*leftovers):
        await asyncio.to_thread(_copy_into, src, scratch)
        db = create_database(f"sqlite+aiosqlite:///{scratch}")
        try:
            outcome = await _finish(db, settings, now=now)
            await _checkpoint(db)
        finally:
            await db.dispose()
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)  # of the empty target; nothing of ours
        os.replace(scratch, target)
    return outcome


def _copy_into(src: Path, dest: Path) -> None:
    with src.open("rb") as reader, dest.open("r+b") as writer:
        shutil.copyfileobj(reader, writer, HASH_CHUNK)


async def _checkpoint(db: Database) -> None:
    from vcpbot.db.sqlite import sqlite_outside_transaction

    await sqlite_outside_transaction(db, "PRAGMA wal_checkpoint(TRUNCATE)")


_PG_OBJECTS = text(
    "SELECT n.nspname, c.relname, c.relkind::text FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%'"
)
_PG_DROP = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}


async def _pg_objects(db: Database) -> set[tuple[str, str, str]]:
    async with db.engine.connect() as conn:
        rows = (await conn.execute(_PG_OBJECTS)).all()
    return {(row[0], row[1], row[2]) for row in rows}


async def _restore_postgres(
    settings: Settings, src: Path, *, now: datetime
) -> tuple[int, int | None]:
    from vcpbot.checks import database_named

    db = create_database(settings.database_url)
    try:
        before = await _pg_objects(db)
        if any(kind in "rp" and name in _vcpbot_tables() for _, name, kind in before):
            raise _refused_non_empty(database_named(settings.database_url))
        env = _pg_env(settings.database_url)
        restore_args = ["--single-transaction", "--exit-on-error", "--no-owner"]
        restore_args += ["--no-privileges", "--no-password", f"--dbname={env['PGDATABASE']}"]
        await _run("pg_restore", *restore_args, str(src), env=env)
        try:
            return await _finish(db, settings, now=now)
        except BaseException:
            await _drop_restored(db, before)
            raise
    finally:
        await db.dispose()


async def _drop_restored(db: Database, before: set[tuple[str, str, str]]) -> None:
    """Everything the restore created, so a refused restore leaves the database as it was."""
    created = await _pg_objects(db) - before
    # Tables first: their own sequences and dependent views go with them.
    ordered = sorted(created, key=lambda item: item[2] not in "rp")
    async with db.engine.begin() as conn:
        for schema, name, kind in ordered:
            await conn.execute(text(f'DROP {_PG_DROP[kind]} IF EXISTS "{schema}"."{name}" CASCADE'))


async def _finish(db: Database, settings: Settings, *, now: datetime) -> tuple[int, int | None]:
    """The checks and the upkeep between a restored copy and a database the bot may use."""
    cases = await _check_case_keys(db, _master_keys(settings))
    await migrate.upgrade(db)
    return cases, await _purge(db, settings, cases=cases, now=now)


async def _check_case_keys(db: Database, master: MasterKeys | None) -> int:
    """Every case key in the copy unwraps with the configured master keys."""
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(_inspect_tables(sync)))
        if "escalation_cases" not in tables:
            return 0
        rows = (
            await conn.execute(text("SELECT id, key_version, wrapped_key FROM escalation_cases"))
        ).all()
    if rows and master is None:
        raise BackupError(
            f"the backup holds {len(rows)} case(s) and master_keys is not set; configure "
            "the master keys that were in use when the backup was made"
        )
    failed = [
        version
        for case_id, version, wrapped in rows
        if not _unwraps(master, case_id, version, wrapped)
    ]
    if failed:
        missing = ", ".join(f"v{v}" for v in sorted(set(failed)))
        raise BackupError(
            f"{len(failed)} of {len(rows)} case(s) in the backup cannot be unwrapped with the "
            f"configured master keys (key version(s) {missing}); nothing was restored"
        )
    return len(rows)


def _inspect_tables(sync_conn: Connection) -> list[str]:
    from sqlalchemy import inspect

    return inspect(sync_conn).get_table_names()


def _unwraps(master: MasterKeys | None, case_id: int, version: int, wrapped: bytes) -> bool:
    if master is None:
        return False
    try:
        master.unwrap(bytes(wrapped), case_id=case_id, version=version)
    except CryptoError:
        return False
    return True


async def _purge(db: Database, settings: Settings, *, cases: int, now: datetime) -> int | None:
    """The retention purge at once: a case that outlived retention in the backup is gone."""
    from vcpbot.crypto import EscalationUnavailable, key_problems

    problems = key_problems(settings, required=True)
    if problems and not cases:
        return None  # nothing that retention could destroy needs the keys
    if problems:
        raise BackupError(f"{problems[0]} (the retention purge after a restore needs it)")
    from vcpbot.services.escalation import EscalationConfig, purge_expired

    try:
        config = EscalationConfig.from_settings(settings)
    except EscalationUnavailable as exc:
        raise BackupError(f"runtime_dir: {exc.__cause__ or 'unusable'}") from None
    async with db.sessions.begin() as session:
        result = await purge_expired(session, config=config, now=now)
    return result.cases
