"""What every part of the escalation cog shares: ids, who acts, open forms, small renderers."""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

import discord

from vcpbot import access, custom_ids
from vcpbot.errors import NotAllowed, WrongPlace
from vcpbot.i18n import Locale, t
from vcpbot.interactions import Wording, report_error
from vcpbot.services import escalation, network
from vcpbot.services.escalation import (
    CaseCard,
    CaseStatus,
    EscalationConfig,
    EscalationUnavailable,
    Handler,
    Route,
)

if TYPE_CHECKING:
    from cogs.escalation._cog import EscalationCog
    from vcpbot.db import Database

log = logging.getLogger(__name__)

# Persistent components (the panel, the case cards): their custom_ids survive restarts.
FEATURE = "esc"
# Components and forms that live only in this process's memory (they hold a receipt,
# or a case reference, for the length of one conversation with one person).
SESSION = "esc-s"
SESSION_ID = re.compile(
    rf"{custom_ids.PREFIX}:{re.escape(SESSION)}:[a-z][a-z0-9_-]*:(?P<token>{custom_ids.OPAQUE_PATTERN})"
)

VIEW_SECONDS = 15 * 60  # as long as Discord lets us edit an ephemeral reply
FORM_SECONDS = 60 * 60  # writing about something difficult can take a while
_FORGOTTEN_AFTER_S = 6 * 60 * 60


def cog_of(client: Any) -> EscalationCog:
    cog = client.get_cog("EscalationCog")
    if cog is None:  # the cog is unloading; nothing can be saved now
        raise EscalationUnavailable()
    return cog


def bot_of(interaction: discord.Interaction) -> Any:
    return interaction.client


def database(interaction: discord.Interaction) -> Database:
    return bot_of(interaction).db


class OpenSessions:
    """Which session tokens this process is still listening for.

    A press or form submit whose token is not here belongs to a conversation that
    timed out or to an earlier run of the bot: the person is told so, instead of
    Discord's "interaction failed". Tokens are forgotten when their view or form
    times out (not when it is used, so a late check never races a live handler).
    """

    def __init__(self) -> None:
        self._opened: dict[str, float] = {}

    def new(self) -> str:
        now = time.monotonic()
        self._opened = {k: v for k, v in self._opened.items() if now - v < _FORGOTTEN_AFTER_S}
        token = secrets.token_urlsafe(9)
        self._opened[token] = now
        return token

    def close(self, token: str) -> None:
        self._opened.pop(token, None)

    def is_open(self, token: str) -> bool:
        return token in self._opened


class SessionView(discord.ui.View):
    """An ephemeral message's buttons, bound to one conversation; errors answered calmly
    (in a reporter's words where ``wording`` is ``for_reporter``)."""

    wording: Wording | None = None

    def __init__(self, cog: EscalationCog, *, timeout: float = VIEW_SECONDS) -> None:
        super().__init__(timeout=timeout)
        self.cog = cog
        self.token = cog.sessions.new()

    def custom_id(self, action: str) -> str:
        return custom_ids.build(SESSION, action, self.token)

    def button(
        self,
        label: str,
        action: str,
        callback: Any,
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> discord.ui.Button[Any]:
        item: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=style, custom_id=self.custom_id(action)
        )
        item.callback = callback
        self.add_item(item)
        return item

    async def on_timeout(self) -> None:
        self.cog.sessions.close(self.token)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error, self.wording)


class SessionForm(discord.ui.Modal):
    """A modal bound to one conversation; its custom_id is new for every opening."""

    wording: Wording | None = None

    def __init__(self, cog: EscalationCog, *, title: str, action: str) -> None:
        self.cog = cog
        self.token = cog.sessions.new()
        super().__init__(
            title=clip(title, 45),
            timeout=FORM_SECONDS,
            custom_id=custom_ids.build(SESSION, action, self.token),
        )

    async def on_timeout(self) -> None:
        self.cog.sessions.close(self.token)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        await report_error(interaction, error, self.wording)


def paragraph(
    custom_id: str,
    *,
    placeholder: str | None = None,
    required: bool = True,
    limit: int = escalation.TEXT_MAX,
) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.paragraph,
        max_length=limit,
        required=required,
        placeholder=clip(placeholder, 100) if placeholder else None,
    )


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- who acts --------------------------------------------------------------------


async def reporter_route(
    interaction: discord.Interaction, session: Any, association: network.AssociationView
) -> Route:
    """Registered VCPs (``/vcp add``) reach the UM team; everyone else, someone holding
    only the VCP role included, reaches the VCPs when the association switched that on.
    No Discord permission hangs on this route, so the registry alone decides."""
    standing = await access.vcp_standing(interaction, session, association)
    if standing.registered:
        return Route.VCP
    route = await escalation.member_route(session, association_id=association.id)
    if not route.enabled:
        if standing.role_only:
            raise NotAllowed("escalation.error.role_only_reporter")
        raise NotAllowed("escalation.error.member_route_off")
    return Route.MEMBER


async def require_vcp_reporter(
    interaction: discord.Interaction, session: Any, association: network.AssociationView
) -> None:
    """At submit: still registered (the board may have removed them while they wrote)."""
    standing = await access.vcp_standing(interaction, session, association)
    if standing.role_only:
        raise NotAllowed("escalation.error.role_only_reporter")
    if not standing.registered:
        raise NotAllowed("escalation.error.vcp_role_needed")


async def acting_handler(interaction: discord.Interaction, session: Any) -> Handler:
    """The UM team in the hub; the association's VCPs in its own server. Asked on every use.

    A VCP must be registered and hold the VCP role: members' cases arrive in a
    channel that the role opens, so a registered VCP without it is asked to get it back.
    """
    guild_id = access.in_guild(interaction)
    if guild_id == bot_of(interaction).settings.hub_guild_id:
        await access.require_team(interaction, session)
        return Handler.team()
    association = await network.require_in_network(session, guild_id=guild_id)
    standing = await access.vcp_standing(interaction, session, association)
    if standing.registered and standing.has_role:
        return Handler.vcps(association.id)
    if standing.registered:
        raise NotAllowed("escalation.error.registered_without_role")
    if standing.role_only:
        raise NotAllowed("escalation.error.role_only_handler")
    raise NotAllowed("escalation.error.vcps_only")


async def peek_case(
    interaction: discord.Interaction, cog: EscalationCog, token: str
) -> tuple[Handler, CaseCard]:
    """Who is acting, and the card as they may see it: refused before anyone starts writing."""
    bot = bot_of(interaction)
    async with bot.db.sessions.begin() as session:
        handler = await acting_handler(interaction, session)
        detail = await escalation.read_case(
            session, config=cog.require_config(), handler=handler, case_ref=token, now=bot.clock()
        )
    return handler, detail.card


async def unlock(
    interaction: discord.Interaction, config: EscalationConfig, receipt: str
) -> escalation.Unlocked:
    """Check the receipt someone typed: outside any write transaction (Argon2 is slow)."""
    bot = bot_of(interaction)
    return await escalation.unlock(
        bot.db, config=config, receipt=receipt, user_id=interaction.user.id, now=bot.clock()
    )


async def tell_hub(bot: Any, line: str) -> None:
    """A line in the hub's log channel: operational news for the team, never who or what
    someone wrote. Quietly nothing while the hub is not set up."""
    hub_id = bot.settings.hub_guild_id
    try:
        async with bot.db.reading.begin() as session:
            hub = await network.get_hub(session, guild_id=hub_id) if hub_id else None
        if hub is None:
            return
        channel = bot.get_partial_messageable(hub.log_channel_id, guild_id=hub_id)
        await channel.send(line, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("escalation: the hub's log channel refused a line (HTTP %s)", exc.status)


def require_association_guild(interaction: discord.Interaction) -> int:
    guild_id = access.in_guild(interaction)
    if guild_id == bot_of(interaction).settings.hub_guild_id:
        raise WrongPlace("access.association_only")
    return guild_id


# --- words ------------------------------------------------------------------------


def label(kind: str, value: Any, locale: Locale) -> str:
    """``escalation.<kind>.<value>``: a category, urgency, status, route or outcome."""
    return t(f"escalation.{kind}.{getattr(value, 'value', value)}", locale)


def due_phrase(urgency: escalation.Urgency, config: EscalationConfig, locale: Locale) -> str:
    """``4 hours``, ``2 working days``: how soon the handlers aim to respond."""
    policy = config.policy
    if urgency is escalation.Urgency.URGENT:
        return t("common.hours", locale, count=policy.ack_urgent_hours)
    if urgency is escalation.Urgency.SOON:
        return t("common.working_days", locale, count=policy.ack_soon_working_days)
    return t("common.working_days", locale, count=policy.ack_routine_working_days)


def receipt_not_found(config: EscalationConfig, locale: Locale) -> str:
    """No case for this receipt; and how long a closed case is kept, in days."""
    days = t("common.days", locale, count=config.policy.retention_days)
    return t(escalation.RECEIPT_NOT_FOUND, locale, days=days)


def status_text(status: CaseStatus, outcome: escalation.Outcome | None, locale: Locale) -> str:
    if status is CaseStatus.CLOSED and outcome is not None:
        return t("escalation.card.closed_with", locale, outcome=label("outcome", outcome, locale))
    return label("status", status, locale)
