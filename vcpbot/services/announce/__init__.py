"""Announcements to the network: the coordinator writes one bilingual text, and every
approved association that did not opt out and chose a channel gets it once, in the
language its board chose at /setup.

Boards choose a channel, optionally one role the announcement may ping, or opt out
(``set_announcements``). ``send_announcement`` queues one copy per association; the
leading process delivers them (``claim_copies`` ... ``mark_copy_delivered``), exactly
once per association, and ``report`` says how it went. Nothing here stores who wrote
or read an announcement.
"""

from vcpbot.services.announce._announcements import (
    check_draft,
    reach,
    report,
    send_announcement,
    set_announcements,
)
from vcpbot.services.announce._outbox import (
    claim_copies,
    copies_waiting,
    copy_retry_delay,
    free_copy,
    mark_copy_delivered,
    mark_copy_failed,
    release_copies,
)
from vcpbot.services.announce._types import (
    TEXT_MAX,
    TITLE_MAX,
    AnnouncementSettings,
    Delivery,
    Draft,
    Reach,
    Reason,
    Report,
    ReportLine,
    State,
)

__all__ = [
    "TEXT_MAX",
    "TITLE_MAX",
    "AnnouncementSettings",
    "Delivery",
    "Draft",
    "Reach",
    "Reason",
    "Report",
    "ReportLine",
    "State",
    "check_draft",
    "claim_copies",
    "copies_waiting",
    "copy_retry_delay",
    "free_copy",
    "mark_copy_delivered",
    "mark_copy_failed",
    "reach",
    "release_copies",
    "report",
    "send_announcement",
    "set_announcements",
]
