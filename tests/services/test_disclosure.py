"""Small-count suppression: properties over random tables, and worked examples.

Two attacker models are checked:

* the one the issue names, "given the published totals": every cell is a
  non-negative integer, the published cells and the total are known (exactly, or
  as the set of counts that round to the published number); nothing else;
* an informed outsider who also knows the shape of the rule: a hidden cell is
  below k, or is at least k and no larger than the smallest published cell,
  unless the contributor rule hid it (see ``vcpbot.services.disclosure``, rule 4).
  Checked by trying every split of the hidden sum on small tables.

In both, each hidden cell's feasible values must span at least ``k`` (their
maximum minus their minimum). A table whose total is below ``k`` publishes only
"fewer than k": each of its cells lies in 0..k-1 by the threshold itself, so the
span property is checked on tables with a published total.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vcpbot.services.disclosure import (
    FEWER_THAN_K,
    SUPPRESSED,
    Cell,
    Marker,
    Reason,
    Release,
    Rule,
    protect,
    protect_total,
    round_count,
)

ASSOCIATIONS = range(1, 7)


@st.composite
def cells(draw: st.DrawFn, max_cells: int = 8, max_count: int = 30) -> list[Cell]:
    n = draw(st.integers(1, max_cells))
    table = []
    for index in range(n):
        # Small counts are the interesting ones; sometimes a large one.
        count = draw(st.one_of(st.integers(0, 9), st.integers(0, max_count)))
        contributors: frozenset[int] = frozenset()
        if count:
            size = draw(st.integers(1, min(count, len(ASSOCIATIONS))))
            contributors = frozenset(
                draw(
                    st.lists(
                        st.sampled_from(ASSOCIATIONS), min_size=size, max_size=size, unique=True
                    )
                )
            )
        table.append(Cell(f"c{index}", count, contributors))
    return table


rules = st.builds(
    Rule,
    k=st.integers(3, 10),
    min_contributors=st.integers(1, 4),
    round_to_5=st.booleans(),
    cell_contributor_rule=st.booleans(),
)


def _preimage(shown: int, rule: Rule) -> tuple[int, int]:
    """The counts that publish as ``shown``: itself, or those rounding to it."""
    if not rule.round_to_5:
        return shown, shown
    candidates = [x for x in range(rule.k, shown + 10) if round_count(x, rule.k) == shown]
    assert candidates, "a published rounded number has counts behind it"
    return min(candidates), max(candidates)


def linear_bounds(release: Release) -> dict[str, tuple[float, float]]:
    """Each hidden cell's interval from non-negativity and the published numbers only."""
    assert isinstance(release.total, int)
    total_low, total_high = _preimage(release.total, release.rule)
    published = [_preimage(c.value, release.rule) for c in release.cells if c.published]
    hidden = [c.label for c in release.cells if not c.published]
    bounds = {}
    for label in hidden:
        others_high = math.inf if len(hidden) > 1 else 0
        high = total_high - sum(low for low, _ in published)
        low = max(0, total_low - sum(high for _, high in published) - others_high)
        bounds[label] = (low, high)
    return bounds


@settings(max_examples=600, deadline=None)
@given(table=cells(), rule=rules)
def test_no_published_number_is_between_one_and_k_minus_one(table, rule) -> None:
    release = protect(table, rule)
    shown = [c.value for c in release.cells if c.published]
    if isinstance(release.total, int):
        shown.append(release.total)
    assert all(value >= rule.k for value in shown)


@settings(max_examples=600, deadline=None)
@given(table=cells(), rule=rules)
def test_every_hidden_cell_spans_at_least_k_given_the_published_numbers(table, rule) -> None:
    release = protect(table, rule)
    assume(isinstance(release.total, int))
    for label, (low, high) in linear_bounds(release).items():
        assert high - low >= rule.k, (label, low, high, release)


@settings(max_examples=600, deadline=None)
@given(table=cells(), rule=rules)
def test_no_cell_is_published_with_too_few_contributing_associations(table, rule) -> None:
    release = protect(table, rule)
    by_label = {cell.label: cell for cell in table}
    if rule.cell_contributor_rule:
        for cell in release.cells:
            if cell.published:
                assert len(by_label[cell.label].contributors) >= rule.min_contributors
    if isinstance(release.total, int):
        everyone = frozenset().union(*(c.contributors for c in table))
        assert len(everyone) >= rule.min_contributors


@settings(max_examples=600, deadline=None)
@given(table=cells(), rule=rules)
def test_rounding_never_un_suppresses_and_stays_close(table, rule) -> None:
    exact = protect(table, replace(rule, round_to_5=False))
    rounded = protect(table, replace(rule, round_to_5=True))
    assert [c.published for c in exact.cells] == [c.published for c in rounded.cells]
    assert isinstance(exact.total, int) == isinstance(rounded.total, int)
    for e, r in zip(exact.cells, rounded.cells, strict=True):
        if e.published:
            assert r.value % 5 == 0
            assert abs(r.value - e.value) <= 2 or (e.value < rule.k + 5 and r.value >= rule.k)
    if isinstance(exact.total, int):
        # The total is rounded from the unrounded cells, not summed from rounded ones.
        assert rounded.total == round_count(sum(c.count for c in table), rule.k)


@settings(max_examples=600, deadline=None)
@given(table=cells(), rule=rules)
def test_published_numbers_are_the_true_ones_and_the_hidden_sum_is_at_least_k(table, rule) -> None:
    release = protect(table, replace(rule, round_to_5=False))
    true = {cell.label: cell.count for cell in table}
    hidden = [c.label for c in release.cells if not c.published]
    for cell in release.cells:
        if cell.published:
            assert cell.value == true[cell.label]
            assert cell.reason is None
        else:
            assert cell.value is SUPPRESSED
    if isinstance(release.total, int):
        assert release.total == sum(true.values())
        if hidden:
            assert len(hidden) >= 2
            assert sum(true[label] for label in hidden) >= rule.k
    else:
        assert hidden == [c.label for c in table]
        assert {c.reason for c in release.cells} == {Reason.TOTAL}


@settings(max_examples=300, deadline=None)
@given(table=cells(), rule=rules)
def test_the_same_table_gives_the_same_release(table, rule) -> None:
    assert protect(table, rule) == protect(list(table), rule)


# --- the informed outsider: knows the shape of the rule --------------------------------


def _compositions(total: int, parts: int):
    for cuts in itertools.combinations(range(total + parts - 1), parts - 1):
        edges = (-1, *cuts, total + parts - 1)
        yield tuple(edges[i + 1] - edges[i] - 1 for i in range(parts))


def informed_values(table: list[Cell], release: Release) -> dict[int, set[int]]:
    """Every value each hidden cell can take for an outsider who knows that a hidden cell
    is below k, or is at least k and drawn before the smallest published cell (ties by
    position), unless the contributor rule hid it (then it can be anything); and that,
    without a contributor-rule cell, at least one hidden cell is below k. Found by trying
    every split of the hidden sum, independently of the module's own arithmetic."""
    k = release.rule.k
    hidden = [i for i, c in enumerate(release.cells) if not c.published]
    if not hidden:
        return {}
    hidden_sum = sum(table[i].count for i in hidden)
    published = sorted((table[i].count, i) for i, c in enumerate(release.cells) if c.published)
    contributor_cells = {i for i in hidden if release.cells[i].reason is Reason.CONTRIBUTORS}

    def allowed(i: int, value: int) -> bool:
        if i in contributor_cells:
            return True
        if value < k or not published:
            return True
        return (value, i) < published[0]

    seen: dict[int, set[int]] = {i: set() for i in hidden}
    for values in _compositions(hidden_sum, len(hidden)):
        pairs = list(zip(hidden, values, strict=True))
        if not all(allowed(i, v) for i, v in pairs):
            continue
        if not contributor_cells and all(v >= k for _, v in pairs):
            continue
        for i, v in pairs:
            seen[i].add(v)
    return seen


@settings(max_examples=600, deadline=None)
@given(table=cells(max_cells=5, max_count=14), rule=rules)
def test_an_informed_outsider_still_cannot_narrow_a_hidden_cell_below_k(table, rule) -> None:
    release = protect(table, replace(rule, round_to_5=False))
    assume(isinstance(release.total, int))
    for i, values in informed_values(table, release).items():
        assert table[i].count in values
        assert max(values) - min(values) >= rule.k, (table, release.values(), i, sorted(values))


# --- worked examples ----------------------------------------------------------------------


def _association_cell(index: int, count: int) -> Cell:
    return Cell(f"a{index}", count, frozenset({index}) if count else frozenset())


def _table(counts: dict[str, int], contributors: int = 3) -> list[Cell]:
    return [
        Cell(label, n, frozenset(range(min(n, contributors))) if n else frozenset())
        for label, n in counts.items()
    ]


def test_the_handbook_style_example() -> None:
    rule = Rule(k=10, round_to_5=True)
    release = protect(_table({"harassment": 23, "intimidation": 4, "other": 11}), rule)
    assert release.values() == {"harassment": 25, "intimidation": SUPPRESSED, "other": SUPPRESSED}
    assert release.total == 40  # 38 unrounded


def test_everyone_in_one_category_hides_the_zeros_and_the_category() -> None:
    release = protect(_table({"stalking": 30, "bullying": 0, "advice": 0}), Rule(k=5))
    assert set(release.values().values()) == {SUPPRESSED}
    assert release.total == 30


def test_a_secondary_cell_is_not_left_bounded_by_the_smallest_published_cell() -> None:
    # Hiding a and b alone would tell that both are 4 or 5 (each is at most 5, the
    # smallest published cell, and together they are 9).
    release = protect(_table({"a": 4, "b": 5, "c": 5, "d": 100}), Rule(k=5))
    assert release.values() == {"a": SUPPRESSED, "b": SUPPRESSED, "c": SUPPRESSED, "d": 100}


def test_one_small_and_one_secondary_cell_are_not_left_to_add_up_exactly() -> None:
    # Hiding a and c alone: they add up to 14, one is below 5 and the other at most
    # 10 (b), so they could only be 10 and 4.
    release = protect(_table({"a": 10, "b": 10, "c": 4}), Rule(k=5))
    assert set(release.values().values()) == {SUPPRESSED}
    assert release.total == 24


def test_two_small_cells_that_together_reach_k_need_no_secondary() -> None:
    release = protect(_table({"a": 2, "b": 3, "c": 40}), Rule(k=5))
    assert release.values() == {"a": SUPPRESSED, "b": SUPPRESSED, "c": 40}
    assert [c.reason for c in release.cells] == [Reason.PRIMARY, Reason.PRIMARY, None]


def test_a_large_cell_from_two_associations_is_hidden() -> None:
    table = [
        Cell("a", 20, frozenset({1, 2})),
        Cell("b", 12, frozenset({1, 2, 3})),
        Cell("c", 9, frozenset({2, 3, 4})),
    ]
    release = protect(table, Rule(k=5))
    assert release.values() == {"a": SUPPRESSED, "b": 12, "c": SUPPRESSED}
    assert [c.reason for c in release.cells] == [Reason.CONTRIBUTORS, None, Reason.SECONDARY]


def test_the_association_breakdown_does_not_apply_the_contributor_rule_to_its_cells() -> None:
    table = [_association_cell(i, n) for i, n in enumerate([20, 12, 9])]
    rule = Rule(k=5, cell_contributor_rule=False)
    assert protect(table, rule).values() == {"a0": 20, "a1": 12, "a2": 9}
    # ...but its total still needs three associations.
    two = protect(table[:2], rule)
    assert two.total is SUPPRESSED
    assert set(two.values().values()) == {SUPPRESSED}


def test_a_total_below_k_publishes_only_fewer_than_k() -> None:
    release = protect(_table({"a": 2, "b": 2}), Rule(k=5))
    assert release.total is FEWER_THAN_K
    assert set(release.values().values()) == {SUPPRESSED}
    assert protect_total(4, {1, 2, 3}, Rule(k=5)) is FEWER_THAN_K
    assert protect_total(12, {1, 2}, Rule(k=5)) is SUPPRESSED
    assert protect_total(12, {1, 2, 3}, Rule(k=5, round_to_5=True)) == 10


def test_nothing_to_hide_publishes_everything() -> None:
    release = protect(_table({"a": 7, "b": 12}), Rule(k=5))
    assert release.values() == {"a": 7, "b": 12}
    assert release.total == 19


@pytest.mark.parametrize(
    ("count", "k", "expected"),
    [
        (3, 3, 5),
        (5, 5, 5),
        (7, 5, 5),
        (8, 5, 10),
        (12, 5, 10),
        (13, 5, 15),
        (6, 6, 10),
        (7, 7, 10),
        (11, 10, 10),
        (11, 11, 15),
        (38, 10, 40),
    ],
)
def test_rounding_to_five_never_shows_a_number_below_k(count, k, expected) -> None:
    assert round_count(count, k) == expected


def test_k_below_three_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        Rule(k=2)


def test_inconsistent_input_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        Cell("a", -1)
    with pytest.raises(ValueError):
        Cell("a", 2, frozenset({1, 2, 3}))
    with pytest.raises(ValueError):
        protect([Cell("a", 1, frozenset({1})), Cell("a", 1, frozenset({1}))], Rule())


def test_one_marker_for_every_hidden_cell() -> None:
    assert {m.value for m in Marker} == {"suppressed", "fewer_than_k"}
