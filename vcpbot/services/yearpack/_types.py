"""What the year pack hands back: frozen dataclasses of plain values and markers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from vcpbot.services.disclosure import Marker
from vcpbot.services.escalation import YearFigures
from vcpbot.services.kmtm import PeriodView, Report


class Part(StrEnum):
    """A part of the pack with its own row in ``year_releases``."""

    ATTENDANCE = "attendance"


@dataclass(frozen=True)
class NetworkSize:
    """The network at the end of the year, as the registry stands now (see ``_gather``)."""

    associations: int
    vcps: int
    # None: training is not tracked (yet); shown as "not tracked yet", never as 0.
    trained_vcps: int | None


@dataclass(frozen=True)
class RulesCoverage:
    """Of those associations: how many had published each document by the year's end."""

    associations: int
    code_of_conduct: int
    house_rules: int
    both: int


@dataclass(frozen=True)
class Attendance:
    """Intervisie in the year: sessions held, and their invitations as released.

    ``invited`` is the released total, the other three its cells (a count or a
    marker). ``share_percent`` is attended out of attended + not attended, only
    when both are published.
    """

    sessions: int
    invited: int | Marker
    attended: int | Marker
    absent: int | Marker
    not_recorded: int | Marker
    share_percent: int | None
    k: int
    min_contributors: int
    rounded: bool
    released_on: date
    # True when this is an earlier release returned from the ledger.
    from_ledger: bool


@dataclass(frozen=True)
class KmtmPeriodPack:
    period: PeriodView
    # The period's four breakdowns as released; None when not released (yet).
    reports: tuple[Report, ...] | None


@dataclass(frozen=True)
class YearPack:
    year: int
    network: NetworkSize
    coverage: RulesCoverage
    attendance: Attendance
    kmtm: tuple[KmtmPeriodPack, ...]
    cases: YearFigures
