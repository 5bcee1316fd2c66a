"""``/intervisie plan`` after the form: choosing people when asked for, planning, and
what the coordinator, the hub and the invitees then hear."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from cogs.intervisie import _render as render
from cogs.intervisie._fanout import delivered_text, progress_lines
from cogs.intervisie._form import (
    PEOPLE,
    Audience,
    Draft,
    FormValues,
    OwnedView,
    PlanForm,
    RetryForm,
)
from cogs.intervisie._host import IntervisieHost
from cogs.intervisie._rsvp import FEATURE
from cogs.intervisie._training import make_training, training_planned
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Interaction
from vcpbot.db.network import AssociationStatus
from vcpbot.errors import InvalidInput, UserError
from vcpbot.i18n import Locale, t
from vcpbot.interactions import describe_error, locale_of, send_private, text
from vcpbot.services import intervisie, network
from vcpbot.services.intervisie import FanoutProgress, Invitees, Planned, Policy

# What Send does with the people chosen: plan the drafted session, or invite them to
# one already planned.
SendTo = Callable[[Interaction, Invitees], Awaitable[None]]


class PeoplePicker(OwnedView):
    """Chosen people: VCPs of active associations, and people in the hub (UM advisers)."""

    def __init__(
        self,
        send_to: SendTo,
        vcps: list[network.VcpView],
        user_id: int,
        locale: Locale,
        *,
        cancelled: str = "intervisie.pick.cancelled",
    ) -> None:
        super().__init__(user_id)
        self.send_to = send_to
        self.cancelled = cancelled
        self.vcps: discord.ui.Select[PeoplePicker] | None = None
        if vcps:
            shown = vcps[: limits.SELECT_OPTIONS_MAX]
            self.vcps = discord.ui.Select(
                custom_id=custom_ids.build(FEATURE, "vcps", self.token),
                placeholder=t("intervisie.pick.vcps", locale),
                min_values=0,
                max_values=len(shown),
                options=[
                    discord.SelectOption(
                        label=f"{v.display_name} · {v.association_short_name}"[
                            : limits.SELECT_OPTION_TEXT_MAX
                        ],
                        value=str(v.user_id),
                    )
                    for v in shown
                ],
            )
            self.vcps.callback = self._noted  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
            self.add_item(self.vcps)
        self.members: discord.ui.UserSelect[PeoplePicker] = discord.ui.UserSelect(
            custom_id=custom_ids.build(FEATURE, "members", self.token),
            placeholder=t("intervisie.pick.members", locale),
            min_values=0,
            max_values=limits.SELECT_OPTIONS_MAX,
        )
        self.members.callback = self._noted  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
        self.add_item(self.members)
        for action, style, callback in (
            ("send", discord.ButtonStyle.success, self._send),
            ("cancel", discord.ButtonStyle.secondary, self._cancel),
        ):
            button: discord.ui.Button[PeoplePicker] = discord.ui.Button(
                label=t(f"intervisie.pick.{action}", locale),
                style=style,
                custom_id=custom_ids.build(FEATURE, action, self.token),
            )
            button.callback = callback  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
            self.add_item(button)

    async def _noted(self, interaction: Interaction) -> None:
        # The choice is read when Send is pressed; nothing to show until then.
        await interaction.response.defer()

    async def _send(self, interaction: Interaction) -> None:
        chosen = [int(v) for v in self.vcps.values] if self.vcps else []
        chosen += [u.id for u in self.members.values if u.id not in chosen]
        if not chosen:
            raise InvalidInput("intervisie.error.no_invitees")
        self.stop()
        await interaction.response.edit_message(
            content=text(interaction, "intervisie.pick.sending"), view=None
        )
        await self.send_to(interaction, Invitees.people(*chosen))

    async def _cancel(self, interaction: Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=text(interaction, self.cancelled), view=None
        )


class Planner:
    """The planning steps, from the slash command to the coordinator's confirmation."""

    def __init__(self, cog: IntervisieHost) -> None:
        self.cog = cog

    @property
    def policy(self) -> Policy:
        return self.cog.policy

    def form(self, interaction: Interaction, audience: Audience, values: FormValues) -> PlanForm:
        return PlanForm(self, audience, locale_of(interaction), values)

    async def open_form(
        self, interaction: Interaction, audience: Audience, values: FormValues
    ) -> None:
        """Reopen the form (to correct it); the role is checked again first."""
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
        await interaction.response.send_modal(self.form(interaction, audience, values))

    async def submit(
        self, interaction: Interaction, audience: Audience, values: FormValues
    ) -> None:
        try:
            draft = Draft.read(values, audience, now=self.cog.bot.clock(), policy=self.policy)
        except UserError as exc:
            await self._offer_retry(interaction, exc, audience, values)
            return
        if audience.mode == PEOPLE:

            async def send_to(pressed: Interaction, invitees: Invitees) -> None:
                await self.plan(pressed, draft, invitees)

            await self.ask_people(
                interaction, draft.values.title, draft.audience.associations, send_to
            )
        else:
            await self.plan(interaction, draft, audience.invitees())

    async def _offer_retry(
        self,
        interaction: Interaction,
        error: UserError,
        audience: Audience,
        values: FormValues,
    ) -> None:
        view = RetryForm(self, audience, values, interaction.user.id, locale_of(interaction))
        await send_private(interaction, describe_error(interaction, error), view=view)

    async def ask_people(
        self,
        interaction: Interaction,
        title: str,
        associations: tuple[str, ...],
        send_to: SendTo,
        *,
        cancelled: str = "intervisie.pick.cancelled",
    ) -> None:
        """The picker of VCPs (of ``associations``, or all) and people in the hub."""
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            active = {
                a.name
                for a in await network.list_associations(session)
                if a.status is AssociationStatus.APPROVED and a.present
            }
            vcps = [v for v in await network.all_vcps(session) if v.association_name in active]
        wanted = {n.casefold() for n in associations}
        if wanted:
            vcps = [
                v
                for v in vcps
                if {v.association_name.casefold(), v.association_short_name.casefold()} & wanted
            ]
        locale = locale_of(interaction)
        lines = [t("intervisie.pick.title", locale, title=render.escape(title))]
        if len(vcps) > limits.SELECT_OPTIONS_MAX:
            lines.append(t("intervisie.pick.more", locale, count=limits.SELECT_OPTIONS_MAX))
        view = PeoplePicker(send_to, vcps, interaction.user.id, locale, cancelled=cancelled)
        await send_private(interaction, "\n".join(lines), view=view)

    async def plan(self, interaction: Interaction, draft: Draft, invitees: Invitees) -> None:
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        bot = self.cog.bot
        checked = False
        try:
            async with bot.db.sessions.begin() as session:
                await access.require_coordinator(interaction, session)
                checked = True
                planned = await self._plan(session, draft, invitees)
                # In the same transaction: a committed plan has its invitations queued.
                fanout = await intervisie.queue_invitations(
                    session, planned=planned, now=self.cog.bot.clock()
                )
                months = await make_training(session, draft.audience, planned)
        except UserError as exc:
            if not checked:
                raise
            await self._offer_retry(interaction, exc, draft.audience, draft.values)
            return
        # Committed: now the world may hear of it.
        await self.announce(interaction, planned, fanout)
        if months is not None:
            await send_private(interaction, training_planned(draft.audience, months, interaction))

    async def announce(
        self, interaction: Interaction, planned: Planned, fanout: int | None
    ) -> None:
        """After a committed plan (from the form, or from a date poll) whose invitations
        were queued as ``fanout``: the reminder jobs, the hub's event, the leader's
        worker sending the invitations, and the coordinator's summary of its progress."""
        await self.cog.rows_changed()
        events = await self.cog.events.create(planned.sessions)
        async with self.cog.bot.db.sessions.begin() as session:
            for session_id, event_id in events.items():
                await intervisie.set_discord_event(
                    session, session_id=session_id, event_id=event_id
                )
        await self.cog.send_invitations()

        async def summary(progress: FanoutProgress | None) -> str:
            return await self._summary(interaction, planned, len(events), progress)

        await self.cog.progress.show(interaction, fanout, summary)

    async def invite(
        self,
        interaction: Interaction,
        session_id: int,
        invitees: Invitees,
        *,
        rest_of_series: bool,
    ) -> None:
        """More people for a planned session (and the rest of its series): only the new
        ones are invited and hear of it."""
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            planned = await intervisie.invite(
                session,
                session_id=session_id,
                invitees=invitees,
                now=self.cog.bot.clock(),
                policy=self.policy,
                rest_of_series=rest_of_series,
            )
            fanout = await intervisie.queue_invitations(
                session, planned=planned, now=self.cog.bot.clock()
            )
        await self.cog.rows_changed()
        locale = locale_of(interaction)
        people = len(planned.by_user())
        if not people:
            await send_private(interaction, t("intervisie.invite.nobody_new", locale))
            return
        await self.cog.send_invitations()

        async def summary(progress: FanoutProgress | None) -> str:
            lines = [
                t(
                    "intervisie.invite.done",
                    locale,
                    sessions=t("intervisie.plan.sessions", locale, count=len(planned.sessions)),
                    people=t("intervisie.plan.people", locale, count=people),
                    delivered=delivered_text(progress, locale),
                ),
                *await progress_lines(progress, self.cog.names, locale),
            ]
            return "\n".join(lines)[: limits.MESSAGE_CONTENT_MAX]

        await self.cog.progress.show(interaction, fanout, summary)

    async def _plan(self, session: AsyncSession, draft: Draft, invitees: Invitees) -> Planned:
        values, audience = draft.values, draft.audience
        common: dict[str, Any] = {
            "title": values.title,
            "duration_minutes": draft.duration_minutes,
            "location": draft.location,
            "agenda": values.agenda,
            "invitees": invitees,
            "now": self.cog.bot.clock(),
            "policy": self.policy,
        }
        if audience.every_weeks is not None and audience.until is not None:
            planned = await intervisie.plan_series(
                session,
                first_start=draft.starts_at,
                interval_weeks=audience.every_weeks,
                until=audience.until,
                **common,
            )
        else:
            planned = await intervisie.plan_session(session, starts_at=draft.starts_at, **common)
        if audience.places is not None:
            ids = [s.id for s in planned.sessions]
            await intervisie.set_places(session, session_ids=ids, places=audience.places)
        return planned

    async def _summary(
        self,
        interaction: Interaction,
        planned: Planned,
        events: int,
        progress: FanoutProgress | None,
    ) -> str:
        locale = locale_of(interaction)
        people = len(planned.by_user())
        lines = [
            t(
                "intervisie.plan.done",
                locale,
                sessions=t("intervisie.plan.sessions", locale, count=len(planned.sessions)),
                people=t("intervisie.plan.people", locale, count=people),
                delivered=delivered_text(progress, locale),
            )
        ]
        if len(planned.sessions) > 1:
            dates = [s.local_start for s in planned.sessions]
            lines.append(t("intervisie.plan.series_dates", locale, dates=dates))
        if events < len(planned.sessions):
            lines.append(t("intervisie.plan.event_failed", locale))
        lines += await progress_lines(progress, self.cog.names, locale)
        return "\n".join(lines)[: limits.MESSAGE_CONTENT_MAX]
