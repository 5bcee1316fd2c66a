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
        shares: dict[int, int] = {}
        if count:
            size = draw(st.integers(1, min(count, len(ASSOCIATIONS))))
            who = draw(
                st.lists(st.sampled_from(ASSOCIATIONS), min_size=size, max_size=size, unique=True)
            )
            cuts = []
            if size > 1:
                cuts = draw(
                    st.lists(
                        st.integers(1, count - 1), min_size=size - 1, max_size=size - 1, unique=True
                    )
                )
            edges = [0, *sorted(cuts), count]
            shares = {a: edges[i + 1] - edges[i] for i, a in enumerate(who)}
        table.append(Cell(f"c{index}", count, shares))
    return table


rules = st.builds(
    Rule,
    k=st.integers(3, 10),
    min_contributors=st.integers(1, 4),
    round_to_5=st.booleans(),
)


@st.composite
def cases(draw: st.DrawFn, max_cells: int = 8, max_count: int = 30) -> tuple[list[Cell], Rule]:
    """A table and its rule: category-like cells, or one cell per association."""
    rule = draw(rules)
    if not draw(st.booleans()):
        return draw(cells(max_cells, max_count)), rule
    counts = draw(
        st.lists(
            st.one_of(st.integers(0, 9), st.integers(0, max_count)), min_size=1, max_size=max_cells
        )
    )
    table = [Cell(f"a{i}", n, {i: n} if n else {}) for i, n in enumerate(counts, start=1)]
    return table, replace(rule, by_association=True)


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
@given(case=cases())
@pytest.mark.threat("T12")
def test_no_published_number_is_between_one_and_k_minus_one(case) -> None:
    table, rule = case
    release = protect(table, rule)
    shown = [c.value for c in release.cells if c.published]
    if isinstance(release.total, int):
        shown.append(release.total)
    assert all(value >= rule.k for value in shown)


@settings(max_examples=600, deadline=None)
@given(case=cases())
@pytest.mark.threat("T12")
def test_every_hidden_cell_spans_at_least_k_given_the_published_numbers(case) -> None:
    table, rule = case
    release = protect(table, rule)
    assume(isinstance(release.total, int))
    for label, (low, high) in linear_bounds(release).items():
        assert high - low >= rule.k, (label, low, high, release)


@settings(max_examples=600, deadline=None)
@given(case=cases())
def test_no_cell_is_published_with_too_few_contributing_associations(case) -> None:
    table, rule = case
    release = protect(table, rule)
    by_label = {cell.label: cell for cell in table}
    if not rule.by_association:
        for cell in release.cells:
            if cell.published:
                assert len(by_label[cell.label].contributors) >= rule.min_contributors
    if isinstance(release.total, int):
        everyone = frozenset().union(*(c.contributors for c in table))
        assert len(everyone) >= rule.min_contributors


@settings(max_examples=600, deadline=None)
@given(case=cases())
def test_rounding_never_un_suppresses_and_stays_close(case) -> None:
    table, rule = case
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
@given(case=cases())
def test_published_numbers_are_the_true_ones_and_the_hidden_sum_is_at_least_k(case) -> None:
    table, rule = case
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
@given(case=cases())
def test_the_same_table_gives_the_same_release(case) -> None:
    table, rule = case
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
@given(case=cases(max_cells=5, max_count=14))
@pytest.mark.threat("T12")
def test_an_informed_outsider_still_cannot_narrow_a_hidden_cell_below_k(case) -> None:
    table, rule = case
    release = protect(table, replace(rule, round_to_5=False))
    assume(isinstance(release.total, int))
    for i, values in informed_values(table, release).items():
        assert table[i].count in values
        assert max(values) - min(values) >= rule.k, (table, release.values(), i, sorted(values))


# --- worked examples ----------------------------------------------------------------------


def _association_cell(index: int, count: int) -> Cell:
    return Cell(f"a{index}", count, {index: count} if count else {})


def _table(counts: dict[str, int], contributors: int = 3) -> list[Cell]:
    """Each count spread as evenly as it goes over ``contributors`` associations."""
    table = []
    for label, n in counts.items():
        size = min(n, contributors)
        table.append(Cell(label, n, {a: n // size + (a < n % size) for a in range(size)}))
    return table


def test_the_handbook_style_example() -> None:
    rule = Rule(k=10, round_to_5=True)
    # Spread over five associations: none has more than 4 of the 15 hidden contacts.
    table = [
        Cell("harassment", 23, {1: 5, 2: 5, 3: 5, 4: 4, 5: 4}),
        Cell("intimidation", 4, {1: 1, 2: 1, 3: 1, 4: 1}),
        Cell("other", 11, {1: 3, 2: 2, 3: 2, 4: 2, 5: 2}),
    ]
    release = protect(table, rule)
    assert release.values() == {"harassment": 25, "intimidation": SUPPRESSED, "other": SUPPRESSED}
    assert release.total == 40  # 38 unrounded


def test_the_handbook_example_hides_more_when_one_association_holds_much_of_the_rest() -> None:
    # Association 1 logged 6 of the 15 hidden contacts: subtracting them, it would
    # know the others logged 9 there, so each hidden cell within 9 of its own share.
    table = [
        Cell("harassment", 23, {1: 8, 2: 8, 3: 7}),
        Cell("intimidation", 4, {1: 2, 2: 1, 3: 1}),
        Cell("other", 11, {1: 4, 2: 4, 3: 3}),
    ]
    release = protect(table, Rule(k=10, round_to_5=True))
    assert set(release.values().values()) == {SUPPRESSED}
    assert release.total == 40


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


def test_two_small_cells_that_leave_k_outside_any_one_association_need_no_secondary() -> None:
    table = [
        Cell("a", 3, {1: 1, 2: 1, 3: 1}),
        Cell("b", 4, {4: 1, 5: 1, 6: 2}),
        Cell("c", 40, {1: 14, 2: 13, 3: 13}),
    ]
    release = protect(table, Rule(k=5))
    assert release.values() == {"a": SUPPRESSED, "b": SUPPRESSED, "c": 40}
    assert [c.reason for c in release.cells] == [Reason.PRIMARY, Reason.PRIMARY, None]


def test_two_small_cells_adding_up_to_exactly_k_are_not_enough_for_an_association_in_them() -> None:
    # 2 and 3 are 5 together, but association 1 knows its own 1 in a: the others
    # logged 4 in a and b together, fewer than 5. So c is hidden as well.
    table = [
        Cell("a", 2, {1: 1, 2: 1}),
        Cell("b", 3, {3: 1, 4: 1, 5: 1}),
        Cell("c", 40, {1: 14, 2: 13, 3: 13}),
    ]
    release = protect(table, Rule(k=5))
    assert set(release.values().values()) == {SUPPRESSED}
    assert release.total == 45


def test_a_large_cell_from_two_associations_is_hidden() -> None:
    table = [
        Cell("a", 20, {1: 12, 2: 8}),
        Cell("b", 12, {1: 4, 2: 4, 3: 4}),
        Cell("c", 9, {2: 3, 3: 3, 4: 3}),
    ]
    release = protect(table, Rule(k=5))
    assert release.values() == {"a": SUPPRESSED, "b": 12, "c": SUPPRESSED}
    assert [c.reason for c in release.cells] == [Reason.CONTRIBUTORS, None, Reason.SECONDARY]


def test_the_association_breakdown_does_not_apply_the_contributor_rule_to_its_cells() -> None:
    table = [_association_cell(i, n) for i, n in enumerate([20, 12, 9])]
    rule = Rule(k=5, by_association=True)
    assert protect(table, rule).values() == {"a0": 20, "a1": 12, "a2": 9}
    # ...but its total still needs three associations.
    two = protect(table[:2], rule)
    assert two.total is SUPPRESSED
    assert set(two.values().values()) == {SUPPRESSED}


def test_a_total_below_k_publishes_only_fewer_than_k() -> None:
    release = protect(_table({"a": 2, "b": 2}), Rule(k=5))
    assert release.total is FEWER_THAN_K
    assert set(release.values().values()) == {SUPPRESSED}
    assert protect_total({1: 2, 2: 1, 3: 1}, Rule(k=5)) is FEWER_THAN_K
    assert protect_total({1: 6, 2: 6}, Rule(k=5)) is SUPPRESSED
    assert protect_total({1: 4, 2: 4, 3: 4}, Rule(k=5, round_to_5=True)) == 10


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
        Cell("a", 2, {1: 1, 2: 1, 3: 1})
    with pytest.raises(ValueError):
        Cell("a", 2, {1: 2, 2: 0})
    with pytest.raises(ValueError):
        protect([Cell("a", 1, {1: 1}), Cell("a", 1, {1: 1})], Rule())
    with pytest.raises(ValueError):
        protect([Cell("a", 2, {1: 1, 2: 1})], Rule(by_association=True))


def test_one_marker_for_every_hidden_cell() -> None:
    assert {m.value for m in Marker} == {"suppressed", "fewer_than_k"}


# --- insiders: an association that knows its own numbers ------------------------------
#
# An association knows its own count in every cell: its own total in the breakdown by
# association, its own share of each category, relation and follow-up. Subtracting that
# from what is published must not pin another hidden cell to fewer than k + 1 values,
# in either model above.

Shares = dict[int, int]
Spec = list[tuple[str, Shares]]


def _make(spec: Spec) -> list[Cell]:
    """The cells of a table given as (label, {association: its count in the cell})."""
    return [Cell(label, sum(shares.values()), dict(shares)) for label, shares in spec]


def _association_rule(**values: object) -> Rule:
    return Rule(by_association=True, **values)


def _category_rule(**values: object) -> Rule:
    return Rule(**values)


def _total(per_association: Shares, rule: Rule) -> int | Marker:
    return protect_total(per_association, rule)


def _per_association(spec: Spec) -> Shares:
    totals: Shares = {}
    for _, shares in spec:
        for association, n in shares.items():
            totals[association] = totals.get(association, 0) + n
    return totals


@st.composite
def association_tables(draw: st.DrawFn, max_cells: int = 5, max_count: int = 14) -> Spec:
    """One cell per association, holding only that association's own total."""
    counts = draw(
        st.lists(
            st.one_of(st.integers(0, 9), st.integers(0, max_count)), min_size=1, max_size=max_cells
        )
    )
    return [(f"a{i}", {i: n} if n else {}) for i, n in enumerate(counts, start=1)]


@st.composite
def shared_tables(draw: st.DrawFn, max_cells: int = 5, max_count: int = 12) -> Spec:
    """Category-like cells, each with the count every contributing association added."""
    spec = []
    for index in range(draw(st.integers(2, max_cells))):
        who = draw(st.lists(st.sampled_from(ASSOCIATIONS), max_size=4, unique=True))
        small = st.one_of(st.integers(1, 4), st.integers(1, max_count))
        spec.append((f"c{index}", {association: draw(small) for association in who}))
    return spec


exact_rules = st.builds(
    _category_rule,
    k=st.integers(3, 10),
    min_contributors=st.integers(1, 4),
    round_to_5=st.just(False),
)
exact_association_rules = st.builds(
    _association_rule, k=st.integers(3, 10), min_contributors=st.integers(1, 4)
)


def reader_values(
    table: list[Cell], release: Release, knows: dict[int, range]
) -> dict[int, set[int]]:
    """Every value each hidden cell can take for a reader who knows the rule's shape (as in
    ``informed_values``) and, for some hidden cells, a range their value lies in: its own
    cell exactly, or at least its own share. Found by a dynamic programme over the values
    of the other hidden cells, independently of the module's arithmetic."""
    k = release.rule.k
    hidden = [i for i, c in enumerate(release.cells) if not c.published]
    total = sum(table[i].count for i in hidden)
    published = sorted((table[i].count, i) for i, c in enumerate(release.cells) if c.published)
    contributor_cells = {i for i in hidden if release.cells[i].reason is Reason.CONTRIBUTORS}

    def allowed(i: int) -> list[int]:
        def by_rule(value: int) -> bool:
            if i in contributor_cells or value < k or not published:
                return True
            return (value, i) < published[0]

        return [v for v in knows.get(i, range(total + 1)) if v <= total and by_rule(v)]

    def sums(cells: list[int]) -> set[tuple[int, bool]]:
        """(sum, whether one of them is below k) for every choice of the cells' values."""
        states = {(0, False)}
        for j in cells:
            options = allowed(j)
            states = {
                (s + v, small or v < k) for s, small in states for v in options if s + v <= total
            }
        return states

    seen: dict[int, set[int]] = {}
    for i in hidden:
        rest = sums([j for j in hidden if j != i])
        seen[i] = {
            v
            for v in allowed(i)
            if (total - v, True) in rest
            or ((total - v, False) in rest and (v < k or bool(contributor_cells)))
        }
    return seen


def knowledge_bounds(
    release: Release, knows: dict[str, tuple[int, float]]
) -> dict[str, tuple[float, float]]:
    """Each hidden cell's interval from the published numbers, non-negativity and what
    the reader knows of some hidden cells (``knows``: label -> lowest, highest)."""
    assert isinstance(release.total, int)
    total_low, total_high = _preimage(release.total, release.rule)
    published = [_preimage(c.value, release.rule) for c in release.cells if c.published]
    hidden = [c.label for c in release.cells if not c.published]
    box = {label: knows.get(label, (0, math.inf)) for label in hidden}
    bounds = {}
    for label in hidden:
        others = [box[o] for o in hidden if o != label]
        high = total_high - sum(low for low, _ in published) - sum(low for low, _ in others)
        low = total_low - sum(high for _, high in published) - sum(high for _, high in others)
        bounds[label] = (max(box[label][0], low), min(box[label][1], high))
    return bounds


@settings(max_examples=500, deadline=None)
@given(spec=association_tables(), rule=exact_association_rules)
@pytest.mark.threat("T13")
def test_an_association_knowing_its_own_count_cannot_narrow_another_hidden_one(spec, rule) -> None:
    table = _make(spec)
    release = protect(table, rule)
    assume(isinstance(release.total, int))
    hidden = [i for i, c in enumerate(release.cells) if not c.published]
    for own in hidden:
        mine = table[own].count
        for i, values in reader_values(table, release, {own: range(mine, mine + 1)}).items():
            if i == own:
                continue
            assert table[i].count in values
            assert max(values) - min(values) >= rule.k, (spec, release.values(), own, i)


@settings(max_examples=500, deadline=None)
@given(spec=shared_tables(), rule=exact_rules)
@pytest.mark.threat("T13")
def test_an_association_knowing_its_own_shares_cannot_narrow_a_hidden_cell(spec, rule) -> None:
    table = _make(spec)
    release = protect(table, rule)
    assume(isinstance(release.total, int))
    hidden = [i for i, c in enumerate(release.cells) if not c.published]
    hidden_sum = sum(table[i].count for i in hidden)
    for association in _per_association(spec):
        knows = {i: range(spec[i][1].get(association, 0), hidden_sum + 1) for i in hidden}
        for i, values in reader_values(table, release, knows).items():
            assert table[i].count in values
            assert max(values) - min(values) >= rule.k, (spec, release.values(), association, i)


@settings(max_examples=500, deadline=None)
@given(
    association_table=st.booleans(),
    associations=association_tables(max_cells=8, max_count=40),
    categories=shared_tables(max_cells=8, max_count=40),
    k=st.integers(3, 10),
    min_contributors=st.integers(1, 4),
    round_to_5=st.booleans(),
)
def test_published_sums_minus_an_associations_own_numbers_leave_k(  # noqa: PLR0917
    association_table, associations, categories, k, min_contributors, round_to_5
) -> None:
    """The first model (published numbers only, rounding included) with an insider."""
    values = {"k": k, "min_contributors": min_contributors, "round_to_5": round_to_5}
    if association_table:
        spec, rule = associations, _association_rule(**values)
    else:
        spec, rule = categories, _category_rule(**values)
    release = protect(_make(spec), rule)
    assume(isinstance(release.total, int))
    for association in set(_per_association(spec)) | set(range(1, len(spec) + 1)):
        if association_table:
            mine = spec[association - 1][1].get(association, 0) if association <= len(spec) else 0
            knows = {f"a{association}": (mine, mine)}
        else:
            knows = {label: (shares.get(association, 0), math.inf) for label, shares in spec}
        for label, (low, high) in knowledge_bounds(release, knows).items():
            if knows.get(label, (0, 1))[0] == knows.get(label, (0, 1))[1]:
                continue  # the association's own cell
            assert high - low >= rule.k, (spec, release.values(), association, label, low, high)


@settings(max_examples=600, deadline=None)
@given(
    per_association=st.dictionaries(st.sampled_from(ASSOCIATIONS), st.integers(0, 30)),
    rule=rules,
)
def test_a_published_total_leaves_at_least_k_outside_any_one_association(
    per_association, rule
) -> None:
    total = _total(per_association, rule)
    if isinstance(total, int):
        everyone = sum(per_association.values())
        assert all(everyone - own >= rule.k for own in per_association.values())


@pytest.mark.threat("T13")
def test_two_hidden_associations_cannot_work_each_other_out() -> None:
    # k=5: hiding only A and B would let A subtract its own 4 from the hidden 7 and
    # learn that B logged exactly 3 (and B learn A's 4).
    spec = [("A", {1: 4}), ("B", {2: 3}), ("C", {3: 50}), ("D", {4: 60})]
    table = _make(spec)
    release = protect(table, _association_rule(k=5))
    assert release.total == 117
    assert release.values()["D"] == 60
    hidden = [i for i, c in enumerate(release.cells) if not c.published]
    assert len(hidden) >= 3
    for own in hidden:
        mine = table[own].count
        for i, values in reader_values(table, release, {own: range(mine, mine + 1)}).items():
            if i != own:
                assert max(values) - min(values) >= 5, (spec[own][0], spec[i][0], sorted(values))
    assert release.values() == {"A": SUPPRESSED, "B": SUPPRESSED, "C": SUPPRESSED, "D": 60}


def test_a_total_mostly_from_one_association_is_hidden() -> None:
    # 3, 2 and 1: the first association could subtract its 3 from a published 6 and
    # learn that the other two logged 3 together, so one and two.
    assert _total({1: 3, 2: 2, 3: 1}, Rule(k=5)) is SUPPRESSED
    assert _total({1: 3, 2: 3, 3: 3}, Rule(k=5)) == 9
    release = protect(_make([("A", {1: 3}), ("B", {2: 2}), ("C", {3: 1})]), _association_rule())
    assert release.total is SUPPRESSED


@settings(max_examples=150, deadline=None)
@given(case=cases(max_cells=4, max_count=10))
def test_with_no_reader_knowledge_the_programme_agrees_with_the_brute_force(case) -> None:
    """``reader_values`` is the insiders' oracle: for an outsider it finds what trying
    every split of the hidden sum finds."""
    table, rule = case
    release = protect(table, replace(rule, round_to_5=False))
    assume(isinstance(release.total, int))
    assert reader_values(table, release, {}) == informed_values(table, release)
