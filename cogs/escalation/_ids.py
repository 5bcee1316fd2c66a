"""The escalation cog's custom ids, and the conversation tokens this process still listens for."""

from __future__ import annotations

import re
import secrets
import time

from vcpbot import custom_ids

# Persistent components (the panel, the case cards): their custom_ids survive restarts.
FEATURE = "esc"
# Components and forms that live only in this process's memory (they hold a receipt,
# or a case reference, for the length of one conversation with one person).
SESSION = "esc-s"
SESSION_ID = re.compile(
    rf"{custom_ids.PREFIX}:{re.escape(SESSION)}:[a-z][a-z0-9_-]*:(?P<token>{custom_ids.OPAQUE_PATTERN})"
)

_FORGOTTEN_AFTER_S = 6 * 60 * 60


class OpenSessions:
    """Which session tokens this process is still listening for.

    A press or form submit whose token is not here belongs to a conversation that
    timed out or to an earlier run of the bot: the person is told so, instead of
    Discord's "interaction failed". Tokens are forgotten when their view or form
    times out (not when it is used, so a late check never races a live handler).
    """

    def __init__(self) -> None:
        self._opened: dict[str, float] = {}

    def new(self) -> str:
        now = time.monotonic()
        self._opened = {k: v for k, v in self._opened.items() if now - v < _FORGOTTEN_AFTER_S}
        token = secrets.token_urlsafe(9)
        self._opened[token] = now
        return token

    def close(self, token: str) -> None:
        self._opened.pop(token, None)

    def is_open(self, token: str) -> bool:
        return token in self._opened
