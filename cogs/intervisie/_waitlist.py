"""Capacity in Discord: the offer DM with its two buttons (take the place, pass it on),
what the person who pressed Yes on a full session reads, and the places and waiting
list in the coordinator's overview (names only there)."""

from __future__ import annotations

import re
from typing import Any, Protocol, cast

import discord

from cogs.intervisie import _render as render
from cogs.intervisie._delivery import Outbox
from cogs.intervisie._render import Part, Reader
from cogs.intervisie._rsvp import COG_NAME, FEATURE
from vcpbot import custom_ids, limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import Locale, formats, t
from vcpbot.interactions import report_error
from vcpbot.services.intervisie import PlaceOffer, PlacesView

_ACTIONS = ("take", "pass")


class OfferAnswering(Protocol):
    """The cog, as an offer's button needs it (the cog imports this module)."""

    async def answer_offer(self, interaction: Interaction, *, token: str, take: bool) -> None: ...


class OfferButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "take|pass"),
):
    """Take or pass on one offered place; the service checks the presser is the invitee."""

    def __init__(self, action: str, token: str, *, label: str) -> None:
        style = discord.ButtonStyle.success if action == "take" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label[: limits.BUTTON_LABEL_MAX],
                style=style,
                custom_id=custom_ids.build(FEATURE, action, token),
            )
        )
        self.action = action
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],  # type: ignore[override]  # discord.py hands back the button it matched
        match: re.Match[str],
    ) -> OfferButton:
        return cls(match["action"], match["token"], label=item.label or match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            cog = cast("OfferAnswering | None", bot_of(interaction).get_cog(COG_NAME))
            if cog is None:
                raise RuntimeError("the intervisie cog is not loaded")
            await cog.answer_offer(interaction, token=self.token, take=self.action == "take")
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)


def _label(action: str, reader: Reader) -> str:
    key = f"capacity.offer.{action}"
    return t(key, reader) if reader is not None else f"{t(key, 'nl')} / {t(key, 'en')}"


def _offer_text(offer: PlaceOffer, locale: Locale) -> str:
    zone = offer.session.local_start.tzinfo
    return t(
        "capacity.offer",
        locale,
        title=render.escape(offer.session.title),
        when=render.local_when(offer.session, locale),
        until=formats.moment(offer.until.astimezone(zone), locale),
    )


def offer_part(offer: PlaceOffer) -> Part:
    """The DM: in the person's language, or Dutch and English for someone never seen."""
    reader = offer.locale
    locales: tuple[Locale, ...] = (reader,) if reader is not None else ("nl", "en")
    view = discord.ui.View(timeout=None)
    for action in _ACTIONS:
        view.add_item(OfferButton(action, offer.token, label=_label(action, reader)))
    content = "\n\n".join(_offer_text(offer, locale) for locale in locales)
    return Part(content=content[: limits.MESSAGE_CONTENT_MAX], view=view)


def lapsed_part(offer: PlaceOffer) -> Part:
    """The note that an offer ran out, and how to wait again; no buttons."""
    locales: tuple[Locale, ...] = (offer.locale,) if offer.locale is not None else ("nl", "en")
    content = "\n\n".join(
        t(
            "capacity.lapsed",
            locale,
            title=render.escape(offer.session.title),
            when=render.local_when(offer.session, locale),
        )
        for locale in locales
    )
    return Part(content=content[: limits.MESSAGE_CONTENT_MAX])


class Offers:
    """Sends offer DMs (the offer runner's ``send``) and the note that one ran out."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def send(self, offer: PlaceOffer) -> bool:
        return await self.outbox.send(offer.user_id, [offer_part(offer)])

    async def lapsed(self, offer: PlaceOffer) -> bool:
        return await self.outbox.send(offer.user_id, [lapsed_part(offer)])


def add_places_field(
    embed: discord.Embed, places: PlacesView | None, names: dict[int, str], locale: Locale
) -> None:
    """``/intervisie show``: places held of the maximum, and who waits, first first."""
    if places is None:
        return
    lines = [t("capacity.show.places", locale, taken=places.taken, places=places.places)]
    waiting = [
        f"{n}. {names.get(i.user_id) or f'<@{i.user_id}>'}"
        for n, i in enumerate(places.waiting, start=1)
        if i.user_id is not None
    ]
    embed.add_field(name="\u200b", value=lines[0], inline=False)
    if waiting:
        embed.add_field(
            name=t("capacity.show.waiting", locale, count=len(waiting)),
            value=render.whole_lines(waiting, limits.FIELD_VALUE_MAX, locale),
            inline=False,
        )


def add_places_list(embed: discord.Embed, places: list[PlacesView], locale: Locale) -> None:
    """``/intervisie list``: per session with a maximum, counts only (no names)."""
    if not places:
        return
    lines = [
        t(
            "capacity.list.row",
            locale,
            id=p.session_id,
            taken=p.taken,
            places=p.places,
            waiting=len(p.waiting),
        )
        for p in places
    ]
    embed.add_field(
        name=t("capacity.list.title", locale),
        value=render.whole_lines(lines, limits.FIELD_VALUE_MAX, locale),
        inline=False,
    )
