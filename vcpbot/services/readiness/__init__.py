"""Readiness per association: what the bot can see of the Let's Talk About Yes
commitments, for the coordinator (every approved association) and a board (its own).

Read only. It reads the registry, the rules library, the /help contact, the anonymous
route's settings, intervisie attendance, training records and the network's audit
log; it never reads a case, a message of a case, the escalation outbox or counts, or
anything of KMTM, so nothing in it can say whether any report or contact exists (the
tests prove this by filling those tables). Acknowledgement rates follow the small-number rule of
``vcpbot.services.disclosure`` (at least ``k`` members, or "too few to show");
intervisie attendance is a share per association, never per person.

Trained VCPs are the registered VCPs with a current (unexpired) training record;
intervisie attendance counts intervisie sessions only, never trainings.
"""

from vcpbot.services.readiness._gather import readiness, readiness_of
from vcpbot.services.readiness._types import (
    ATTENDANCE_LOW_PERCENT,
    BOARD_SHARE_MIN_VCPS,
    QUIET_DAYS,
    TERM_DAYS,
    Acknowledgements,
    Gap,
    Readiness,
    RulesLine,
)

__all__ = [
    "ATTENDANCE_LOW_PERCENT",
    "BOARD_SHARE_MIN_VCPS",
    "QUIET_DAYS",
    "TERM_DAYS",
    "Acknowledgements",
    "Gap",
    "Readiness",
    "RulesLine",
    "readiness",
    "readiness_of",
]
