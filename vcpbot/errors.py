"""Errors whose message is safe to show to the person who caused them.

Services raise these with a catalog key and parameters; the command tree and the
views render them in the user's language, always ephemerally. Anything that is not
a ``UserError`` is a bug: it is logged with a reference code and the user gets a
calm apology with that code.
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Base class: ``key`` names a catalog entry; ``params`` fill its placeholders."""

    default_key = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.default_key
        self.params = params
        super().__init__(self.key)


class InvalidInput(UserError):
    """Something the user typed or chose cannot be used; the message says what to fix."""

    default_key = "error.invalid_input"


class NotAllowed(UserError):
    """The user may not do this here (role, permission or place)."""

    default_key = "error.not_allowed"


class WrongPlace(UserError):
    """The command belongs in another guild (the hub, an association, or a DM)."""

    default_key = "error.wrong_place"


class NotFound(UserError):
    """What the user asked for does not exist, or is not theirs to see."""

    default_key = "error.not_found"


class Conflict(UserError):
    """The action clashes with the current state (already done, pending, closed)."""

    default_key = "error.conflict"
