"""The objects of the emulated Discord world and their wire payloads (API v10 shapes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

EPHEMERAL = 1 << 6
LOADING = 1 << 7

TEXT, DM, VOICE, CATEGORY, PUBLIC_THREAD, PRIVATE_THREAD = 0, 1, 2, 4, 11, 12
THREAD_TYPES = frozenset({10, PUBLIC_THREAD, PRIVATE_THREAD})


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class User:
    id: int
    username: str
    global_name: str | None = None
    locale: str = "en-US"
    bot: bool = False
    # A person who turned off DMs from server members: sending to them fails with 50007.
    dms_closed: bool = False

    @property
    def display_name(self) -> str:
        return self.global_name or self.username

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload


@dataclass
class Overwrite:
    id: int
    type: int  # 0 = role, 1 = member
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass(eq=False)
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipients: list[User] = field(default_factory=list)
    owner_id: int | None = None
    messages: list[Message] = field(default_factory=list)
    # Who has joined a thread; a private thread is visible only to them (and thread managers).
    thread_members: set[int] = field(default_factory=set)

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def last_message_id(self) -> str | None:
        return str(self.messages[-1].id) if self.messages else None

    def to_payload(self) -> dict[str, Any]:
        if self.type == DM:
            return {
                "id": str(self.id),
                "type": DM,
                "flags": 0,
                "last_message_id": self.last_message_id,
                "recipients": [u.to_payload() for u in self.recipients],
            }
        payload: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "flags": 0,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "permission_overwrites": [ow.to_payload() for ow in self.overwrites],
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": self.last_message_id,
        }
        if self.type == VOICE:
            payload |= {"bitrate": 64000, "user_limit": 0, "rtc_region": None}
        elif self.type != CATEGORY:
            payload["topic"] = self.topic
        if self.is_thread:
            payload |= self._thread_fields()
        return payload

    def _thread_fields(self) -> dict[str, Any]:
        return {
            "owner_id": str(self.owner_id),
            "message_count": len(self.messages),
            "member_count": len(self.thread_members),
            "total_message_sent": len(self.messages),
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": iso(now()),
                "locked": False,
                "invitable": self.type == PRIVATE_THREAD,
                "create_timestamp": iso(now()),
            },
        }


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    roles: list[Role] = field(default_factory=list)
    nick: str | None = None
    joined_at: datetime = field(default_factory=now)

    def to_payload(self) -> dict[str, Any]:
        return {
            "user": self.user.to_payload(),
            "roles": [str(r.id) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }


@dataclass(eq=False)
class Attachment:
    id: int
    filename: str
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type:
            payload["content_type"] = self.content_type
        if self.description:
            payload["description"] = self.description
        return payload


@dataclass(eq=False)
class Message:
    """A message as stored; ``visible_to`` is set on ephemeral ones (only that user sees them)."""

    id: int
    channel: Channel
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    pinned: bool = False
    tts: bool = False
    created_at: datetime = field(default_factory=now)
    edited_at: datetime | None = None
    deleted: bool = False
    visible_to: int | None = None
    allowed_mentions: dict[str, Any] | None = None
    mentions: list[User] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    message_reference: dict[str, Any] | None = None
    interaction_metadata: dict[str, Any] | None = None
    application_id: int | None = None
    webhook_id: int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred ("thinking...") response that has not been filled in yet."""
        return bool(self.flags & LOADING)

    def visible_for(self, user: User) -> bool:
        return not self.deleted and (self.visible_to is None or self.visible_to == user.id)

    def walk_components(self) -> Iterator[dict[str, Any]]:
        """Every component, however deeply nested (rows, containers, sections, labels)."""
        yield from walk_components(self.components)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in self.walk_components() if c.get("type") == 2]

    @property
    def text(self) -> str:
        """Content, embed text and text displays together, for "does the person see X" asserts."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for f in embed.get("fields", []):
                parts += [f.get("name", ""), f.get("value", "")]
            parts.append(embed.get("footer", {}).get("text", ""))
        parts += [c.get("content", "") for c in self.walk_components() if c.get("type") == 10]
        return "\n".join(p for p in parts if p)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel.id),
            "type": self.type,
            "author": self.author.to_payload(),
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "attachments": [a.to_payload() for a in self.attachments],
            "mentions": [u.to_payload() for u in self.mentions],
            "mention_roles": [str(r) for r in self.mention_roles],
            "mention_everyone": self.mention_everyone,
            "pinned": self.pinned,
            "tts": self.tts,
            "flags": self.flags,
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at),
        }
        optional = {
            "message_reference": self.message_reference,
            "interaction_metadata": self.interaction_metadata,
            "application_id": None if self.application_id is None else str(self.application_id),
            "webhook_id": None if self.webhook_id is None else str(self.webhook_id),
        }
        payload.update({k: v for k, v in optional.items() if v is not None})
        return payload


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        yield component
        yield from walk_components(component.get("components", []))
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from walk_components([component[key]])


@dataclass(eq=False)
class ScheduledEvent:
    id: int
    guild_id: int
    name: str
    creator: User
    scheduled_start_time: str
    entity_type: int
    privacy_level: int = 2
    status: int = 1
    description: str | None = None
    channel_id: int | None = None
    scheduled_end_time: str | None = None
    entity_metadata: dict[str, Any] | None = None
    image: str | None = None
    recurrence_rule: dict[str, Any] | None = None
    user_count: int = 0

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "description": self.description,
            "channel_id": None if self.channel_id is None else str(self.channel_id),
            "creator_id": str(self.creator.id),
            "creator": self.creator.to_payload(),
            "image": self.image,
            "scheduled_start_time": self.scheduled_start_time,
            "scheduled_end_time": self.scheduled_end_time,
            "status": self.status,
            "entity_type": self.entity_type,
            "entity_id": None,
            "entity_metadata": self.entity_metadata,
            "recurrence_rule": self.recurrence_rule,
            "privacy_level": self.privacy_level,
            "user_count": self.user_count,
            "guild_scheduled_event_exceptions": [],
        }


@dataclass(eq=False)
class ApplicationCommand:
    """A command as the bot registered it (the request body), plus what Discord adds."""

    id: int
    application_id: int
    guild_id: int | None
    body: dict[str, Any]
    version: int

    @property
    def name(self) -> str:
        return str(self.body["name"])

    @property
    def type(self) -> int:
        return int(self.body.get("type", 1))

    @property
    def options(self) -> list[dict[str, Any]]:
        return list(self.body.get("options") or [])

    def to_payload(self) -> dict[str, Any]:
        payload = {
            "type": 1,
            "description": "",
            "default_member_permissions": None,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
        } | self.body
        payload |= {
            "id": str(self.id),
            "application_id": str(self.application_id),
            "version": str(self.version),
        }
        if self.guild_id is not None:
            payload["guild_id"] = str(self.guild_id)
        return payload
