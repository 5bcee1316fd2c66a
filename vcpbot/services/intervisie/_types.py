"""What the intervisie services take and give: plain values and frozen dataclasses."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from vcpbot.db.intervisie import (
    IntervisieInvitation,
    IntervisieSeries,
    IntervisieSession,
    LocationKind,
    Rsvp,
    SessionStatus,
)
from vcpbot.services.when import DEFAULT_MAX_DURATION_MINUTES, Lead
from vcpbot.settings import Settings

JOB_PREFIX = "intervisie:reminder:"
# A reminder delivered this long after its time says it is late.
LATE_AFTER = timedelta(minutes=5)


def new_token() -> str:
    """The opaque part of a custom_id: random, and it says nothing about anyone."""
    return secrets.token_urlsafe(16)


def job_id(reminder_id: int) -> str:
    """The scheduler job of one reminder row: the same id in every process and after restarts."""
    return f"{JOB_PREFIX}{reminder_id}"


def _length(lead: Lead) -> timedelta:
    return timedelta(days=lead.days) + lead.exact


@dataclass(frozen=True)
class Policy:
    """The configured rules, built once from the settings and passed to the services."""

    # What everyone gets who has not chosen their own lead times.
    leads: tuple[Lead, ...] = tuple(Lead.parse(c) for c in ("P7D", "PT24H", "PT1H"))
    # What a VCP may add for themselves; ``offered`` is all they may choose from.
    optional: tuple[Lead, ...] = (Lead.parse("PT3H"),)
    # Codes of ``leads`` that go only to invitees who answered Yes or Maybe.
    attending_only: frozenset[str] = frozenset({"PT1H"})
    grace: timedelta = timedelta(hours=2)
    max_duration_minutes: int = DEFAULT_MAX_DURATION_MINUTES
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    # How long a place offered from a waiting list is kept (``waitlist_offer_hours``).
    offer_window: timedelta = timedelta(hours=24)

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        section = settings.intervisie
        return cls(
            leads=tuple(Lead.parse(code) for code in section.reminder_leads),
            optional=tuple(Lead.parse(code) for code in section.optional_leads),
            attending_only=frozenset(section.attending_only_leads),
            grace=timedelta(minutes=section.catch_up_grace_minutes),
            max_duration_minutes=section.max_duration_minutes,
            zone=settings.zone,
            offer_window=timedelta(hours=section.waitlist_offer_hours),
        )

    @property
    def offered(self) -> tuple[Lead, ...]:
        """Every lead time a VCP may choose, longest first."""
        unique = {lead.code: lead for lead in (*self.leads, *self.optional)}
        return tuple(sorted(unique.values(), key=_length, reverse=True))

    @property
    def offered_codes(self) -> tuple[str, ...]:
        return tuple(lead.code for lead in self.offered)

    @property
    def default_codes(self) -> tuple[str, ...]:
        """What someone gets who has not chosen, in the order of ``offered``."""
        defaults = {lead.code for lead in self.leads}
        return tuple(code for code in self.offered_codes if code in defaults)


@dataclass(frozen=True)
class Location:
    """A room (free text) or an online meeting (an https link)."""

    kind: LocationKind
    text: str

    @classmethod
    def room(cls, name: str) -> Location:
        return cls(LocationKind.ROOM, name)

    @classmethod
    def online(cls, link: str) -> Location:
        return cls(LocationKind.ONLINE, link)


@dataclass(frozen=True)
class Invitees:
    """Who to invite; the parts add up (duplicates are invited once)."""

    all_active: bool = False
    # Names or short names of associations, as /network list shows them.
    associations: tuple[str, ...] = ()
    user_ids: tuple[int, ...] = ()

    @classmethod
    def everyone(cls) -> Invitees:
        """Every VCP of every association that is approved and has the bot present."""
        return cls(all_active=True)

    @classmethod
    def of_associations(cls, *names: str) -> Invitees:
        return cls(associations=tuple(names))

    @classmethod
    def people(cls, *user_ids: int) -> Invitees:
        return cls(user_ids=tuple(user_ids))


@dataclass(frozen=True)
class SeriesView:
    id: int
    title: str
    local_time: time
    weekday: int
    interval_weeks: int
    first_date: date
    until: date
    zone: str


@dataclass(frozen=True)
class SessionView:
    id: int
    token: str
    series_id: int | None
    position: int | None
    title: str
    starts_at: datetime
    zone: str
    duration_minutes: int
    location_kind: LocationKind
    location: str
    agenda: str | None
    status: SessionStatus
    cancel_reason: str | None
    discord_event_id: int | None
    sequence: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self) -> datetime:
        """The start on the wall clock of the zone it was planned in."""
        return self.starts_at.astimezone(ZoneInfo(self.zone))

    @property
    def unix_start(self) -> int:
        """Seconds since the epoch, for Discord's ``<t:…:F>`` timestamps."""
        return int(self.starts_at.timestamp())

    @property
    def ics_uid(self) -> str:
        """Stable for the life of the occurrence, so calendars update instead of duplicating."""
        return f"{self.token}@intervisie.vcpbot"


@dataclass(frozen=True)
class CalendarFile:
    """One session's .ics attachment: its file name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class InvitationView:
    id: int
    token: str
    session_id: int
    # None once the person had their data erased (only attendance counts remain).
    user_id: int | None
    association_id: int | None
    rsvp: Rsvp
    answered_at: datetime | None
    attended: bool | None
    dm_failed: bool


@dataclass(frozen=True)
class Planned:
    """New sessions (one, or a series' occurrences) and their invitations."""

    series: SeriesView | None
    sessions: tuple[SessionView, ...]
    invitations: tuple[InvitationView, ...]

    def by_user(self) -> dict[int, list[InvitationView]]:
        """Each invitee's invitations, in session order: one DM per person."""
        grouped: dict[int, list[InvitationView]] = defaultdict(list)
        for invitation in self.invitations:
            if invitation.user_id is not None:
                grouped[invitation.user_id].append(invitation)
        return dict(grouped)


@dataclass(frozen=True)
class MovedSession:
    before: SessionView
    after: SessionView
    # Answers were cleared because the session moved to another day.
    answers_reset: bool


@dataclass(frozen=True)
class Moved:
    moves: tuple[MovedSession, ...]
    # Everyone to tell (and to send an updated .ics), across the moved sessions.
    invitations: tuple[InvitationView, ...]


@dataclass(frozen=True)
class Cancelled:
    sessions: tuple[SessionView, ...]
    reason: str | None
    invitations: tuple[InvitationView, ...]


@dataclass(frozen=True)
class SessionSummary:
    """A session with answer counts, for the coordinator's list."""

    session: SessionView
    invited: int
    yes: int
    no: int
    maybe: int
    unanswered: int


@dataclass(frozen=True)
class SessionDetails:
    session: SessionView
    series: SeriesView | None
    invitations: tuple[InvitationView, ...]

    @property
    def unreachable(self) -> tuple[InvitationView, ...]:
        return tuple(i for i in self.invitations if i.dm_failed and i.user_id is not None)


@dataclass(frozen=True)
class MySession:
    """An upcoming session as the invited VCP sees it: no other invitees."""

    session: SessionView
    invitation: InvitationView


@dataclass(frozen=True)
class Answered:
    session: SessionView
    invitation: InvitationView
    previous: Rsvp
    # Capacity: their place on the waiting list when a Yes found the session full,
    # and the places offered to the next on the list that this answer freed.
    waiting: int | None = None
    offers: tuple[PlaceOffer, ...] = ()
    # The session has a set number of places: its waiting list and offers may have changed.
    limited: bool = False


@dataclass(frozen=True)
class Seating:
    """An answer's effect on the places: ``waiting`` and ``offers`` as ``Answered``
    has them; ``limited`` when the session has a set number of places (only then can
    its waiting list and offers have changed)."""

    waiting: int | None
    offers: tuple[PlaceOffer, ...]
    limited: bool


@dataclass(frozen=True)
class Preferences:
    """A VCP's reminder settings: on or off, and the lead times they get (``leads``,
    longest first): their own choice when ``chosen``, else what everyone gets."""

    reminders_enabled: bool
    leads: tuple[str, ...]
    chosen: bool


@dataclass(frozen=True)
class VcpAttendance:
    """One person's attendance over a period; for the coordinator only."""

    user_id: int
    display_name: str | None
    association_name: str | None
    invited: int
    attended: int
    absent: int
    unmarked: int


@dataclass(frozen=True)
class Export:
    sessions_csv: str
    attendance_csv: str


@dataclass(frozen=True)
class PendingReminder:
    id: int
    due_at: datetime
    # Set while a process holds the reminder to send it: nobody else acts before then.
    lease_until: datetime | None = None

    @property
    def job_id(self) -> str:
        return job_id(self.id)

    @property
    def runs_at(self) -> datetime:
        """When its job should run: when due, or, if claimed, when the claim runs out."""
        if self.lease_until is None:
            return self.due_at
        return max(self.due_at, self.lease_until)


@dataclass(frozen=True)
class ReminderToSend:
    """Everything the DM needs; this caller holds the claim until ``lease_until``.

    ``in_doubt``: an earlier claim ran out without an outcome, so its DM may have
    gone out; look for it (by ``token``) before sending anything.
    """

    reminder_id: int
    invitation_id: int
    # The opaque part of the DM's buttons: it names this reminder and nothing else.
    token: str
    user_id: int
    # The person's remembered language; None: never seen, so both languages.
    locale: Literal["nl", "en"] | None
    lead: str
    due_at: datetime
    claimed_at: datetime
    lease_until: datetime
    rsvp: Rsvp
    session: SessionView
    in_doubt: bool = False

    @property
    def late(self) -> bool:
        return self.claimed_at - self.due_at > LATE_AFTER


@dataclass(frozen=True)
class MissedReminder:
    """A reminder that fell due while the bot was down and was no longer useful."""

    reminder_id: int
    user_id: int
    lead: str
    due_at: datetime
    session: SessionView


@dataclass(frozen=True)
class CatchUp:
    # Still useful: run them now.
    late: tuple[PendingReminder, ...]
    # Recorded as missed; the coordinator is told.
    missed: tuple[MissedReminder, ...]


def series_view(row: IntervisieSeries) -> SeriesView:
    return SeriesView(
        id=row.id,
        title=row.title,
        local_time=row.local_time,
        weekday=row.weekday,
        interval_weeks=row.interval_weeks,
        first_date=row.first_date,
        until=row.until,
        zone=row.zone,
    )


def session_view(row: IntervisieSession) -> SessionView:
    return SessionView(
        id=row.id,
        token=row.token,
        series_id=row.series_id,
        position=row.position,
        title=row.title,
        # Rows just written still hold the value as given; views are always UTC.
        starts_at=row.starts_at.astimezone(UTC),
        zone=row.zone,
        duration_minutes=row.duration_minutes,
        location_kind=LocationKind(row.location_kind),
        location=row.location,
        agenda=row.agenda,
        status=SessionStatus(row.status),
        cancel_reason=row.cancel_reason,
        discord_event_id=row.discord_event_id,
        sequence=row.sequence,
    )


def invitation_view(row: IntervisieInvitation) -> InvitationView:
    return InvitationView(
        id=row.id,
        token=row.token,
        session_id=row.session_id,
        user_id=row.user_id,
        association_id=row.association_id,
        rsvp=Rsvp(row.rsvp),
        answered_at=row.answered_at,
        attended=row.attended,
        dm_failed=row.dm_failed,
    )


@dataclass(frozen=True)
class Invitee:
    user_id: int
    association_id: int | None


@dataclass(frozen=True)
class Details:
    title: str
    duration_minutes: int
    location: Location
    agenda: str | None


@dataclass(frozen=True)
class CoordinatorReport:
    """What the coordinator should hear about: never a silent failure."""

    missed: tuple[MissedReminder, ...] = ()
    unreachable: tuple[ReminderToSend, ...] = ()


# --- date polls ------------------------------------------------------------------------

POLL_JOB_PREFIX = "intervisie:poll:"


def poll_job_id(poll_id: int) -> str:
    """The scheduler job of one poll's reminder: the same id in every process."""
    return f"{POLL_JOB_PREFIX}{poll_id}"


class PollAnswer(StrEnum):
    """An answer to one date of a poll."""

    YES = "yes"
    # "If need be": possible, but not the person's first choice.
    MAYBE = "maybe"
    NO = "no"


@dataclass(frozen=True)
class PollOptionView:
    id: int
    position: int
    starts_at: datetime
    zone: str

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.zone))

    @property
    def unix_start(self) -> int:
        return int(self.starts_at.timestamp())


@dataclass(frozen=True)
class PollView:
    """A date poll as the coordinator set it up; never who answered what."""

    id: int
    title: str
    zone: str
    duration_minutes: int
    location_kind: LocationKind
    location: str
    agenda: str | None
    deadline: datetime
    remind_at: datetime
    options: tuple[PollOptionView, ...]

    @property
    def local_deadline(self) -> datetime:
        return self.deadline.astimezone(ZoneInfo(self.zone))


@dataclass(frozen=True)
class PollInviteeView:
    id: int
    user_id: int
    # The opaque part of the DM's answer buttons.
    token: str


@dataclass(frozen=True)
class PollCreated:
    poll: PollView
    invitees: tuple[PollInviteeView, ...]


@dataclass(frozen=True)
class PollAnswered:
    """One answer saved; ``mine`` is every answer this person gave, by option position."""

    poll: PollView
    option: PollOptionView
    answer: PollAnswer
    mine: dict[int, PollAnswer]


@dataclass(frozen=True)
class OptionTally:
    """Who said what to one date: user ids, for the coordinator only."""

    option: PollOptionView
    yes: tuple[int, ...]
    maybe: tuple[int, ...]
    no: tuple[int, ...]


@dataclass(frozen=True)
class PollTally:
    poll: PollView
    options: tuple[OptionTally, ...]
    # Asked, but no answer to at least one date yet.
    incomplete: tuple[int, ...]
    invited: int
    # The position of the best date: most yes, then most yes or if-need-be, then the earliest.
    best: int


@dataclass(frozen=True)
class PollClosed:
    """The poll became a planned session; the poll and its answers are gone."""

    poll: PollView
    chosen: PollOptionView
    planned: Planned
    # Everyone who was asked: they hear which date it became.
    asked: tuple[int, ...]


@dataclass(frozen=True)
class PollReminderToSend:
    """One person's poll reminder, claimed by this caller until ``lease_until``.

    ``in_doubt``: an earlier claim ran out without an outcome; look for its DM (by
    ``token``) before sending another.
    """

    invitee_id: int
    user_id: int
    token: str
    locale: Literal["nl", "en"] | None
    poll: PollView
    lease_until: datetime
    in_doubt: bool = False


@dataclass(frozen=True)
class PendingPollReminder:
    poll_id: int
    runs_at: datetime


@dataclass(frozen=True)
class PlaceOffer:
    """A place that came free, offered to the first on a session's waiting list: the
    DM to send them (in ``locale``), with buttons carrying ``token``."""

    entry_id: int
    user_id: int
    token: str
    until: datetime
    session: SessionView
    locale: Literal["nl", "en"] | None


@dataclass(frozen=True)
class OfferLapsed:
    """An offer that ran out (``offer``: to tell its person) and the place's next offers."""

    offer: PlaceOffer
    offers: tuple[PlaceOffer, ...]


@dataclass(frozen=True)
class PlacesView:
    """What the coordinator sees of a session's maximum: places, held, and who waits
    (invitations, first on the list first)."""

    session_id: int
    places: int
    taken: int
    waiting: tuple[InvitationView, ...] = ()


@dataclass(frozen=True)
class InvitationToSend:
    """One person's invitation DM, claimed to be sent by this process until ``lease_until``.

    ``in_doubt``: an earlier claim ran out without an outcome, so its DM may be in the
    person's DMs already; look for it (its buttons carry ``invitations``' tokens) first.
    """

    delivery_id: int
    user_id: int
    series: SeriesView | None
    sessions: tuple[SessionView, ...]
    invitations: tuple[InvitationView, ...]
    claimed_at: datetime
    lease_until: datetime
    in_doubt: bool


@dataclass(frozen=True)
class FanoutProgress:
    """How far one plan's invitations are: what the coordinator sees."""

    fanout_id: int
    title: str
    starts_at: datetime | None
    people: int
    sent: int
    # Could not be reached (DMs closed, no server shared).
    unreachable: int
    # Who, for the coordinator's eyes only.
    unreachable_ids: tuple[int, ...]
    # Nobody to send to any more (the session was cancelled first, or data erased).
    skipped: int

    @property
    def settled(self) -> int:
        return self.sent + self.unreachable + self.skipped

    @property
    def done(self) -> bool:
        return self.settled >= self.people


# --- training (sessions of kind "training") ---------------------------------------------


class TrainingStage(StrEnum):
    """Which reminder a training record is due: before it expires, or at expiry."""

    SOON = "soon"
    EXPIRED = "expired"


@dataclass(frozen=True)
class TrainingRecordView:
    """One person's completion of one training, and until when it counts."""

    id: int
    user_id: int
    topic: str
    completed_at: datetime
    expires_at: datetime

    def current(self, now: datetime) -> bool:
        return now < self.expires_at


@dataclass(frozen=True)
class TrainingNoticeToSend:
    """A claimed "due" reminder: send it once, then settle it."""

    record: TrainingRecordView
    stage: TrainingStage
    locale: Literal["nl", "en"] | None
    # An earlier claim ran out without an outcome: look for its DM before sending again.
    in_doubt: bool = False


@dataclass(frozen=True)
class TemplateView:
    """A saved template: what a planning form starts from (no date, no invitees)."""

    id: int
    name: str
    title: str
    duration_minutes: int
    location: Location
    agenda: str | None
