"""What KMTM counting and reporting hand back: frozen dataclasses and enums of plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from vcpbot.db.kmtm import Category, Dimension, FollowUp, Relation
from vcpbot.i18n import Locale
from vcpbot.services.disclosure import Marker


class PeriodStatus(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    LATE = "late"  # past its end date, within the grace window: late contacts, no reports
    ENDED = "ended"  # past the grace window, not closed yet: no logging, no reports
    CLOSED = "closed"


@dataclass(frozen=True)
class PeriodView:
    id: int
    name: str
    start_date: date
    end_date: date
    closed_on: date | None

    @property
    def closed(self) -> bool:
        return self.closed_on is not None

    def late_until(self, grace_days: int) -> date:
        """The last day a late contact (from the period's last evening) can be logged."""
        return self.end_date + timedelta(days=grace_days)

    def status(self, today: date, *, grace_days: int = 0) -> PeriodStatus:
        if self.closed:
            return PeriodStatus.CLOSED
        if today < self.start_date:
            return PeriodStatus.UPCOMING
        if today <= self.end_date:
            return PeriodStatus.OPEN
        if today <= self.late_until(grace_days):
            return PeriodStatus.LATE
        return PeriodStatus.ENDED


@dataclass(frozen=True)
class LoggedContact:
    """What one logging added; kept by the caller (in memory only) to allow an undo."""

    period_id: int
    period_name: str
    association_id: int
    category: Category
    relation: Relation
    follow_up: FollowUp


@dataclass(frozen=True)
class MemberCount:
    period_name: str
    association_name: str
    members: int


# k, min_contributors, rounded: the settings a release was made with.
Settings = tuple[int, int, bool]


@dataclass(frozen=True)
class ReportRow:
    # A category, relation or follow-up key; an association's id; a period's name.
    key: str
    # A proper name (association, period) as it was at release; None for the fixed
    # lists, whose label comes from the catalog (``row_label``).
    label: str | None
    value: int | Marker
    rate_per_1000: float | None = None
    # Year by year: the settings of the period's own release, which made this number.
    released_with: Settings | None = None


@dataclass(frozen=True)
class Report:
    period_name: str
    dimension: Dimension
    rows: tuple[ReportRow, ...]
    # The published total; None in the year-by-year table, which has none.
    total: int | Marker | None
    k: int
    min_contributors: int
    rounded: bool
    span: int
    released_on: date
    # The period's own days (for the year table: the period it ends with).
    start_date: date
    end_date: date
    # How many associations the period's release lists by association: those that
    # logged contacts or registered a member count. None in the year-by-year table,
    # and for a period whose association table was never released.
    associations: int | None
    # True when this is an earlier release returned from the ledger.
    from_ledger: bool
    # True when that earlier release used other settings than the ones asked for.
    settings_differ: bool = False

    @property
    def settings(self) -> Settings:
        return (self.k, self.min_contributors, self.rounded)


@dataclass(frozen=True)
class Preview:
    report: Report
    locale: Locale
    chart: bytes
    alt_text: str
    channel_id: int
