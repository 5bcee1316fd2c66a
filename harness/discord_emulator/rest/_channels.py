"""Channels, messages, pins, threads, typing and DMs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from discord_emulator import access, errors, messages
from discord_emulator import permissions as perm
from discord_emulator.entities import DM, PRIVATE_THREAD, PUBLIC_THREAD, Channel, Message, iso, now
from discord_emulator.routing import ROUTES, Call, Created

if TYPE_CHECKING:
    from discord_emulator.host import EmulatorHost

_MESSAGES = "/channels/{channel_id}/messages"
_MESSAGE = "/channels/{channel_id}/messages/{message_id}"


def _message(em: EmulatorHost, where: Channel, call: Call) -> Message:
    """A message the bot can fetch: ephemeral ones exist only for their user."""
    found = em.world.messages.get(call.snowflake("message_id"))
    if found is None or found.channel is not where or found.deleted or found.ephemeral:
        raise errors.unknown("message")
    return found


@ROUTES.route("GET", "/channels/{channel_id}")
async def get_channel(em: EmulatorHost, call: Call) -> Any:
    found = access.channel(em.world, call.snowflake("channel_id"))
    access.require_in_channel(em.world, found, 0)
    return found.to_payload()


@ROUTES.route("POST", _MESSAGES)
async def create_message(em: EmulatorHost, call: Call) -> Any:
    where = access.channel(em.world, call.snowflake("channel_id"))
    if where.type == DM:
        recipient = where.recipients[0]
        if recipient.dms_closed or recipient.bot or not em.world.shares_guild_with_bot(recipient):
            raise errors.cannot_dm()
    else:
        send = perm.SEND_MESSAGES_IN_THREADS if where.is_thread else perm.SEND_MESSAGES
        access.require_in_channel(em.world, where, send | (perm.ATTACH_FILES if call.files else 0))
    reference = call.json.get("message_reference")
    if reference and reference.get("message_id") and reference.get("fail_if_not_exists", True):
        referenced = em.world.messages.get(int(reference["message_id"]))
        if referenced is None or referenced.deleted:
            raise errors.invalid_form(["message_reference: unknown message"])
    message = messages.create(
        em.world,
        channel=where,
        author=em.world.bot_user,
        body=call.json,
        files=call.files,
        message_type=19 if reference else 0,
    )
    return message.to_payload()


@ROUTES.route("GET", _MESSAGES)
async def list_messages(em: EmulatorHost, call: Call) -> Any:
    where = access.channel(em.world, call.snowflake("channel_id"))
    access.require_in_channel(em.world, where, perm.READ_MESSAGE_HISTORY)
    visible = sorted(
        (m for m in where.messages if not m.deleted and not m.ephemeral), key=lambda m: m.id
    )
    page = _page(visible, call.query, int(call.query.get("limit", 50)))
    return [m.to_payload() for m in reversed(page)]


def _page(oldest_first: list[Message], query: Mapping[str, str], limit: int) -> list[Message]:
    """Discord's paging: ``before``, ``after`` or ``around`` an id (else the newest)."""
    if "after" in query:
        return [m for m in oldest_first if m.id > int(query["after"])][:limit]
    if "around" in query:
        pivot = next(
            (i for i, m in enumerate(oldest_first) if m.id >= int(query["around"])),
            len(oldest_first),
        )
        start = max(pivot - limit // 2, 0)
        return oldest_first[start : start + limit]
    if "before" in query:
        oldest_first = [m for m in oldest_first if m.id < int(query["before"])]
    return oldest_first[-limit:] if limit else []


@ROUTES.route("GET", _MESSAGE)
async def get_message(em: EmulatorHost, call: Call) -> Any:
    where = access.channel(em.world, call.snowflake("channel_id"))
    access.require_in_channel(em.world, where, perm.READ_MESSAGE_HISTORY)
    return _message(em, where, call).to_payload()


@ROUTES.route("PATCH", _MESSAGE)
async def edit_message(em: EmulatorHost, call: Call) -> Any:
    where = access.channel(em.world, call.snowflake("channel_id"))
    # Even its own messages: a bot that cannot see the channel gets 50001 Missing Access.
    access.require_in_channel(em.world, where, 0)
    message = _message(em, where, call)
    if message.author is not em.world.bot_user:
        raise errors.not_author()
    return messages.edit(em.world, message, call.json, call.files).to_payload()


@ROUTES.route("DELETE", _MESSAGE)
async def delete_message(em: EmulatorHost, call: Call) -> Any:
    where = access.channel(em.world, call.snowflake("channel_id"))
    access.require_in_channel(em.world, where, 0)
    message = _message(em, where, call)
    if message.author is not em.world.bot_user:
        if where.type == DM:
            raise errors.DiscordError(403, 50003, "Cannot execute action on a DM channel")
        access.require_in_channel(em.world, where, perm.MANAGE_MESSAGES)
    messages.delete(em.world, message)


async def _set_pin(em: EmulatorHost, call: Call, *, pinned: bool) -> None:
    where = access.channel(em.world, call.snowflake("channel_id"))
    granted = access.bot_permissions(em.world, where)
    if not granted & perm.VIEW_CHANNEL:
        raise errors.missing_access()
    if not granted & (perm.MANAGE_MESSAGES | perm.PIN_MESSAGES):
        raise errors.missing_permissions()
    message = _message(em, where, call)
    message.pinned = pinned
    messages.announce_update(em.world, message)
    guild = em.world.guild_of(where)
    data = {"channel_id": str(where.id), "last_pin_timestamp": iso(now())}
    if guild is not None:
        data["guild_id"] = str(guild.id)
    em.world.dispatch("CHANNEL_PINS_UPDATE", data, None if guild is None else guild.id)


for _template in (
    "/channels/{channel_id}/pins/{message_id}",
    "/channels/{channel_id}/messages/pins/{message_id}",
):
    ROUTES.route("PUT", _template)(lambda em, call: _set_pin(em, call, pinned=True))
    ROUTES.route("DELETE", _template)(lambda em, call: _set_pin(em, call, pinned=False))


def _pinned(em: EmulatorHost, call: Call) -> list[Message]:
    where = access.channel(em.world, call.snowflake("channel_id"))
    access.require_in_channel(em.world, where, perm.READ_MESSAGE_HISTORY)
    return [m for m in where.messages if m.pinned and not m.deleted]


@ROUTES.route("GET", "/channels/{channel_id}/pins")
async def list_pins_legacy(em: EmulatorHost, call: Call) -> Any:
    return [m.to_payload() for m in reversed(_pinned(em, call))]


@ROUTES.route("GET", "/channels/{channel_id}/messages/pins")
async def list_pins(em: EmulatorHost, call: Call) -> Any:
    items = [
        {"pinned_at": iso(now()), "message": m.to_payload()} for m in reversed(_pinned(em, call))
    ]
    return {"items": items, "has_more": False}


@ROUTES.route("POST", "/channels/{channel_id}/typing")
async def trigger_typing(em: EmulatorHost, call: Call) -> Any:
    where = access.channel(em.world, call.snowflake("channel_id"))
    if where.type != DM:
        access.require_in_channel(em.world, where, perm.SEND_MESSAGES)


@ROUTES.route("POST", "/channels/{channel_id}/threads")
async def create_thread(em: EmulatorHost, call: Call) -> Any:
    parent = access.channel(em.world, call.snowflake("channel_id"))
    kind = int(call.json.get("type") or PRIVATE_THREAD)
    needed = perm.CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else perm.CREATE_PUBLIC_THREADS
    access.require_in_channel(em.world, parent, needed)
    return _open_thread(em, parent, em.world.snowflakes.next(), kind, call.json["name"])


@ROUTES.route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
async def create_thread_from_message(em: EmulatorHost, call: Call) -> Any:
    parent = access.channel(em.world, call.snowflake("channel_id"))
    access.require_in_channel(em.world, parent, perm.CREATE_PUBLIC_THREADS)
    starter = _message(em, parent, call)
    # A thread started from a message shares the message's id.
    return _open_thread(em, parent, starter.id, PUBLIC_THREAD, call.json["name"])


def _open_thread(em: EmulatorHost, parent: Channel, thread_id: int, kind: int, name: str) -> Any:
    guild = em.world.guild_of(parent)
    if guild is None or parent.type != 0:
        raise errors.DiscordError(400, 50024, "Cannot execute action on this channel type")
    if thread_id in em.world.channels:
        raise errors.DiscordError(400, 160004, "A thread has already been created for this message")
    thread = Channel(
        id=thread_id,
        type=kind,
        name=name,
        guild_id=guild.id,
        parent_id=parent.id,
        owner_id=em.world.bot_user.id,
        thread_members={em.world.bot_user.id},
    )
    em.world.register_channel(guild, thread)
    guild.dispatch("THREAD_CREATE", thread.to_payload() | {"newly_created": True})
    return Created(thread.to_payload())


async def _thread_membership(em: EmulatorHost, call: Call, *, join: bool) -> None:
    thread = access.channel(em.world, call.snowflake("channel_id"))
    guild = em.world.guild_of(thread)
    if guild is None or not thread.is_thread:
        raise errors.DiscordError(400, 50024, "Cannot execute action on this channel type")
    raw = call.params.get("user_id", "@me")
    user_id = em.world.bot_user.id if raw == "@me" else call.snowflake("user_id")
    if user_id not in guild.members:
        raise errors.unknown("member")
    if user_id != em.world.bot_user.id:
        access.require_in_channel(em.world, thread, perm.SEND_MESSAGES_IN_THREADS)
    if join:
        thread.thread_members.add(user_id)
    else:
        thread.thread_members.discard(user_id)
    change = (
        {
            "added_members": [
                {
                    "id": str(thread.id),
                    "user_id": str(user_id),
                    "flags": 0,
                    "join_timestamp": iso(now()),
                }
            ]
        }
        if join
        else {"removed_member_ids": [str(user_id)]}
    )
    guild.dispatch(
        "THREAD_MEMBERS_UPDATE",
        {
            "id": str(thread.id),
            "guild_id": str(guild.id),
            "member_count": len(thread.thread_members),
        }
        | change,
    )


for _template in (
    "/channels/{channel_id}/thread-members/{user_id}",
    "/channels/{channel_id}/thread-members/@me",
):
    ROUTES.route("PUT", _template)(lambda em, call: _thread_membership(em, call, join=True))
    ROUTES.route("DELETE", _template)(lambda em, call: _thread_membership(em, call, join=False))


@ROUTES.route("POST", "/users/@me/channels")
async def open_dm(em: EmulatorHost, call: Call) -> Any:
    user = em.world.users.get(int(call.json["recipient_id"]))
    if user is None:
        raise errors.unknown("user")
    return em.world.dm_channel(user).to_payload()
