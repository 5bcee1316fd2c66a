"""What the parts of the escalation cog need of the cog that holds them.

The parts (forms, views, the courier) import this Protocol, never ``EscalationCog``: the
cog imports them, so naming it back would tie the package into one cycle. The cog is a
``EscalationHost`` by its shape (tests/test_architecture.py and mypy check it).
"""

from __future__ import annotations

from typing import Protocol, cast

from cogs.escalation._ids import OpenSessions
from vcpbot.bot_types import Bot
from vcpbot.services.escalation import EscalationConfig, EscalationUnavailable


class EscalationHost(Protocol):
    """The cog, as its parts see it."""

    @property
    def bot(self) -> Bot: ...

    @property
    def sessions(self) -> OpenSessions: ...

    def require_config(self) -> EscalationConfig:
        """The keys and policy, or ``EscalationUnavailable`` when reporting is off."""
        ...

    def kick(self) -> None:
        """Deliver what a commit just queued now, not at the next tick."""
        ...


def host_of(bot: Bot) -> EscalationHost:
    """The loaded cog, for a persistent button that Discord hands only the client."""
    cog = bot.get_cog("EscalationCog")
    if cog is None:  # the cog is unloading; nothing can be saved now
        raise EscalationUnavailable()
    return cast(EscalationHost, cog)
