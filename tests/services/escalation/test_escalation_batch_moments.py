"""When a batch of non-urgent cards goes: at a moment drawn at random for each batch,
between the window's ends after the first card of the batch was seen."""

from __future__ import annotations

import random
from datetime import timedelta

from cogs.escalation._outbox import Batches
from tests.services.escalation.steps import NOW


def test_each_batch_draws_its_own_moment_within_the_window() -> None:
    batches = Batches(15, 45, rng=random.Random(20261204))
    delays = []
    for hour in range(20):
        first_seen = NOW + timedelta(hours=hour)
        assert not batches.due(first_seen, waiting=True)  # opens the batch
        assert batches.at is not None
        delays.append(batches.at - first_seen)
        # Cards seen later join it: the moment does not move.
        assert not batches.due(first_seen + timedelta(minutes=10), waiting=True)
        assert batches.due(batches.at, waiting=True)
        batches.sent()
    assert all(timedelta(minutes=15) <= d <= timedelta(minutes=45) for d in delays)
    assert len(set(delays)) == len(delays)  # drawn anew for every batch


def test_nothing_waiting_opens_no_batch_and_a_zero_window_goes_at_once() -> None:
    batches = Batches(15, 45)
    assert not batches.due(NOW, waiting=False) and batches.at is None
    assert Batches(0, 0).due(NOW, waiting=True)
