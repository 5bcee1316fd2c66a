"""``vcpbot check --online``: what Discord itself says about this deployment.

The offline check reads settings and the database; this one logs in with the token
and looks at the hub as Discord sees it: the bot is a member, ``/hub setup`` was run
and its channels still exist, the bot's role holds what the invite asks for and may
post in those channels; in every association's server the same, and its role is above
the VCP role it hands out; and the slash commands Discord shows are the ones this
version defines. It only reads (REST, no gateway session), never leads and changes
nothing, so it can run beside the serving processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
from discord import app_commands

from vcpbot.bot import VCPBotBase, create_bot
from vcpbot.db import Database
from vcpbot.discord_endpoints import point_discord_at, restore
from vcpbot.invite import association_permissions, hub_permissions, names_of
from vcpbot.leadership import Leadership
from vcpbot.services import network
from vcpbot.settings import Settings

# What the bot does in the hub's two channels (cards and nudges; the network log).
CHANNEL_NEEDS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, read_message_history=True
)
RUN_SYNC = "run `vcpbot sync`"


async def check_online(settings: Settings, db: Database) -> list[str]:
    """One line per problem; empty when Discord agrees with the settings."""
    if settings.discord_token is None:
        return []  # the offline check already says where to put it
    previous = point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    bot = create_bot(settings, db, leadership=Leadership())  # never leads, never serves
    try:
        async with bot:
            await bot.login(settings.discord_token.get_secret_value())
            hub = await _hub_problems(bot, settings, db)
            return hub + await _association_problems(bot, db) + await _command_problems(bot)
    except discord.LoginFailure:
        return ["discord_token: Discord did not accept the token; reset it in the developer portal"]
    except (aiohttp.ClientError, TimeoutError, discord.GatewayNotFound) as exc:
        reason = str(exc).strip().splitlines()
        return [f"discord: cannot reach Discord: {reason[0] if reason else type(exc).__name__}"]
    finally:
        restore(previous)


@dataclass(frozen=True)
class _LoggedIn:
    user_id: int
    application_id: int
    translator: app_commands.Translator


def _logged_in(bot: VCPBotBase) -> _LoggedIn:
    """What ``login`` gave the bot (its user, its application, in ``setup_hook`` the
    commands' translator); the check runs only after it."""
    user, application_id, translator = bot.user, bot.application_id, bot.tree.translator
    if user is None or application_id is None or translator is None:
        raise RuntimeError("the online check needs a logged-in bot")
    return _LoggedIn(user.id, application_id, translator)


# --- the hub --------------------------------------------------------------------------


async def _hub_problems(bot: VCPBotBase, settings: Settings, db: Database) -> list[str]:
    hub_id = settings.hub_guild_id
    if hub_id is None:
        return []  # named by the offline check
    try:
        guild = await bot.fetch_guild(hub_id)
        me = await guild.fetch_member(_logged_in(bot).user_id)
    except (discord.Forbidden, discord.NotFound):
        return [
            f"hub_guild_id: the bot is not in the server {hub_id}; add it with the link "
            "from `vcpbot invite-url --server hub`"
        ]
    problems = _missing("hub: the bot's role", me.guild_permissions, hub_permissions())
    async with db.reading() as session:
        hub = await network.get_hub(session, guild_id=hub_id)
    if hub is None:
        return [*problems, "hub: `/hub setup` has not been run in the hub yet"]
    channels = {channel.id: channel for channel in await guild.fetch_channels()}
    wanted = {"escalations": hub.escalations_channel_id, "network log": hub.log_channel_id}
    for what, channel_id in wanted.items():
        channel = channels.get(channel_id)
        if channel is None:
            problems.append(f"hub: the {what} channel set with `/hub setup` no longer exists")
            continue
        where = f"hub: in #{channel.name} ({what}) the bot"
        problems += _missing(where, channel.permissions_for(me), CHANNEL_NEEDS)
    return problems


# --- the associations -------------------------------------------------------------------


async def _association_problems(bot: VCPBotBase, db: Database) -> list[str]:
    async with db.reading() as session:
        associations = await network.in_network(session)
    problems = []
    for association in associations:
        problems += await _one_association(bot, association)
    return problems


async def _one_association(bot: VCPBotBase, association: network.AssociationView) -> list[str]:
    who = f"association {association.name}"
    try:
        guild = await bot.fetch_guild(association.guild_id)
        me = await guild.fetch_member(_logged_in(bot).user_id)
    except (discord.Forbidden, discord.NotFound):
        return [
            f"{who}: the bot cannot see its server; the board adds it again with the invite link"
        ]
    problems = _missing(f"{who}: the bot's role", me.guild_permissions, association_permissions())
    vcp_role = guild.get_role(association.vcp_role_id)
    if vcp_role is None:
        problems.append(f"{who}: the VCP role chosen with `/setup` no longer exists")
    elif me.top_role <= vcp_role:
        problems.append(
            f"{who}: the bot's role is not above the VCP role, so it cannot give it; "
            "the board moves the bot's role up in Server Settings > Roles"
        )
    if association.rules_channel_id is not None:
        channels = {channel.id: channel for channel in await guild.fetch_channels()}
        rules = channels.get(association.rules_channel_id)
        if rules is None:
            problems.append(f"{who}: the rules channel chosen with `/setup` no longer exists")
        else:
            where = f"{who}: in #{rules.name} (rules) the bot"
            problems += _missing(where, rules.permissions_for(me), CHANNEL_NEEDS)
    return problems


def _missing(who: str, held: discord.Permissions, needed: discord.Permissions) -> list[str]:
    lacking = discord.Permissions(needed.value & ~held.value)
    if not lacking.value:
        return []
    names = ", ".join(names_of(lacking))
    return [f"{who} lacks: {names} (the invite link asks for them: `vcpbot invite-url`)"]


# --- the commands ---------------------------------------------------------------------


async def _command_problems(bot: VCPBotBase) -> list[str]:
    tree, logged_in = bot.tree, _logged_in(bot)
    local = [
        await command.get_translated_payload(tree, logged_in.translator)
        for command in tree.get_commands()
    ]
    remote = await bot.http.get_global_commands(logged_in.application_id)
    ours = {c["name"]: _shape(c) for c in local}
    theirs = {c["name"]: _shape(c) for c in remote}
    problems = []
    if missing := sorted(ours.keys() - theirs.keys()):
        problems.append(
            f"commands: not registered with Discord: /{', /'.join(missing)}; {RUN_SYNC}"
        )
    if extra := sorted(theirs.keys() - ours.keys()):
        problems.append(
            f"commands: Discord still shows /{', /'.join(extra)}, gone from this version; "
            + RUN_SYNC
        )
    if changed := sorted(n for n in ours.keys() & theirs.keys() if ours[n] != theirs[n]):
        problems.append(f"commands: /{', /'.join(changed)} changed since the last sync; {RUN_SYNC}")
    return problems


def _shape(command: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a person sees of a command or option (Discord leaves out what is default)."""
    return (
        command.get("type", 1),
        command["name"],
        command.get("description", ""),
        bool(command.get("required", False)),
        tuple(sorted((c["name"], str(c["value"])) for c in command.get("choices") or [])),
        tuple(sorted(_shapes(command.get("options") or []))),
    )


def _shapes(options: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return [_shape(option) for option in options]
