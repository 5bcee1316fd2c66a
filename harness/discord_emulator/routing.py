"""The emulator's REST route table: which endpoints it models and how a request reaches them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from discord_emulator import errors


@dataclass(frozen=True)
class Upload:
    """One ``files[n]`` part of a multipart request."""

    index: int
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class Call:
    """A request after routing and parsing, as a handler sees it."""

    method: str
    template: str
    params: dict[str, str]
    query: Mapping[str, str]
    body: Any
    files: list[Upload] = field(default_factory=list)

    def snowflake(self, name: str) -> int:
        raw = self.params[name]
        if not raw.isdigit():
            raise errors.invalid_form([f"{name}: value {raw!r} is not a snowflake"])
        return int(raw)

    @property
    def json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in {"1", "true"}


@dataclass(frozen=True)
class Created:
    """A handler's reply that Discord sends as 201 Created (new threads, new commands)."""

    body: Any


# The first argument is the emulator (``host.EmulatorHost``); routing is below it.
Handler = Callable[[Any, Call], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    # Interaction and webhook-token routes carry their own credentials and no bot token,
    # and Discord exempts them from the global rate limit.
    token_auth: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def segments(self) -> list[str]:
        return self.template.strip("/").split("/")

    def bind(self, parts: list[str]) -> dict[str, str] | None:
        segments = self.segments
        if len(segments) != len(parts):
            return None
        params: dict[str, str] = {}
        for segment, part in zip(segments, parts, strict=True):
            if segment.startswith("{"):
                if not part:
                    return None
                params[segment[1:-1]] = part
            elif segment != part:
                return None
        return params

    @property
    def literal_count(self) -> int:
        return sum(not s.startswith("{") for s in self.segments)


class RouteTable:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def route(
        self, method: str, template: str, *, token_auth: bool = False
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append(Route(method, template, handler, token_auth))
            return handler

        return register

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The most literal matching route (``@original`` wins over ``{message_id}``)."""
        parts = path.strip("/").split("/")
        candidates = []
        for route in self._routes:
            if route.method != method:
                continue
            params = route.bind(parts)
            if params is not None:
                candidates.append((route, params))
        if not candidates:
            return None
        return max(candidates, key=lambda pair: pair[0].literal_count)

    def route_keys(self) -> set[str]:
        return {route.key for route in self._routes}


def normalise_template(key: str) -> str:
    """``POST /channels/{id}/messages`` and ``.../{channel_id}/messages`` name one route."""
    method, _, path = key.partition(" ")
    parts = ["{}" if p.startswith("{") else p for p in path.strip("/").split("/")]
    return f"{method.upper()} /" + "/".join(parts)


ROUTES = RouteTable()
