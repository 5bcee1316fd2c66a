"""A KMTM report waiting in the coordinator's private preview, held in memory only.

``/kmtm report`` first shows the coordinator, and only them, the table and the chart
with "Post in #channel" and "Cancel". The preview already counts as a release: the
coordinator has seen the numbers, so they are recorded in the release ledger
(``kmtm_ledger``) the moment the preview is made, and every later report or export of
the period shows the same ones, posted or not. Posting changes nothing in the
database; it shows the team what the coordinator saw.

So that "Post" posts exactly what was previewed, the preview (the release, its
language, the chart's bytes and alt text, and the channel) is kept here under an
opaque token, the opaque part of the buttons' custom_ids. A token works once, only
for the coordinator who asked for the preview, for ``window``; a restart forgets
every token, and the buttons then say to ask again (which shows the same numbers).
Nothing of it is written anywhere.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from vcpbot.services.kmtm._types import Preview

TOKEN_BYTES = 16  # 22 characters in a custom_id
WINDOW = timedelta(minutes=30)
# Coordinators are few; a chart is up to about half a megabyte.
MAX_ENTRIES = 20


@dataclass(frozen=True)
class _Entry:
    preview: Preview
    actor_id: int
    until: datetime


class PreviewBook:
    """Single-use preview tokens that expire; at most ``max_entries`` kept at once."""

    def __init__(self, *, window: timedelta = WINDOW, max_entries: int = MAX_ENTRIES) -> None:
        if window <= timedelta(0):
            raise ValueError("the preview window must be positive")
        self.window = window
        self.max_entries = max_entries
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def issue(self, preview: Preview, *, actor_id: int, now: datetime) -> str:
        """A new token for the preview ``actor_id`` is looking at."""
        self.forget_expired(now)
        while len(self._entries) >= self.max_entries:
            # The oldest first (dicts keep insertion order); its buttons say to ask again.
            del self._entries[next(iter(self._entries))]
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self._entries[token] = _Entry(preview, actor_id, now + self.window)
        return token

    def take(self, token: str, *, actor_id: int, now: datetime) -> Preview | None:
        """The preview, once; None when unknown, expired, or someone else's.

        Someone else's press leaves the token in place for the coordinator it belongs to.
        """
        entry = self._entries.get(token)
        if entry is None or entry.actor_id != actor_id:
            return None
        del self._entries[token]
        return entry.preview if now < entry.until else None

    def forget_expired(self, now: datetime) -> None:
        for token in [t for t, e in self._entries.items() if e.until <= now]:
            del self._entries[token]
