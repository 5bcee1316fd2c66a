"""Intervisie: series, sessions (occurrences), invitations, planned reminders, preferences.

The rows are the whole truth about what is planned: the in-memory scheduler is
rebuilt from ``intervisie_reminders`` at start-up, and a reminder is claimed
with a lease before it is sent and marked sent after, so it is delivered
exactly once (``vcpbot.services.intervisie._sending``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import USER_ID_INFO, Base


class LocationKind(StrEnum):
    ROOM = "room"
    ONLINE = "online"


class SessionStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


class Rsvp(StrEnum):
    NONE = "none"
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class ReminderOutcome(StrEnum):
    SENT = "sent"
    # Fell due while the bot was down and was no longer useful; reported instead.
    MISSED = "missed"
    # Not wanted (any more): the answer is No, reminders are off, or it is Yes/Maybe-only.
    SKIPPED = "skipped"
    # Claimed, but the DM could not be delivered (DMs closed, user left).
    UNREACHABLE = "unreachable"


class IntervisieSeries(Base):
    """A recurring session: every ``interval_weeks`` on ``weekday`` at ``local_time`` in ``zone``.

    The wall time and the zone are kept, not a UTC instant, so every occurrence
    stays at 19:30 in Amsterdam whether it falls in summer or winter time.
    """

    __tablename__ = "intervisie_series"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("interval_weeks BETWEEN 1 AND 52", name="interval_weeks"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    local_time: Mapped[time] = mapped_column(Time)
    # Monday is 0, as in ``date.weekday()``.
    weekday: Mapped[int] = mapped_column(Integer)
    interval_weeks: Mapped[int] = mapped_column(Integer)
    first_date: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class IntervisieSession(Base):
    """One intervisie meeting: a one-off, or one occurrence of a series."""

    __tablename__ = "intervisie_sessions"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'cancelled')", name="status"),
        CheckConstraint("location_kind IN ('room', 'online')", name="location_kind"),
        CheckConstraint("duration_minutes > 0", name="duration"),
        UniqueConstraint("series_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("intervisie_series.id", ondelete="CASCADE"), index=True
    )
    # 0-based place in the series; None for a one-off.
    position: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    # The zone the session was planned in: wall times, nominal-day reminders, the .ics.
    zone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location_kind: Mapped[str] = mapped_column(String(8))
    # A room, or the https link of an online meeting.
    location: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    discord_event_id: Mapped[int | None]
    # The .ics SEQUENCE: bumped on every move and on cancellation.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The opaque part of custom_ids and the .ics UID; never shown, never changes.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # "intervisie", or "training" (a training or workshop: ``vcpbot.db.training``).
    kind: Mapped[str] = mapped_column(String(16), default="intervisie", server_default="intervisie")
    # A training's topic ("Basistraining VCP") and how many months completion counts.
    topic: Mapped[str | None] = mapped_column(String(100))
    valid_months: Mapped[int | None] = mapped_column(Integer)


class IntervisieInvitation(Base):
    """One invitee of one session, with their answer and, afterwards, their attendance.

    ``user_id`` becomes NULL when a person has their data erased after the
    session: the row stays so that the session's counts remain right.
    """

    __tablename__ = "intervisie_invitations"
    __table_args__ = (
        CheckConstraint("rsvp IN ('none', 'yes', 'no', 'maybe')", name="rsvp"),
        UniqueConstraint("session_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(index=True, info=USER_ID_INFO)
    association_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="SET NULL"), index=True
    )
    rsvp: Mapped[str] = mapped_column(String(8), default=Rsvp.NONE)
    answered_at: Mapped[datetime | None]
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # The last DM to this invitee (invitation, change or reminder) could not be delivered.
    dm_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The opaque part of the Yes / No / Maybe buttons' custom_ids.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    invited_at: Mapped[datetime]


class IntervisieReminder(Base):
    """A reminder planned for one invitation; ``outcome`` NULL means still to be sent.

    Unique per (invitation, lead, sequence): moving a session bumps its sequence,
    so the reminders for the new time are new rows beside the old history.
    While ``outcome`` is NULL, a ``claimed_at`` says a process took it to send;
    once ``lease_until`` has passed without an outcome, the send is in doubt.
    """

    __tablename__ = "intervisie_reminders"
    __table_args__ = (
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('sent', 'missed', 'skipped', 'unreachable')",
            name="outcome",
        ),
        UniqueConstraint("invitation_id", "lead", "sequence"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("intervisie_invitations.id", ondelete="CASCADE"), index=True
    )
    # An ISO 8601 duration before the start, as configured: "P7D", "PT24H", "PT1H".
    lead: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(index=True)
    # The last claim to send it, and until when that claimer may send undisturbed.
    claimed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    # When it was seen to be in the person's DMs (sent now, or found from an earlier try).
    sent_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))
    # The opaque part of the reminder DM's buttons: how a later process recognises
    # that DM in the channel. Random, never shown, never reused.
    token: Mapped[str] = mapped_column(String(32), unique=True)


class IntervisiePreference(Base):
    """A VCP's own choices for intervisie messages (their language: ``UserLanguage``)."""

    __tablename__ = "intervisie_preferences"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, info=USER_ID_INFO)
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The lead times they chose ("PT24H,PT1H"; "" for none); NULL until they choose,
    # and then they get what everyone gets. Seen by nobody but the bot.
    reminder_leads: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class IntervisieTemplate(Base):
    """A named starting point for ``/intervisie plan``: a session's title, length, place
    and agenda as the coordinator wrote them. No person and no date: who is invited and
    when are chosen each time it is used."""

    __tablename__ = "intervisie_templates"
    __table_args__ = (
        CheckConstraint("location_kind IN ('room', 'online')", name="location_kind"),
        CheckConstraint("duration_minutes > 0", name="duration"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    # The name casefolded: "Blok 1" and "blok 1" are one template.
    name_key: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location_kind: Mapped[str] = mapped_column(String(8))
    location: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
