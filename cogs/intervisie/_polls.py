"""``/intervisie poll``, ``poll-results`` and ``poll-choose``: the coordinator offers dates
to a group, reads the tally (names for the coordinator only, ephemeral), and turns the
best date (or a chosen one) into a session planned as ``/intervisie plan`` plans one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord

from cogs.intervisie import _render as render
from cogs.intervisie._form import PEOPLE, Audience, FormValues, RetryForm, read_location
from cogs.intervisie._host import IntervisieHost
from cogs.intervisie._names import display_names
from cogs.intervisie._planning import Planner
from cogs.intervisie._poll_dm import answer_word, chosen_text, option_line, poll_parts
from cogs.intervisie._rsvp import FEATURE
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Interaction
from vcpbot.errors import InvalidInput, UserError
from vcpbot.i18n import Locale, formats, t
from vcpbot.interactions import describe_error, locale_of, report_error, send_private
from vcpbot.modals import ExpiringModal
from vcpbot.services import intervisie, languages, when
from vcpbot.services.intervisie import (
    AGENDA_MAX,
    LINK_MAX,
    POLL_OPTIONS_MAX,
    TITLE_MAX,
    Invitees,
    OptionTally,
    Policy,
    PollCreated,
    PollTally,
)

FORM_SECONDS = 30 * 60
# Each date is one line of the form: "15-09-2027 19:30" is 16 characters, "di 15 sep 19:30"
# less; room for ten written out in words.
OPTIONS_TEXT_MAX = 600


@dataclass(frozen=True)
class PollDraft:
    """What the coordinator asked for, read: every date, the length, the place."""

    values: FormValues
    starts: tuple[datetime, ...]
    duration_minutes: int


def read_options(text_: str, *, policy: Policy, now: datetime) -> tuple[datetime, ...]:
    """One date and time a line; a line that cannot be used is refused by its number,
    with the reason the date parser gives (how it read it, when that is the problem)."""
    lines = [line.strip() for line in text_.splitlines() if line.strip()]
    starts = []
    for number, line in enumerate(lines, start=1):
        try:
            starts.append(when.parse_start(line, zone=policy.zone, now=now))
        except InvalidInput as exc:
            raise OptionRefused(number, line, exc) from exc
    return tuple(starts)


class OptionRefused(InvalidInput):
    """One line of the dates could not be used: which one, and why."""

    def __init__(self, number: int, line: str, reason: InvalidInput) -> None:
        super().__init__("intervisie.poll.error.option", number=number, text=line[:40])
        self.reason = reason


class PollForm(ExpiringModal):
    def __init__(self, request: PollRequest, locale: Locale, values: FormValues) -> None:
        super().__init__(
            title=t("intervisie.poll.form.title", locale)[: limits.MODAL_TITLE_MAX],
            timeout=FORM_SECONDS,
            custom_id=custom_ids.build(FEATURE, "poll", secrets.token_urlsafe(9)),
        )
        self.request = request
        max_hours = when.as_hours(request.policy.max_duration_minutes)
        self.fields = {
            name: self._field(name, value, size, paragraph=paragraph)
            for name, value, size, paragraph in (
                ("title", values.title, TITLE_MAX, False),
                ("when", values.when, OPTIONS_TEXT_MAX, True),
                ("duration", values.duration, 20, False),
                ("location", values.location, LINK_MAX, False),
                ("agenda", values.agenda, AGENDA_MAX, True),
            )
        }
        for name, (label, hint) in self._labels(locale, max_hours).items():
            self.add_item(
                discord.ui.Label(text=label, description=hint, component=self.fields[name])
            )

    @staticmethod
    def _labels(locale: Locale, max_hours: Any) -> dict[str, tuple[str, str | None]]:
        return {
            "title": (t("intervisie.form.name", locale), None),
            "when": (
                t("intervisie.poll.form.options", locale),
                t("intervisie.poll.form.options_hint", locale, max=POLL_OPTIONS_MAX),
            ),
            "duration": (
                t("intervisie.form.duration", locale),
                t("intervisie.form.duration_hint", locale, count=max_hours),
            ),
            "location": (
                t("intervisie.form.location", locale),
                t("intervisie.form.location_hint", locale),
            ),
            "agenda": (t("intervisie.form.agenda", locale), None),
        }

    @staticmethod
    def _field(name: str, value: str, size: int, *, paragraph: bool) -> discord.ui.TextInput[Any]:
        return discord.ui.TextInput(
            custom_id=name,
            style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
            max_length=size,
            required=name != "agenda",
            default=value or None,
        )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        values = FormValues(**{name: field.value for name, field in self.fields.items()})
        await self.request.submit(interaction, self.request.audience, values)

    async def on_error(  # type: ignore[override]  # a Modal's on_error has no item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)


@dataclass
class PollRequest:
    """One /intervisie poll: who is asked, the deadline, the reminder; the form's planner
    (``_form.FormPlanner``), so a correction reopens it with everything still filled in."""

    desk: PollDesk
    audience: Audience
    deadline: datetime
    remind_before: timedelta

    @property
    def policy(self) -> Policy:
        return self.desk.policy

    async def open_form(
        self, interaction: Interaction, audience: Audience, values: FormValues
    ) -> None:
        async with self.desk.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
        await interaction.response.send_modal(PollForm(self, locale_of(interaction), values))

    async def submit(
        self, interaction: Interaction, audience: Audience, values: FormValues
    ) -> None:
        await self.desk.submit(interaction, self, values)


class PollDesk:
    """The poll's steps, from the slash command to the session it becomes."""

    def __init__(self, cog: IntervisieHost, planner: Planner) -> None:
        self.cog = cog
        self.planner = planner

    @property
    def policy(self) -> Policy:
        return self.cog.policy

    def form(
        self,
        interaction: Interaction,
        audience: Audience,
        deadline: datetime,
        remind_before: timedelta,
    ) -> PollForm:
        request = PollRequest(self, audience, deadline, remind_before)
        return PollForm(request, locale_of(interaction), FormValues())

    async def submit(
        self, interaction: Interaction, request: PollRequest, values: FormValues
    ) -> None:
        try:
            draft = PollDraft(
                values=values,
                starts=read_options(values.when, policy=self.policy, now=self.cog.bot.clock()),
                duration_minutes=when.parse_duration(
                    values.duration, max_minutes=self.policy.max_duration_minutes
                ),
            )
        except UserError as exc:
            await self._offer_retry(interaction, exc, request, values)
            return
        if request.audience.mode == PEOPLE:

            async def send_to(pressed: Interaction, invitees: Invitees) -> None:
                await self.create(pressed, request, draft, invitees)

            await self.planner.ask_people(
                interaction, values.title, request.audience.associations, send_to
            )
        else:
            await self.create(interaction, request, draft, request.audience.invitees())

    async def _offer_retry(
        self,
        interaction: Interaction,
        error: UserError,
        request: PollRequest,
        values: FormValues,
    ) -> None:
        message = describe_error(interaction, error)
        if isinstance(error, OptionRefused):
            message += "\n" + describe_error(interaction, error.reason)
        view = RetryForm(
            request, request.audience, values, interaction.user.id, locale_of(interaction)
        )
        await send_private(interaction, message, view=view)

    async def create(
        self,
        interaction: Interaction,
        request: PollRequest,
        draft: PollDraft,
        invitees: Invitees,
    ) -> None:
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        checked = False
        try:
            async with self.cog.bot.db.sessions.begin() as session:
                await access.require_coordinator(interaction, session)
                checked = True
                created = await intervisie.create_poll(
                    session,
                    title=draft.values.title,
                    starts=draft.starts,
                    duration_minutes=draft.duration_minutes,
                    location=read_location(draft.values.location),
                    agenda=draft.values.agenda,
                    invitees=invitees,
                    deadline=request.deadline,
                    remind_before=request.remind_before,
                    now=self.cog.bot.clock(),
                    policy=self.policy,
                )
        except UserError as exc:
            if not checked:
                raise
            await self._offer_retry(interaction, exc, request, draft.values)
            return
        await self.cog.rows_changed()
        unreachable = await self._send_polls(created)
        await send_private(interaction, await self._created_text(interaction, created, unreachable))

    async def _send_polls(self, created: PollCreated) -> list[int]:
        """One DM per person, in their language; the user ids that could not be reached."""
        people = [i.user_id for i in created.invitees]
        async with self.cog.bot.db.reading.begin() as session:
            readers = await languages.remembered_for(session, user_ids=people)
        failed = []
        for invitee in created.invitees:
            parts = poll_parts(created.poll, invitee.token, readers.get(invitee.user_id))
            if not await self.cog.notifier.outbox.send(invitee.user_id, parts):
                failed.append(invitee)
        if failed:
            async with self.cog.bot.db.sessions.begin() as session:
                await intervisie.record_poll_delivery(session, unreachable=[i.id for i in failed])
        return [i.user_id for i in failed]

    async def _created_text(
        self, interaction: Interaction, created: PollCreated, unreachable: list[int]
    ) -> str:
        locale = locale_of(interaction)
        poll = created.poll
        people = len(created.invitees)
        lines = [
            t(
                "intervisie.poll.created",
                locale,
                title=render.escape(poll.title),
                options=t("intervisie.poll.options_count", locale, count=len(poll.options)),
                people=t("intervisie.plan.people", locale, count=people),
                delivered=t("intervisie.plan.delivered", locale, count=people - len(unreachable)),
                deadline=formats.moment(poll.local_deadline, locale),
                reminder=formats.moment(
                    poll.remind_at.astimezone(poll.local_deadline.tzinfo), locale
                ),
                number=poll.id,
            )
        ]
        if unreachable:
            names = await self.cog.names.lookup(unreachable)
            lines.append(render.unreachable_text([names[u] for u in unreachable], locale))
        return "\n".join(lines)[: limits.MESSAGE_CONTENT_MAX]

    async def results(self, interaction: Interaction, poll_id: int) -> None:
        """The tally, with names: for the coordinator only, ephemeral."""
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            tally = await intervisie.poll_tally(session, poll_id=poll_id)
            everyone = {u for o in tally.options for u in (*o.yes, *o.maybe, *o.no)}
            names = await display_names(session, everyone | set(tally.incomplete))
        await send_private(interaction, embed=tally_embed(tally, names, locale_of(interaction)))

    async def choose(self, interaction: Interaction, poll_id: int, position: int | None) -> None:
        """The best date (or the chosen one) becomes a session, planned as /intervisie plan
        plans one; everyone asked hears which date it became, then gets the invitation."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.cog.bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            closed = await intervisie.close_poll(
                session,
                poll_id=poll_id,
                position=position,
                now=self.cog.bot.clock(),
                policy=self.policy,
            )
            fanout = await intervisie.queue_invitations(
                session, planned=closed.planned, now=self.cog.bot.clock()
            )
        async with self.cog.bot.db.reading.begin() as session:
            readers = await languages.remembered_for(session, user_ids=closed.asked)
        for user_id in closed.asked:
            note = chosen_text(closed.poll, closed.chosen, readers.get(user_id))
            await self.cog.notifier.outbox.send(user_id, [render.Part(content=note)])
        await self.planner.announce(interaction, closed.planned, fanout)


def tally_embed(tally: PollTally, names: dict[int, str], locale: Locale) -> discord.Embed:
    """Per date: the counts, then who said what; the best date marked."""
    blocks = [
        _tally_block(o, names, locale, best=o.option.position == tally.best) for o in tally.options
    ]
    if tally.incomplete:
        waiting = ", ".join(names[u] for u in tally.incomplete)
        blocks.append(t("intervisie.poll.results.incomplete", locale, names=waiting))
    embed = discord.Embed(
        title=t("intervisie.poll.results.title", locale, title=tally.poll.title)[
            : limits.EMBED_TITLE_MAX
        ],
        description=render.whole_lines(blocks, limits.EMBED_DESCRIPTION_MAX, locale),
        colour=discord.Colour.dark_grey(),
    )
    embed.set_footer(
        text=t(
            "intervisie.poll.results.footer",
            locale,
            invited=tally.invited,
            deadline=formats.moment(tally.poll.local_deadline, locale),
        )
    )
    return embed


def _tally_block(tally: OptionTally, names: dict[int, str], locale: Locale, *, best: bool) -> str:
    head = option_line(tally.option, locale)
    counts = t(
        "intervisie.poll.results.counts",
        locale,
        yes=len(tally.yes),
        maybe=len(tally.maybe),
        no=len(tally.no),
    )
    lines = [("★ " if best else "") + head, counts]
    for answer, people in (("yes", tally.yes), ("maybe", tally.maybe), ("no", tally.no)):
        if people:
            word = answer_word(intervisie.PollAnswer(answer), locale)
            lines.append(f"{word}: " + ", ".join(names[u] for u in people))
    return "\n".join(lines) + "\n"
