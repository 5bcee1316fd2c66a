"""Building INTERACTION_CREATE payloads the way Discord's client and API would for a person."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from discord_emulator import permissions as perm
from discord_emulator.entities import Attachment, Channel, Member, Message, Role, User
from discord_emulator.guild import Guild
from discord_emulator.interactions import Interaction
from discord_emulator.world import World

__all__ = ["Resolved", "command_options", "find_subcommand", "nest", "new_interaction"]

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)


@dataclass
class Resolved:
    """The ``data.resolved`` map: full objects for the ids a person picked."""

    guild: Guild | None
    channel: Channel
    world: World
    viewer: User
    users: dict[str, Any] = field(default_factory=dict)
    members: dict[str, Any] = field(default_factory=dict)
    roles: dict[str, Any] = field(default_factory=dict)
    channels: dict[str, Any] = field(default_factory=dict)
    attachments: dict[str, Any] = field(default_factory=dict)
    messages: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        """Resolve one picked object and return the id that goes in the option or values."""
        if isinstance(value, Member):
            value = value.user
        if isinstance(value, User):
            self.users[str(value.id)] = value.to_payload()
            guild = self.guild
            member = guild.member(value) if guild else None
            if guild is not None and member is not None:
                partial = member.to_payload()
                del partial["user"]
                partial["permissions"] = str(guild.permissions_for(value, self.channel))
                self.members[str(value.id)] = partial
            return str(value.id)
        if isinstance(value, Role):
            self.roles[str(value.id)] = value.to_payload()
            return str(value.id)
        if isinstance(value, Channel):
            self.channels[str(value.id)] = self._channel(value)
            return str(value.id)
        if isinstance(value, Attachment):
            self.attachments[str(value.id)] = value.to_payload()
            return str(value.id)
        raise AssertionError(f"cannot pick {value!r}: expected a User, Role, Channel or Attachment")

    def _channel(self, channel: Channel) -> dict[str, Any]:
        payload = channel.to_payload()
        keep = ("id", "name", "type", "parent_id", "thread_metadata", "guild_id")
        partial = {k: payload[k] for k in keep if k in payload}
        # The permissions are the invoking person's, in the picked channel.
        viewer_perms = 0 if self.guild is None else self.guild.permissions_for(self.viewer, channel)
        partial["permissions"] = str(viewer_perms)
        return partial

    def to_payload(self) -> dict[str, Any]:
        parts = {
            "users": self.users,
            "members": self.members,
            "roles": self.roles,
            "channels": self.channels,
            "attachments": self.attachments,
            "messages": self.messages,
        }
        return {k: v for k, v in parts.items() if v}


def new_interaction(
    world: World,
    *,
    kind: int,
    user: User,
    guild: Guild | None,
    channel: Channel,
    data: dict[str, Any],
    source_message: Message | None = None,
) -> Interaction:
    """An interaction with the full payload Discord would dispatch for it."""
    interaction = Interaction(
        id=world.snowflakes.next(),
        # Real tokens are long opaque strings; their length catches code that truncates them.
        token="aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96),
        type=kind,
        user=user,
        channel=channel,
        guild=guild,
        data=data,
        source_message=source_message,
    )
    interaction.payload = _payload(world, interaction)
    world.interactions[interaction.id] = interaction
    return interaction


def _payload(world: World, interaction: Interaction) -> dict[str, Any]:
    user, guild, channel = interaction.user, interaction.guild, interaction.channel
    payload: dict[str, Any] = {
        "id": str(interaction.id),
        "application_id": str(world.application_id),
        "type": interaction.type,
        "data": interaction.data,
        "token": interaction.token,
        "version": 1,
        "locale": user.locale,
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "channel_id": str(channel.id),
    }
    if guild is not None:
        member = guild.member(user)
        if member is None:
            raise AssertionError(f"{user.username} is not a member of {guild.name}")
        viewer_perms = guild.permissions_for(user, channel)
        payload |= {
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            "guild_locale": guild.preferred_locale,
            "member": member.to_payload() | {"permissions": str(viewer_perms)},
            "channel": channel.to_payload() | {"permissions": str(viewer_perms)},
            "app_permissions": str(guild.permissions_for(world.bot_user, channel)),
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
        }
    else:
        payload |= {
            "user": user.to_payload(),
            "channel": channel.to_payload(),
            "app_permissions": str(
                perm.VIEW_CHANNEL
                | perm.SEND_MESSAGES
                | perm.EMBED_LINKS
                | perm.ATTACH_FILES
                | perm.READ_MESSAGE_HISTORY
            ),
            # A guild-installed app used in its own DM reports "0" as the owner.
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
        }
    if interaction.source_message is not None:
        payload["message"] = interaction.source_message.to_payload()
    return payload


# -- slash command options --------------------------------------------------------------


def command_options(
    definitions: list[dict[str, Any]],
    values: Mapping[str, Any],
    resolved: Resolved,
    *,
    focused: str | None = None,
) -> list[dict[str, Any]]:
    """Options as the client sends them, checked as the client would check them."""
    by_name = {d["name"]: d for d in definitions}
    unknown = set(values) - set(by_name)
    if unknown:
        raise AssertionError(
            f"no such option(s) {sorted(unknown)}; the command has {sorted(by_name)}"
        )
    missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in values]
    if missing and focused is None:
        raise AssertionError(f"required option(s) missing: {missing}")
    options = []
    for name, value in values.items():
        definition = by_name[name]
        option: dict[str, Any] = {"name": name, "type": definition["type"]}
        if name == focused:
            option |= {"value": str(value), "focused": True}
        else:
            option["value"] = _option_value(definition, value, resolved)
        options.append(option)
    return options


def free_text(definitions: list[dict[str, Any]], values: Mapping[str, Any]) -> list[str]:
    """What a person typed into options, rather than picked from a list of choices."""
    by_name = {d["name"]: d for d in definitions}
    return [
        value
        for name, value in values.items()
        if isinstance(value, str)
        and by_name.get(name, {}).get("type") == STRING
        and not by_name[name].get("choices")
    ]


def _option_value(definition: dict[str, Any], value: Any, resolved: Resolved) -> Any:
    kind, name = definition["type"], definition["name"]
    choices = [c["value"] for c in definition.get("choices") or []]
    if choices and value not in choices:
        raise AssertionError(f"option {name!r}: {value!r} is not one of the choices {choices}")
    if kind == STRING:
        if not isinstance(value, str):
            raise AssertionError(f"option {name!r} takes text, not {value!r}")
        lo, hi = definition.get("min_length", 0), definition.get("max_length", 6000)
        if not lo <= len(value) <= hi:
            raise AssertionError(f"option {name!r}: length {len(value)} outside {lo}..{hi}")
        return value
    if kind in (INTEGER, NUMBER):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind == INTEGER and not isinstance(value, int))
        ):
            raise AssertionError(f"option {name!r} takes a number, not {value!r}")
        lo, hi = definition.get("min_value"), definition.get("max_value")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise AssertionError(f"option {name!r}: {value} outside {lo}..{hi}")
        return value
    if kind == BOOLEAN:
        return bool(value)
    if (
        kind == CHANNEL
        and definition.get("channel_types")
        and isinstance(value, Channel)
        and value.type not in definition["channel_types"]
    ):
        raise AssertionError(f"option {name!r}: channel type {value.type} is not offered")
    return resolved.add(value)


def find_subcommand(
    definitions: list[dict[str, Any]], path: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follow ``["group", "sub"]`` into the definitions; returns (chain, leaf options)."""
    chain = []
    for part in path:
        found = next(
            (
                d
                for d in definitions
                if d["name"] == part and d["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ),
            None,
        )
        if found is None:
            names = [
                d["name"] for d in definitions if d["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ]
            raise AssertionError(f"no subcommand {part!r}; there are {names}")
        chain.append(found)
        definitions = found.get("options") or []
    if any(d["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for d in definitions):
        raise AssertionError("this command needs a subcommand (pass subcommand=...)")
    return chain, definitions


def nest(chain: list[dict[str, Any]], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for level in reversed(chain):
        options = [{"type": level["type"], "name": level["name"], "options": options}]
    return options
