"""The ``vcpbot`` command: run the bot, manage the database, check a deployment."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Callable, Coroutine
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vcpbot.settings import DEFAULT_CONFIG_FILE, Settings, SettingsError

if TYPE_CHECKING:
    from typing import TypeAlias

    from vcpbot.db import Database

    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

Command = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _problem(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _settings(args: argparse.Namespace, **values: Any) -> Settings:
    """Settings from every source; ``values`` (from command-line options) win."""
    config = args.config or DEFAULT_CONFIG_FILE
    return Settings.load(config_file=config, secrets_dir=args.secrets_dir, **values)


def _config_used(args: argparse.Namespace) -> str:
    if args.config is not None:
        return str(args.config)
    if DEFAULT_CONFIG_FILE.exists():
        return str(DEFAULT_CONFIG_FILE)
    return f"none found ({DEFAULT_CONFIG_FILE}); settings from the environment"


def _missing_config(args: argparse.Namespace) -> str | None:
    """A file the operator named must be there: a typo must not run on defaults."""
    if args.config is None or args.config.is_file():
        return None
    return f"config: {args.config} does not exist (leave out --config to use {DEFAULT_CONFIG_FILE})"


async def _open_db(settings: Settings) -> Database:
    from vcpbot.db import create_database

    return create_database(settings.database_url)


async def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from vcpbot.db import migrate

    db = await _open_db(_settings(args))
    try:
        await migrate.upgrade(db, args.revision)
        current = await migrate.state(db)
    finally:
        await db.dispose()
    _say(f"database upgraded; now at revision {', '.join(current.current)}")
    return 0


async def cmd_db_check(args: argparse.Namespace) -> int:
    from vcpbot.db import migrate

    db = await _open_db(_settings(args))
    try:
        current = await migrate.state(db)
        if not current.at_head:
            _problem(f"database: {current.advice()}")
            return 1
        diff = await migrate.schema_diff(db)
    finally:
        await db.dispose()
    if diff:
        _problem(f"database: the models differ from the migrations in {len(diff)} place(s):")
        for item in diff:
            _problem(f"  {item}")
        _problem("write a migration for them (alembic revision --autogenerate -m '...')")
        return 1
    _say(f"database is at head ({current.head}) and matches the models")
    return 0


async def cmd_check(args: argparse.Namespace) -> int:
    """Every problem on its own line; exit 1 when there is any."""
    from vcpbot.checks import check_deployment, database_named

    try:
        settings = _settings(args)
    except SettingsError as exc:
        for line in exc.problems:
            _problem(f"settings: {line}")
        return 1
    _say(f"config: {_config_used(args)}")
    _say(f"database: {database_named(settings.database_url)}")
    problems = await check_deployment(settings)
    if args.online:
        problems += await _online_problems(settings, offline=problems)
    for line in problems:
        _problem(line)
    if not problems:
        _say(
            "settings, database and Discord look good"
            if args.online
            else "settings and database look good"
        )
    return 1 if problems else 0


async def _online_problems(settings: Settings, *, offline: list[str]) -> list[str]:
    if any(line.startswith(("database:", "discord_token:")) for line in offline):
        return ["discord: not asked; fix the token and database lines above first"]
    from vcpbot.online_check import check_online

    db = await _open_db(settings)
    try:
        return await check_online(settings, db)
    finally:
        await db.dispose()


async def cmd_run(args: argparse.Namespace) -> int:
    from vcpbot.runner import run_bot

    shards: dict[str, Any] = {}
    if args.shard_ids is not None:
        shards["shard_ids"] = args.shard_ids
    if args.shard_count is not None:
        shards["shard_count"] = args.shard_count
    return await run_bot(_settings(args, **shards))


def _shard_ids(value: str) -> list[int]:
    try:
        ids = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: give shard numbers separated by commas, e.g. 0,1"
        ) from None
    if not ids:
        raise argparse.ArgumentTypeError("give at least one shard number, e.g. 0,1")
    return ids


async def cmd_sync(args: argparse.Namespace) -> int:
    from vcpbot.runner import sync_commands

    return await sync_commands(_settings(args), _say)


# The demo drives the bot through the offline Discord, which lives in the second
# distribution of this repository (harness/): a deployment does not carry it, so the
# bot looks it up by name and says how to get it when it is not there.
DEMO_MODULE = "vcpbot_harness.demo"


async def cmd_demo(args: argparse.Namespace) -> int:
    from vcpbot.logs import configure_logging

    try:
        demo = importlib.import_module(DEMO_MODULE)
    except ModuleNotFoundError as missing:
        if missing.name in {"vcpbot_harness", DEMO_MODULE}:
            _problem(
                "The demo comes with the development harness, which this installation "
                "does not have. From a checkout of the repository: "
                "pip install -e ./harness (README, Set up)."
            )
            return 2
        raise
    # The tour is the output; only warnings are logged, through the same filter as a bot's.
    configure_logging("WARNING")
    told: int = await demo.run_demo(lang=args.lang, step=args.step, out=_say)
    return told


async def cmd_keys_generate(args: argparse.Namespace) -> int:
    """Print a new master key entry (the next version) and a new index key."""
    from vcpbot.crypto import MasterKeys, generate_index_key, generate_master_key

    version = 1
    try:
        settings = _settings(args)
        if settings.master_keys is not None:
            version = MasterKeys.parse(settings.master_keys.get_secret_value()).current_version + 1
    except (SettingsError, ValueError):
        pass  # no usable settings yet: a first key
    _say("# A new master key entry. Append it to VCPBOT_MASTER_KEYS (comma-separated),")
    _say("# restart, then run `vcpbot keys rotate`; keep older entries until then.")
    _say(generate_master_key(version))
    _say("# An index key, only for a new deployment: changing it makes every existing")
    _say("# receipt unusable. Put it in VCPBOT_INDEX_KEY.")
    _say(generate_index_key())
    return 0


async def cmd_keys_rotate(args: argparse.Namespace) -> int:
    """Re-wrap every case key under the newest master key."""
    from vcpbot.crypto import EscalationKeys, EscalationUnavailable, key_problems
    from vcpbot.services.escalation import rotate_keys

    settings = _settings(args)
    try:
        keys = EscalationKeys.from_settings(settings)
    except EscalationUnavailable:
        for line in key_problems(settings, required=True):
            _problem(line)
        return 1
    db = await _open_db(settings)
    try:
        async with db.sessions.begin() as session:
            result = await rotate_keys(session, keys=keys)
    finally:
        await db.dispose()
    older = [
        v
        for v in keys.master.keys
        if v != result.current_version and v not in result.versions_in_use
    ]
    _say(f"{result.rewrapped} case key(s) re-wrapped under v{result.current_version}")
    if older:
        unused = ", ".join(f"v{v}" for v in sorted(older))
        _say(f"no case needs {unused} any more; you may remove it from VCPBOT_MASTER_KEYS")
    return 0


async def cmd_purge(args: argparse.Namespace) -> int:
    """Destroy closed cases past the retention period (what the daily job does)."""
    from datetime import UTC, datetime

    from vcpbot.crypto import EscalationUnavailable, key_problems
    from vcpbot.services.escalation import EscalationConfig, compact_sqlite, purge_expired

    settings = _settings(args)
    try:
        # The keys open where the bot's messages about each case are, to delete them too.
        config = EscalationConfig.from_settings(settings)
    except EscalationUnavailable:
        for line in key_problems(settings, required=True):
            _problem(line)
        return 1
    db = await _open_db(settings)
    try:
        async with db.sessions.begin() as session:
            result = await purge_expired(session, config=config, now=datetime.now(UTC))
        await compact_sqlite(db)
    finally:
        await db.dispose()
    _say(
        f"{result.cases} closed case(s) older than {settings.escalation.retention_days} days "
        "destroyed; their counts are kept, and the running bot removes its messages about them"
    )
    return 0


async def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the database while the bot runs, with its manifest."""
    from datetime import UTC, datetime

    from vcpbot.backup import BackupError, backup, manifest_path

    try:
        manifest = await backup(_settings(args), args.dest, now=datetime.now(UTC))
    except BackupError as exc:
        _problem(f"backup: {exc}")
        return 1
    _say(
        f"backed up to {args.dest} ({manifest.database}, migration "
        f"{', '.join(manifest.migration_head) or 'none'}); manifest {manifest_path(args.dest)}"
    )
    _say("the keys are not in it: keep master_keys and index_key apart from the backups")
    return 0


async def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup onto an empty database, checked, upgraded and purged."""
    from datetime import UTC, datetime

    from vcpbot.backup import BackupError, restore

    try:
        result = await restore(_settings(args), args.src, now=datetime.now(UTC))
    except BackupError as exc:
        _problem(f"restore: {exc}")
        return 1
    _say(
        f"restored the backup of {result.manifest.created_at}; {result.cases} case(s), every "
        f"key unwrapped; database now at {result.head}"
    )
    if result.purged is not None:
        _say(f"{result.purged} case(s) past retention destroyed at once")
    return 0


async def cmd_invite_url(args: argparse.Namespace) -> int:
    """Print the link that adds the bot with exactly the permissions it uses."""
    from vcpbot.invite import Place, invite_url, permission_names

    application_id = args.client_id
    if application_id is None:
        application_id = _settings(args).application_id
    if application_id is None:
        _problem(
            'invite-url needs the application id ("client id") from the Discord developer '
            "portal: pass --client-id, or set application_id (VCPBOT_APPLICATION_ID)"
        )
        return 2
    place = Place(args.server)
    _say(invite_url(application_id, place))
    # On stderr, so that $(vcpbot invite-url) is just the link.
    _problem(f"permissions: {' · '.join(permission_names(place))}; no privileged intents")
    return 0


def _version() -> str:
    try:
        return version("vcpbot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vcpbot",
        description="Discord bot for the VCP network of Maastricht student associations.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help=f"TOML settings file (else {DEFAULT_CONFIG_FILE}, if there is one)",
    )
    parser.add_argument("--version", action="version", version=f"vcpbot {_version()}")
    parser.add_argument("--secrets-dir", type=Path, default=None, help="directory of secret files")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _serving(sub)
    _maintenance(sub)
    _invite(sub)
    return parser


def _serving(sub: Subcommands) -> None:
    """run, sync, check, demo: serving the bot, and looking at it."""
    run = sub.add_parser("run", help="connect to Discord and serve")
    run.add_argument(
        "--shard-ids",
        type=_shard_ids,
        default=None,
        metavar="0,1",
        help="the shards this process runs (else shard_ids)",
    )
    run.add_argument(
        "--shard-count",
        type=int,
        default=None,
        metavar="N",
        help="how many shards there are in all processes together (else shard_count)",
    )
    run.set_defaults(func=cmd_run)
    sub.add_parser("sync", help="register the slash commands with Discord").set_defaults(
        func=cmd_sync
    )
    check = sub.add_parser(
        "check", help="validate the settings and the database; one line per problem"
    )
    check.add_argument(
        "--online",
        action="store_true",
        help="also log in and ask Discord: the hub, the bot's permissions, the commands",
    )
    check.set_defaults(func=cmd_check)
    demo = sub.add_parser("demo", help="show the product offline, without a token")
    demo.add_argument("--lang", choices=["en", "nl"], default="en")
    demo.add_argument("--step", action="store_true", help="pause between steps")
    demo.set_defaults(func=cmd_demo)


def _maintenance(sub: Subcommands) -> None:
    """db, keys, purge, backup, restore: the operator's deploy and upkeep steps."""
    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    upgrade = db.add_parser("upgrade", help="apply the migrations (a deploy step)")
    upgrade.add_argument("revision", nargs="?", default="heads")
    upgrade.set_defaults(func=cmd_db_upgrade)
    db.add_parser(
        "check", help="the database is at the newest revision and matches the models"
    ).set_defaults(func=cmd_db_check)
    keys = sub.add_parser("keys", help="escalation encryption keys").add_subparsers(
        dest="keys_command", required=True, metavar="ACTION"
    )
    keys.add_parser("generate", help="print a new master key and index key").set_defaults(
        func=cmd_keys_generate
    )
    keys.add_parser(
        "rotate", help="re-wrap every case key under the newest master key"
    ).set_defaults(func=cmd_keys_rotate)
    sub.add_parser(
        "purge", help="destroy closed escalations past the retention period"
    ).set_defaults(func=cmd_purge)
    backup = sub.add_parser(
        "backup", help="copy the database while the bot runs (the keys are never in it)"
    )
    backup.add_argument("dest", type=Path, metavar="DEST", help="a new file for the copy")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore", help="put a backup onto an empty database (checks keys, upgrades, purges)"
    )
    restore.add_argument("src", type=Path, metavar="SRC", help="a file made by `vcpbot backup`")
    restore.set_defaults(func=cmd_restore)


def _invite(sub: Subcommands) -> None:
    invite = sub.add_parser(
        "invite-url", help="print the link that adds the bot with the permissions it uses"
    )
    invite.add_argument(
        "--client-id", type=int, default=None, help="application id (else application_id)"
    )
    invite.add_argument(
        "--server",
        choices=["all", "hub", "association"],
        default="all",
        help="only what the bot needs in the hub or in an association's server",
    )
    invite.set_defaults(func=cmd_invite_url)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    missing = _missing_config(args)
    if missing is not None:
        _problem(missing)
        return 2
    try:
        command: Command = args.func
        return asyncio.run(command(args))
    except SettingsError as exc:
        for line in exc.problems:
            _problem(f"settings: {line}")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
