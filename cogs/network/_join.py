"""The hub's network log: join request cards, the coordinator's decision, and notices of
changes an association in the network makes that the coordinator must see."""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol, cast

import discord

from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Bot, Interaction, bot_of
from vcpbot.db.network import AssociationStatus
from vcpbot.errors import UserError
from vcpbot.i18n import Locale, bilingual, t
from vcpbot.interactions import NO_MENTIONS, report_error, send_private, text
from vcpbot.services import languages, network
from vcpbot.services.network import AssociationView

log = logging.getLogger(__name__)

FEATURE = "net"
STATUS_COLOURS = {
    AssociationStatus.PENDING: discord.Colour.gold(),
    AssociationStatus.APPROVED: discord.Colour.green(),
    AssociationStatus.REJECTED: discord.Colour.dark_grey(),
    AssociationStatus.SUSPENDED: discord.Colour.orange(),
}


class CardFacts(Protocol):
    """What a request card shows: an association, or a request not yet saved (JoinDraft)."""

    @property
    def name(self) -> str: ...
    @property
    def short_name(self) -> str: ...
    @property
    def locale(self) -> str: ...
    @property
    def status(self) -> AssociationStatus: ...
    @property
    def requested_by_id(self) -> int | None: ...
    @property
    def request_token(self) -> str: ...


def request_card(
    association: CardFacts, *, guild_name: str, locale: Locale, decided_by: int | None = None
) -> tuple[discord.Embed, discord.ui.View | None]:
    """The card the coordinator sees, in the hub's language (the deployment default)."""
    status = association.status
    embed = discord.Embed(
        title=t("network.card.title", locale, name=association.name),
        colour=STATUS_COLOURS[status],
    )
    embed.add_field(name=t("network.card.short_name", locale), value=association.short_name)
    embed.add_field(
        name=t("network.card.server", locale), value=guild_name[: limits.GUILD_NAME_MAX]
    )
    embed.add_field(name=t("network.card.language", locale), value=association.locale.upper())
    embed.add_field(
        name=t("network.card.status", locale),
        value=t(f"network.status.{status.value}", locale),
        inline=False,
    )
    if association.requested_by_id is not None:
        embed.add_field(
            name=t("network.card.requested_by", locale),
            value=f"<@{association.requested_by_id}>",
        )
    if decided_by is not None:
        embed.add_field(name=t("network.card.decided_by", locale), value=f"<@{decided_by}>")
    if status is not AssociationStatus.PENDING:
        return embed, None
    view = discord.ui.View(timeout=None)
    for action in ("approve", "reject"):
        view.add_item(JoinDecisionButton(action, association.request_token, locale))
    return embed, view


async def post_request(
    bot: Bot, hub: network.Hub, draft: network.JoinDraft, guild_name: str
) -> discord.Message:
    """The new request's card in the hub, before anything is saved: if Discord refuses it,
    the board is told and nothing is saved."""
    embed, view = request_card(draft, guild_name=guild_name, locale=bot.settings.default_locale)
    try:
        found = bot.get_channel(hub.log_channel_id)
        if found is None:
            found = await bot.fetch_channel(hub.log_channel_id)
        channel = cast(discord.abc.Messageable, found)  # /hub setup took a text channel
        return await channel.send(
            embed=embed,
            view=view,  # type: ignore[arg-type]  # None: no buttons; discord.py takes it
            allowed_mentions=NO_MENTIONS,
        )
    except discord.HTTPException as exc:
        log.warning("could not post a join request in the hub (HTTP %s)", exc.status)
        raise UserError("network.error.hub_unreachable") from None


async def withdraw_request(card: discord.Message) -> None:
    """The card of a request that could not be saved: taken back, so nobody decides on it.
    If even that fails, its buttons answer that the request no longer exists."""
    try:
        await card.delete()
    except discord.HTTPException as exc:
        log.warning("could not take back the card of an unsaved join request (HTTP %s)", exc.status)


class JoinDecisionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "approve|reject"),
):
    """Approve or Reject on a join request; only the coordinator role may press."""

    def __init__(self, action: str, token: str, locale: Locale = "en") -> None:
        style = (
            discord.ButtonStyle.success if action == "approve" else discord.ButtonStyle.secondary
        )
        super().__init__(
            discord.ui.Button(
                label=t(f"network.card.{action}", locale),
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
    ) -> JoinDecisionButton:
        return cls(match["action"], match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._decide(interaction)
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)

    async def _decide(self, interaction: Interaction) -> None:
        bot = bot_of(interaction)
        async with bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            association = await network.decide_request(
                session,
                request_token=self.token,
                approve=self.action == "approve",
                decided_by=interaction.user.id,
                now=bot.clock(),
                zone=bot.settings.zone,
            )
        guild = bot.get_guild(association.guild_id)
        embed, view = request_card(
            association,
            guild_name=guild.name if guild else str(association.guild_id),
            locale=bot.settings.default_locale,
            decided_by=interaction.user.id,
        )
        await interaction.response.edit_message(embed=embed, view=view)
        told = await _tell_requester(bot, association)
        key = "network.decision.done" if told else "network.decision.done_not_told"
        await send_private(interaction, text(interaction, key, name=association.name))


async def _tell_requester(bot: Bot, association: AssociationView) -> bool:
    """A DM to the admin who asked, in the language the bot last saw them use (both Dutch
    and English if it never did); False when it cannot reach them."""
    user_id = association.requested_by_id
    if user_id is None:
        return False
    async with bot.db.reading.begin() as session:
        locale = await languages.remembered(session, user_id=user_id)
    approved = association.status is AssociationStatus.APPROVED
    key = "network.decision.dm_approved" if approved else "network.decision.dm_rejected"
    name = association.name
    content = t(key, locale, name=name) if locale else bilingual(key, name=name)
    try:
        user = await bot.fetch_user(user_id)
        await user.send(content, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.info("could not tell a requesting admin about a decision (HTTP %s)", exc.status)
        return False
    return True


def _role_name(guild: discord.Guild | None, role_id: int, locale: Locale) -> str:
    role = guild.get_role(role_id) if guild is not None else None
    if role is None:
        return t("network.change.missing_role", locale)
    return "@" + discord.utils.escape_markdown(role.name)


def change_notice(result: network.SetupResult, guild: discord.Guild | None, locale: Locale) -> str:
    """For the hub, in its language: a board re-pointed its VCP role or renamed itself."""
    association = result.association
    lines = []
    if result.previous_name is not None:
        lines.append(
            t(
                "network.change.rename",
                locale,
                old=discord.utils.escape_markdown(result.previous_name),
                new=discord.utils.escape_markdown(association.name),
            )
        )
    if result.previous_vcp_role_id is not None:
        lines.append(
            t(
                "network.change.vcp_role",
                locale,
                association=discord.utils.escape_markdown(association.name),
                old=_role_name(guild, result.previous_vcp_role_id, locale),
                new=_role_name(guild, association.vcp_role_id, locale),
            )
        )
    return "\n".join(lines)


def setup_change_reply(
    interaction: Interaction, result: network.SetupResult, role: discord.Role, *, told: bool
) -> str:
    """What the board is told besides "updated": the coordinator sees this change."""
    key = "network.setup.coordinator_told" if told else "network.setup.logged"
    parts = [text(interaction, key)]
    if result.previous_vcp_role_id is not None:
        name = "@" + discord.utils.escape_markdown(role.name)
        parts.append(text(interaction, "network.setup.new_vcp_role", role=name))
    return " ".join(parts)
