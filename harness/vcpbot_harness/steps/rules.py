"""Steps of the rules library: the board's ``/rules-admin`` commands and a document
uploaded as a file."""

from __future__ import annotations

from typing import Any

from discord_emulator import Emulator, Message
from vcpbot_harness import AssociationGuild


async def rules_admin(
    emulator: Emulator,
    association: AssociationGuild,
    subcommand: str,
    options: dict[str, Any] | None = None,
    *,
    within: float | None = None,
) -> Message:
    """The board runs ``/rules-admin <subcommand>``: their answer (waited for ``within``
    seconds, the emulator's default if None)."""
    result = await emulator.person(association.admin).slash(
        association.guild, "rules-admin", options or {}, subcommand=subcommand
    )
    return await result.final(within=within)


async def upload(  # noqa: PLR0917 - the file and where it goes
    emulator: Emulator,
    association: AssociationGuild,
    language: str,
    data: bytes,
    filename: str,
    document: str = "house_rules",
    *,
    content_type: str | None = None,
) -> Message:
    """The board attaches a file to ``/rules-admin upload``: their answer."""
    attachment = emulator.upload(filename, data, content_type=content_type)
    return await rules_admin(
        emulator,
        association,
        "upload",
        {"document": document, "language": language, "file": attachment},
    )
