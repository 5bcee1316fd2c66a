"""What the network cog's parts need of the cog that holds them.

The announcement flows and their delivery worker import this Protocol, never
``NetworkCog``: the cog imports them, so naming it back would tie the package into one
cycle. The cog is an ``AnnounceHost`` by its shape (mypy checks it where the cog hands
itself to a part).
"""

from __future__ import annotations

from typing import Protocol

from vcpbot.bot_types import Bot


class AnnounceHost(Protocol):
    """The cog, as the announcement parts see it."""

    @property
    def bot(self) -> Bot: ...

    def kick_announcements(self) -> None:
        """Deliver what a commit just queued now, not at the next tick."""
        ...
