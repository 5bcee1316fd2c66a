"""The year pack's own release ledger (``/network year``): what was shown of a year, once.

Only the figures of the pack that count people and are not already in another
ledger live here: intervisie attendance (invitations attended, not attended, not
recorded). KMTM's tables stay in ``kmtm_releases`` and the team's case figures in
``escalation_releases``. No Discord id, no association, no person: the payload is
the published table (numbers and markers), never why a cell is hidden.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import Base


class YearRelease(Base):
    """One part of a year's pack as first shown; every later pack shows the same."""

    __tablename__ = "year_releases"
    __table_args__ = (UniqueConstraint("year", "part"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(16))
    k: Mapped[int] = mapped_column(Integer)
    min_contributors: Mapped[int] = mapped_column(Integer)
    rounded: Mapped[bool] = mapped_column(Boolean)
    released_on: Mapped[date] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
