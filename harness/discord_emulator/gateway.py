"""The gateway: a websocket speaking Discord's protocol (JSON text frames, no compression).

Sessions outlive their socket so a dropped bot can RESUME and get what it
missed; faults (drop, invalid session, slow dispatch) are injected on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from discord_emulator.guild import Guild
    from discord_emulator.world import World

GUILDS, GUILD_MEMBERS, GUILD_PRESENCES = 1 << 0, 1 << 1, 1 << 8
GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 9, 1 << 12, 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME = 0, 1, 2, 3, 6
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11

_STRIPPED_WITHOUT_CONTENT = {"content": "", "embeds": [], "attachments": [], "components": []}


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str


@dataclass(frozen=True)
class _Text:
    text: str
    dispatch: bool


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    path: str
    queue: asyncio.Queue[_Text | _Close] = field(default_factory=asyncio.Queue)
    session: Session | None = None
    closed_by_server: bool = False

    def send(self, frame: dict[str, Any]) -> None:
        self.queue.put_nowait(_Text(json.dumps(frame), dispatch=False))

    def send_dispatch(self, text: str) -> None:
        self.queue.put_nowait(_Text(text, dispatch=True))

    def close(self, code: int, reason: str) -> None:
        self.queue.put_nowait(_Close(code, reason))


@dataclass(eq=False)
class Session:
    id: str
    intents: int
    shard: tuple[int, int]
    seq: int = 0
    # Every dispatch as sent (serialised at once, so later changes to the world don't leak in).
    frames: list[tuple[int, str]] = field(default_factory=list)
    connection: Connection | None = None

    def covers(self, guild_id: int | None) -> bool:
        shard_id, count = self.shard
        return (0 if guild_id is None else (guild_id >> 22) % count) == shard_id

    def push(self, event: str, data: Any) -> None:
        """Number and keep a dispatch (for RESUME), and send it if a socket is attached."""
        self.seq += 1
        text = json.dumps({"op": DISPATCH, "t": event, "s": self.seq, "d": data})
        self.frames.append((self.seq, text))
        if self.connection is not None:
            self.connection.send_dispatch(text)


class GatewayHost(Protocol):
    """What the gateway reads of the emulator (``server.Emulator``, which imports this module)."""

    @property
    def world(self) -> World: ...

    @property
    def token(self) -> str: ...

    @property
    def privileged_intents(self) -> int: ...

    @property
    def resume_gateway_url(self) -> str: ...

    @property
    def application_flags(self) -> int: ...


class Gateway:
    def __init__(self, emulator: GatewayHost) -> None:
        self._em = emulator
        self.heartbeat_interval_ms = 41_250
        self.dispatch_delay = 0.0
        self.sessions: dict[str, Session] = {}
        self.connections: list[Connection] = []
        self.identifies = 0
        self.resumes = 0
        # Close codes the gateway sent, e.g. 4004 for a bad token.
        self.close_codes: list[int] = []

    @property
    def live(self) -> bool:
        """Whether some bot session exists (connected, or dropped but resumable)."""
        return bool(self.sessions)

    # -- faults -----------------------------------------------------------------------------

    async def drop(self, code: int = 1001) -> None:
        """Cut every socket as a network failure would; sessions stay resumable."""
        for connection in list(self.connections):
            await self._close(connection, code, "dropped by the emulator")

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9; unless resumable, the sessions are gone and the bot must IDENTIFY again."""
        for session in list(self.sessions.values()):
            if session.connection is not None:
                session.connection.send({"op": INVALID_SESSION, "d": resumable})
            if not resumable:
                del self.sessions[session.id]

    def delay_dispatches(self, seconds: float) -> None:
        self.dispatch_delay = seconds

    async def close(self) -> None:
        for connection in list(self.connections):
            await self._close(connection, 1001, "emulator stopping")

    # -- dispatch -------------------------------------------------------------------------

    def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None) -> None:
        for session in list(self.sessions.values()):
            if session.covers(guild_id) and self._wants(session, event, data, guild_id):
                session.push(event, self._shape(session, event, data, guild_id))

    def send_guild_create(self, guild: Guild) -> None:
        """The bot joined a guild: unlike at start-up, the payload has no ``unavailable`` key."""
        for session in list(self.sessions.values()):
            if session.covers(guild.id) and session.intents & GUILDS:
                payload = self._guild_create(session, guild)
                del payload["unavailable"]
                session.push("GUILD_CREATE", payload)

    def _wants(
        self, session: Session, event: str, data: dict[str, Any], guild_id: int | None
    ) -> bool:
        """Whether the session's intents ask for this event."""
        if event.startswith("MESSAGE_") or event == "CHANNEL_PINS_UPDATE":
            needed = GUILD_MESSAGES if guild_id is not None else DIRECT_MESSAGES
            if event == "CHANNEL_PINS_UPDATE":
                needed = GUILDS if guild_id is not None else DIRECT_MESSAGES
        elif event.startswith("GUILD_MEMBER_") or event == "THREAD_MEMBERS_UPDATE":
            # The bot always hears about its own membership.
            if str(data.get("user", {}).get("id")) == str(self._em.world.bot_user.id):
                return True
            needed = GUILD_MEMBERS
        elif event.startswith("GUILD_SCHEDULED_EVENT_"):
            needed = GUILD_SCHEDULED_EVENTS
        elif event == "INTERACTION_CREATE":
            return True
        else:
            needed = GUILDS
        return bool(session.intents & needed)

    def _shape(
        self, session: Session, event: str, data: dict[str, Any], guild_id: int | None
    ) -> dict[str, Any]:
        """Without MESSAGE_CONTENT, guild messages arrive emptied unless by or about the bot."""
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or session.intents & MESSAGE_CONTENT:
            return data
        bot_id = str(self._em.world.bot_user.id)
        about_bot = data.get("author", {}).get("id") == bot_id or any(
            m.get("id") == bot_id for m in data.get("mentions", [])
        )
        if guild_id is None or about_bot:
            return data
        return data | _STRIPPED_WITHOUT_CONTENT

    def _guild_create(self, session: Session, guild: Guild) -> dict[str, Any]:
        # Without GUILD_MEMBERS Discord sends only the bot's own member.
        members = (
            list(guild.members.values())
            if session.intents & GUILD_MEMBERS
            else ([guild.bot_member] if guild.bot_member else [])
        )
        return guild.to_payload(members=members)

    # -- the socket -----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connection = Connection(ws=ws, path=request.path)
        self.connections.append(connection)
        writer = asyncio.create_task(self._write(connection))
        connection.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    break
                try:
                    frame = json.loads(message.data)
                except ValueError:
                    connection.close(4002, "Error while decoding payload.")
                    continue
                self._receive(connection, frame)
        finally:
            await self._detach(connection, ws.close_code)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        return ws

    async def _write(self, connection: Connection) -> None:
        while True:
            frame = await connection.queue.get()
            if isinstance(frame, _Close):
                await self._close(connection, frame.code, frame.reason)
                return
            if frame.dispatch and self.dispatch_delay:
                await asyncio.sleep(self.dispatch_delay)
            try:
                await connection.ws.send_str(frame.text)
            except (ConnectionResetError, RuntimeError):
                return

    async def _close(self, connection: Connection, code: int, reason: str) -> None:
        connection.closed_by_server = True
        self.close_codes.append(code)
        await connection.ws.close(code=code, message=reason.encode())

    async def _detach(self, connection: Connection, close_code: int | None) -> None:
        if connection in self.connections:
            self.connections.remove(connection)
        session = connection.session
        if session is None or session.connection is not connection:
            return
        session.connection = None
        if not connection.closed_by_server and close_code in (1000, 1001):
            # A clean close from the bot ends its session: it cannot be resumed.
            self.sessions.pop(session.id, None)
        self._em.world.notify()

    def _receive(self, connection: Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            connection.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            self._identify(connection, data or {})
        elif op == RESUME:
            self._resume(connection, data or {})
        elif op == REQUEST_MEMBERS:
            self._request_members(connection, data or {})
        elif op != PRESENCE:
            connection.close(4001, "Unknown opcode.")

    def _identify(self, connection: Connection, data: dict[str, Any]) -> None:
        if connection.session is not None:
            connection.close(4005, "Already authenticated.")
            return
        if data.get("token") != self._em.token:
            connection.close(4004, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            connection.close(4013, "Invalid intent(s).")
            return
        if intents & PRIVILEGED & ~self._em.privileged_intents:
            connection.close(4014, "Disallowed intent(s).")
            return
        shard_id, count = data.get("shard") or (0, 1)
        if not 0 <= shard_id < count:
            connection.close(4010, "Invalid shard.")
            return
        session = Session(id=secrets.token_hex(16), intents=intents, shard=(shard_id, count))
        self.sessions[session.id] = session
        session.connection = connection
        connection.session = session
        self.identifies += 1
        session.push("READY", self._ready(session))
        for guild in self._em.world.guilds.values():
            if guild.has_bot and session.covers(guild.id) and intents & GUILDS:
                session.push("GUILD_CREATE", self._guild_create(session, guild))
        self._em.world.notify()

    def _ready(self, session: Session) -> dict[str, Any]:
        world = self._em.world
        return {
            "v": 10,
            "user": world.bot_user.to_payload() | {"verified": True, "mfa_enabled": False},
            "guilds": [
                {"id": str(g.id), "unavailable": True}
                for g in world.guilds.values()
                if g.has_bot and session.covers(g.id)
            ],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self._em.resume_gateway_url,
            "shard": list(session.shard),
            "application": {"id": str(world.application_id), "flags": self._em.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }

    def _resume(self, connection: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self._em.token:
            connection.close(4004, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        if session is None:
            connection.send({"op": INVALID_SESSION, "d": False})
            return
        if session.connection is not None and session.connection is not connection:
            session.connection.close(4000, "Session resumed elsewhere.")
        session.connection = connection
        connection.session = session
        last_seen = int(data.get("seq") or 0)
        for seq, text in session.frames:
            if seq > last_seen:
                connection.send_dispatch(text)
        self.resumes += 1
        session.push("RESUMED", {})
        self._em.world.notify()

    def _request_members(self, connection: Connection, data: dict[str, Any]) -> None:
        session = connection.session
        guild = self._em.world.guilds.get(int(data.get("guild_id", 0)))
        if session is None or guild is None:
            return
        members = list(guild.members.values())
        user_ids = {int(u) for u in data.get("user_ids") or []}
        if user_ids:
            members = [m for m in members if m.user.id in user_ids]
        query = (data.get("query") or "").lower()
        members = [m for m in members if m.user.username.lower().startswith(query)]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        found = {m.user.id for m in members}
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in user_ids - found],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", chunk)
