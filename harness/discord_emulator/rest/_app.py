"""The bot's own user and application, the gateway URL, and application commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord_emulator import access, errors
from discord_emulator.entities import ApplicationCommand
from discord_emulator.routing import ROUTES, Call, Created

if TYPE_CHECKING:
    from discord_emulator.host import EmulatorHost

_GLOBAL = "/applications/{application_id}/commands"
_GUILD = "/applications/{application_id}/guilds/{guild_id}/commands"


@ROUTES.route("GET", "/users/@me")
async def get_me(em: EmulatorHost, call: Call) -> Any:
    return em.world.bot_user.to_payload() | {
        "mfa_enabled": False,
        "locale": "en-US",
        "verified": True,
        "email": None,
        "premium_type": 0,
    }


@ROUTES.route("GET", "/oauth2/applications/@me")
@ROUTES.route("GET", "/applications/@me")
async def get_application(em: EmulatorHost, call: Call) -> Any:
    bot = em.world.bot_user
    owner = em.app_owner.to_payload()
    return {
        "id": str(em.world.application_id),
        "name": bot.username,
        "icon": None,
        "description": "",
        "type": None,
        "bot": bot.to_payload(),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": em.application_flags,
        "flags_new": str(em.application_flags),
        "owner": owner,
        "team": None,
        "rpc_origins": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "approximate_guild_count": sum(g.has_bot for g in em.world.guilds.values()),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "eligible_oauth2_scopes": ["bot", "applications.commands"],
        "explicit_content_filter": 0,
        "integration_types_config": {"0": {}},
        "tags": [],
    }


@ROUTES.route("GET", "/gateway")
async def get_gateway(em: EmulatorHost, call: Call) -> Any:
    return {"url": em.gateway_url}


@ROUTES.route("GET", "/gateway/bot")
async def get_gateway_bot(em: EmulatorHost, call: Call) -> Any:
    return {
        "url": em.gateway_url,
        "shards": em.recommended_shards,
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 0,
            "max_concurrency": 1,
        },
    }


# -- application commands ---------------------------------------------------------------


def _scope(em: EmulatorHost, call: Call) -> int | None:
    if call.snowflake("application_id") != em.world.application_id:
        raise errors.unknown("application")
    if "guild_id" not in call.params:
        return None
    return access.guild(em.world, call.snowflake("guild_id")).id


def _commands(em: EmulatorHost, guild_id: int | None) -> list[ApplicationCommand]:
    return [c for c in em.world.commands.values() if c.guild_id == guild_id]


def _upsert(em: EmulatorHost, guild_id: int | None, body: dict[str, Any]) -> ApplicationCommand:
    """Like Discord, overwriting a command of the same name and type keeps its id."""
    kind = int(body.get("type", 1))
    same = next(
        (c for c in _commands(em, guild_id) if c.name == body["name"] and c.type == kind), None
    )
    command = ApplicationCommand(
        id=same.id if same else em.world.snowflakes.next(),
        application_id=em.world.application_id,
        guild_id=guild_id,
        body=body,
        version=em.world.snowflakes.next(),
    )
    em.world.commands[command.id] = command
    return command


async def bulk_overwrite(em: EmulatorHost, call: Call) -> Any:
    guild_id = _scope(em, call)
    bodies = call.body if isinstance(call.body, list) else []
    names = [(int(b.get("type", 1)), b["name"]) for b in bodies]
    duplicates = sorted({name for kind, name in names if names.count((kind, name)) > 1})
    if duplicates:
        raise errors.invalid_form([f"name: application command names must be unique: {duplicates}"])
    kept = [_upsert(em, guild_id, body) for body in bodies]
    for stale in set(_commands(em, guild_id)) - set(kept):
        del em.world.commands[stale.id]
    return [c.to_payload() for c in kept]


async def list_commands(em: EmulatorHost, call: Call) -> Any:
    return [c.to_payload() for c in _commands(em, _scope(em, call))]


async def create_command(em: EmulatorHost, call: Call) -> Any:
    guild_id = _scope(em, call)
    existed = {c.id for c in _commands(em, guild_id)}
    command = _upsert(em, guild_id, call.json)
    return command.to_payload() if command.id in existed else Created(command.to_payload())


def _command(em: EmulatorHost, call: Call) -> ApplicationCommand:
    guild_id = _scope(em, call)
    command = em.world.commands.get(call.snowflake("command_id"))
    if command is None or command.guild_id != guild_id:
        raise errors.unknown("command")
    return command


async def get_command(em: EmulatorHost, call: Call) -> Any:
    return _command(em, call).to_payload()


async def edit_command(em: EmulatorHost, call: Call) -> Any:
    command = _command(em, call)
    command.body = command.body | call.json
    command.version = em.world.snowflakes.next()
    return command.to_payload()


async def delete_command(em: EmulatorHost, call: Call) -> Any:
    del em.world.commands[_command(em, call).id]


for _base in (_GLOBAL, _GUILD):
    ROUTES.route("PUT", _base)(bulk_overwrite)
    ROUTES.route("GET", _base)(list_commands)
    ROUTES.route("POST", _base)(create_command)
    ROUTES.route("GET", _base + "/{command_id}")(get_command)
    ROUTES.route("PATCH", _base + "/{command_id}")(edit_command)
    ROUTES.route("DELETE", _base + "/{command_id}")(delete_command)
