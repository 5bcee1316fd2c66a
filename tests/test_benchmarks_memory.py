"""How the memory benchmarks judge what they read: a marginal cost against the bare bot's,
and a soak's growth after its warm-up. (The readings themselves come from the smoke run.)"""

from __future__ import annotations

import pytest

from benchmarks.load import Sample
from benchmarks.memory import Slope, marginal_verdict
from benchmarks.soak import Soaked, warm_up_seconds


def test_a_slope_is_the_least_squares_line_through_the_readings() -> None:
    slope = Slope.fit({0: 1000, 100: 1500, 200: 2000})
    assert slope.kib_per_unit == pytest.approx(5.0)
    assert slope.intercept_kib == pytest.approx(1000.0)
    assert slope.resolution == pytest.approx(512 / 200)


def test_a_marginal_cost_is_met_up_to_1_2_times_the_bare_bots() -> None:
    bare = Slope(5.0, 0.0, 0.5)
    assert marginal_verdict(Slope(6.0, 0.0, 0.5), bare)
    assert not marginal_verdict(Slope(6.5, 0.0, 0.5), bare)


def test_where_the_bare_bot_costs_nothing_measurable_ours_must_not_either() -> None:
    bare = Slope(0.01, 0.0, 0.05)
    assert marginal_verdict(Slope(-0.02, 0.0, 0.05), bare)
    assert not marginal_verdict(Slope(0.3, 0.0, 0.05), bare)


def _soaked(rss: list[tuple[float, int]], warm_up_s: float) -> Soaked:
    return Soaked({"all": Sample()}, rss, warm_up_s, late=0, cpu_s=None)


def test_soak_growth_counts_the_highest_reading_after_the_warm_up_even_if_it_falls_back() -> None:
    soaked = _soaked([(0, 50_000), (30, 100_000), (60, 108_000), (90, 101_000)], 30)
    assert soaked.at_warm_up_kib == 100_000
    assert soaked.end_kib == 101_000
    assert soaked.growth_pct == pytest.approx(8.0)


def test_the_warm_up_is_a_tenth_of_the_run_and_at_least_30_s() -> None:
    assert warm_up_seconds(3600) == 360
    assert warm_up_seconds(120) == 30
    assert warm_up_seconds(40) == 20  # half a run shorter than a minute
