"""``/intervisie``: the coordinator plans, moves and cancels sessions and keeps attendance;
VCPs answer, see their own sessions and choose whether they get reminders."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.intervisie import _render as render
from cogs.intervisie._attendance import AttendanceForm, form_text
from cogs.intervisie._delivery import HubEvents, HubReports, Outbox
from cogs.intervisie._fanout import InvitationMessages, ProgressFollower, progress_report
from cogs.intervisie._form import ALL, ASSOCIATIONS, PEOPLE, Audience, FormValues
from cogs.intervisie._jobs import ReminderMessages
from cogs.intervisie._leads import LeadsSelect, leads_text, picked_leads
from cogs.intervisie._names import Names, display_names
from cogs.intervisie._notify import Notifier
from cogs.intervisie._planning import Planner
from cogs.intervisie._poll_dm import PollReminders, poll_answered, poll_label
from cogs.intervisie._polls import PollDesk
from cogs.intervisie._rsvp import answer_views
from cogs.intervisie._templates import TemplateDesk
from cogs.intervisie._training import (
    CHECK_SECONDS,
    JOB_TRAINING,
    TrainingNotices,
    add_training_field,
)
from cogs.intervisie._waitlist import Offers, add_places_field, add_places_list
from vcpbot import access, limits
from vcpbot.bot_types import Bot, Interaction
from vcpbot.coalesce import Coalesced
from vcpbot.errors import Conflict, UserError
from vcpbot.i18n import Locale, t
from vcpbot.i18n.catalog import reader_locale
from vcpbot.i18n.translator import L
from vcpbot.interactions import locale_of, send_private, text
from vcpbot.services import intervisie, network, when
from vcpbot.services.intervisie import (
    JOB_PREFIX,
    REASON_MAX,
    InvitationRunner,
    Invitees,
    OfferRunner,
    Policy,
    PollAnswer,
    PollReminderRunner,
    ReminderRunner,
    Rsvp,
    SessionStatus,
)

# Without dates given, attendance looks a year back and the export a year either side.
DEFAULT_PERIOD_DAYS = 365
JOB_REFRESH = "intervisie:refresh"
JOB_POLLS_REFRESH = "intervisie:polls-refresh"
JOB_OFFERS_REFRESH = "intervisie:offers-refresh"
# The leader's sweep for queued invitations (after a lost wake-up or a run-out lease).
JOB_INVITATIONS = "intervisie:invitations"
# A date poll's reminder: this long before its deadline unless the coordinator says.
DEFAULT_POLL_REMINDER_HOURS = 24
# What another process says to the leader after changing reminder rows.
WAKE_INTERVISIE = "intervisie"
# In the leader's upkeep, beside invitation ids: waiting lists and offers too.
PLACES = "places"

INVITEE_CHOICES = [
    app_commands.Choice(name=L(f"cmd.intervisie.invitees.{mode}"), value=mode)
    for mode in (ALL, ASSOCIATIONS, PEOPLE)
]
ON_OFF_CHOICES = [
    app_commands.Choice(name=L(f"cmd.intervisie.reminders.{state}"), value=state)
    for state in ("on", "off")
]


class IntervisieCog(commands.Cog):
    def __init__(self, bot: Bot) -> None:
        self.bot: Bot = bot
        self.policy = Policy.from_settings(self.bot.settings)
        self.outbox = Outbox(self.bot)
        self.reports = HubReports(self.bot)
        self.events = HubEvents(self.bot)
        self.notifier = Notifier(self.bot, self.outbox)
        self.names = Names(self.bot)
        self.planner = Planner(self)
        self.polls = PollDesk(self, self.planner)
        self.templates = TemplateDesk(self, self.planner)
        poll_reminders = PollReminders(self.outbox)
        self.poll_runner = PollReminderRunner(
            sessions=self.bot.db.sessions,
            scheduler=self.bot.scheduler,
            send=poll_reminders.send,
            find=poll_reminders.find,
            clock=self.bot.clock,
        )
        reminders = ReminderMessages(self.outbox, self.reports, self.names)
        # The same runner the scheduler's jobs call; tests and the demo call run_due()
        # on it after moving their clock.
        self.runner = ReminderRunner(
            sessions=self.bot.db.sessions,
            reading=self.bot.db.reading,
            scheduler=self.bot.scheduler,
            policy=self.policy,
            send=reminders.send,
            find=reminders.find,
            report=reminders.report,
            clock=self.bot.clock,
            observe=_observer(self.bot),
        )
        # Places offered from waiting lists run out on the leader's scheduler.
        offers = Offers(self.outbox)
        self.offers = OfferRunner(
            sessions=self.bot.db.sessions,
            reading=self.bot.db.reading,
            scheduler=self.bot.scheduler,
            policy=self.policy,
            send=offers.send,
            clock=self.bot.clock,
            tell_lapsed=offers.lapsed,
        )
        invitations = InvitationMessages(self.bot, self.policy.offered_codes)
        self.invitations = InvitationRunner(
            sessions=self.bot.db.sessions,
            send=invitations.send,
            find=invitations.find,
            clock=self.bot.clock,
        )
        self.progress = ProgressFollower(self.bot)
        self.training = TrainingNotices(self.bot, self.policy.zone)
        # Answers that arrive together share one run of the leader's upkeep.
        self.upkeep: Coalesced[int | str] = Coalesced(self._upkeep)

    async def cog_load(self) -> None:
        # Fires only while this process leads: a wake-up from another process may be lost.
        self.bot.scheduler.every(
            JOB_REFRESH, self.bot.settings.leadership.refresh_seconds, self.runner.refresh
        )
        self.bot.scheduler.every(
            JOB_POLLS_REFRESH,
            self.bot.settings.leadership.refresh_seconds,
            self.poll_runner.refresh,
        )
        self.bot.scheduler.every(
            JOB_OFFERS_REFRESH, self.bot.settings.leadership.refresh_seconds, self.offers.refresh
        )
        self.bot.scheduler.every(
            JOB_INVITATIONS,
            self.bot.settings.leadership.refresh_seconds,
            self.invitations.kick_now,
        )
        self.bot.scheduler.every(JOB_TRAINING, CHECK_SECONDS, self.training.catch_up)
        if self.bot.leads:
            await self.lead_taken()

    async def lead_taken(self) -> None:
        """This process now leads (vcpbot.leadership): catch up on what fell due while no
        process did, then one job per reminder."""
        await self.runner.start()
        await self.poll_runner.refresh()
        await self.offers.refresh()
        self.invitations.resume()
        self.invitations.kick()
        await self.training.catch_up()

    async def lead_lost(self) -> None:
        # The next leader sends them; lead_taken rebuilds them here if this process leads again.
        for job in self.bot.scheduler.job_ids(JOB_PREFIX):
            self.bot.scheduler.cancel(job)
        self.poll_runner.stop()
        self.offers.stop()
        await self.invitations.stop()

    async def leader_woken(self, topic: str) -> None:
        if topic == WAKE_INTERVISIE:
            await self.upkeep(None)
            self.invitations.kick()

    async def rows_changed(
        self, *, invitation_ids: list[int] | None = None, places: bool = True
    ) -> None:
        """After a committed change to sessions, answers or reminder preferences: the
        leader's reminder jobs must match the rows again (only these invitations' when
        given), and its waiting lists and offers unless ``places`` says that no session
        with a set number of places was touched."""
        if not self.bot.leads:
            await self.bot.wake_leader(WAKE_INTERVISIE)
        elif invitation_ids is None:
            await self.upkeep(None)
        else:
            await self.upkeep([*invitation_ids, *([PLACES] if places else [])])

    async def _upkeep(self, changed: frozenset[int | str] | None) -> None:
        """The leader's reminder jobs (these invitations' only, when given), and its
        waiting lists and offers when asked, made to match the rows."""
        if changed is None:
            await self.runner.refresh()
            await self.poll_runner.refresh()
        else:
            ids = [key for key in changed if isinstance(key, int)]
            await self.runner.refresh(invitation_ids=ids)
        if changed is None or PLACES in changed:
            await self.offers.refresh()

    async def cog_unload(self) -> None:
        for job in [
            *self.bot.scheduler.job_ids(JOB_PREFIX),
            JOB_REFRESH,
            JOB_POLLS_REFRESH,
            JOB_OFFERS_REFRESH,
            JOB_TRAINING,
        ]:
            self.bot.scheduler.cancel(job)
        self.poll_runner.stop()
        self.offers.stop()
        self.bot.scheduler.cancel(JOB_INVITATIONS)
        self.progress.stop()
        await self.invitations.stop()

    async def send_invitations(self) -> None:
        """After queued invitations were committed: the leader's worker sends them."""
        if self.bot.leads:
            self.invitations.kick()
        else:
            await self.bot.wake_leader(WAKE_INTERVISIE)

    group = app_commands.Group(
        name=L("cmd.intervisie.name"), description=L("cmd.intervisie.description")
    )

    # --- helpers ------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.bot.clock()

    def _today(self) -> date:
        return self._now().astimezone(self.policy.zone).date()

    def _period(
        self, start: str | None, end: str | None, *, days_ahead: int
    ) -> tuple[date, date, datetime, datetime]:
        """First and last day as typed (or the default), and the instants bounding them."""
        today = self._today()
        first = (
            when.parse_date(start, today=today)
            if start
            else today - timedelta(days=DEFAULT_PERIOD_DAYS)
        )
        last = when.parse_date(end, today=today) if end else today + timedelta(days=days_ahead)
        zone = self.policy.zone
        return (
            first,
            last,
            datetime.combine(first, time(0), tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
        )

    # --- planning (coordinator) --------------------------------------------------------

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.plan.name"), description=L("cmd.intervisie.plan.description")
    )
    @app_commands.describe(
        invitees=L("cmd.intervisie.invitees"),
        associations=L("cmd.intervisie.associations"),
        every_weeks=L("cmd.intervisie.every_weeks"),
        until=L("cmd.intervisie.until"),
        places=L("cmd.intervisie.places"),
        topic=L("cmd.intervisie.topic"),
        valid_months=L("cmd.intervisie.valid_months"),
    )
    @app_commands.choices(invitees=INVITEE_CHOICES)
    @app_commands.rename(
        invitees=L("cmd.intervisie.opt.invitees"),
        associations=L("cmd.intervisie.opt.associations"),
        every_weeks=L("cmd.intervisie.opt.every_weeks"),
        until=L("cmd.intervisie.opt.until"),
        places=L("cmd.intervisie.opt.places"),
        topic=L("cmd.intervisie.opt.topic"),
        valid_months=L("cmd.intervisie.opt.valid_months"),
    )
    async def plan(
        self,
        interaction: Interaction,
        invitees: app_commands.Choice[str],
        associations: app_commands.Range[str, 1, 300] | None = None,
        every_weeks: app_commands.Range[int, 1, 52] | None = None,
        until: app_commands.Range[str, 1, 40] | None = None,
        places: int | None = None,
        topic: app_commands.Range[str, 1, 100] | None = None,
        valid_months: app_commands.Range[int, 1, 120] | None = None,
    ) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
        audience = Audience.read(
            invitees.value,
            associations,
            every_weeks,
            until,
            today=self._today(),
            places=places,
            topic=topic,
            valid_months=valid_months,
        )
        # A training's form starts with its topic as the title.
        values = FormValues(title=audience.topic or "")
        await interaction.response.send_modal(self.planner.form(interaction, audience, values))

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.poll.name"), description=L("cmd.intervisie.poll.description")
    )
    @app_commands.describe(
        invitees=L("cmd.intervisie.invitees"),
        deadline=L("cmd.intervisie.poll.deadline"),
        associations=L("cmd.intervisie.associations"),
        remind_hours=L("cmd.intervisie.poll.remind_hours"),
    )
    @app_commands.choices(invitees=INVITEE_CHOICES)
    @app_commands.rename(
        invitees=L("cmd.intervisie.opt.invitees"),
        deadline=L("cmd.intervisie.opt.deadline"),
        associations=L("cmd.intervisie.opt.associations"),
        remind_hours=L("cmd.intervisie.opt.remind_hours"),
    )
    async def poll(
        self,
        interaction: Interaction,
        invitees: app_commands.Choice[str],
        deadline: app_commands.Range[str, 1, 40],
        associations: app_commands.Range[str, 1, 300] | None = None,
        remind_hours: app_commands.Range[int, 1, 336] = DEFAULT_POLL_REMINDER_HOURS,
    ) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
        audience = Audience.read(invitees.value, associations, None, None, today=self._today())
        closes = when.parse_start(deadline, zone=self.policy.zone, now=self._now())
        form = self.polls.form(interaction, audience, closes, timedelta(hours=remind_hours))
        await interaction.response.send_modal(form)

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.poll_results.name"),
        description=L("cmd.intervisie.poll_results.description"),
    )
    @app_commands.describe(poll_id=L("cmd.intervisie.poll.which"))
    @app_commands.rename(poll_id=L("cmd.intervisie.opt.poll"))
    async def poll_results(self, interaction: Interaction, poll_id: int) -> None:
        await self.polls.results(interaction, poll_id)

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.poll_choose.name"),
        description=L("cmd.intervisie.poll_choose.description"),
    )
    @app_commands.describe(
        poll_id=L("cmd.intervisie.poll.which"), option=L("cmd.intervisie.poll.option")
    )
    @app_commands.rename(
        poll_id=L("cmd.intervisie.opt.poll"), option=L("cmd.intervisie.opt.option")
    )
    async def poll_choose(
        self,
        interaction: Interaction,
        poll_id: int,
        option: app_commands.Range[int, 1, 10] | None = None,
    ) -> None:
        await self.polls.choose(interaction, poll_id, option)

    @poll_results.autocomplete("poll_id")
    @poll_choose.autocomplete("poll_id")
    async def _poll_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        try:
            async with self.bot.db.sessions.begin() as session:
                await access.require_coordinator(interaction, session)
                polls = await intervisie.open_polls(session)
        except UserError:
            return []
        wanted = current.strip().casefold()
        locale = locale_of(interaction)
        labels = [(poll_label(p, locale), p.id) for p in polls]
        return [
            app_commands.Choice(name=label, value=poll_id)
            for label, poll_id in labels
            if wanted in label.casefold()
        ][: limits.AUTOCOMPLETE_CHOICES_MAX]

    async def answer_poll(
        self, interaction: Interaction, *, token: str, position: int, answer: PollAnswer
    ) -> None:
        """A press on a date poll's button: this person's answer to one date."""
        async with self.bot.db.sessions.begin() as session:
            answered = await intervisie.answer_poll(
                session,
                token=token,
                user_id=interaction.user.id,
                position=position,
                answer=answer,
                now=self._now(),
            )
        await send_private(interaction, poll_answered(answered, locale_of(interaction)))

    @plan.autocomplete("associations")
    @poll.autocomplete("associations")
    async def _association_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Completes the last name of a comma-separated list."""
        head, _, last = current.rpartition(",")
        try:
            async with self.bot.db.reading.begin() as session:
                await access.require_coordinator(interaction, session)
                names = await network.association_names(session, prefix=last.strip())
        except UserError:
            return []
        prefix = f"{head.strip()}, " if head.strip() else ""
        choices = [prefix + n for n in names]
        return [
            app_commands.Choice(name=c, value=c)
            for c in choices
            if len(c) <= limits.CHOICE_NAME_MAX
        ]

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.move.name"), description=L("cmd.intervisie.move.description")
    )
    @app_commands.describe(
        session_id=L("cmd.intervisie.session"),
        new_start=L("cmd.intervisie.new_start"),
        rest_of_series=L("cmd.intervisie.rest_of_series"),
        duration=L("cmd.intervisie.duration"),
    )
    @app_commands.rename(
        session_id=L("cmd.intervisie.opt.session"),
        new_start=L("cmd.intervisie.opt.when"),
        rest_of_series=L("cmd.intervisie.opt.rest_of_series"),
        duration=L("cmd.intervisie.opt.duration"),
    )
    async def move(
        self,
        interaction: Interaction,
        session_id: int,
        new_start: app_commands.Range[str, 1, 40],
        rest_of_series: bool = False,
        duration: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self._now()
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            starts_at = when.parse_start(new_start, zone=self.policy.zone, now=now)
            minutes = (
                when.parse_duration(duration, max_minutes=self.policy.max_duration_minutes)
                if duration
                else None
            )
            moved = await intervisie.move_session(
                session,
                session_id=session_id,
                starts_at=starts_at,
                now=now,
                policy=self.policy,
                rest_of_series=rest_of_series,
                duration_minutes=minutes,
            )
        await self.rows_changed()
        events_ok = await self.events.move(moved.moves)
        unreachable = await self.notifier.moved(moved)
        await self._done(
            interaction, "intervisie.moved.done", len(moved.moves), events_ok, unreachable
        )

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.invite.name"), description=L("cmd.intervisie.invite.description")
    )
    @app_commands.describe(
        session_id=L("cmd.intervisie.session"),
        invitees=L("cmd.intervisie.invitees"),
        associations=L("cmd.intervisie.associations"),
        rest_of_series=L("cmd.intervisie.rest_of_series"),
    )
    @app_commands.choices(invitees=INVITEE_CHOICES)
    @app_commands.rename(
        session_id=L("cmd.intervisie.opt.session"),
        invitees=L("cmd.intervisie.opt.invitees"),
        associations=L("cmd.intervisie.opt.associations"),
        rest_of_series=L("cmd.intervisie.opt.rest_of_series"),
    )
    async def invite(
        self,
        interaction: Interaction,
        session_id: int,
        invitees: app_commands.Choice[str],
        associations: app_commands.Range[str, 1, 300] | None = None,
        rest_of_series: bool = False,
    ) -> None:
        audience = Audience.read(invitees.value, associations, None, None, today=self._today())
        if audience.mode != PEOPLE:
            await self.planner.invite(
                interaction, session_id, audience.invitees(), rest_of_series=rest_of_series
            )
            return
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            details = await intervisie.session_details(session, session_id=session_id)

        async def send_to(pressed: Interaction, chosen: Invitees) -> None:
            await self.planner.invite(pressed, session_id, chosen, rest_of_series=rest_of_series)

        await self.planner.ask_people(
            interaction,
            details.session.title,
            audience.associations,
            send_to,
            cancelled="intervisie.invite.cancelled",
        )

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.cancel.name"), description=L("cmd.intervisie.cancel.description")
    )
    @app_commands.describe(
        session_id=L("cmd.intervisie.session"),
        reason=L("cmd.intervisie.reason"),
        rest_of_series=L("cmd.intervisie.rest_of_series"),
    )
    @app_commands.rename(
        session_id=L("cmd.intervisie.opt.session"),
        reason=L("cmd.intervisie.opt.reason"),
        rest_of_series=L("cmd.intervisie.opt.rest_of_series"),
    )
    async def cancel(
        self,
        interaction: Interaction,
        session_id: int,
        reason: app_commands.Range[str, 1, REASON_MAX] | None = None,
        rest_of_series: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            cancelled = await intervisie.cancel_session(
                session,
                session_id=session_id,
                reason=reason,
                now=self._now(),
                rest_of_series=rest_of_series,
            )
        await self.rows_changed()
        events_ok = await self.events.cancel(cancelled.sessions)
        unreachable = await self.notifier.cancelled(cancelled)
        await self._done(
            interaction,
            "intervisie.cancelled.done",
            len(cancelled.sessions),
            events_ok,
            unreachable,
        )

    async def _done(
        self,
        interaction: Interaction,
        key: str,
        count: int,
        events_ok: bool,
        unreachable: list[int],
    ) -> None:
        locale = locale_of(interaction)
        lines = [t(key, locale, count=count)]
        if not events_ok:
            lines.append(t("intervisie.event.update_failed", locale))
        if unreachable:
            names = await self.names.lookup(unreachable)
            lines.append(render.unreachable_text([names[u] for u in unreachable], locale))
        await send_private(interaction, "\n".join(lines)[: limits.MESSAGE_CONTENT_MAX])

    # --- templates (coordinator) ---------------------------------------------------------

    template = app_commands.Group(
        name=L("cmd.intervisie.template.name"),
        description=L("cmd.intervisie.template.description"),
        parent=group,
    )

    @access.audience(access.Audience.COORDINATOR)
    @template.command(
        name=L("cmd.intervisie.template.save.name"),
        description=L("cmd.intervisie.template.save.description"),
    )
    @app_commands.describe(
        session_id=L("cmd.intervisie.template.source"), name=L("cmd.intervisie.template.new")
    )
    @app_commands.rename(
        session_id=L("cmd.intervisie.opt.session"), name=L("cmd.intervisie.opt.name")
    )
    async def template_save(
        self,
        interaction: Interaction,
        session_id: int,
        name: app_commands.Range[str, 1, intervisie.TEMPLATE_NAME_MAX],
    ) -> None:
        await self.templates.save(interaction, session_id, name)

    @access.audience(access.Audience.COORDINATOR)
    @template.command(
        name=L("cmd.intervisie.template.list.name"),
        description=L("cmd.intervisie.template.list.description"),
    )
    async def template_list(self, interaction: Interaction) -> None:
        await self.templates.show_list(interaction)

    @access.audience(access.Audience.COORDINATOR)
    @template.command(
        name=L("cmd.intervisie.template.remove.name"),
        description=L("cmd.intervisie.template.remove.description"),
    )
    @app_commands.describe(name=L("cmd.intervisie.template.which"))
    @app_commands.rename(name=L("cmd.intervisie.opt.template"))
    async def template_remove(
        self, interaction: Interaction, name: app_commands.Range[str, 1, 100]
    ) -> None:
        await self.templates.remove(interaction, name)

    @access.audience(access.Audience.COORDINATOR)
    @template.command(
        name=L("cmd.intervisie.template.use.name"),
        description=L("cmd.intervisie.template.use.description"),
    )
    @app_commands.describe(
        name=L("cmd.intervisie.template.which"),
        invitees=L("cmd.intervisie.invitees"),
        associations=L("cmd.intervisie.associations"),
        every_weeks=L("cmd.intervisie.every_weeks"),
        until=L("cmd.intervisie.until"),
    )
    @app_commands.choices(invitees=INVITEE_CHOICES)
    @app_commands.rename(
        name=L("cmd.intervisie.opt.template"),
        invitees=L("cmd.intervisie.opt.invitees"),
        associations=L("cmd.intervisie.opt.associations"),
        every_weeks=L("cmd.intervisie.opt.every_weeks"),
        until=L("cmd.intervisie.opt.until"),
    )
    async def template_use(
        self,
        interaction: Interaction,
        name: app_commands.Range[str, 1, 100],
        invitees: app_commands.Choice[str],
        associations: app_commands.Range[str, 1, 300] | None = None,
        every_weeks: app_commands.Range[int, 1, 52] | None = None,
        until: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        audience = Audience.read(
            invitees.value, associations, every_weeks, until, today=self._today()
        )
        await self.templates.use(interaction, name, audience)

    @template_remove.autocomplete("name")
    @template_use.autocomplete("name")
    async def _template_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.templates.choices(interaction, current)

    # The audience's association names complete as in /intervisie plan.
    template_use.autocomplete("associations")(_association_names)

    @template_save.autocomplete("session_id")
    async def _template_sources(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """Sessions still ahead first, then those already held."""
        ahead = await self._session_choices(interaction, current, started=False)
        held = await self._session_choices(interaction, current, started=True)
        return (ahead + held)[: limits.AUTOCOMPLETE_CHOICES_MAX]

    # --- overviews (coordinator) ---------------------------------------------------------

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.list.name"), description=L("cmd.intervisie.list.description")
    )
    async def list_sessions(self, interaction: Interaction) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            summaries = await intervisie.upcoming_sessions(session, now=self._now())
            places = await intervisie.places_of(
                session, session_ids=[s.session.id for s in summaries]
            )
        embed = render.list_embed(summaries, locale_of(interaction))
        add_places_list(
            embed,
            [places[s.session.id] for s in summaries if s.session.id in places],
            locale_of(interaction),
        )
        await send_private(interaction, embed=embed)

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.progress.name"),
        description=L("cmd.intervisie.progress.description"),
    )
    async def invitation_progress(self, interaction: Interaction) -> None:
        """How far the latest plans' invitations are, after the confirmation stopped
        being refreshed."""
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
        text = await progress_report(self.bot, self.names, locale_of(interaction))
        await send_private(interaction, text)

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.show.name"), description=L("cmd.intervisie.show.description")
    )
    @app_commands.describe(session_id=L("cmd.intervisie.session"))
    @app_commands.rename(session_id=L("cmd.intervisie.opt.session"))
    async def show(self, interaction: Interaction, session_id: int) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            details = await intervisie.session_details(session, session_id=session_id)
            names = await display_names(
                session, [i.user_id for i in details.invitations if i.user_id is not None]
            )
            places = await intervisie.places_of(session, session_ids=[session_id])
        embed = render.details_embed(details, names, locale_of(interaction))
        add_places_field(embed, places.get(session_id), names, locale_of(interaction))
        await send_private(interaction, embed=embed)

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.attendance.name"),
        description=L("cmd.intervisie.attendance.description"),
    )
    @app_commands.describe(
        session_id=L("cmd.intervisie.attendance_session"),
        start=L("cmd.intervisie.period_start"),
        end=L("cmd.intervisie.period_end"),
    )
    @app_commands.rename(
        session_id=L("cmd.intervisie.opt.session"),
        start=L("cmd.intervisie.opt.start"),
        end=L("cmd.intervisie.opt.end"),
    )
    async def attendance(
        self,
        interaction: Interaction,
        session_id: int | None = None,
        start: app_commands.Range[str, 1, 40] | None = None,
        end: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        if session_id is not None:
            await self._attendance_form(interaction, session_id)
            return
        locale = locale_of(interaction)
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            first, last, start_at, end_at = self._period(start, end, days_ahead=0)
            rows = await intervisie.attendance_summary(session, start=start_at, end=end_at)
        embed = render.attendance_embed(rows, first, last, locale)
        await send_private(interaction, embed=embed)

    async def _attendance_form(self, interaction: Interaction, session_id: int) -> None:
        locale = locale_of(interaction)
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            details = await intervisie.session_details(session, session_id=session_id)
            names = await display_names(
                session,
                [i.user_id for i in details.invitations if i.user_id is not None],
                plain=True,
            )
        # Shown early for a clear message; mark_attendance checks the same on Save.
        if details.session.status is not SessionStatus.PLANNED:
            raise Conflict("intervisie.error.cancelled")
        if details.session.starts_at > self._now():
            raise Conflict("intervisie.error.not_started")
        form = AttendanceForm(self, details, names, interaction.user.id, locale)
        await send_private(
            interaction, form_text(details, locale, truncated=form.truncated), view=form
        )

    @access.audience(access.Audience.COORDINATOR)
    @group.command(
        name=L("cmd.intervisie.export.name"), description=L("cmd.intervisie.export.description")
    )
    @app_commands.describe(
        start=L("cmd.intervisie.period_start"), end=L("cmd.intervisie.period_end")
    )
    @app_commands.rename(start=L("cmd.intervisie.opt.start"), end=L("cmd.intervisie.opt.end"))
    async def export(
        self,
        interaction: Interaction,
        start: app_commands.Range[str, 1, 40] | None = None,
        end: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        async with self.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            first, last, start_at, end_at = self._period(start, end, days_ahead=DEFAULT_PERIOD_DAYS)
            export = await intervisie.export_csv(session, start=start_at, end=end_at)
        span = f"{first:%Y%m%d}-{last:%Y%m%d}"
        files = [
            discord.File(
                io.BytesIO(export.sessions_csv.encode("utf-8")),
                filename=f"intervisie-sessions-{span}.csv",
            ),
            discord.File(
                io.BytesIO(export.attendance_csv.encode("utf-8")),
                filename=f"intervisie-attendance-{span}.csv",
            ),
        ]
        await send_private(
            interaction,
            text(
                interaction,
                "intervisie.export.done",
                start=first,
                end=last,
            ),
            files=files,
        )

    @show.autocomplete("session_id")
    @move.autocomplete("session_id")
    @invite.autocomplete("session_id")
    @cancel.autocomplete("session_id")
    async def _upcoming_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self._session_choices(interaction, current, started=False)

    @attendance.autocomplete("session_id")
    async def _started_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self._session_choices(interaction, current, started=True)

    async def _session_choices(
        self, interaction: Interaction, current: str, *, started: bool
    ) -> list[app_commands.Choice[int]]:
        try:
            async with self.bot.db.sessions.begin() as session:
                await access.require_coordinator(interaction, session)
                if started:
                    views = await intervisie.recent_sessions(session, now=self._now())
                else:
                    summaries = await intervisie.upcoming_sessions(
                        session, now=self._now(), limit=100
                    )
                    views = [s.session for s in summaries]
        except UserError:
            return []
        wanted = current.strip().casefold()
        locale = locale_of(interaction)
        labels = [(render.session_label(v, locale), v) for v in views]
        return [
            app_commands.Choice(name=label, value=v.id)
            for label, v in labels
            if wanted in label.casefold()
        ][: limits.AUTOCOMPLETE_CHOICES_MAX]

    # --- for VCPs ----------------------------------------------------------------------

    @access.audience(access.Audience.INVITEES)
    @group.command(
        name=L("cmd.intervisie.mine.name"), description=L("cmd.intervisie.mine.description")
    )
    async def mine(self, interaction: Interaction) -> None:
        locale = locale_of(interaction)
        async with self.bot.db.sessions.begin() as session:
            upcoming = await intervisie.my_sessions(
                session, user_id=interaction.user.id, now=self._now()
            )
            ahead = await intervisie.my_calendar(
                session, user_id=interaction.user.id, now=self._now()
            )
            trainings = await intervisie.my_trainings(session, user_id=interaction.user.id)
        pairs = [(m.session, m.invitation) for m in upcoming]
        views = answer_views([(s, i.token) for s, i in pairs], locale, dated=True)
        embed = render.mine_embed(pairs, locale)
        add_training_field(embed, trainings, locale, now=self._now(), zone=self.policy.zone)
        kwargs: dict[str, Any] = {"embed": embed}
        if views:
            # The first five sessions; later ones are answered from their invitation.
            kwargs["view"] = views[0]
        if ahead:
            feed = intervisie.calendar_feed(ahead, now=self._now())
            embed.set_footer(text=t("intervisie.mine.calendar", locale))
            kwargs["file"] = discord.File(
                io.BytesIO(feed.data),
                filename=feed.name,
                description=t("intervisie.mine.calendar_alt", locale),
            )
        await send_private(interaction, **kwargs)
        await self._leads_menu(interaction, locale)

    async def _leads_menu(self, interaction: Interaction, locale: Locale) -> None:
        """Which reminders the VCP gets now, and the menu to choose others (or none)."""
        offered = self.policy.offered_codes
        if not offered:
            return
        async with self.bot.db.reading.begin() as session:
            prefs = await intervisie.preferences(
                session, user_id=interaction.user.id, policy=self.policy
            )
        view = discord.ui.View(timeout=None)
        view.add_item(LeadsSelect(offered, reader=locale, current=prefs.leads))
        words = leads_text(prefs.leads, locale)
        key = "intervisie.leads.current" if prefs.leads else "intervisie.leads.current_none"
        await send_private(interaction, t(key, locale, leads=words), view=view)

    async def choose_leads(self, interaction: Interaction, *, picked: Sequence[str]) -> None:
        """A VCP picked their lead times in the menu (invitation DM or /intervisie mine)."""
        async with self.bot.db.sessions.begin() as session:
            prefs = await intervisie.set_reminder_leads(
                session,
                user_id=interaction.user.id,
                leads=picked_leads(picked),
                now=self._now(),
                policy=self.policy,
                locale=reader_locale(interaction.locale.value),
            )
        await self.rows_changed()
        locale = locale_of(interaction)
        key = "intervisie.leads.saved" if prefs.leads else "intervisie.leads.saved_none"
        words = leads_text(prefs.leads, locale)
        await send_private(interaction, t(key, locale, leads=words))

    @access.audience(access.Audience.INVITEES)
    @group.command(
        name=L("cmd.intervisie.reminders.name"),
        description=L("cmd.intervisie.reminders.description"),
    )
    @app_commands.describe(enabled=L("cmd.intervisie.enabled"))
    @app_commands.choices(enabled=ON_OFF_CHOICES)
    @app_commands.rename(enabled=L("cmd.intervisie.opt.enabled"))
    async def reminders(self, interaction: Interaction, enabled: app_commands.Choice[str]) -> None:
        on = enabled.value == "on"
        async with self.bot.db.sessions.begin() as session:
            await intervisie.set_reminders_enabled(
                session,
                user_id=interaction.user.id,
                enabled=on,
                now=self._now(),
                policy=self.policy,
                locale=reader_locale(interaction.locale.value),
            )
        await self.rows_changed()
        key = "intervisie.reminders.on" if on else "intervisie.reminders.off"
        await send_private(interaction, text(interaction, key))

    async def answer(self, interaction: Interaction, *, token: str, answer: Rsvp) -> None:
        """A Yes / No / Maybe press, from an invitation, a reminder or /intervisie mine."""
        async with self.bot.db.sessions.begin() as session:
            answered = await intervisie.rsvp(
                session,
                token=token,
                user_id=interaction.user.id,
                answer=answer,
                now=self._now(),
                policy=self.policy,
                locale=reader_locale(interaction.locale.value),
            )
        # Only this invitation's reminders can have changed.
        # The leader sends any place this answer freed to the next on the waiting list.
        await self.rows_changed(invitation_ids=[answered.invitation.id], places=answered.limited)
        title = render.escape(answered.session.title)
        if answered.waiting is not None:
            said = text(interaction, "capacity.waiting", title=title, position=answered.waiting)
        else:
            said = text(interaction, f"intervisie.answered.{answer.value}", title=title)
        await send_private(interaction, said)

    async def answer_offer(self, interaction: Interaction, *, token: str, take: bool) -> None:
        """Take, or pass on, a place offered from the waiting list."""
        user_id, now = interaction.user.id, self._now()
        async with self.bot.db.sessions.begin() as session:
            if take:
                taken = await intervisie.take_offer(
                    session, token=token, user_id=user_id, now=now, policy=self.policy
                )
            else:
                await intervisie.pass_offer(
                    session, token=token, user_id=user_id, now=now, policy=self.policy
                )
        await self.rows_changed()
        if take:
            title = render.escape(taken.session.title)
            await send_private(interaction, text(interaction, "capacity.taken", title=title))
            return
        await send_private(interaction, text(interaction, "capacity.passed"))


def _observer(bot: Bot) -> Any:
    """The metrics' count of reminder outcomes, when the metrics endpoint is on."""
    metrics = getattr(bot, "metrics", None)
    return None if metrics is None else metrics.reminder
