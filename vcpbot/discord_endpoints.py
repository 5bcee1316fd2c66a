"""Where discord.py sends REST calls and opens its gateway.

discord.py keeps both in process-wide class attributes. The entry point sets
them from the settings (``discord_api_base``, ``discord_gateway_url``), which is
how the emulator, the demo and any Discord-compatible server reach the bot; the
tests restore them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def point_discord_at(api_base: str, gateway_url: str) -> tuple[str, yarl.URL]:
    """Redirect discord.py; returns the previous values for ``restore``."""
    previous = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    Route.BASE = api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    return previous


def restore(previous: tuple[str, yarl.URL]) -> None:
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = previous


@contextmanager
def discord_endpoints(api_base: str, gateway_url: str) -> Iterator[None]:
    previous = point_discord_at(api_base, gateway_url)
    try:
        yield
    finally:
        restore(previous)


__all__ = ["discord_endpoints", "point_discord_at", "restore"]
