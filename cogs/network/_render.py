"""Embeds for the coordinator's and admins' lists; only the person who asked sees them."""

from __future__ import annotations

from collections import defaultdict

import discord

from vcpbot import limits
from vcpbot.bot_types import Interaction
from vcpbot.interactions import text
from vcpbot.services.network import AssociationSummary, AuditView, VcpView


def _whole_lines(lines: list[str], limit: int, interaction: Interaction) -> str:
    """Whole lines up to ``limit`` characters, then a count of what was left out."""
    return limits.clip_lines(lines, limit, lambda n: text(interaction, "common.and_more", count=n))


def association_table(
    interaction: Interaction, associations: list[AssociationSummary]
) -> discord.Embed:
    embed = discord.Embed(title=text(interaction, "network.list.title"))
    if not associations:
        embed.description = text(interaction, "network.list.empty")
        return embed
    lines = []
    for a in associations:
        status = text(interaction, f"network.status.{a.status.value}")
        if not a.present:
            status += " · " + text(interaction, "network.list.bot_absent")
        joined = a.joined_on or "–"
        lines.append(
            text(
                interaction,
                "network.list.row",
                name=discord.utils.escape_markdown(a.name),
                short=discord.utils.escape_markdown(a.short_name),
                status=status,
                vcps=a.vcp_count,
                joined=joined,
            )
        )
    embed.description = _whole_lines(lines, limits.EMBED_DESCRIPTION_MAX, interaction)
    return embed


def vcp_list(
    interaction: Interaction, vcps: list[VcpView], *, by_association: bool
) -> discord.Embed:
    embed = discord.Embed(title=text(interaction, "network.vcps.title"))
    if not vcps:
        embed.description = text(interaction, "network.vcps.empty")
        return embed

    def line(v: VcpView) -> str:
        listed = text(interaction, "network.vcps.listed" if v.listed else "network.vcps.unlisted")
        return f"<@{v.user_id}> ({discord.utils.escape_markdown(v.display_name)}) · {listed}"

    if not by_association:
        embed.description = _whole_lines(
            [line(v) for v in vcps], limits.EMBED_DESCRIPTION_MAX, interaction
        )
        return embed
    grouped: dict[str, list[VcpView]] = defaultdict(list)
    for v in vcps:
        grouped[v.association_name].append(v)
    for name, members in list(grouped.items())[: limits.EMBED_FIELDS_MAX]:
        embed.add_field(
            name=name[: limits.FIELD_NAME_MAX],
            value=_whole_lines([line(v) for v in members], limits.FIELD_VALUE_MAX, interaction),
            inline=False,
        )
    return embed


def audit_table(interaction: Interaction, entries: list[AuditView]) -> discord.Embed:
    embed = discord.Embed(title=text(interaction, "network.audit.title"))
    if not entries:
        embed.description = text(interaction, "network.audit.empty")
        return embed
    lines = []
    for e in entries:
        actor = f"<@{e.actor_id}>" if e.actor_id else text(interaction, "network.audit.someone")
        subject = f" → <@{e.subject_id}>" if e.subject_id else ""
        where = (
            f" · {discord.utils.escape_markdown(e.association_name)}" if e.association_name else ""
        )
        stamp = discord.utils.format_dt(e.at, "f")
        detail = discord.utils.escape_markdown(e.detail)
        action = text(interaction, f"network.audit.action.{e.action}", detail=detail)
        lines.append(f"{stamp} · {actor}: {action}{subject}{where}")
    embed.description = _whole_lines(lines, limits.EMBED_DESCRIPTION_MAX, interaction)
    return embed
