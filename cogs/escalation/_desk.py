"""A desk's own work on a case, shown under Open: notes, who has taken it, who read it.

Open sends it as a second private message, after the conversation, so the
conversation's pages keep their room. Only the desk of the one who pressed is
shown (the UM team's, or the association's VCPs'); the reporter never sees any of
it. Every press asks again who is acting; the service decides.
"""

from __future__ import annotations

from datetime import datetime

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.escalation._access import acting_handler
from cogs.escalation._host import EscalationHost
from cogs.escalation._replies import HandlerForm
from cogs.escalation._sessions import SessionView
from vcpbot import access, limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.errors import NotAllowed
from vcpbot.i18n import Locale, t
from vcpbot.interactions import NO_MENTIONS, locale_of, send_private
from vcpbot.services import escalation
from vcpbot.services.escalation import Actor, CaseCard, Casework, EscalationConfig, Handler

READERS_SHOWN = 20  # the newest lines of the read log; the rest stays in the case


def actor_of(interaction: Interaction) -> Actor:
    """Who presses: sealed with the case key whenever stored."""
    return Actor(user_id=interaction.user.id, name=interaction.user.display_name)


def desk_word(handler: Handler, locale: Locale) -> str:
    return t("casework.desk.team" if handler.is_team else "casework.desk.vcps", locale)


async def is_coordinator(interaction: Interaction, session: AsyncSession) -> bool:
    try:
        await access.require_coordinator(interaction, session)
    except NotAllowed:
        return False
    return True


async def open_desk(
    interaction: Interaction,
    session: AsyncSession,
    cog: EscalationHost,
    handler: Handler,
    card: CaseCard,
) -> DeskView:
    """Record this Open in the desk's read log; the panel to send after the conversation."""
    bot = bot_of(interaction)
    work = await escalation.open_desk(
        session,
        config=cog.require_config(),
        handler=handler,
        actor=actor_of(interaction),
        case_ref=card.token,
        now=bot.clock(),
    )
    coordinator = handler.is_team and await is_coordinator(interaction, session)
    return DeskView(
        cog,
        card=card,
        handler=handler,
        work=work,
        locale=locale_of(interaction),
        coordinator=coordinator,
    )


def _name(text: str) -> str:
    return discord.utils.escape_markdown(text)


class DeskView(SessionView):
    """The desk's panel: the claim, the read log, the notes; Add a note, Take / Release."""

    def __init__(
        self,
        cog: EscalationHost,
        *,
        card: CaseCard,
        handler: Handler,
        work: Casework,
        locale: Locale,
        coordinator: bool,
    ) -> None:
        super().__init__(cog)
        self.card, self.handler, self.work, self.locale = card, handler, work, locale
        self.button(t("casework.button.note", locale), "note", self._note)
        if not work.may_claim:
            return
        if work.claimer is None:
            self.button(
                t("casework.button.claim", locale),
                "claim",
                self._claim,
                style=discord.ButtonStyle.primary,
            )
        elif work.mine:
            self.button(t("casework.button.release", locale), "release", self._release)
        elif coordinator:
            self.button(t("casework.button.take_over", locale), "takeover", self._take_over)

    def header(self) -> str:
        locale, work = self.locale, self.work
        lines = [t("casework.panel.title", locale, code=self.card.code, desk=self.desk)]
        if work.mine:
            lines.append(t("casework.panel.claimed_by_you", locale))
        elif work.claimer is not None:
            lines.append(t("casework.panel.claimed_by", locale, name=_name(work.claimer)))
        else:
            lines.append(t("casework.panel.unclaimed", locale))
        readers = ", ".join(
            t("casework.panel.reader", locale, name=_name(r.by), date=r.on)
            for r in work.reads[-READERS_SHOWN:]
        )
        lines.append(t("casework.panel.read_by", locale, readers=readers))
        if not work.notes:
            lines.append(t("casework.panel.no_notes", locale))
        return limits.clip("\n".join(lines), limits.MESSAGE_CONTENT_MAX)

    @property
    def desk(self) -> str:
        return desk_word(self.handler, self.locale)

    def note_embeds(self) -> list[discord.Embed]:
        """The newest notes that fit one message, oldest of them first."""
        embeds: list[discord.Embed] = []
        used = 0
        for note in reversed(self.work.notes):
            title = t("casework.panel.note_title", self.locale, name=note.by, date=note.on)
            text = discord.utils.escape_markdown(note.text)[: limits.EMBED_DESCRIPTION_MAX]
            size = len(title) + len(text)
            if len(embeds) >= limits.MESSAGE_EMBEDS_MAX - 1 or used + size > 5500:
                break
            embeds.insert(0, discord.Embed(title=title[: limits.EMBED_TITLE_MAX], description=text))
            used += size
        left = len(self.work.notes) - len(embeds)
        if left:
            more = t("casework.panel.older_notes", self.locale, count=left)
            embeds.insert(0, discord.Embed(description=more))
        return embeds

    async def send(self, interaction: Interaction) -> None:
        await interaction.followup.send(
            content=self.header(),
            embeds=self.note_embeds(),
            view=self,
            ephemeral=True,
            wait=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def _note(self, interaction: Interaction) -> None:
        form = NoteForm(self.cog, self.card, actor_of(interaction), self.handler, self.locale)
        await interaction.response.send_modal(form)

    async def _claim(self, interaction: Interaction) -> None:
        await self._take(interaction, take_over=False)

    async def _take_over(self, interaction: Interaction) -> None:
        await self._take(interaction, take_over=True)

    async def _take(self, interaction: Interaction, *, take_over: bool) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = bot_of(interaction)
        async with bot.db.sessions.begin() as session:
            handler = await acting_handler(interaction, session)
            if take_over:
                await access.require_coordinator(interaction, session)
            code = await escalation.claim_case(
                session,
                config=self.cog.require_config(),
                handler=handler,
                actor=actor_of(interaction),
                case_ref=self.card.token,
                now=bot.clock(),
                take_over=take_over,
            )
        self.cog.kick()
        key = "casework.taken_over" if take_over else "casework.claimed"
        await send_private(interaction, t(key, self.locale, code=code, desk=self.desk))

    async def _release(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = bot_of(interaction)
        async with bot.db.sessions.begin() as session:
            handler = await acting_handler(interaction, session)
            code = await escalation.release_case(
                session,
                config=self.cog.require_config(),
                handler=handler,
                actor=actor_of(interaction),
                case_ref=self.card.token,
                now=bot.clock(),
            )
        self.cog.kick()
        await send_private(interaction, t("casework.released", self.locale, code=code))


class NoteForm(HandlerForm):
    """An internal note: for the desk's colleagues, never for the reporter."""

    def __init__(
        self,
        cog: EscalationHost,
        card: CaseCard,
        actor: Actor,
        handler: Handler,
        locale: Locale,
    ) -> None:
        desk = desk_word(handler, locale)
        super().__init__(
            cog,
            token=card.token,
            action="tnote",
            title=t("casework.note.title", locale, code=card.code),
            field=t("casework.note.label", locale),
            hint=t("casework.note.hint", locale, desk=desk),
            limit=escalation.NOTE_MAX,
        )
        self.actor, self.locale = actor, locale

    async def save(
        self, session: AsyncSession, config: EscalationConfig, handler: Handler, now: datetime
    ) -> str:
        code = await escalation.add_note(
            session,
            config=config,
            handler=handler,
            actor=self.actor,
            case_ref=self.case_token,
            text=self.text.value,
            now=now,
        )
        desk = desk_word(handler, self.locale)
        return t("casework.note.saved", self.locale, code=code, desk=desk)
