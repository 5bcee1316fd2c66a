"""What a case card and the list of open cases look like: never narrative, never who
reported; the handler who took a case only on their own desk's card (the hub's for
the team, the VCPs' channel for the VCPs)."""

from __future__ import annotations

import discord

from cogs.escalation._words import label, status_text
from vcpbot import limits
from vcpbot.i18n import Locale, category_label, t
from vcpbot.services.escalation import CaseCard, CaseStatus, Consent, Desk, Place, Route, Urgency

JUMP = "https://discord.com/channels"
URGENCY_COLOURS = {
    Urgency.URGENT: discord.Colour.red(),
    Urgency.SOON: discord.Colour.orange(),
    Urgency.ROUTINE: discord.Colour.blurple(),
}


def association_text(card: CaseCard, locale: Locale) -> str:
    if card.association_name is None:
        return t("escalation.association.withheld", locale)
    return discord.utils.escape_markdown(card.association_name)


# How a member's case reached the team, as its card says it.
FORWARDED_AS = {
    None: "forwarded_by",  # before the member was asked
    Consent.YES: "forwarded_consent_yes",
    Consent.WITHOUT_WORDS: "forwarded_consent_without_words",
    Consent.URGENT: "forwarded_urgent",
}


def route_text(card: CaseCard, locale: Locale) -> str:
    route = label("route", card.route, locale)
    if card.route is Route.MEMBER and card.forwarded:
        how = "sent_by_member" if card.sent_by_reporter else FORWARDED_AS.get(card.consent)
        route += " (" + t(f"escalation.card.{how or 'forwarded_by'}", locale) + ")"
    return route


def consent_text(card: CaseCard, locale: Locale) -> str:
    """For the VCPs, while the case is theirs: their question and the member's answer
    (only the answer: never why)."""
    if card.forwarded or card.consent not in (Consent.ASKED, Consent.DECLINED, Consent.WITHDRAWN):
        return ""
    return t(f"escalation.card.consent.{card.consent.value}", locale)


def age_text(card: CaseCard, locale: Locale) -> str:
    opened = card.created_on
    if card.age_days <= 0:
        return t("escalation.card.today", locale, date=opened)
    if card.age_days == 1:
        return t("escalation.card.yesterday", locale, date=opened)
    return t("escalation.card.days_ago", locale, date=opened, count=card.age_days)


def card_embed(card: CaseCard, place: Place, locale: Locale) -> discord.Embed:
    closed = card.status is CaseStatus.CLOSED
    embed = discord.Embed(
        title=t("escalation.card.title", locale, code=card.code),
        colour=discord.Colour.dark_grey() if closed else URGENCY_COLOURS[card.urgency],
    )
    flags = []
    if card.overdue and not closed:
        flags.append("**" + t("escalation.card.overdue", locale).upper() + "**")
    if card.awaiting_reply and card.status is not CaseStatus.NEW:
        flags.append(t("escalation.card.awaiting", locale))
    if flags:
        embed.description = " · ".join(flags)
    embed.add_field(name=t("escalation.card.route", locale), value=route_text(card, locale))
    embed.add_field(
        name=t("escalation.card.category", locale), value=category_label(card.category, locale)
    )
    embed.add_field(
        name=t("escalation.card.urgency", locale), value=label("urgency", card.urgency, locale)
    )
    if place is Place.HUB:
        # In the association's own channel the association goes without saying.
        embed.add_field(
            name=t("escalation.card.association", locale), value=association_text(card, locale)
        )
    embed.add_field(
        name=t("escalation.card.status", locale),
        value=status_text(card.status, card.outcome, locale),
    )
    if place is Place.ASSOCIATION and consent_text(card, locale) and not closed:
        embed.add_field(
            name=t("escalation.card.forwarding", locale), value=consent_text(card, locale)
        )
    embed.add_field(name=t("escalation.card.opened", locale), value=age_text(card, locale))
    if not closed and claim_shown(card, place):
        embed.add_field(name=t("casework.card.claimed", locale), value=claim_text(card, locale))
    embed.set_footer(text=t("escalation.card.footer", locale))
    return embed


def claim_shown(card: CaseCard, place: Place) -> bool:
    """Whether this place's desk can act on the case: its card says who of them took it."""
    if place is Place.HUB:
        return card.forwarded or card.route is Route.VCP
    return not card.forwarded


def claimer(card: CaseCard) -> str | None:
    """Who of the holding desk took the case (a claim of the other desk is not shown)."""
    holder = Desk.TEAM if card.forwarded or card.route is Route.VCP else Desk.VCPS
    if card.claim_desk is holder and card.claimer is not None:
        return discord.utils.escape_markdown(card.claimer)
    return None


def claim_text(card: CaseCard, locale: Locale) -> str:
    return claimer(card) or t("casework.card.unclaimed", locale)


def case_list(
    cards: list[CaseCard], locale: Locale, *, in_hub: bool, guild_id: int
) -> discord.Embed:
    """``/open-cases``: oldest first, whole lines each leading to its card (in ``guild_id``,
    where the handler acts), then how many did not fit."""
    embed = discord.Embed(title=t("escalation.list.title", locale, count=len(cards)))
    if not cards:
        embed.description = t("escalation.list.empty", locale)
        return embed
    lines = []
    for card in cards:
        parts = [
            f"`{card.code}`",
            route_text(card, locale),
            category_label(card.category, locale),
            label("urgency", card.urgency, locale),
        ]
        if in_hub:
            parts.append(association_text(card, locale))
        parts.append(status_text(card.status, card.outcome, locale))
        parts.append(t("escalation.list.age", locale, days=card.age_days))
        if card.overdue:
            parts.append("**" + t("escalation.card.overdue", locale) + "**")
        parts.append(_claim_part(card, locale))
        if card.awaiting_reply and card.status is not CaseStatus.NEW:
            parts.append(t("escalation.list.awaiting", locale))
        if card.link is not None:
            url = f"{JUMP}/{guild_id}/{card.link.channel_id}/{card.link.message_id}"
            parts.append(f"[{t('escalation.list.card', locale)}]({url})")
        lines.append(" · ".join(parts))
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        tail = t("escalation.list.more", locale, count=len(lines) - index)
        if used + len(line) + 1 + len(tail) > limits.EMBED_DESCRIPTION_MAX:
            kept.append(tail)
            break
        kept.append(line)
        used += len(line) + 1
    embed.description = "\n".join(kept)
    return embed


def _claim_part(card: CaseCard, locale: Locale) -> str:
    name = claimer(card)
    if name is None:
        return t("casework.list.unclaimed", locale)
    return t("casework.list.claimed", locale, name=name)
