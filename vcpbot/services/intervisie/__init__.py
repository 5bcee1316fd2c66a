"""Intervisie scheduling: the coordinator plans sessions, VCPs answer, reminders go out.

Every function takes an ``AsyncSession`` (the caller's transaction; nothing
here commits), keyword-only plain values and an aware ``now``, and returns
frozen dataclasses. Errors are ``vcpbot.errors`` classes with catalog keys
(``intervisie.error.*`` and, for dates and durations, ``when.error.*``).

After anything that plans, moves, cancels, answers or changes a preference,
the caller commits and then calls ``ReminderRunner.refresh()`` so the
in-memory scheduler matches the rows again (``vcpbot.services.intervisie.jobs``).
"""

from vcpbot.db.intervisie import LocationKind, ReminderOutcome, Rsvp, SessionStatus
from vcpbot.services.intervisie import _erase  # noqa: F401 - registers the privacy eraser
from vcpbot.services.intervisie._answers import (
    my_sessions,
    preferences,
    record_delivery,
    rsvp,
    session_by_token,
    session_details,
    set_reminders_enabled,
    unreachable_invitees,
    upcoming_sessions,
)
from vcpbot.services.intervisie._attendance import (
    attendance_summary,
    export_csv,
    mark_attendance,
    recent_sessions,
)
from vcpbot.services.intervisie._calendar import calendar_file, ics_event
from vcpbot.services.intervisie._changes import cancel_session, move_session
from vcpbot.services.intervisie._planning import (
    AGENDA_MAX,
    LINK_MAX,
    REASON_MAX,
    ROOM_MAX,
    TITLE_MAX,
    invite,
    occurrence_starts,
    plan_series,
    plan_session,
    set_discord_event,
)
from vcpbot.services.intervisie._reminders import plan_reminders
from vcpbot.services.intervisie._sending import (
    REMINDER_LEASE,
    catch_up,
    claim_reminder,
    due_reminders,
    mark_sent,
    pending_reminders,
    record_unreachable,
    settle_reminder,
    settle_unsent,
)
from vcpbot.services.intervisie._types import (
    JOB_PREFIX,
    Answered,
    Cancelled,
    CatchUp,
    Export,
    InvitationView,
    Invitees,
    Location,
    MissedReminder,
    Moved,
    MovedSession,
    MySession,
    PendingReminder,
    Planned,
    Policy,
    Preferences,
    ReminderToSend,
    SeriesView,
    SessionDetails,
    SessionSummary,
    SessionView,
    VcpAttendance,
    job_id,
)

__all__ = [
    "AGENDA_MAX",
    "JOB_PREFIX",
    "LINK_MAX",
    "REASON_MAX",
    "REMINDER_LEASE",
    "ROOM_MAX",
    "TITLE_MAX",
    "Answered",
    "Cancelled",
    "CatchUp",
    "Export",
    "InvitationView",
    "Invitees",
    "Location",
    "LocationKind",
    "MissedReminder",
    "Moved",
    "MovedSession",
    "MySession",
    "PendingReminder",
    "Planned",
    "Policy",
    "Preferences",
    "ReminderOutcome",
    "ReminderToSend",
    "Rsvp",
    "SeriesView",
    "SessionDetails",
    "SessionStatus",
    "SessionSummary",
    "SessionView",
    "VcpAttendance",
    "attendance_summary",
    "calendar_file",
    "cancel_session",
    "catch_up",
    "claim_reminder",
    "due_reminders",
    "export_csv",
    "ics_event",
    "invite",
    "job_id",
    "mark_attendance",
    "mark_sent",
    "move_session",
    "my_sessions",
    "occurrence_starts",
    "pending_reminders",
    "plan_reminders",
    "plan_series",
    "plan_session",
    "preferences",
    "recent_sessions",
    "record_delivery",
    "record_unreachable",
    "rsvp",
    "session_by_token",
    "session_details",
    "set_discord_event",
    "set_reminders_enabled",
    "settle_reminder",
    "settle_unsent",
    "unreachable_invitees",
    "upcoming_sessions",
]
