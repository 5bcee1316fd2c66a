"""What readiness reports: one line per association, its gaps, and the thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from vcpbot.db.rules import RulesKind

# Half an academic year: the window for "intervisie attendance last term".
TERM_DAYS = 182
# Below this share of recorded attendance, intervisie is a gap.
ATTENDANCE_LOW_PERCENT = 50
# A board sees its VCPs' attendance share only with at least this many VCPs
# (the contributor threshold of vcpbot.services.disclosure).
BOARD_SHARE_MIN_VCPS = 3
# More days than this without any activity the bot can see is a gap.
QUIET_DAYS = 90


class Gap(StrEnum):
    """Something an association can do; the order is the order a board sees them."""

    NO_VCPS = "no_vcps"
    CODE_OF_CONDUCT = "code_of_conduct"
    HOUSE_RULES = "house_rules"
    HELP_CONTACT = "help_contact"
    PANEL = "panel"
    MEMBER_ROUTE = "member_route"
    INTERVISIE = "intervisie"
    QUIET = "quiet"
    # Some registered VCPs have no current (unexpired) training.
    TRAINING = "training"


@dataclass(frozen=True)
class Acknowledgements:
    """How many members acknowledged the current version, as the board may see it.

    ``percent`` is set only when at least ``k`` members acknowledged and the member
    count is known; otherwise ``too_few`` (acknowledgement on) or neither (off).
    """

    enabled: bool
    percent: int | None
    too_few: bool


@dataclass(frozen=True)
class RulesLine:
    kind: RulesKind
    # The date of the current version; None when nothing is published.
    version_date: date | None
    acknowledgements: Acknowledgements | None


@dataclass(frozen=True)
class Readiness:
    """One association's line: only settings and aggregates, nothing about any report."""

    association_id: int
    guild_id: int
    name: str
    short_name: str
    vcps: int
    code_of_conduct: RulesLine
    house_rules: RulesLine
    help_contact: bool
    panel_posted: bool
    member_route: bool
    # Share of its VCPs' invitations with attendance recorded that were attended,
    # over the last term; None when no attendance was recorded.
    attendance_percent: int | None
    # Days since the last activity the bot can see; None when there is none.
    days_quiet: int | None
    gaps: tuple[Gap, ...]
    # Its registered VCPs with at least one current (unexpired) training record.
    trained: int = 0
