"""The undo window for a logged KMTM contact, held in this process's memory only.

The database keeps counters and never a row per contact or a time, so it cannot
know which contact was logged a minute ago. The bot remembers it instead: an
opaque token (the opaque part of the Undo button's custom_id) maps to the
three values just counted, who logged them, and until when they can be taken
back. Nothing of it is written anywhere. A restart forgets every token, which
ends open undo windows early; that is the price of keeping no per-contact trace,
and a VCP who needs a correction after that asks the coordinator.

One ``UndoBook`` lives on the bot (one per process; with several processes the
button must reach the process that logged, which it does because the token is
unknown elsewhere and the press is answered with "expired").
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from vcpbot.services.kmtm._types import LoggedContact

TOKEN_BYTES = 16  # 22 characters in a custom_id


@dataclass(frozen=True)
class _Entry:
    contact: LoggedContact
    actor_id: int
    until: datetime


class UndoBook:
    """Single-use undo tokens that expire; at most ``max_entries`` kept at once."""

    def __init__(self, *, window: timedelta = timedelta(minutes=5), max_entries: int = 10_000):
        if window <= timedelta(0):
            raise ValueError("the undo window must be positive")
        self.window = window
        self.max_entries = max_entries
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def issue(self, contact: LoggedContact, *, actor_id: int, now: datetime) -> str:
        """A new token for what ``actor_id`` just logged."""
        self.forget_expired(now)
        while len(self._entries) >= self.max_entries:
            # Oldest first (dicts keep insertion order); it simply can't be undone.
            del self._entries[next(iter(self._entries))]
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self._entries[token] = _Entry(contact, actor_id, now + self.window)
        return token

    def take(self, token: str, *, actor_id: int, now: datetime) -> LoggedContact | None:
        """The contact to undo, once; None when unknown, expired, or someone else's.

        Take the token *before* changing the counters: a second press (or a double
        click) then finds nothing, so one contact is never taken back twice.
        """
        entry = self._entries.get(token)
        if entry is None or entry.actor_id != actor_id:
            return None
        del self._entries[token]
        return entry.contact if now < entry.until else None

    def forget_expired(self, now: datetime) -> None:
        for token in [t for t, e in self._entries.items() if e.until <= now]:
            del self._entries[token]
