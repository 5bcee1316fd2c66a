"""Interactions as Discord tracks them: who acted, how the bot answered, and the token's clock."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from discord_emulator.entities import Channel, Message, User, walk_components

if TYPE_CHECKING:
    from discord_emulator.guild import Guild

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5

CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9

RESPONSE_KINDS = {
    CHANNEL_MESSAGE: "message",
    DEFERRED_MESSAGE: "deferred",
    DEFERRED_UPDATE: "deferred_update",
    UPDATE_MESSAGE: "update",
    AUTOCOMPLETE_RESULT: "autocomplete",
    MODAL: "modal",
}

# Which callback types Discord accepts for which interaction type.
VALID_CALLBACKS: dict[int, frozenset[int]] = {
    APPLICATION_COMMAND: frozenset({CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL}),
    MESSAGE_COMPONENT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL}
    ),
    AUTOCOMPLETE: frozenset({AUTOCOMPLETE_RESULT}),
    MODAL_SUBMIT: frozenset({CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE}),
}

# Component types that take input in a modal, and the key their submitted value goes in.
MODAL_VALUE_KEYS = {
    4: "value",
    3: "values",
    5: "values",
    6: "values",
    7: "values",
    8: "values",
    19: "values",
    21: "value",
    22: "values",
    23: "value",
}


@dataclass(eq=False)
class Modal:
    """A modal the bot opened, as the person sees it."""

    custom_id: str
    title: str
    components: list[dict[str, Any]]
    opened_by: Interaction = field(repr=False)

    @property
    def inputs(self) -> list[dict[str, Any]]:
        return [c for c in walk_components(self.components) if c.get("type") in MODAL_VALUE_KEYS]

    @property
    def text(self) -> str:
        """Title, text displays, labels and their descriptions, and the options offered:
        everything the person reads in the form, for "does the form say X" asserts."""
        parts = [self.title]
        for component in walk_components(self.components):
            parts += [component.get(key) or "" for key in ("content", "label", "description")]
            for option in component.get("options", []):
                parts += [option.get("label") or "", option.get("description") or ""]
        return "\n".join(p for p in parts if p)

    def input(self, custom_id: str) -> dict[str, Any]:
        for component in self.inputs:
            if component.get("custom_id") == custom_id:
                return component
        known = [c.get("custom_id") for c in self.inputs]
        raise AssertionError(f"modal {self.custom_id!r} has no field {custom_id!r}; it has {known}")


@dataclass(eq=False)
class Response:
    """The bot's first answer to an interaction."""

    type: int
    message: Message | None = None
    modal: Modal | None = None
    choices: list[dict[str, Any]] | None = None

    @property
    def kind(self) -> str:
        return RESPONSE_KINDS[self.type]


@dataclass(eq=False)
class Interaction:
    id: int
    token: str
    type: int
    user: User
    channel: Channel
    guild: Guild | None
    data: dict[str, Any]
    payload: dict[str, Any] = field(default_factory=dict, repr=False)
    # The message whose component was used (for a modal submit: the one that opened the modal).
    source_message: Message | None = None
    created: float = field(default_factory=time.monotonic)
    response: Response | None = None
    # What ``@original`` refers to: the response message, or the source message after 6/7.
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    # Edits of ``@original`` through the webhook (after a deferral, the one that matters).
    original_edits: int = 0
    # Every request about this interaction that Discord refused (10062, 40060, ...).
    rejections: list[str] = field(default_factory=list)

    @property
    def age(self) -> float:
        return time.monotonic() - self.created

    @property
    def label(self) -> str:
        if self.type in (APPLICATION_COMMAND, AUTOCOMPLETE):
            return f"/{self.data.get('name')}"
        if self.type == MESSAGE_COMPONENT:
            return f"component {self.data.get('custom_id')!r}"
        return f"modal {self.data.get('custom_id')!r}"
