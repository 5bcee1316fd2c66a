"""Which commands this person can use here, as /help lists them.

Decided from the interaction (the place, the member's permissions and roles) and from
our own data (the hub's roles, the VCP registry, the association's member route),
never from what a role's name suggests. Each command says whom it is for
(``vcpbot.access.Audience``); Discord's own rules come first: a command Discord does not
offer here (guild-only in a DM, default permissions the member lacks) is not listed.
The commands still check on every use; this only decides what to tell.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import discord
from discord import app_commands

from vcpbot.access import Audience, audience_of
from vcpbot.bot_types import Interaction
from vcpbot.i18n import Locale, t
from vcpbot.i18n.catalog import reader_locale

AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group


class Place(Enum):
    DM = "dm"
    HUB = "hub"
    ASSOCIATION = "association"  # any server of ours that is not the hub


@dataclass(frozen=True)
class Reader:
    """The person asking for help, as far as deciding their commands goes."""

    place: Place
    permissions: discord.Permissions
    association_exists: bool = False  # the server ran /setup
    in_network: bool = False
    registered_vcp: bool = False  # in this association; in a DM or the hub: in any
    vcp_role: bool = False
    member_route: bool = False
    team: bool = False  # the coordinator counts as one
    coordinator: bool = False

    @property
    def manages_server(self) -> bool:
        return self.permissions.manage_guild or self.permissions.administrator

    def is_(self, audience: Audience) -> bool:  # noqa: PLR0911 - one answer per audience
        here = self.place is Place.ASSOCIATION
        network = here and self.in_network
        match audience:
            case Audience.EVERYONE:
                return True
            case Audience.MEMBERS:
                return here
            case Audience.REPORTERS:
                return network and (self.registered_vcp or self.member_route)
            case Audience.VCPS:
                return network and self.registered_vcp
            case Audience.INVITEES:
                return self.registered_vcp
            case Audience.HANDLERS:
                in_hub = self.place is Place.HUB and self.team
                return in_hub or (network and self.registered_vcp and self.vcp_role)
            case Audience.BOARD:
                return here and self.manages_server
            case Audience.REGISTRY_BOARD:
                return here and self.manages_server and self.association_exists
            case Audience.NETWORK_BOARD:
                return network and self.manages_server
            case Audience.TEAM:
                return self.place is Place.HUB and self.team
            case Audience.COORDINATOR:
                return self.place is Place.HUB and self.coordinator
            case Audience.HUB_ADMIN:
                return self.place is Place.HUB and self.permissions.administrator
        return False


def offered(root: AnyCommand, reader: Reader) -> bool:
    """Whether Discord shows the command to this person here at all."""
    if reader.place is Place.DM:
        contexts = root.allowed_contexts
        return contexts.dm_channel if contexts is not None else not root.guild_only
    required = root.default_permissions
    if required is None or reader.permissions.administrator:
        return True
    return reader.permissions >= required


@dataclass(frozen=True)
class Entry:
    command: app_commands.Command[Any, ..., Any]
    root: AnyCommand
    audience: Audience


def entries(commands: Sequence[AnyCommand]) -> list[Entry]:
    """Every command a person can run (the leaves of the tree), with whom it is for."""

    def leaves(command: AnyCommand) -> Iterator[app_commands.Command[Any, ..., Any]]:
        if isinstance(command, app_commands.Group):
            for child in command.commands:
                yield from leaves(child)
        else:
            yield command

    found = []
    for root in commands:
        for leaf in leaves(root):
            audience = audience_of(leaf)
            if audience is not None:  # a meta test makes sure every command says
                found.append(Entry(leaf, root, audience))
    return found


def _localised(value: app_commands.locale_str | str, locale: Locale) -> str:
    key = value.extras.get("key") if isinstance(value, app_commands.locale_str) else None
    return t(key, locale) if key else str(value)


def name_in(command: AnyCommand, locale: Locale) -> str:
    """``/privacy delete-my-data``, or the name Discord shows a Dutch client."""
    words = []
    current: AnyCommand | None = command
    while current is not None:
        words.append(_localised(current._locale_name or current.name, locale))
        current = current.parent
    return "/" + " ".join(reversed(words))


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def menu(
    found: Sequence[Entry], reader: Reader, *, names: Locale, prose: Locale
) -> list[tuple[str, str]]:
    """(name, description) of every command this reader can use, sorted by the name
    Discord shows them (``names``), described in the language of the answer (``prose``)."""
    usable = [e for e in found if offered(e.root, reader) and reader.is_(e.audience)]
    lines = [
        (
            name_in(e.command, names),
            _localised(e.command._locale_description or e.command.description, prose),
        )
        for e in usable
    ]
    return sorted(lines, key=lambda line: _sort_key(line[0]))


def names_locale(interaction: Interaction) -> Locale:
    """The language of the command names Discord shows this person: Dutch to a Dutch
    client (the translator localises to Dutch only), English to every other."""
    return reader_locale(interaction.locale.value)
