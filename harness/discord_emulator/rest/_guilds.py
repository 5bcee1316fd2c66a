"""Guilds, roles, members, users and scheduled events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from discord_emulator import access, errors
from discord_emulator import permissions as perm
from discord_emulator.entities import ScheduledEvent
from discord_emulator.guild import Guild
from discord_emulator.routing import ROUTES, Call

if TYPE_CHECKING:
    from discord_emulator.host import EmulatorHost

GUILD_MEMBERS_INTENT = 1 << 1

_ROLES = "/guilds/{guild_id}/roles"
_EVENTS = "/guilds/{guild_id}/scheduled-events"
_EVENT = "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}"

STAGE, VOICE_EVENT, EXTERNAL = 1, 2, 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
_TRANSITIONS = {SCHEDULED: {SCHEDULED, ACTIVE, CANCELED}, ACTIVE: {ACTIVE, COMPLETED}}


@ROUTES.route("GET", "/guilds/{guild_id}")
async def get_guild(em: EmulatorHost, call: Call) -> Any:
    return access.guild(em.world, call.snowflake("guild_id")).rest_payload()


@ROUTES.route("GET", "/guilds/{guild_id}/channels")
async def list_channels(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    return [c.to_payload() for c in found.channels.values() if not c.is_thread]


@ROUTES.route("GET", "/users/{user_id}")
async def get_user(em: EmulatorHost, call: Call) -> Any:
    user = em.world.users.get(call.snowflake("user_id"))
    if user is None:
        raise errors.unknown("user")
    return user.to_payload()


# -- roles ------------------------------------------------------------------------------


@ROUTES.route("GET", _ROLES)
async def list_roles(em: EmulatorHost, call: Call) -> Any:
    return [
        r.to_payload() for r in access.guild(em.world, call.snowflake("guild_id")).roles.values()
    ]


@ROUTES.route("POST", _ROLES)
async def create_role(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    granted = access.require_in_guild(found, perm.MANAGE_ROLES)
    wanted = int(call.json.get("permissions") or 0)
    if wanted & ~granted:
        # A bot cannot hand out permissions it does not have itself.
        raise errors.missing_permissions()
    role = found.create_role(
        call.json.get("name") or "new role",
        permissions=wanted,
        color=int(call.json.get("color") or 0),
        hoist=bool(call.json.get("hoist")),
        mentionable=bool(call.json.get("mentionable")),
    )
    return role.to_payload()


@ROUTES.route("PATCH", "/guilds/{guild_id}/roles/{role_id}")
async def edit_role(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    role = access.role(found, call.snowflake("role_id"))
    access.require_manageable(found, role)
    changes: dict[str, Any] = {
        k: call.json[k] for k in ("name", "color", "hoist", "mentionable") if k in call.json
    }
    if "permissions" in call.json:
        changes["permissions"] = int(call.json["permissions"])
    return found.edit_role(role, **changes).to_payload()


@ROUTES.route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
async def delete_role(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    role = access.role(found, call.snowflake("role_id"))
    access.require_manageable(found, role)
    found.delete_role(role)


# -- members ----------------------------------------------------------------------------


def _member_of(found: Guild, user_id: int) -> Any:
    member = found.members.get(user_id)
    if member is None:
        raise errors.unknown("member")
    return member


@ROUTES.route("GET", "/guilds/{guild_id}/members/{user_id}")
async def get_member(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    return _member_of(found, call.snowflake("user_id")).to_payload()


@ROUTES.route("GET", "/guilds/{guild_id}/members")
async def list_members(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    if not em.privileged_intents & GUILD_MEMBERS_INTENT:
        # Listing members needs the privileged GUILD_MEMBERS intent enabled for the app.
        raise errors.missing_access()
    after = int(call.query.get("after", 0))
    members = sorted(
        (m for m in found.members.values() if m.user.id > after), key=lambda m: m.user.id
    )
    return [m.to_payload() for m in members[: int(call.query.get("limit", 1))]]


async def _change_role(em: EmulatorHost, call: Call, *, add: bool) -> None:
    found = access.guild(em.world, call.snowflake("guild_id"))
    member = _member_of(found, call.snowflake("user_id"))
    role = access.role(found, call.snowflake("role_id"))
    access.require_manageable(found, role)
    if add and role not in member.roles:
        member.roles.append(role)
    elif not add and role in member.roles:
        member.roles.remove(role)
    else:
        return
    em.world.update_member(found, member)


_MEMBER_ROLE = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
ROUTES.route("PUT", _MEMBER_ROLE)(lambda em, call: _change_role(em, call, add=True))
ROUTES.route("DELETE", _MEMBER_ROLE)(lambda em, call: _change_role(em, call, add=False))


# -- scheduled events -------------------------------------------------------------------


def _event_of(found: Guild, call: Call) -> ScheduledEvent:
    event = found.scheduled_events.get(call.snowflake("guild_scheduled_event_id"))
    if event is None:
        raise errors.unknown("scheduled_event")
    return event


def _timestamp(value: str, field: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise errors.invalid_form([f"{field}: {value!r} is not an ISO8601 timestamp"]) from None
    if moment.tzinfo is None:
        # Discord reads a timestamp without an offset as UTC.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _check_event(em: EmulatorHost, found: Guild, event: ScheduledEvent, *, creating: bool) -> None:
    """Discord's own rules for an event, beyond what the schema describes."""
    problems = []
    if event.entity_type == EXTERNAL:
        if event.channel_id is not None:
            problems.append("channel_id: must be null for an external event")
        if not (event.entity_metadata or {}).get("location"):
            problems.append("entity_metadata.location: required for an external event")
        if event.scheduled_end_time is None:
            problems.append("scheduled_end_time: required for an external event")
    else:
        channel = found.channels.get(event.channel_id or 0)
        expected = 13 if event.entity_type == STAGE else 2
        if channel is None or channel.type != expected:
            problems.append(
                f"channel_id: must be a {'stage' if expected == 13 else 'voice'} channel"
            )
    start = datetime.fromisoformat(event.scheduled_start_time)
    if creating and start < em.clock():
        problems.append("scheduled_start_time: cannot schedule an event in the past")
    if event.scheduled_end_time and datetime.fromisoformat(event.scheduled_end_time) <= start:
        problems.append("scheduled_end_time: must be after scheduled_start_time")
    if problems:
        raise errors.invalid_form(problems)


def _apply_event_fields(event: ScheduledEvent, body: dict[str, Any]) -> None:
    for key in ("name", "description", "entity_metadata", "image", "recurrence_rule"):
        if key in body:
            setattr(event, key, body[key])
    for key in ("entity_type", "privacy_level"):
        if key in body:
            setattr(event, key, int(body[key]))
    if "channel_id" in body:
        event.channel_id = None if body["channel_id"] is None else int(body["channel_id"])
    for key in ("scheduled_start_time", "scheduled_end_time"):
        if key in body:
            setattr(event, key, None if body[key] is None else _timestamp(body[key], key))


@ROUTES.route("POST", _EVENTS)
async def create_event(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    access.require_in_guild(found, perm.CREATE_EVENTS | perm.MANAGE_EVENTS)
    body = call.json
    event = ScheduledEvent(
        id=em.world.snowflakes.next(),
        guild_id=found.id,
        name=body["name"],
        creator=em.world.bot_user,
        scheduled_start_time=_timestamp(body["scheduled_start_time"], "scheduled_start_time"),
        entity_type=int(body["entity_type"]),
    )
    _apply_event_fields(event, body)
    _check_event(em, found, event, creating=True)
    found.scheduled_events[event.id] = event
    found.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event.to_payload())
    return event.to_payload()


@ROUTES.route("GET", _EVENTS)
async def list_events(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    return [e.to_payload() for e in found.scheduled_events.values()]


@ROUTES.route("GET", _EVENT)
async def get_event(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    return _event_of(found, call).to_payload()


def _require_event_rights(found: Guild, event: ScheduledEvent, bot_id: int) -> None:
    """Own events need CREATE_EVENTS or MANAGE_EVENTS; other people's need MANAGE_EVENTS."""
    needed = (
        perm.CREATE_EVENTS | perm.MANAGE_EVENTS
        if event.creator.id == bot_id
        else perm.MANAGE_EVENTS
    )
    access.require_in_guild(found, needed)


@ROUTES.route("PATCH", _EVENT)
async def edit_event(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    event = _event_of(found, call)
    _require_event_rights(found, event, em.world.bot_user.id)
    if "status" in call.json:
        status = int(call.json["status"])
        if status not in _TRANSITIONS.get(event.status, set()):
            raise errors.invalid_form([f"status: cannot go from {event.status} to {status}"])
        event.status = status
    elif event.status in (COMPLETED, CANCELED):
        raise errors.invalid_form(["status: a finished or canceled event cannot be edited"])
    _apply_event_fields(event, call.json)
    _check_event(em, found, event, creating=False)
    found.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event.to_payload())
    return event.to_payload()


@ROUTES.route("DELETE", _EVENT)
async def delete_event(em: EmulatorHost, call: Call) -> Any:
    found = access.guild(em.world, call.snowflake("guild_id"))
    event = _event_of(found, call)
    _require_event_rights(found, event, em.world.bot_user.id)
    del found.scheduled_events[event.id]
    found.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event.to_payload())
