"""Release-safe counts: small-cell suppression for one-dimensional tables.

Pure: no database, no Discord. One table at a time (category, relation,
follow-up, association, or one period's total), network-wide. The rule, in the
order it is applied:

1. **The total.** If the table's total is below ``k``, only "fewer than k" is
   published and every cell is hidden. If fewer than ``min_contributors``
   associations contributed to the total, the total and every cell are hidden
   (each association knows its own numbers, so with two contributors either one
   could subtract itself from the total).
2. **Primary suppression.** A cell below ``k`` is hidden, zero included, so a
   zero never tells that everyone is in another cell (group disclosure).
3. **Contributor rule.** A cell that fewer than ``min_contributors`` associations
   contributed to is hidden. It is applied to category, relation and follow-up
   cells. It is *not* applied to the cells of the association breakdown: each of
   those is one association's own total, so it has one contributor by definition
   and the rule would hide everything; those cells get primary and secondary
   suppression by ``k`` only. The table's total still needs ``min_contributors``
   associations (rule 1), in every breakdown, so a period's total is published
   or hidden the same way whichever breakdown is asked for.
4. **Secondary suppression.** The total is published, so the hidden cells' sum
   is known (total minus the published cells). The next-smallest published cell
   (ties: the earlier one in the table's order) is hidden as well, again and
   again, until every hidden cell could still hold values at least ``k`` apart.
   At the least that means two or more hidden cells summing to ``k`` or more. The
   check goes one step further and assumes an outsider who knows this rule: each
   hidden cell is either below ``k`` (rule 2) or at least ``k`` and at most the
   smallest published cell (rule 4 draws the smallest first; one less when the
   hidden cell sits later in the table, because ties go to the earlier cell);
   at least one hidden cell is below ``k`` unless the contributor rule hid one.
   How many associations contributed to a cell is never published, so a
   contributor-rule cell could hold any number; for every other hidden cell the
   outsider is assumed to know it is not one (the worst case). Over every
   such choice, each hidden cell's lowest and highest possible value must be at
   least ``k`` apart. Without that step, ``{a: 4, b: 5, c: 5, d: 100}`` at k=5
   would hide only ``a`` and ``b`` (sum 9, each at most 5: both would be 4 or 5),
   and ``{a: 10, b: 10, c: 4}`` would hide ``a`` and ``c``, which add up to 14
   with one below 5 and the other at most 10: exactly 10 and 4.

   Not covered: an outsider who replays the whole rule, including *when* it
   stops, on every candidate table. In rare small tables that narrows a hidden
   cell further (at k=3, ``{5, 5, 6, 2}`` gives away the 2). Statistical offices'
   tools (tau-ARGUS) protect against the published sums, not against replaying
   the suppression algorithm; the test module checks both bounded models above.
5. **Rounding** (optional) to the nearest multiple of 5, after suppression, so it
   never changes which cells are hidden. The total is computed from the unrounded
   cells and then rounded. A published count is never rounded to a number below
   ``k`` (it goes up to the next multiple of 5 instead), so no published number is
   ever in ``1..k-1``.

Every hidden cell shows the same marker (not "<5": a secondary cell can be large).
Why a cell is hidden (``Reason``) is kept for tests and must never be shown or
stored: "primary" alone would say "below k".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import product

MIN_K = 3
ROUNDING_BASE = 5


class Marker(StrEnum):
    """What is published instead of a number."""

    SUPPRESSED = "suppressed"
    FEWER_THAN_K = "fewer_than_k"


SUPPRESSED = Marker.SUPPRESSED
FEWER_THAN_K = Marker.FEWER_THAN_K


class Reason(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    CONTRIBUTORS = "contributors"
    TOTAL = "total"


@dataclass(frozen=True)
class Rule:
    k: int = 5
    min_contributors: int = 3
    round_to_5: bool = False
    # False for the association breakdown (see the module docstring, rule 3).
    cell_contributor_rule: bool = True

    def __post_init__(self) -> None:
        if self.k < MIN_K:
            raise ValueError(f"k must be at least {MIN_K}, got {self.k}")
        if self.min_contributors < 1:
            raise ValueError("min_contributors must be at least 1")


@dataclass(frozen=True)
class Cell:
    """One cell of the input: its count and the associations that contributed to it."""

    label: str
    count: int
    contributors: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"cell {self.label!r}: negative count")
        if self.count == 0 and self.contributors:
            raise ValueError(f"cell {self.label!r}: contributors to an empty cell")
        if self.count > 0 and not 1 <= len(self.contributors) <= self.count:
            raise ValueError(f"cell {self.label!r}: needs 1..count contributors")


@dataclass(frozen=True)
class CellRelease:
    label: str
    value: int | Marker
    # Why the cell is hidden; None when published. For tests only, never shown.
    reason: Reason | None = None

    @property
    def published(self) -> bool:
        return isinstance(self.value, int)


@dataclass(frozen=True)
class Release:
    cells: tuple[CellRelease, ...]
    total: int | Marker
    rule: Rule

    def values(self) -> dict[str, int | Marker]:
        return {cell.label: cell.value for cell in self.cells}


def round_count(count: int, k: int) -> int:
    """Nearest multiple of 5 (integers never tie), but never a number in 1..k-1."""
    rounded = (count + ROUNDING_BASE // 2) // ROUNDING_BASE * ROUNDING_BASE
    if rounded < k:
        rounded = math.ceil(k / ROUNDING_BASE) * ROUNDING_BASE
    return rounded


def protect_total(count: int, contributors: Iterable[int], rule: Rule) -> int | Marker:
    """A total on its own (one period in the year-by-year table): rule 1, then rounding."""
    if count < rule.k:
        return FEWER_THAN_K
    if len(set(contributors)) < rule.min_contributors:
        return SUPPRESSED
    return round_count(count, rule.k) if rule.round_to_5 else count


def protect(cells: Sequence[Cell], rule: Rule) -> Release:
    """Apply the rule in the module docstring to one table."""
    labels = [cell.label for cell in cells]
    if len(set(labels)) != len(labels):
        raise ValueError("cell labels must be unique")
    total_count = sum(cell.count for cell in cells)
    contributors = frozenset().union(*(cell.contributors for cell in cells))
    total = protect_total(total_count, contributors, rule)
    if isinstance(total, Marker):
        hidden = tuple(CellRelease(c.label, SUPPRESSED, Reason.TOTAL) for c in cells)
        return Release(cells=hidden, total=total, rule=rule)

    reasons: dict[int, Reason] = {}
    for index, cell in enumerate(cells):
        if cell.count < rule.k:
            reasons[index] = Reason.PRIMARY
        elif rule.cell_contributor_rule and len(cell.contributors) < rule.min_contributors:
            reasons[index] = Reason.CONTRIBUTORS
    if reasons:
        _suppress_secondary(cells, reasons, rule.k)

    released = []
    for index, cell in enumerate(cells):
        if index in reasons:
            released.append(CellRelease(cell.label, SUPPRESSED, reasons[index]))
        else:
            value = round_count(cell.count, rule.k) if rule.round_to_5 else cell.count
            released.append(CellRelease(cell.label, value))
    return Release(cells=tuple(released), total=total, rule=rule)


def _suppress_secondary(cells: Sequence[Cell], reasons: dict[int, Reason], k: int) -> None:
    # The order in which published cells are drawn: smallest first, ties by position.
    candidates = sorted(
        (cell.count, index) for index, cell in enumerate(cells) if index not in reasons
    )
    while candidates and _exposed(cells, reasons, candidates[0], k):
        _, index = candidates.pop(0)
        reasons[index] = Reason.SECONDARY


def _exposed(
    cells: Sequence[Cell], reasons: dict[int, Reason], next_candidate: tuple[int, int], k: int
) -> bool:
    """Whether an informed outsider could pin some hidden cell to fewer than ``k`` + 1 values."""
    hidden = list(reasons)
    hidden_sum = sum(cells[i].count for i in hidden)
    if len(hidden) < 2 or hidden_sum < k:
        return True
    kinds = {i: _kinds(i, reasons[i], next_candidate, k) for i in hidden}
    # Secondary cells are only ever added next to a primary or a contributor cell.
    needs_primary = all(reasons[i] is not Reason.CONTRIBUTORS for i in hidden)
    checked: set[tuple[Range, ...]] = set()
    for i in hidden:
        if kinds[i] in checked:
            continue  # cells with the same kinds are interchangeable: same span
        checked.add(kinds[i])
        low, high = _span(i, hidden, kinds, hidden_sum, needs_primary)
        if high - low < k:
            return True
    return False


Range = tuple[int, float]


def _kinds(
    index: int, reason: Reason, next_candidate: tuple[int, int], k: int
) -> tuple[Range, ...]:
    """What an outsider who knows this rule can tell about one hidden cell.

    It was hidden by rule 2 (below ``k``) or by rule 4. A rule-4 cell was drawn
    before the smallest published cell, so it is at most that cell's count, or one
    less when it sits later in the table (ties go to the earlier cell). Which of
    the two it was is not published. Nobody outside sees how many associations
    contributed to a cell, so a contributor-rule cell could hold anything; every
    other hidden cell is treated as known to be a rule-2 or rule-4 cell (the worst
    case for the check).
    """
    if reason is Reason.CONTRIBUTORS:
        return ((0, math.inf),)
    smallest, position = next_candidate
    bound = smallest if index < position else smallest - 1
    return ((0, k - 1), (k, bound)) if bound >= k else ((0, k - 1),)


def _span(
    i: int, hidden: list[int], kinds: dict[int, tuple[Range, ...]], total: int, needs_primary: bool
) -> tuple[float, float]:
    """The lowest and highest value of hidden cell ``i`` over every consistent choice of kinds.

    For fixed kinds the cells are boxes with a known sum, so cell ``i`` ranges over
    ``[max(lo_i, total - sum(hi_others)), min(hi_i, total - sum(lo_others))]``. Other
    cells with the same kinds are interchangeable, so only how many of each group
    take which kind matters.
    """
    groups = list(Counter(kinds[j] for j in hidden if j != i).items())
    low, high = math.inf, -math.inf
    for own in kinds[i]:
        for picks in product(*(range(size + 1 if len(opts) > 1 else 1) for opts, size in groups)):
            others_low = others_high = 0.0
            primaries = int(own[0] == 0)
            for (options, size), n in zip(groups, picks, strict=True):
                for (lo, hi), count in zip(options, (size - n, n), strict=False):
                    if count:
                        others_low += count * lo
                        others_high += count * hi
                        primaries += count if lo == 0 else 0
            if needs_primary and not primaries:
                continue
            if not own[0] + others_low <= total <= own[1] + others_high:
                continue
            low = min(low, max(own[0], total - others_high))
            high = max(high, min(own[1], total - others_low))
    return low, high
