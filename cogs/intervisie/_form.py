"""The planning form: what the slash command said, what the coordinator typed, and
reading it into a draft. A form that cannot be used comes back with a button that
reopens it with everything still filled in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import discord

from cogs.intervisie._rsvp import FEATURE
from vcpbot import custom_ids, limits
from vcpbot.bot_types import Interaction
from vcpbot.errors import InvalidInput
from vcpbot.i18n import Locale, t
from vcpbot.interactions import report_error
from vcpbot.modals import ExpiringModal
from vcpbot.services import when
from vcpbot.services.intervisie import (
    AGENDA_MAX,
    LINK_MAX,
    TITLE_MAX,
    TOPIC_MAX,
    Invitees,
    Location,
    Policy,
    check_places,
)

FORM_SECONDS = 30 * 60


class FormPlanner(Protocol):
    """What the form hands its values back to (``_planning.Planner``); the form never
    imports the planner, which imports the form."""

    @property
    def policy(self) -> Policy: ...

    async def submit(
        self, interaction: Interaction, audience: Audience, values: FormValues
    ) -> None: ...

    async def open_form(
        self, interaction: Interaction, audience: Audience, values: FormValues
    ) -> None: ...


ALL, ASSOCIATIONS, PEOPLE = "all", "associations", "people"


@dataclass(frozen=True)
class Audience:
    """What the slash command said: who to invite, and whether the session repeats."""

    mode: str
    associations: tuple[str, ...] = ()
    every_weeks: int | None = None
    until: date | None = None
    # The most people each session has places for; None for no maximum.
    places: int | None = None
    # A training or workshop (``topic`` given): its topic and validity in months.
    topic: str | None = None
    valid_months: int | None = None

    @classmethod
    def read(
        cls,
        mode: str,
        associations: str | None,
        every_weeks: int | None,
        until: str | None,
        *,
        today: date,
        places: int | None = None,
        topic: str | None = None,
        valid_months: int | None = None,
    ) -> Audience:
        names = tuple(n.strip() for n in (associations or "").split(",") if n.strip())
        if mode == ASSOCIATIONS and not names:
            raise InvalidInput("intervisie.error.associations_missing")
        if every_weeks is not None and not (until or "").strip():
            raise InvalidInput("intervisie.error.until_missing")
        if (until or "").strip() and every_weeks is None:
            raise InvalidInput("intervisie.error.every_missing")
        end = when.parse_date(until, today=today) if until and until.strip() else None
        check_places(places)
        topic = (topic or "").strip() or None
        if valid_months is not None and topic is None:
            raise InvalidInput("training.error.bad_topic", limit=TOPIC_MAX)
        return cls(
            mode=mode,
            associations=names,
            every_weeks=every_weeks,
            until=end,
            places=places,
            topic=topic,
            valid_months=valid_months,
        )

    def invitees(self) -> Invitees:
        if self.mode == ALL:
            return Invitees.everyone()
        return Invitees.of_associations(*self.associations)


@dataclass(frozen=True)
class FormValues:
    """The form as typed, kept so a correction does not start from scratch."""

    title: str = ""
    when: str = ""
    duration: str = ""
    location: str = ""
    agenda: str = ""


@dataclass(frozen=True)
class Draft:
    audience: Audience
    values: FormValues
    starts_at: datetime
    duration_minutes: int
    location: Location

    @classmethod
    def read(
        cls, values: FormValues, audience: Audience, *, now: datetime, policy: Policy
    ) -> Draft:
        """Dates and durations in Dutch or ISO forms; the rest is checked by the service."""
        return cls(
            audience=audience,
            values=values,
            starts_at=when.parse_start(values.when, zone=policy.zone, now=now),
            duration_minutes=when.parse_duration(
                values.duration, max_minutes=policy.max_duration_minutes
            ),
            location=read_location(values.location),
        )


def read_location(value: str) -> Location:
    """``https://…`` or ``online https://…`` is an online meeting; anything else a room."""
    stripped = value.strip()
    lowered = stripped.casefold()
    if lowered.startswith("online"):
        return Location.online(stripped[len("online") :].strip(" :-"))
    if lowered.startswith(("https://", "http://")):
        # The service refuses plain http with an example of what to write.
        return Location.online(stripped)
    return Location.room(stripped)


class PlanForm(ExpiringModal):
    def __init__(
        self, planner: FormPlanner, audience: Audience, locale: Locale, values: FormValues
    ) -> None:
        super().__init__(
            title=t("intervisie.form.title", locale)[: limits.MODAL_TITLE_MAX],
            timeout=FORM_SECONDS,
            custom_id=custom_ids.build(FEATURE, "plan", secrets.token_urlsafe(9)),
        )
        self.planner = planner
        self.audience = audience
        max_hours = when.as_hours(planner.policy.max_duration_minutes)
        self.name = self._field(
            "title", values.title, TITLE_MAX, t("intervisie.form.name", locale), None
        )
        self.when = self._field(
            "when",
            values.when,
            40,
            t("intervisie.form.when", locale),
            t("intervisie.form.when_hint", locale),
            placeholder="24-09-2026 19:30",
        )
        self.duration = self._field(
            "duration",
            values.duration,
            20,
            t("intervisie.form.duration", locale),
            t("intervisie.form.duration_hint", locale, count=max_hours),
            placeholder="1:30",
        )
        self.location = self._field(
            "location",
            values.location,
            LINK_MAX,
            t("intervisie.form.location", locale),
            t("intervisie.form.location_hint", locale),
        )
        self.agenda = self._field(
            "agenda",
            values.agenda,
            AGENDA_MAX,
            t("intervisie.form.agenda", locale),
            None,
            paragraph=True,
        )

    def _field(
        self,
        custom_id: str,
        value: str,
        max_length: int,
        label: str,
        hint: str | None,
        *,
        placeholder: str | None = None,
        paragraph: bool = False,
    ) -> discord.ui.TextInput[Any]:
        field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id=custom_id,
            style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
            max_length=max_length,
            required=not paragraph,
            default=value or None,
            placeholder=placeholder,
        )
        self.add_item(discord.ui.Label(text=label, description=hint, component=field))
        return field

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        values = FormValues(
            title=self.name.value,
            when=self.when.value,
            duration=self.duration.value,
            location=self.location.value,
            agenda=self.agenda.value,
        )
        await self.planner.submit(interaction, self.audience, values)

    async def on_error(  # type: ignore[override]  # a Modal's on_error has no item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)


class OwnedView(discord.ui.View):
    """An ephemeral step of the planning; only the coordinator who started it can use it."""

    def __init__(self, user_id: int) -> None:
        super().__init__(timeout=FORM_SECONDS)
        self.user_id = user_id
        self.token = secrets.token_urlsafe(9)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class RetryForm(OwnedView):
    def __init__(
        self,
        planner: FormPlanner,
        audience: Audience,
        values: FormValues,
        user_id: int,
        locale: Locale,
    ) -> None:
        super().__init__(user_id)
        self.planner = planner
        self.audience = audience
        self.values = values
        button: discord.ui.Button[RetryForm] = discord.ui.Button(
            label=t("intervisie.form.retry", locale),
            style=discord.ButtonStyle.primary,
            custom_id=custom_ids.build(FEATURE, "retry", self.token),
        )
        button.callback = self._retry  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
        self.add_item(button)

    async def _retry(self, interaction: Interaction) -> None:
        self.stop()
        await self.planner.open_form(interaction, self.audience, self.values)
