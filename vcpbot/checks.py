"""``vcpbot check``: what would stop this deployment from working, one line each."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url

from vcpbot.services.help import HelpResourcesError, load_help_resources, unfilled_resources
from vcpbot.settings import Settings

CONNECT_TIMEOUT_S = 10


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    # The driver's first line says what is wrong (refused, unknown host, bad password)
    # without a traceback.
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def database_named(url: str) -> str:
    """The database as an operator knows it, without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return "SQLite in memory"
        return f"SQLite file {Path(parsed.database).resolve()}"
    if parsed.get_backend_name() == "postgresql":
        return f"PostgreSQL {parsed.database} on {parsed.host}:{parsed.port or 5432}"
    return _redacted(url)


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file a connection would create: checking must not leave one behind."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path.resolve()


async def check_database(settings: Settings) -> list[str]:
    from vcpbot.db import create_database
    from vcpbot.db.revision import schema_state

    missing = _missing_sqlite_file(settings.database_url)
    if missing is not None:
        return [f"database: {missing} does not exist; create it with `vcpbot db upgrade`"]
    where = _redacted(settings.database_url)
    db = create_database(settings.database_url)
    try:
        current = await asyncio.wait_for(schema_state(db), CONNECT_TIMEOUT_S)
    except TimeoutError:
        return [f"database: no answer from {where} within {CONNECT_TIMEOUT_S} s"]
    except Exception as exc:  # any driver error means the same to the operator
        return [f"database: cannot use {where}: {_reason(exc)}"]
    finally:
        await db.dispose()
    return [] if current.at_head else [f"database: {current.advice()}"]


def help_resources_problems(settings: Settings) -> list[str]:
    """The help file cannot be read, or still holds an example's placeholders."""
    path = settings.resolve_path(settings.help_resources_file)
    try:
        resources = load_help_resources(path)
    except HelpResourcesError as exc:
        return [f"help_resources_file: {exc}"]
    return [f"help_resources_file: {path}: {line}" for line in unfilled_resources(resources)]


def procedure_problems(settings: Settings) -> list[str]:
    """The procedure file cannot be read, or still holds placeholders."""
    from vcpbot.services.help import ProcedureError, load_procedure
    from vcpbot.services.help import unfilled_procedure as unfilled

    path = settings.resolve_path(settings.procedure_file)
    try:
        procedure = load_procedure(path)
    except ProcedureError as exc:
        return [f"procedure_file: {exc}"]
    return [f"procedure_file: {path}: {line}" for line in unfilled(procedure)]


def check_settings(settings: Settings) -> list[str]:
    problems = []
    if settings.discord_token is None:
        problems.append(
            "discord_token: not set; put the bot token in VCPBOT_DISCORD_TOKEN "
            "or a file named vcpbot_discord_token in the secrets directory"
        )
    if settings.hub_guild_id is None:
        problems.append(
            "hub_guild_id: not set; name the guild where the UM team works "
            "(VCPBOT_HUB_GUILD_ID or hub_guild_id in config/vcpbot.toml)"
        )
    problems.extend(help_resources_problems(settings))
    problems.extend(procedure_problems(settings))
    from vcpbot.crypto import key_problems
    from vcpbot.runtime_key import directory_problems

    # Malformed keys are always named; missing ones once the escalation cog is on.
    escalation = "escalation" in settings.cogs
    problems.extend(key_problems(settings, required=escalation))
    if escalation:
        problems.extend(directory_problems(settings.runtime_directory))
    return problems


async def check_deployment(settings: Settings) -> list[str]:
    return check_settings(settings) + await check_database(settings)
