"""Making, editing and announcing messages, shared by channel, webhook and callback routes."""

from __future__ import annotations

import re
from typing import Any

from discord_emulator import errors
from discord_emulator.entities import (
    EPHEMERAL,
    LOADING,
    Attachment,
    Channel,
    Message,
    User,
    now,
    walk_components,
)
from discord_emulator.routing import Upload
from discord_emulator.world import World

SUPPRESS_EMBEDS = 1 << 2
SUPPRESS_NOTIFICATIONS = 1 << 12
IS_COMPONENTS_V2 = 1 << 15
_SENDABLE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_ALL_MENTIONS = ("users", "roles", "everyone")


def create(
    world: World,
    *,
    channel: Channel,
    author: User,
    body: dict[str, Any],
    files: list[Upload],
    ephemeral_allowed: bool = False,
    visible_to: int | None = None,
    message_type: int = 0,
    placeholder: bool = False,
    interaction_metadata: dict[str, Any] | None = None,
    webhook_id: int | None = None,
) -> Message:
    """Build, store and announce a message from a create-message style body.

    A ``placeholder`` is the empty "thinking..." message of a deferred interaction response.
    ``webhook_id`` marks an interaction's message: Discord sets it, and ``application_id``,
    to the application's id.
    """
    flags = int(body.get("flags") or 0)
    allowed = _SENDABLE_FLAGS | (EPHEMERAL if ephemeral_allowed else 0)
    if placeholder:
        flags |= LOADING
        allowed |= LOADING
    if flags & ~allowed:
        raise errors.invalid_form([f"flags: {flags & ~allowed} cannot be set on this message"])
    message = Message(
        id=world.snowflakes.next(),
        channel=channel,
        author=author,
        flags=flags,
        type=message_type,
        tts=bool(body.get("tts")),
        message_reference=body.get("message_reference"),
        visible_to=visible_to if flags & EPHEMERAL else None,
        interaction_metadata=interaction_metadata,
        application_id=webhook_id,
        webhook_id=webhook_id,
    )
    _apply_body(world, message, body, files)
    if not placeholder and not (
        message.content
        or message.embeds
        or message.components
        or message.attachments
        or body.get("sticker_ids")
        or body.get("poll")
    ):
        raise errors.empty_message()
    world.messages[message.id] = message
    channel.messages.append(message)
    if not message.ephemeral:
        world.dispatch("MESSAGE_CREATE", gateway_payload(world, message), _guild_id(world, channel))
    return message


def edit(world: World, message: Message, body: dict[str, Any], files: list[Upload]) -> Message:
    """Apply an edit body (only the fields present change) and announce it."""
    if "flags" in body and body["flags"] is not None:
        # Only SUPPRESS_EMBEDS may be toggled on an existing message.
        message.flags = (message.flags & ~SUPPRESS_EMBEDS) | (int(body["flags"]) & SUPPRESS_EMBEDS)
    _apply_body(world, message, body, files)
    message.edited_at = now()
    announce_update(world, message)
    return message


def announce_update(world: World, message: Message) -> None:
    if not message.ephemeral:
        world.dispatch(
            "MESSAGE_UPDATE", gateway_payload(world, message), _guild_id(world, message.channel)
        )


def delete(world: World, message: Message) -> None:
    message.deleted = True
    if message.ephemeral:
        return
    data = {"id": str(message.id), "channel_id": str(message.channel.id)}
    guild_id = _guild_id(world, message.channel)
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    world.dispatch("MESSAGE_DELETE", data, guild_id)


def gateway_payload(world: World, message: Message) -> dict[str, Any]:
    """MESSAGE_CREATE/UPDATE data: the message plus ``guild_id`` and the author's member."""
    payload = message.to_payload()
    guild = world.guild_of(message.channel)
    if guild is not None:
        payload["guild_id"] = str(guild.id)
        member = guild.member(message.author)
        if member is not None:
            partial = member.to_payload()
            del partial["user"]
            payload["member"] = partial
    return payload


def _guild_id(world: World, channel: Channel) -> int | None:
    guild = world.guild_of(channel)
    return None if guild is None else guild.id


def _apply_body(world: World, message: Message, body: dict[str, Any], files: list[Upload]) -> None:
    if "content" in body:
        message.content = body["content"] or ""
    if "embeds" in body:
        message.embeds = [{"type": "rich"} | e for e in body["embeds"] or []]
    if "components" in body:
        message.components = number_components(body["components"] or [])
    if "allowed_mentions" in body:
        message.allowed_mentions = body["allowed_mentions"]
    if "attachments" in body or files:
        message.attachments = _attachments(world, message, body.get("attachments"), files)
    _resolve_mentions(world, message)
    if message.author is world.bot_user and message.text:
        world.shown.append(message.text)


def number_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every component a numeric ``id`` as Discord does when the sender left it out."""
    taken = {c["id"] for c in walk_components(components) if isinstance(c.get("id"), int)}
    counter = 0
    for component in walk_components(components):
        if "id" not in component:
            counter += 1
            while counter in taken:
                counter += 1
            component["id"] = counter
    return components


def _attachments(
    world: World, message: Message, listed: list[dict[str, Any]] | None, files: list[Upload]
) -> list[Attachment]:
    """Keep the listed existing attachments and add one attachment per uploaded file.

    In a body, ``attachments`` lists both kept attachments (by their snowflake) and
    new uploads (by the ``n`` of their ``files[n]`` part, with filename and description).
    """
    if listed is None:
        kept, listed_by_id = list(message.attachments), {}
    else:
        listed_by_id = {str(item.get("id")): item for item in listed}
        kept = [a for a in message.attachments if str(a.id) in listed_by_id]
    added = []
    for upload in files:
        meta = listed_by_id.get(str(upload.index), {})
        added.append(
            world.new_attachment(
                meta.get("filename") or upload.filename,
                upload.data,
                channel_id=message.channel.id,
                content_type=upload.content_type,
                description=meta.get("description"),
            )
        )
    return kept + added


def _resolve_mentions(world: World, message: Message) -> None:
    """Who the message pings, after ``allowed_mentions`` (Discord's default: everyone parsed)."""
    allowed = message.allowed_mentions
    parse = list(_ALL_MENTIONS) if allowed is None else list(allowed.get("parse") or [])
    explicit_users = {int(u) for u in (allowed or {}).get("users") or []}
    explicit_roles = {int(r) for r in (allowed or {}).get("roles") or []}
    content = message.content
    message.mentions = [
        world.users[uid]
        for uid in dict.fromkeys(int(m) for m in _USER_MENTION.findall(content))
        if uid in world.users and ("users" in parse or uid in explicit_users)
    ]
    message.mention_roles = [
        rid
        for rid in dict.fromkeys(int(m) for m in _ROLE_MENTION.findall(content))
        if "roles" in parse or rid in explicit_roles
    ]
    message.mention_everyone = "everyone" in parse and (
        "@everyone" in content or "@here" in content
    )
