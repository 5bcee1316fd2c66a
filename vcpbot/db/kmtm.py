"""KMTM reporting: periods, member counts, counters, and the release ledger.

Aggregate only. A contact is never a row: logging one adds 1 to three counters,
one per pre-declared breakdown (category, relation, follow-up), each keyed by
period and association, so no cross-tabulation exists even here. No table has a
timestamp; the only dates are a period's own (start, end, closed) and the day a
report was released. Counter tables have no surrogate id and, on SQLite, no
rowid, so not even the order in which counters were first used is kept.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import Base


class Category(StrEnum):
    """Nature of the contact, as in the UM annual report (DOMAIN.md)."""

    SEXUAL_PHYSICAL = "sexual_physical"
    SEXUAL_NONPHYSICAL = "sexual_nonphysical"
    STALKING = "stalking"
    UNFAIR_TREATMENT = "unfair_treatment"
    UNPROFESSIONAL = "unprofessional"
    AGGRESSION_PHYSICAL = "aggression_physical"
    AGGRESSION_NONPHYSICAL = "aggression_nonphysical"
    BULLYING = "bullying"
    DISCRIMINATION = "discrimination"
    INTIMIDATION = "intimidation"
    IMPROPER = "improper"
    ADVICE = "advice"


class Relation(StrEnum):
    """The other person's relation to the person who came to the VCP."""

    STUDENT = "student"
    STAFF_ACADEMIC = "staff_academic"
    STAFF_SUPPORT = "staff_support"
    STAFF_UNKNOWN = "staff_unknown"
    CIVILIAN = "civilian"
    UNKNOWN = "unknown"


class FollowUp(StrEnum):
    LISTENING_EAR = "listening_ear"
    REFERRED_UM_TEAM = "referred_um_team"
    REFERRED_INSIDE_UM = "referred_inside_um"
    REFERRED_OUTSIDE_UM = "referred_outside_um"
    NOTHING_YET = "nothing_yet"


class Dimension(StrEnum):
    """What a report breaks the numbers down by; one at a time."""

    CATEGORY = "category"
    RELATION = "relation"
    FOLLOW_UP = "follow_up"
    ASSOCIATION = "association"
    YEAR = "year"


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v.value}'" for v in values) + ")"


class KmtmPeriod(Base):
    """An introduction period such as "KMTM 2026"; periods never overlap."""

    __tablename__ = "kmtm_periods"
    __table_args__ = (CheckConstraint("start_date <= end_date", name="dates"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # Set when the coordinator closes the period; logging stops, reports start.
    closed_on: Mapped[date | None] = mapped_column(Date)


class KmtmMembers(Base):
    """An association's member count for one period, for rates per 1000 members."""

    __tablename__ = "kmtm_members"
    __table_args__ = (CheckConstraint("members > 0", name="members_positive"),)

    period_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("kmtm_periods.id", ondelete="CASCADE"), primary_key=True
    )
    association_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True
    )
    members: Mapped[int] = mapped_column(Integer)


class _Counter:
    """Columns shared by the three counter tables: one count per (period, association, value)."""

    period_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("kmtm_periods.id", ondelete="CASCADE"), primary_key=True
    )
    association_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


def _counter_args(values: type[StrEnum]) -> tuple[Any, ...]:
    return (
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint(_one_of("value", values), name="value"),
        {"sqlite_with_rowid": False},
    )


class KmtmByCategory(_Counter, Base):
    __tablename__ = "kmtm_by_category"
    __table_args__ = _counter_args(Category)


class KmtmByRelation(_Counter, Base):
    __tablename__ = "kmtm_by_relation"
    __table_args__ = _counter_args(Relation)


class KmtmByFollowUp(_Counter, Base):
    __tablename__ = "kmtm_by_follow_up"
    __table_args__ = _counter_args(FollowUp)


COUNTER_TABLES: dict[Dimension, type[_Counter]] = {
    Dimension.CATEGORY: KmtmByCategory,
    Dimension.RELATION: KmtmByRelation,
    Dimension.FOLLOW_UP: KmtmByFollowUp,
}


class KmtmRelease(Base):
    """The release ledger: what was published for a period and breakdown, and when.

    One row per (period, breakdown). The first report of a period records all four
    breakdowns at once, and a later request, the year-by-year table included,
    returns these numbers even when the settings changed since: two releases of
    one number with different suppression could be subtracted from each other
    (``vcpbot.services.kmtm._ledger``).
    """

    __tablename__ = "kmtm_releases"
    __table_args__ = (
        UniqueConstraint("period_id", "dimension"),
        CheckConstraint(_one_of("dimension", Dimension), name="dimension"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("kmtm_periods.id", ondelete="CASCADE")
    )
    dimension: Mapped[str] = mapped_column(String(16))
    k: Mapped[int] = mapped_column(Integer)
    min_contributors: Mapped[int] = mapped_column(Integer)
    rounded: Mapped[bool] = mapped_column(Boolean)
    # How many periods a year-by-year release compares; 1 for the other breakdowns.
    span: Mapped[int] = mapped_column(Integer)
    released_on: Mapped[date] = mapped_column(Date)
    # The published table exactly as shown: rows, total, markers. Never a reason
    # why a cell is hidden ("below k" would be a disclosure of its own).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
