"""Starting a case: the explanation, the form, and the receipt shown once after the commit.

Everything here answers only the person reporting (ephemeral from the first
response), and nothing is posted in the association's server.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime
from typing import Any

import discord

from cogs.escalation._access import (
    database,
    reporter_route,
    require_association_guild,
    require_vcp_reporter,
    unlock,
)
from cogs.escalation._evidence import add_file_button
from cogs.escalation._host import EscalationHost, host_of
from cogs.escalation._ids import FEATURE
from cogs.escalation._reporter import for_reporter
from cogs.escalation._sessions import SessionForm, SessionView, paragraph
from cogs.escalation._words import due_phrase, label, receipt_not_found
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.errors import NotAllowed
from vcpbot.i18n import Locale, bilingual, category_hint, category_label, t
from vcpbot.interactions import (
    NO_MENTIONS,
    Wording,
    describe_error,
    locale_of,
    report_error,
    send_private,
)
from vcpbot.services import escalation, network
from vcpbot.services.escalation import Category, EscalationConfig, Route, Urgency

log = logging.getLogger(__name__)

KEPT_TEXT_SHOWN = 4000


def intro_embed(
    route: Route,
    association: network.AssociationView,
    config: EscalationConfig,
    locale: Locale,
    *,
    role_only: bool = False,
) -> discord.Embed:
    policy = config.policy
    name = discord.utils.escape_markdown(association.name)
    # Someone with the VCP role whom the board never registered: why this goes to the VCPs.
    parts = [t("escalation.intro.role_only", locale)] if role_only else []
    parts += [
        t(f"escalation.intro.who_{route.value}", locale, association=name),
        t("escalation.intro.stored", locale),
        t(
            f"escalation.intro.next_{route.value}",
            locale,
            urgent=due_phrase(Urgency.URGENT, config, locale),
            soon=due_phrase(Urgency.SOON, config, locale),
            routine=due_phrase(Urgency.ROUTINE, config, locale),
        ),
        t(
            "escalation.intro.kept",
            locale,
            days=t("common.days", locale, count=policy.retention_days),
        ),
        t("escalation.intro.emergency", locale),
    ]
    if policy.batch_max_minutes:
        minutes = t("common.minutes", locale, count=policy.batch_max_minutes)
        parts.insert(3, t(f"escalation.intro.batched_{route.value}", locale, minutes=minutes))
    embed = discord.Embed(
        title=t(f"escalation.intro.title_{route.value}", locale),
        description="\n\n".join(parts),
        colour=discord.Colour.blurple(),
    )
    embed.set_footer(text=t("escalation.intro.footer", locale))
    return embed


async def start_report(interaction: Interaction, cog: EscalationHost) -> None:
    """``/report`` and the panel button: first who sees what, then the form."""
    config = cog.require_config()
    guild_id = require_association_guild(interaction)
    locale = locale_of(interaction)
    # Only reads: a read-only transaction never queues behind a writer (on SQLite the
    # write lock), so the person is answered within Discord's three seconds.
    async with database(interaction).reading.begin() as session:
        association = await network.require_in_network(session, guild_id=guild_id)
        route = await reporter_route(interaction, session, association)
        # The only registered VCP: the association's name on the case names them.
        sole_vcp = (
            route is Route.VCP
            and await network.vcp_count(session, association_id=association.id) == 1
        )
    if route is Route.MEMBER:
        old_enough(interaction, cog.bot.settings.escalation, now=cog.bot.clock())
    role_only = route is Route.MEMBER and access.has_role(interaction, association.vcp_role_id)
    embed = intro_embed(route, association, config, locale, role_only=role_only)
    view = IntroView(cog, route=route, sole_vcp=sole_vcp, locale=locale)
    await send_private(interaction, embed=embed, view=view)


def old_enough(interaction: Interaction, gate: Any, *, now: datetime) -> None:
    """The deployment's gate for new accounts on the member route, from the interaction
    alone (the account's id carries when it was made; the member when they joined)."""
    too_new = False
    if gate.min_account_age_days:
        too_new = (now - interaction.user.created_at).days < gate.min_account_age_days
    joined = getattr(interaction.user, "joined_at", None)
    if gate.min_member_days and joined is not None:
        too_new = too_new or (now - joined).days < gate.min_member_days
    if too_new:
        raise NotAllowed("escalation.error.account_too_new")


class IntroView(SessionView):
    wording = staticmethod(for_reporter)

    def __init__(
        self, cog: EscalationHost, *, route: Route, sole_vcp: bool, locale: Locale
    ) -> None:
        super().__init__(cog)
        self.route = route
        self.sole_vcp = sole_vcp
        self.locale = locale
        self.button(
            t("escalation.intro.continue", locale),
            "go",
            self._continue,
            style=discord.ButtonStyle.primary,
        )

    async def _continue(self, interaction: Interaction) -> None:
        self.cog.require_config()
        await interaction.response.send_modal(
            CaseForm(
                self.cog, route=self.route, locale=locale_of(interaction), sole_vcp=self.sole_vcp
            )
        )


def _select(custom_id: str, options: list[discord.SelectOption], locale: Locale) -> Any:
    return discord.ui.Select(
        custom_id=custom_id, options=options, placeholder=t("escalation.form.pick", locale)
    )


def _shown_choice(locale: Locale, *, withheld_already: bool) -> Any:
    return discord.ui.RadioGroup(
        custom_id="shown",
        options=[
            discord.RadioGroupOption(label=t("escalation.form.shown_yes", locale), value="yes"),
            discord.RadioGroupOption(
                label=t("escalation.form.shown_no", locale), value="no", default=withheld_already
            ),
        ],
    )


class CaseForm(SessionForm):
    """Category, urgency, the text, and whether the UM team may see the association.

    ``sole_vcp``: the reporter is their association's only registered VCP, so its
    name would name them; the form says so, and withholding is chosen already.
    """

    wording = staticmethod(for_reporter)

    def __init__(
        self, cog: EscalationHost, *, route: Route, locale: Locale, sole_vcp: bool = False
    ) -> None:
        super().__init__(
            cog, title=t(f"escalation.form.title_{route.value}", locale), action="form"
        )
        self.route = route
        self.category = _select(
            "category",
            [
                discord.SelectOption(
                    label=category_label(c, locale)[: limits.SELECT_OPTION_TEXT_MAX],
                    value=c.value,
                    description=category_hint(c, locale)[: limits.SELECT_OPTION_TEXT_MAX],
                )
                for c in Category
            ],
            locale,
        )
        self.urgency = _select(
            "urgency",
            [
                discord.SelectOption(label=label("urgency", u, locale), value=u.value)
                for u in Urgency
            ],
            locale,
        )
        self.text = paragraph("text")
        self.shown: Any = _shown_choice(locale, withheld_already=sole_vcp)
        minutes = cog.require_config().policy.batch_max_minutes
        for key, component in (
            ("category", self.category),
            ("urgency", self.urgency),
            ("text", self.text),
            ("shown", self.shown),
        ):
            hint = f"escalation.form.{key}_hint"
            if key == "shown":
                hint += "_" + route.value
                if sole_vcp:  # the fifth and last top-level component a modal may hold
                    self.add_item(discord.ui.TextDisplay(t("escalation.form.sole_vcp", locale)))
            if key == "urgency" and minutes:
                hint += "_batched"  # urgent goes at once, the others in a batch
            self.add_item(
                discord.ui.Label(
                    text=t(f"escalation.form.{key}", locale),
                    description=t(hint, locale, minutes=minutes),
                    component=component,
                )
            )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        # The form came from the explanation, which only this person sees: it becomes the receipt.
        await interaction.response.defer()
        bot = bot_of(interaction)
        try:
            config = self.cog.require_config()
            guild_id = require_association_guild(interaction)
            # Hashed before the transaction: Argon2 must not hold the database.
            receipt = await escalation.prepare_receipt(config)
            async with bot.db.sessions.begin() as session:
                association = await network.require_in_network(session, guild_id=guild_id)
                if self.route is Route.VCP:
                    await require_vcp_reporter(interaction, session, association)
                submitted = await escalation.submit_case(
                    session,
                    config=config,
                    route=self.route,
                    user_id=interaction.user.id,
                    association_id=association.id,
                    category=self.category.values[0] if self.category.values else "",
                    urgency=self.urgency.values[0] if self.urgency.values else "",
                    text=self.text.value,
                    association_shown=self.shown.value == "yes",
                    receipt=receipt,
                    now=bot.clock(),
                    language=locale_of(interaction),
                )
        except Exception as exc:  # nothing was saved: say why, and hand back what they wrote
            await refuse_keeping_text(interaction, exc, self.text.value, for_reporter)
            return
        # Committed: now, and only now, the receipt may be shown.
        self.cog.kick()
        locale = locale_of(interaction)
        urgency = Urgency(self.urgency.values[0])
        view = ReceiptView(self.cog, submitted=submitted, urgency=urgency, locale=locale)
        await interaction.edit_original_response(
            content=view.content, embeds=[], view=view, allowed_mentions=NO_MENTIONS
        )


async def refuse_keeping_text(
    interaction: Interaction,
    error: BaseException,
    written: str,
    wording: Wording | None = None,
) -> None:
    """The reason, and what the person wrote, so a refusal never costs them their words."""
    message = describe_error(interaction, error, wording)
    embeds = []
    if _has_words(written):
        embeds.append(
            discord.Embed(
                title=t("escalation.error.kept_text", locale_of(interaction)),
                description=discord.utils.escape_markdown(written)[:KEPT_TEXT_SHOWN],
            )
        )
    try:
        await send_private(interaction, message, embeds=embeds)
    except discord.HTTPException as exc:
        # The interaction may have expired; there is nobody left to tell.
        log.warning("could not show a refusal to the reporter (HTTP %s)", exc.status)


def _has_words(written: str) -> bool:
    """Anything but spaces and invisible characters: worth handing back."""
    return any(unicodedata.category(c)[0] not in "CZ" for c in written)


class ReceiptView(SessionView):
    """The receipt, once, and the opt-in for DM notices."""

    wording = staticmethod(for_reporter)

    def __init__(
        self,
        cog: EscalationHost,
        *,
        submitted: escalation.Submitted,
        urgency: Urgency,
        locale: Locale,
    ) -> None:
        super().__init__(cog)
        self.receipt = submitted.receipt
        config = cog.require_config()
        route = submitted.route.value
        self.content = "\n\n".join(
            (
                t(f"escalation.submitted.{route}", locale, code=submitted.code),
                t("escalation.submitted.receipt", locale, receipt=submitted.receipt),
                t(
                    f"escalation.submitted.next_{route}",
                    locale,
                    due=due_phrase(urgency, config, locale),
                ),
            )
        )
        self.notify = self.button(t("escalation.submitted.notify", locale), "notify", self._notify)
        add_file_button(self, self.receipt, locale)

    async def _notify(self, interaction: Interaction) -> None:
        config = self.cog.require_config()
        await interaction.response.defer()
        unlocked = await unlock(interaction, config, self.receipt)
        async with bot_of(interaction).db.sessions.begin() as session:
            case = await escalation.set_notices(
                session, config=config, unlocked=unlocked, enabled=True
            )
        locale = locale_of(interaction)
        if case is None:
            await send_private(interaction, receipt_not_found(config, locale))
            return
        self.remove_item(self.notify)  # "Add a file" stays
        await interaction.edit_original_response(
            content=self.content + "\n\n" + t("escalation.notices.on", locale),
            view=self,
            allowed_mentions=NO_MENTIONS,
        )


class PanelButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "panel", opaque=False),
):
    """The persistent button an association admin posts; what follows is private."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("escalation.panel.button", "nl")
                + " / "
                + t("escalation.panel.button", "en"),
                style=discord.ButtonStyle.primary,
                custom_id=custom_ids.build(FEATURE, "panel"),
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],  # type: ignore[override]  # discord.py hands back the button it matched
        match: re.Match[str],
    ) -> PanelButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await start_report(interaction, host_of(bot_of(interaction)))
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc, for_reporter)


def panel_message() -> dict[str, Any]:
    view = discord.ui.View(timeout=None)
    view.add_item(PanelButton())
    return {"content": bilingual("escalation.panel.text"), "view": view}
