"""Release-safe counts: small-cell suppression for one-dimensional tables.

Pure: no database, no Discord. One table at a time (category, relation,
follow-up, association, or one period's total), network-wide.

**Who reads a table.** An *outsider* sees the published numbers and knows this
rule. An *insider* is one association that also knows its own numbers: in the
breakdown by association its own cell exactly, in the other breakdowns its own
share of every cell (each cell is at least that). The rule protects against the
outsider and against every single insider, in both models the test module checks
(below, rule 4). It does not protect against two or more associations pooling
their numbers.

The rule, in the order it is applied:

1. **The total.** If the table's total is below ``k``, only "fewer than k" is
   published and every cell is hidden. The total and every cell are also hidden
   when fewer than ``min_contributors`` associations contributed to it, or when the
   associations other than the one with the most contacts logged fewer than ``k``
   together: an association can subtract its own total from a published total, and
   what is left must not be a small number (with 3, 2 and 1 the first would learn
   that the other two logged 3 together, so 1 and 2). The total depends only on
   each association's own total, so a period's total is published or hidden the
   same way whichever breakdown is asked for, and in the year-by-year table.
2. **Primary suppression.** A cell below ``k`` is hidden, zero included, so a
   zero never tells that everyone is in another cell (group disclosure).
3. **Contributor rule.** A cell that fewer than ``min_contributors`` associations
   contributed to is hidden. It is applied to category, relation and follow-up
   cells. It is *not* applied to the cells of the association breakdown: each of
   those is one association's own total, so it has one contributor by definition
   and the rule would hide everything; those cells get primary and secondary
   suppression by ``k`` only.
4. **Secondary suppression.** The total is published, so the hidden cells' sum
   is known (total minus the published cells). The next-smallest published cell
   (ties: the earlier one in the table's order) is hidden as well, again and
   again, until no reader can narrow a hidden cell: for the outsider and for each
   association, every hidden cell it does not own could still hold values at
   least ``k`` apart. For the outsider that means at the least two or more hidden
   cells summing to ``k`` or more; for an association, by association, at least
   two hidden cells besides its own, summing to ``k`` or more without it (with
   A=4, B=3, C=50, D=60 at k=5, hiding A and B alone would let A subtract its 4
   from the hidden 7 and learn B's 3, so C is hidden too); in the other
   breakdowns, the other associations' part of the hidden cells must reach ``k``.

   The check goes one step further and assumes every reader knows this rule: each
   hidden cell is either below ``k`` (rule 2) or at least ``k`` and at most the
   smallest published cell (rule 4 draws the smallest first; one less when the
   hidden cell sits later in the table, because ties go to the earlier cell);
   at least one hidden cell is below ``k`` unless the contributor rule hid one.
   How many associations contributed to a cell is never published, so a
   contributor-rule cell could hold any number; for every other hidden cell the
   reader is assumed to know it is not one (the worst case). Over every
   such choice, each hidden cell's lowest and highest possible value must be at
   least ``k`` apart. Without that step, ``{a: 4, b: 5, c: 5, d: 100}`` at k=5
   would hide only ``a`` and ``b`` (sum 9, each at most 5: both would be 4 or 5),
   and ``{a: 10, b: 10, c: 4}`` would hide ``a`` and ``c``, which add up to 14
   with one below 5 and the other at most 10: exactly 10 and 4.

   If even hiding every cell is not enough (an association that alone logged
   ``k`` or more in every hidden cell but one knows that one is the small one),
   the total is hidden as well; ``kmtm_ledger`` then hides that period's total in
   every breakdown, so it stays one number.

   Not covered: a reader who replays the whole rule, including *when* it
   stops, on every candidate table. In rare small tables that narrows a hidden
   cell further (at k=3, ``{5, 5, 6, 2}`` gives away the 2). Statistical offices'
   tools (tau-ARGUS) protect against the published sums, not against replaying
   the suppression algorithm; the test module checks both bounded models above.
5. **Rounding** (optional) to the nearest multiple of 5, after suppression, so it
   never changes which cells are hidden. The total is computed from the unrounded
   cells and then rounded. A published count is never rounded to a number below
   ``k`` (it goes up to the next multiple of 5 instead), so no published number is
   ever in ``1..k-1``.

**Between tables.** The breakdowns of one period are one-dimensional margins of
the same contacts with the same total; any set of margins with equal totals fits
some table of contacts (a transportation problem always has a solution), also
after an association takes out its own part, so one breakdown's numbers do not
narrow another's hidden cells. What would break this is two releases of *one*
table, or of one period's total, under different settings: ``kmtm_ledger``
releases a period once, from its ledger.

**What an insider still learns.** Subtracting its own share from a *published*
category, relation or follow-up cell, an association learns the other
associations' part of that cell exactly, and it can be below ``k``. The contributor
rule makes sure that part comes from at least ``min_contributors - 1`` other
associations, and no table says which. The same holds for the total, where that
part is at least ``k`` (rule 1).

Every hidden cell shows the same marker (not "<5": a secondary cell can be large).
Why a cell is hidden (``Reason``) is kept for tests and must never be shown or
stored: "primary" alone would say "below k".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

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
    # True for the association breakdown: each cell is one association's own total
    # (rules 3 and 4 in the module docstring).
    by_association: bool = False

    def __post_init__(self) -> None:
        if self.k < MIN_K:
            raise ValueError(f"k must be at least {MIN_K}, got {self.k}")
        if self.min_contributors < 1:
            raise ValueError("min_contributors must be at least 1")


@dataclass(frozen=True)
class Cell:
    """One cell of the input: its count and how much each association contributed to it."""

    label: str
    count: int
    # Association id -> its count in this cell; only associations that contributed.
    shares: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"cell {self.label!r}: negative count")
        if any(n < 1 for n in self.shares.values()):
            raise ValueError(f"cell {self.label!r}: a share below 1")
        if sum(self.shares.values()) != self.count:
            raise ValueError(f"cell {self.label!r}: shares do not add up to the count")

    @property
    def contributors(self) -> frozenset[int]:
        return frozenset(self.shares)


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


def protect_total(per_association: Mapping[int, int], rule: Rule) -> int | Marker:
    """A period's total from each association's own total: rule 1, then rounding.

    The same in every breakdown of the period and in the year-by-year table.
    """
    counts = [n for n in per_association.values() if n > 0]
    total = sum(counts)
    if total < rule.k:
        return FEWER_THAN_K
    if len(counts) < rule.min_contributors or total - max(counts) < rule.k:
        return SUPPRESSED
    return round_count(total, rule.k) if rule.round_to_5 else total


def per_association(cells: Sequence[Cell]) -> dict[int, int]:
    """Each association's own total over the cells of one table."""
    totals: Counter[int] = Counter()
    for cell in cells:
        totals.update(cell.shares)
    return dict(totals)


def protect(
    cells: Sequence[Cell], rule: Rule, *, released_total: int | Marker | None = None
) -> Release:
    """Apply the rule in the module docstring to one table.

    ``released_total`` is the period's total as an earlier table already published
    it: it is kept as it is, and the cells are protected around it.
    """
    _check(cells, rule)
    total = released_total
    if total is None:
        total = protect_total(per_association(cells), rule)
    if isinstance(total, Marker):
        return _all_hidden(cells, total, rule)

    reasons: dict[int, Reason] = {}
    for index, cell in enumerate(cells):
        if cell.count < rule.k:
            reasons[index] = Reason.PRIMARY
        elif not rule.by_association and len(cell.shares) < rule.min_contributors:
            reasons[index] = Reason.CONTRIBUTORS
    safe = not reasons or _suppress_secondary(cells, reasons, rule)
    if not safe and released_total is None:
        return _all_hidden(cells, SUPPRESSED, rule)

    released = []
    for index, cell in enumerate(cells):
        if index in reasons:
            released.append(CellRelease(cell.label, SUPPRESSED, reasons[index]))
        else:
            value = round_count(cell.count, rule.k) if rule.round_to_5 else cell.count
            released.append(CellRelease(cell.label, value))
    return Release(cells=tuple(released), total=total, rule=rule)


def _check(cells: Sequence[Cell], rule: Rule) -> None:
    labels = [cell.label for cell in cells]
    if len(set(labels)) != len(labels):
        raise ValueError("cell labels must be unique")
    if rule.by_association:
        owners = [a for cell in cells for a in cell.shares]
        if any(len(cell.shares) > 1 for cell in cells) or len(set(owners)) != len(owners):
            raise ValueError("by association, each cell is one association's own")


def _all_hidden(cells: Sequence[Cell], total: Marker, rule: Rule) -> Release:
    hidden = tuple(CellRelease(c.label, SUPPRESSED, Reason.TOTAL) for c in cells)
    return Release(cells=hidden, total=total, rule=rule)


def _suppress_secondary(cells: Sequence[Cell], reasons: dict[int, Reason], rule: Rule) -> bool:
    """Hide published cells, smallest first, until no reader can narrow a hidden one.

    False when even hiding every cell is not enough.
    """
    # The order in which published cells are drawn: smallest first, ties by position.
    candidates = sorted(
        (cell.count, index) for index, cell in enumerate(cells) if index not in reasons
    )
    while _exposed(cells, reasons, candidates[0] if candidates else None, rule):
        if not candidates:
            return False
        _, index = candidates.pop(0)
        reasons[index] = Reason.SECONDARY
    return True


# The lowest and highest value a hidden cell can hold, as one reader sees it.
Interval = tuple[int, float]


def _exposed(
    cells: Sequence[Cell],
    reasons: dict[int, Reason],
    next_candidate: tuple[int, int] | None,
    rule: Rule,
) -> bool:
    """Whether some reader could pin a hidden cell it does not own to fewer than k + 1 values."""
    hidden = sorted(reasons)
    hidden_sum = sum(cells[i].count for i in hidden)
    if len(hidden) < 2 or hidden_sum < rule.k:
        return True
    outsider = {i: _interval(reasons[i], i, next_candidate, rule.k) for i in hidden}
    # Secondary cells are only ever added next to a primary or a contributor cell.
    needs_small = all(reasons[i] is not Reason.CONTRIBUTORS for i in hidden)
    return any(
        _narrowed(unknown, known, hidden_sum, rule.k, needs_small)
        for unknown, known in _readers(cells, hidden, outsider, rule)
    )


def _interval(
    reason: Reason, index: int, next_candidate: tuple[int, int] | None, k: int
) -> Interval:
    """What an outsider who knows this rule can tell about one hidden cell.

    It was hidden by rule 2 (below ``k``) or by rule 4. A rule-4 cell was drawn
    before the smallest published cell, so it is at most that cell's count, or one
    less when it sits later in the table (ties go to the earlier cell); with every
    cell hidden nothing bounds it. Which of the two it was is not published, and
    together they cover every value up to the bound. Nobody outside sees how many
    associations contributed to a cell, so a contributor-rule cell could hold
    anything; every other hidden cell is treated as known to be a rule-2 or rule-4
    cell (the worst case for the check).
    """
    if reason is Reason.CONTRIBUTORS or next_candidate is None:
        return (0, math.inf)
    smallest, position = next_candidate
    bound = smallest if index < position else smallest - 1
    return (0, max(bound, k - 1))


def _readers(
    cells: Sequence[Cell], hidden: list[int], outsider: dict[int, Interval], rule: Rule
) -> Iterator[tuple[Counter[Interval], Counter[Interval]]]:
    """Each reader's view of the hidden cells: those it cannot tell exactly, and those it can.

    The outsider first; then every association, from its own numbers: by association
    it knows its own cell exactly, otherwise its share of each cell is a lowest value.
    Cells with the same interval are interchangeable, so a view is a multiset.
    """
    everyone = Counter(outsider[i] for i in hidden)
    yield everyone, Counter()
    if rule.by_association:
        for own in sorted({(outsider[i], cells[i].count) for i in hidden}):
            interval, count = own
            unknown = everyone.copy()
            unknown[interval] -= 1
            yield +unknown, Counter({(count, count): 1})
        return
    for association in sorted(set().union(*(cells[i].shares for i in hidden))):
        yield (
            Counter(
                (max(outsider[i][0], cells[i].shares.get(association, 0)), outsider[i][1])
                for i in hidden
            ),
            Counter(),
        )


def _narrowed(
    unknown: Counter[Interval], known: Counter[Interval], total: int, k: int, needs_small: bool
) -> bool:
    everything = unknown + known
    for target in unknown:
        others = everything.copy()
        others[target] -= 1
        low, high = _span(target, +others, total, k, needs_small)
        if high - low < k:
            return True
    return False


def _span(
    target: Interval, others: Counter[Interval], total: int, k: int, needs_small: bool
) -> tuple[float, float]:
    """The lowest and highest value of a hidden cell, the hidden cells adding up to ``total``.

    Every cell lies in its interval. Without a contributor-rule cell, at least one
    hidden cell is below ``k``: if the target is not, one of the others must be.
    """
    low_i, high_i = target
    low_sum = sum(low * n for (low, _), n in others.items())
    high_sum = _high_sum(others)
    top = _high_sum_with_one_small(others, k) if needs_small else high_sum
    parts = [
        (max(low_i, total - high_sum), min(high_i, k - 1, total - low_sum)),  # target below k
        (max(low_i, k, total - top), min(high_i, total - low_sum)),  # target k or more
    ]
    found = [(low, high) for low, high in parts if low <= high]
    if not found:
        return (0, 0)  # no table fits: cannot happen for a true one; counts as exposed
    return min(low for low, _ in found), max(high for _, high in found)


def _high_sum(cells: Counter[Interval]) -> float:
    return sum(high * n for (_, high), n in cells.items()) if cells else 0


def _high_sum_with_one_small(cells: Counter[Interval], k: int) -> float:
    """The largest sum of ``cells`` in which one of them is below ``k``; -inf if none can be."""
    best = -math.inf
    for interval, n in cells.items():
        low, high = interval
        if low > k - 1:
            continue
        rest = cells.copy()
        rest[interval] = n - 1
        best = max(best, _high_sum(+rest) + min(high, k - 1))
    return best
