"""Deleting what the bot holds about a person, on their request.

Each feature registers an eraser for the tables in which it keeps Discord user
ids. ``/privacy delete-my-data`` runs every eraser in one transaction, and a
test fails when a table with a user-id column (marked with ``USER_ID_INFO``) has
no eraser that declares it.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

# An eraser deletes or anonymises one user's rows and returns catalog keys
# (``privacy.removed.*``) describing what it removed, one per kind of data found.
Eraser = Callable[[AsyncSession, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class ErasureRegistration:
    feature: str
    tables: tuple[str, ...]
    eraser: Eraser


@dataclass
class ErasureRegistry:
    registrations: list[ErasureRegistration] = field(default_factory=list)

    def register(self, feature: str, tables: tuple[str, ...], eraser: Eraser) -> None:
        self.registrations = [r for r in self.registrations if r.feature != feature]
        self.registrations.append(ErasureRegistration(feature, tables, eraser))

    def covered_tables(self) -> set[str]:
        return {table for r in self.registrations for table in r.tables}


# Populated when the service modules are imported; ``load_erasers`` imports them all.
ERASERS = ErasureRegistry()

# Every service module that keeps user ids registers an eraser when imported.
SERVICES_WITH_USER_DATA = (
    "vcpbot.services.network",
    "vcpbot.services.rules",
    "vcpbot.services.intervisie",
    "vcpbot.services.languages",
)


def load_erasers() -> ErasureRegistry:
    """Import every service that keeps a person's data, so each has registered its eraser."""
    for module in SERVICES_WITH_USER_DATA:
        importlib.import_module(module)
    return ERASERS


def eraser(feature: str, *tables: str) -> Callable[[Eraser], Eraser]:
    """Decorator: ``@eraser("rules", "rules_acknowledgements")``."""

    def decorate(func: Eraser) -> Eraser:
        ERASERS.register(feature, tables, func)
        return func

    return decorate


async def erase_user(session: AsyncSession, user_id: int) -> list[str]:
    """Run every registered eraser; returns what was removed (catalog keys), in order."""
    removed: list[str] = []
    for registration in load_erasers().registrations:
        removed.extend(await registration.eraser(session, user_id))
    return removed
