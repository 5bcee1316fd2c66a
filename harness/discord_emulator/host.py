"""The emulator as its REST handlers and the test driver see it.

``server.Emulator`` imports the handlers, the gateway and the driver; they name this
Protocol instead of ``Emulator``, so no module of the emulator imports back the one that
assembles it (the acyclic_siblings contract in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from discord_emulator.entities import Channel, Message, User
from discord_emulator.gateway import Gateway, GatewayHost
from discord_emulator.ratelimit import RateLimits


class EmulatorHost(GatewayHost, Protocol):
    """One emulated Discord: its world, gateway, clocks and the failures it recorded."""

    @property
    def app_owner(self) -> User: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def failures(self) -> list[str]: ...

    @property
    def gateway(self) -> Gateway: ...

    @property
    def gateway_url(self) -> str: ...

    @property
    def recommended_shards(self) -> int: ...

    @property
    def interaction_deadline(self) -> float: ...

    @property
    def interaction_token_lifetime(self) -> float: ...

    @property
    def rate_limits(self) -> RateLimits: ...

    def channel_messages(self, channel: Channel, *, viewer: User) -> list[Message]:
        """What ``viewer`` sees in a channel, oldest first."""
        ...
