"""Per-route rate-limit buckets, the global limit, and injected faults.

Headers are always sent (discord.py learns buckets from them); enforcement is
switchable per test, and buckets start generous so ordinary tests never wait.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field

from discord_emulator.routing import normalise_template

RATE_LIMITED = 429
# discord.py treats a 429 without a Via header as a Cloudflare ban and does not retry.
_VIA = {"Via": "1.1 google"}


@dataclass(frozen=True)
class Bucket:
    limit: int
    per: float


@dataclass
class _Window:
    started: float
    count: int = 0


@dataclass
class Injection:
    route: str
    status: int
    remaining: int
    retry_after: float
    major: str | None = None  # only calls on this channel (or guild, webhook); None: any
    code: int = 0  # Discord's JSON error code in the body (50035: invalid form body)


@dataclass(frozen=True)
class Verdict:
    """What to do with a request: go ahead with ``headers``, or answer ``status`` with ``body``."""

    headers: dict[str, str]
    status: int | None = None
    body: dict[str, object] | None = None


@dataclass
class RateLimits:
    enabled: bool = True
    default: Bucket = field(default_factory=lambda: Bucket(limit=50, per=1.0))
    global_limit: int = 50
    global_per: float = 1.0
    # Every rate-limit or injected fault served, e.g. "429 POST /channels/{}/messages".
    served: list[str] = field(default_factory=list)
    _buckets: dict[str, Bucket] = field(default_factory=dict)
    _windows: dict[tuple[str, str], _Window] = field(default_factory=dict)
    _global: _Window = field(default_factory=lambda: _Window(started=time.monotonic()))
    _injections: list[Injection] = field(default_factory=list)

    def set_bucket(self, route: str, *, limit: int, per: float) -> None:
        """Give one route (``"POST /channels/{channel_id}/messages"``) its own bucket size."""
        self._buckets[normalise_template(route)] = Bucket(limit=limit, per=per)
        self._windows = {
            k: w for k, w in self._windows.items() if k[0] != normalise_template(route)
        }

    def bucket(self, route: str) -> Bucket:
        """The bucket a route is limited by: its own, or the default."""
        return self._buckets.get(normalise_template(route), self.default)

    def inject(
        self,
        route: str,
        *,
        status: int,
        count: int,
        retry_after: float,
        major: str | None = None,
        code: int = 0,
    ) -> None:
        self._injections.append(
            Injection(normalise_template(route), status, count, retry_after, major, code)
        )

    def check(self, route_key: str, major: str, *, global_exempt: bool) -> Verdict:
        route = normalise_template(route_key)
        injected = self._take_injection(route, major)
        bucket = self._buckets.get(route, self.default)
        window = self._window(route, major, bucket)
        if injected is not None:
            return self._injected(route, injected, bucket)
        if self.enabled and not global_exempt and self._global_exhausted():
            return self._limited(route, self._global.started + self.global_per, is_global=True)
        if self.enabled and window.count >= bucket.limit:
            headers = self._headers(route, bucket, window, remaining=0)
            return self._limited(
                route, window.started + bucket.per, is_global=False, headers=headers
            )
        window.count += 1
        if not self.enabled:
            # Without enforcement, describe a bucket discord.py never waits for.
            bucket = Bucket(limit=1_000_000, per=bucket.per)
        remaining = bucket.limit - window.count
        return Verdict(headers=self._headers(route, bucket, window, remaining=remaining))

    def _take_injection(self, route: str, major: str) -> Injection | None:
        for injection in self._injections:
            if injection.major not in (None, major):
                continue
            if injection.route == route and injection.remaining > 0:
                injection.remaining -= 1
                return injection
        return None

    def _window(self, route: str, major: str, bucket: Bucket) -> _Window:
        now = time.monotonic()
        window = self._windows.get((route, major))
        if window is None or now >= window.started + bucket.per:
            window = _Window(started=now)
            self._windows[(route, major)] = window
        return window

    def _global_exhausted(self) -> bool:
        now = time.monotonic()
        if now >= self._global.started + self.global_per:
            self._global = _Window(started=now)
        self._global.count += 1
        return self._global.count > self.global_limit

    @staticmethod
    def _headers(route: str, bucket: Bucket, window: _Window, *, remaining: int) -> dict[str, str]:
        reset_after = max(window.started + bucket.per - time.monotonic(), 0.0)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(route.encode(), usedforsecurity=False).hexdigest()[
                :16
            ],
        }

    def _limited(
        self, route: str, until: float, *, is_global: bool, headers: dict[str, str] | None = None
    ) -> Verdict:
        retry_after = max(until - time.monotonic(), 0.001)
        self.served.append(f"429 {route}" + (" (global)" if is_global else ""))
        extra = {"X-RateLimit-Global": "true"} if is_global else {}
        return Verdict(
            headers=(headers or {})
            | extra
            | _VIA
            | {
                "Retry-After": str(math.ceil(retry_after)),
                "X-RateLimit-Scope": "global" if is_global else "user",
            },
            status=RATE_LIMITED,
            body={
                "message": "You are being rate limited.",
                "retry_after": round(retry_after, 3),
                "global": is_global,
            },
        )

    def _injected(self, route: str, injection: Injection, bucket: Bucket) -> Verdict:
        if injection.status == RATE_LIMITED:
            window = _Window(started=time.monotonic())
            headers = self._headers(route, bucket, window, remaining=0)
            headers["X-RateLimit-Reset-After"] = f"{injection.retry_after:.3f}"
            return self._limited(
                route, time.monotonic() + injection.retry_after, is_global=False, headers=headers
            )
        self.served.append(f"{injection.status} {route}")
        return Verdict(
            headers={},
            status=injection.status,
            body={"message": f"{injection.status}: injected server error", "code": injection.code},
        )
