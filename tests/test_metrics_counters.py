"""The metrics' own bookkeeping, on both databases: a failing statement is counted by
its class of error, and each bot's counters are its own."""

from __future__ import annotations

from types import SimpleNamespace

import discord
import pytest
from prometheus_client import generate_latest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from vcpbot.db import Database
from vcpbot.metrics import Metrics
from vcpbot.settings import MetricsSettings


def count(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_a_failing_statement_is_counted_by_its_class_and_names_nothing(db: Database) -> None:
    metrics = Metrics(MetricsSettings(enabled=True, port=0))
    metrics.watch(db)
    try:
        with pytest.raises(DBAPIError) as caught:
            async with db.sessions.begin() as session:
                await session.execute(text("SELECT secret_column FROM no_such_table_4711"))
    finally:
        metrics.unwatch()
    kind = type(caught.value).__name__  # OperationalError on SQLite, ProgrammingError on asyncpg
    assert count(metrics, "vcpbot_database_errors_total", kind=kind) == 1
    scraped = generate_latest(metrics.registry).decode()
    assert "no_such_table_4711" not in scraped and "secret_column" not in scraped

    # Once unwatched, the bot's engine is no longer counted (a restarted bot counts anew).
    with pytest.raises(DBAPIError):
        async with db.sessions.begin() as session:
            await session.execute(text("SELECT 1 FROM no_such_table_4711"))
    assert count(metrics, "vcpbot_database_errors_total", kind=kind) == 1


def test_two_bots_in_one_process_keep_their_own_counters() -> None:
    first, second = Metrics(MetricsSettings()), Metrics(MetricsSettings())
    first.reminder("sent")
    assert count(first, "vcpbot_intervisie_reminders_total", outcome="sent") == 1
    assert count(second, "vcpbot_intervisie_reminders_total", outcome="sent") == 0


def test_an_interaction_never_answered_counts_as_late_once_discord_gave_up() -> None:
    now = [100.0]
    metrics = Metrics(MetricsSettings(), monotonic=lambda: now[0])
    forgotten = SimpleNamespace(
        id=1, type=discord.InteractionType.component, command=None, client=None, data={}
    )
    metrics.arrived(forgotten)  # pressed; the bot never answered
    now[0] += 61
    metrics.arrived(
        SimpleNamespace(id=2, type=discord.InteractionType.component, command=None, data={})
    )
    late = count(
        metrics, "vcpbot_interactions_total", kind="component", command="-", outcome="late"
    )
    assert late == 1


def test_every_custom_id_of_anonymous_reporting_is_left_uncounted() -> None:
    """The metrics leave reporting out by custom_id prefix: a renamed prefix would be
    counted again without anyone noticing, so the two are checked against each other."""
    from cogs.escalation._ids import FEATURE, SESSION
    from vcpbot import custom_ids
    from vcpbot.metrics import UNCOUNTED_CUSTOM_IDS

    for feature in (FEATURE, SESSION):
        assert custom_ids.build(feature, "any", "t0ken").startswith(UNCOUNTED_CUSTOM_IDS)
