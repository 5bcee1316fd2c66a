"""Discord's JSON error responses, raised by route handlers and turned into replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DiscordError(Exception):
    """An error reply in Discord's shape: ``{"code", "message", "errors"}`` with an HTTP status."""

    status: int
    code: int
    message: str
    errors: dict[str, Any] = field(default_factory=dict)
    # The request was the bot's mistake (Discord would reject it too): the test must fail.
    bot_error: bool = False

    def __str__(self) -> str:
        return f"{self.status} {self.code} {self.message}"

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid_form(problems: list[str]) -> DiscordError:
    # Discord nests per-field errors; one flat "_errors" list keeps every problem readable.
    errors = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": p} for p in problems]}
    return DiscordError(400, 50035, "Invalid Form Body", errors, bot_error=True)


def empty_message() -> DiscordError:
    return DiscordError(400, 50006, "Cannot send an empty message", bot_error=True)


def unauthorized() -> DiscordError:
    return DiscordError(401, 0, "401: Unauthorized")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def cannot_dm() -> DiscordError:
    return DiscordError(403, 50007, "Cannot send messages to this user")


def not_author() -> DiscordError:
    return DiscordError(403, 50005, "Cannot edit a message authored by another user")


def unknown(kind: str) -> DiscordError:
    """404 for a missing object, with Discord's code for that kind of object."""
    code, message = _UNKNOWN[kind]
    return DiscordError(404, code, message)


_UNKNOWN: dict[str, tuple[int, str]] = {
    "application": (10002, "Unknown Application"),
    "channel": (10003, "Unknown Channel"),
    "guild": (10004, "Unknown Guild"),
    "member": (10007, "Unknown Member"),
    "message": (10008, "Unknown Message"),
    "role": (10011, "Unknown Role"),
    "user": (10013, "Unknown User"),
    "webhook": (10015, "Unknown Webhook"),
    "interaction": (10062, "Unknown interaction"),
    "command": (10063, "Unknown application command"),
    "scheduled_event": (10070, "Unknown Guild Scheduled Event"),
}


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def invalid_webhook_token() -> DiscordError:
    return DiscordError(401, 50027, "Invalid Webhook Token")
