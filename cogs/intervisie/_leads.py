"""The "my reminders" menu: a VCP picks their own lead times (or none) in the invitation
DM or under ``/intervisie mine``. The menu carries no token: the choice is the
presser's own, and the service checks it against what the coordinator offers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol, cast

import discord

from vcpbot import custom_ids, limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import Locale, t
from vcpbot.interactions import report_error
from vcpbot.services.when import Lead

FEATURE = "intervisie"
COG_NAME = "IntervisieCog"
# The option that means "no reminders at all".
NONE = "none"
_DAY, _WEEK = 24 * 60, 7 * 24 * 60


class Choosing(Protocol):
    """The cog, as the menu needs it (the cog imports this module)."""

    async def choose_leads(self, interaction: Interaction, *, picked: Sequence[str]) -> None: ...


def lead_label(code: str, locale: Locale) -> str:
    """``P7D`` -> "1 week before", ``PT24H`` -> "1 day before", ``PT3H`` -> "3 hours before"."""
    lead = Lead.parse(code)
    minutes = lead.days * _DAY + int(lead.exact.total_seconds() // 60)
    for unit, size in (("weeks", _WEEK), ("days", _DAY), ("hours", 60)):
        if minutes % size == 0:
            return t(f"intervisie.leads.{unit}", locale, count=minutes // size)
    return t("intervisie.leads.minutes", locale, count=minutes)


def leads_text(codes: Sequence[str], locale: Locale) -> str:
    """The chosen lead times in words, or "no reminders"."""
    if not codes:
        return t("intervisie.leads.none", locale)
    return ", ".join(lead_label(code, locale) for code in codes)


def _label(key_or_code: str, reader: Locale | None) -> str:
    def one(locale: Locale) -> str:
        if key_or_code == NONE:
            return t("intervisie.leads.none", locale)
        return lead_label(key_or_code, locale)

    text = one(reader) if reader is not None else f"{one('nl')} / {one('en')}"
    return text[: limits.SELECT_OPTION_TEXT_MAX]


class LeadsSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=custom_ids.template(FEATURE, "leads", opaque=False),
):
    """Pick any of the offered lead times, or "none"; the choice replaces the earlier one."""

    def __init__(
        self,
        offered: Sequence[str],
        *,
        reader: Locale | None,
        current: Sequence[str] | None = None,
        row: int | None = None,
    ) -> None:
        values = [*offered, NONE]
        chosen = set(current or ()) or ({NONE} if current is not None else set())
        options = [
            discord.SelectOption(label=_label(v, reader), value=v, default=v in chosen)
            for v in values
        ]
        placeholder = (
            t("intervisie.leads.placeholder", reader)
            if reader is not None
            else f"{t('intervisie.leads.placeholder', 'nl')} / "
            f"{t('intervisie.leads.placeholder', 'en')}"
        )
        super().__init__(
            discord.ui.Select(
                custom_id=custom_ids.build(FEATURE, "leads"),
                placeholder=placeholder[: limits.SELECT_OPTION_TEXT_MAX],
                min_values=1,
                max_values=len(values),
                options=options,
                row=row,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Select[Any],  # type: ignore[override]  # discord.py hands back the select it matched
        match: re.Match[str],
    ) -> LeadsSelect:
        offered = [o.value for o in item.options if o.value != NONE]
        return cls(offered, reader=None)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            cog = cast("Choosing | None", bot_of(interaction).get_cog(COG_NAME))
            if cog is None:
                raise RuntimeError("the intervisie cog is not loaded")
            await cog.choose_leads(interaction, picked=list(self.item.values))
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)


def picked_leads(picked: Sequence[str]) -> list[str]:
    """ "None" alone means no reminders; next to lead times it is ignored (they picked some)."""
    return [value for value in picked if value != NONE]


def add_menu(
    views: list[discord.ui.View], offered: Sequence[str], reader: Locale | None
) -> discord.ui.View | None:
    """Put the menu on the last view with a free row; a new view (returned) when none has."""
    if not offered:
        return None
    for view in reversed(views):
        used = {item.row for item in view.children}
        if len(used) < limits.MESSAGE_ACTION_ROWS_MAX:
            view.add_item(LeadsSelect(offered, reader=reader, row=len(used)))
            return None
        break
    extra = discord.ui.View(timeout=None)
    extra.add_item(LeadsSelect(offered, reader=reader))
    return extra
