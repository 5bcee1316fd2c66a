"""What the parts of the intervisie cog need of the cog that holds them.

The planner and the attendance form import this Protocol, never ``IntervisieCog``: the
cog imports them, so naming it back would tie the package into a cycle.
"""

from __future__ import annotations

from typing import Protocol

from cogs.intervisie._delivery import HubEvents
from cogs.intervisie._fanout import ProgressFollower
from cogs.intervisie._names import Names
from cogs.intervisie._notify import Notifier
from vcpbot.bot_types import Bot
from vcpbot.services.intervisie import Policy


class IntervisieHost(Protocol):
    """The cog, as the planner and the attendance form see it."""

    @property
    def bot(self) -> Bot: ...

    @property
    def policy(self) -> Policy: ...

    @property
    def events(self) -> HubEvents: ...

    @property
    def notifier(self) -> Notifier: ...

    @property
    def names(self) -> Names: ...

    async def rows_changed(self, *, invitation_ids: list[int] | None = None) -> None:
        """The leader's reminder jobs match the rows again, after a committed change."""
        ...

    @property
    def progress(self) -> ProgressFollower: ...

    async def send_invitations(self) -> None:
        """Queued invitations go out: the leader's worker starts (or is woken)."""
        ...
