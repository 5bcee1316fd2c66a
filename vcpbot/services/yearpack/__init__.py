"""The year in one pack (``/network year``): the year's figures for the UM annual report.

Network size, intervisie sessions and attendance, rules coverage, KMTM's tables of
the year's periods as released, and the team's case figures, for the coordinator.
Every figure that counts people or cases is release-safe and comes from a ledger:
attendance from ``year_releases`` (``_gather``), KMTM from ``kmtm_releases`` (read
only: a period not released is "not released"), the cases from
``escalation_releases`` (``escalation.year_figures``, the numbers of ``/cases
report``). Only a year that is over. Trained VCPs are those whose training was
current at the year's end (``trained_vcps``).
"""

from vcpbot.services.yearpack._gather import trained_vcps, year_pack
from vcpbot.services.yearpack._out import (
    count_text,
    export_xlsx,
    kmtm_total,
    notes,
    share_text,
    summary,
    title,
)
from vcpbot.services.yearpack._types import (
    Attendance,
    KmtmPeriodPack,
    NetworkSize,
    Part,
    RulesCoverage,
    YearPack,
)

__all__ = [
    "Attendance",
    "KmtmPeriodPack",
    "NetworkSize",
    "Part",
    "RulesCoverage",
    "YearPack",
    "count_text",
    "export_xlsx",
    "kmtm_total",
    "notes",
    "share_text",
    "summary",
    "title",
    "trained_vcps",
    "year_pack",
]
