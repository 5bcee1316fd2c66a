"""A database error names no value: SQLAlchemy would put a failed statement's
parameters (user ids, display names, hashes) into the error's message, and that
message reaches the log wherever an error is logged whole."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from vcpbot.db import Database
from vcpbot.db.network import Vcp

SOMEONE = 1201234567890123456


async def test_a_failed_statement_keeps_its_values_out_of_the_error(db: Database) -> None:
    # A VCP registered for an association that does not exist: the foreign key refuses it.
    with pytest.raises(IntegrityError) as refused:
        async with db.sessions.begin() as session:
            session.add(
                Vcp(
                    association_id=999,
                    user_id=SOMEONE,
                    display_name="Sanne de Vries",
                    added_at=datetime(2026, 8, 17, tzinfo=UTC),
                )
            )
    message = str(refused.value)
    assert "INSERT INTO vcps" in message  # the statement is still there to debug with
    assert str(SOMEONE) not in message and "Sanne" not in message
    assert "hidden due to hide_parameters" in message


async def test_every_engine_hides_its_parameters(databases) -> None:
    # Also one made with options of its own, as the tests' admin engines are.
    plain = await databases.create()
    tuned = await databases.create("other")
    assert plain.engine.sync_engine.hide_parameters and tuned.engine.sync_engine.hide_parameters
