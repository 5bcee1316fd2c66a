"""The slow receipt hash never runs while the bot holds a write transaction.

Argon2 takes tens of milliseconds by design (hundreds under load). Run inside a
write transaction, it holds SQLite's one write lock that long, so every other
interaction waits for it; on PostgreSQL it holds the case's row lock. The test
wraps the real hasher: whenever it is called, it looks whether the bot has a write
transaction open (and, on SQLite, tries to take the write lock itself, with no
waiting). A short transaction of the delivery worker may be open by chance at
that moment, so a violation is a transaction that stays open for the whole probe.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    add_vcp,
    button_labels,
    escalate,
    network_with,
    open_case,
    receipt_in,
)
from vcpbot.crypto import ReceiptHasher
from vcpbot.db.engine import READ_ONLY
from vcpbot_harness import BotHarness, NetworkWorld

PROBE_S = 0.3


class WriteTransactions:
    """Which of the bot's connections are inside a write transaction right now."""

    def __init__(self, harness: BotHarness) -> None:
        self.open: set[int] = set()
        self.lock = threading.Lock()
        engine = harness.db.engine.sync_engine
        event.listen(engine, "begin", self._begin)
        for name in ("commit", "rollback"):
            event.listen(engine, name, self._end)
        path = harness.db.engine.url.database if harness.db.is_sqlite else None
        self.sqlite = Path(path) if path else None

    def _begin(self, conn: Any) -> None:
        if not conn.get_execution_options().get(READ_ONLY):
            with self.lock:
                self.open.add(id(conn))

    def _end(self, conn: Any) -> None:
        with self.lock:
            self.open.discard(id(conn))

    def _sqlite_free(self) -> bool:
        """Could another process write now? BEGIN IMMEDIATE without waiting."""
        assert self.sqlite is not None
        other = sqlite3.connect(self.sqlite, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    def held_throughout(self) -> str | None:
        """Why the database stayed locked for the whole probe, or None if it came free."""
        deadline = time.monotonic() + PROBE_S
        while time.monotonic() < deadline:
            with self.lock:
                in_write = bool(self.open)
            if not in_write and (self.sqlite is None or self._sqlite_free()):
                return None
            time.sleep(0.005)
        return "the SQLite write lock was held" if self.sqlite else "a write transaction was open"


@pytest.fixture
def hash_calls(harness: BotHarness, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every call of the receipt hasher, as "<what>: <violation or ok>"."""
    transactions = WriteTransactions(harness)
    calls: list[str] = []

    def watched(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(self: ReceiptHasher, *args: Any) -> Any:
            calls.append(f"{name}: {transactions.held_throughout() or 'ok'}")
            return real(self, *args)

        return call

    monkeypatch.setattr(ReceiptHasher, "hash", watched("hash", ReceiptHasher.hash))
    monkeypatch.setattr(ReceiptHasher, "verify", watched("verify", ReceiptHasher.verify))
    yield calls


async def test_no_receipt_is_hashed_or_checked_while_the_database_is_locked(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, hash_calls: list[str]
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
    guesser = await add_vcp(emulator, world, "tragos", "guesser", locale="en-US")

    # Submitting hashes the new receipt.
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="A concern.")
    receipt = receipt_in(confirmation)
    assert [c.split(":")[0] for c in hash_calls] == ["hash"]

    # /my-case checks the receipt: a wrong one, the right one, and each action on the case.
    wrong = ("0000" if not receipt.startswith("0000") else "1111") + receipt[4:]
    assert "No case was found" in (await open_case(emulator, guesser, wrong)).text
    seen = await open_case(emulator, vcp, receipt, guild=tragos.guild)
    assert "A concern." in seen.text
    maria = emulator.person(vcp)
    seen = await (await maria.press(seen, label="Notify me by DM")).final()
    assert "Stop notices" in button_labels(seen)
    form = (await maria.press(seen, label="Reply")).response.modal
    assert form is not None
    redrawn = await (await maria.submit(form, {"text": "One more thing."})).final()
    assert "One more thing." in redrawn.text

    assert len(hash_calls) >= 5, hash_calls
    assert [c for c in hash_calls if not c.endswith(": ok")] == []
