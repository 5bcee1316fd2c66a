"""What /help says, in the order a person in trouble needs it, fitted into Discord's limits.

112 comes first, above the embed, so it is read even where embeds are turned off. Then
the association's VCPs and its own contact, the UM contact point and outside help, what
happens after, and the commands this person can use. Discord refuses a field over 1024
characters and an embed over 6000 in total: long parts are shortened by whole entries
and say so ("and 12 more", "…"), never cut mid-word or mid-mention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from vcpbot import limits
from vcpbot.i18n import Locale, t
from vcpbot.services import network
from vcpbot.services.help import Contact, HelpResources, Resource

MORE = "…"


@dataclass(frozen=True)
class Where:
    """What /help knows about the place it was asked in."""

    in_dm: bool = False
    in_hub: bool = False
    association: network.AssociationView | None = None
    vcps: Sequence[network.VcpView] = ()
    anonymous_route: bool = False
    contact: Contact | None = None


@dataclass
class Section:
    """One embed field: whole entries, of which the last ones go first when space runs out."""

    name: str
    entries: list[str]
    trimmable: bool = True
    joiner: str = "\n"
    trimmed: bool = field(default=False, init=False)

    @property
    def value(self) -> str:
        return self.joiner.join(self.entries + ([MORE] if self.trimmed else []))

    def drop_last(self) -> bool:
        if not self.trimmable or len(self.entries) <= 1:
            return False
        self.entries.pop()
        self.trimmed = True
        return True

    def fit(self, limit: int = limits.FIELD_VALUE_MAX) -> Section:
        self.entries = [limits.clip(e, limit - len(MORE) - 1) for e in self.entries]
        while len(self.value) > limit and self.drop_last():
            pass
        return self


def plain(text: str) -> str:
    """Shown exactly as typed: no formatting, and a backslash cannot undo the escaping."""
    return discord.utils.escape_markdown(text.replace("\\", "\\\\"))


def resource_entry(resource: Resource, locale: Locale) -> str:
    lines = [f"**{resource.name(locale)}**: {resource.detail(locale)}"]
    extras = [p for p in (resource.shown_phone, resource.shown_url) if p]
    if resource.hours is not None:
        extras.append(resource.hours(locale))
    if extras:
        lines.append(" · ".join(extras))
    return "\n".join(lines)


def vcp_value(locale: Locale, where: Where) -> str:
    if where.in_dm:
        return t("help.vcps.in_dm", locale)
    if where.in_hub:
        return t("help.vcps.in_hub", locale)
    association = where.association
    if association is None or not association.in_network:
        return t("help.vcps.not_in_network", locale)
    name = plain(association.name)
    # Members can reach the VCPs without being named when the association turned that on.
    route = "\n" + t("help.vcps.anonymous", locale) if where.anonymous_route else ""
    if not where.vcps:
        return limits.clip(
            t("help.vcps.none_listed", locale, association=name) + route, limits.FIELD_VALUE_MAX
        )
    names = [f"**{plain(v.display_name)}** (<@{v.user_id}>)" for v in where.vcps]
    # As many names as fit; the rest counted, never a name or mention cut in half.
    for shown in range(len(names), 0, -1):
        listing = names[:shown]
        if shown < len(names):
            listing.append(t("help.vcps.more", locale, count=len(names) - shown))
        value = t("help.vcps.listed", locale, association=name, names=listing) + route
        if len(value) <= limits.FIELD_VALUE_MAX:
            return value
    return limits.clip(value, limits.FIELD_VALUE_MAX)


def contact_section(locale: Locale, where: Where) -> Section | None:
    association, contact = where.association, where.contact
    if association is None or not association.in_network or contact is None:
        return None
    title = t("help.contact.title", locale, association=plain(association.name))
    entries = [plain(contact.text(locale))]
    if contact.link:
        entries.append(contact.link)
    return Section(limits.clip(title, limits.FIELD_NAME_MAX), entries, trimmable=False).fit()


def command_entries(commands: Sequence[tuple[str, str]], *, compact: bool) -> list[str]:
    if compact:
        return [f"`{name}`" for name, _ in commands]
    return [f"`{name}` · {description}" for name, description in commands]


def command_sections(
    locale: Locale, commands: Sequence[tuple[str, str]], *, compact: bool = False
) -> list[Section]:
    """As many fields as the list needs, each within Discord's field limit."""
    joiner = " · " if compact else "\n"
    sections: list[Section] = []
    for entry in command_entries(commands, compact=compact):
        current = sections[-1] if sections else None
        if (
            current is None
            or len(current.value) + len(joiner) + len(entry) > limits.FIELD_VALUE_MAX
        ):
            key = "help.commands.title" if not sections else "help.commands.title_more"
            current = Section(t(key, locale), [], joiner=joiner)
            sections.append(current)
        current.entries.append(entry)
    return sections


def _embed(locale: Locale, sections: Sequence[Section]) -> discord.Embed:
    embed = discord.Embed(
        title=t("help.title", locale),
        description=t("help.intro", locale),
        colour=discord.Colour.blurple(),
    )
    for section in sections:
        embed.add_field(name=section.name, value=section.value, inline=False)
    embed.set_footer(text=t("help.footer", locale))
    return embed


def help_message(
    locale: Locale,
    resources: HelpResources,
    where: Where,
    commands: Sequence[tuple[str, str]],
) -> tuple[str, discord.Embed]:
    """The first line (112) and the embed, within Discord's limits in either language."""
    um = [resource_entry(resources.um_team, locale)]
    um += [resource_entry(r, locale) for r in resources.um_contacts]
    fixed = [Section(t("help.vcps.title", locale), [vcp_value(locale, where)], trimmable=False)]
    contact = contact_section(locale, where)
    fixed += [contact] if contact is not None else []
    fixed += [
        Section(t("help.um.title", locale), um).fit(),
        Section(
            t("help.external.title", locale),
            [resource_entry(r, locale) for r in resources.external],
        ).fit(),
        Section(t("help.after.title", locale), [t("help.after.body", locale)], trimmable=False),
    ]
    sections = fixed + command_sections(locale, commands)
    if len(_embed(locale, sections)) > limits.EMBEDS_TOTAL_MAX:
        sections = fixed + command_sections(locale, commands, compact=True)
    while len(_embed(locale, sections)) > limits.EMBEDS_TOTAL_MAX:
        # Only with a help file full of the longest texts: shorten the longest list.
        longest = max(sections, key=lambda s: len(s.value) if s.trimmable else -1)
        if not longest.drop_last():
            break
    return t("help.danger", locale), _embed(locale, sections)
