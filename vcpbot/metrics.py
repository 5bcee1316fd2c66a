"""The optional Prometheus endpoint: how the bot is doing, never whom it served.

An operator of a bot for vulnerable moments needs to know that answers are quick,
that cards and reminders go out and that some process leads, without a dashboard
that could tell who used it. So every label here is a word from the code (the
kind of interaction, a command's English name, an outcome, an error's class),
never an id, a name, a custom_id, a receipt or a case code.

Off unless ``metrics.enabled``; then it listens on 127.0.0.1 only (settings
refuse any other host). Each bot has its own registry, so several bots in one
process (the tests) do not share counters. The hot path stays in memory: an
interaction is timed from ``on_interaction`` to its answer's callback as
discord.py's HTTP session sees it (``http_trace``); the database is read only
when Prometheus scrapes (the outbox), or counted as it fails (``handle_error``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError

from vcpbot.db import Database
from vcpbot.services import escalation
from vcpbot.settings import MetricsSettings

log = logging.getLogger(__name__)

KINDS = {
    discord.InteractionType.application_command: "slash_command",
    discord.InteractionType.component: "component",
    discord.InteractionType.modal_submit: "modal",
    discord.InteractionType.autocomplete: "autocomplete",
}
OUTCOMES = ("ok", "refused", "error", "late")
REMINDER_OUTCOMES = ("due", "sent", "late", "missed", "unreachable")
DATABASE_ERRORS = ("OperationalError", "IntegrityError", "InterfaceError", "TimeoutError")
# Buttons and forms carry a custom_id, never shown: they are counted under this name.
NO_COMMAND = "-"
# Anonymous reporting is never counted, on the reporter's side or the handlers': a
# series that moves in some minute would tell when someone reported or replied, which
# the batches of hub cards exist to hide (docs/privacy.md, T5). Its commands live in
# this package; its buttons and forms carry these custom_id prefixes (the cards' and
# the panel's, and those of the conversation's own views and forms).
UNCOUNTED_MODULE = "cogs.escalation"
UNCOUNTED_CUSTOM_IDS = ("vcp:esc:", "vcp:esc-s:")
# Discord's deadline for the first answer is 3 s; buckets around it.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
# An interaction not answered by then never will be (Discord forgot it after 3 s).
UNANSWERED_AFTER_S = 60.0
# Looked for at most this often, so a busy bot does not scan on every interaction.
PRUNE_EVERY_S = 1.0
SCRAPE_READ_TIMEOUT_S = 5.0
_CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")
# discord.py retries these itself; the attempt after decides.
_RETRIED = frozenset({429, 500, 502, 503, 504})


class MetricsUnavailable(RuntimeError):
    """The endpoint cannot listen; the message says what to do, in one line."""

    def __init__(self, settings: MetricsSettings, error: OSError) -> None:
        super().__init__(
            f"vcpbot will not start: the metrics endpoint cannot listen on "
            f"{settings.host}:{settings.port} ({error.strerror or type(error).__name__}); "
            "choose another metrics.port, or set metrics.enabled = false"
        )


@dataclass
class _Open:
    """An interaction between its arrival and its first answer (a little after)."""

    kind: str
    command: str
    arrived: float
    judged: str | None = None  # refused / error, said before the first answer
    answered: bool = False
    judged_after: bool = False


class Metrics:
    """The bot's counters, its registry, and the endpoint that serves them."""

    def __init__(
        self, settings: MetricsSettings, *, monotonic: Callable[[], float] = time.monotonic
    ):
        self.settings = settings
        self._now = monotonic
        self.registry = CollectorRegistry()
        self._declare()
        self._open: dict[int, _Open] = {}
        # Judged before ``on_interaction`` ran: discord.py runs that listener as a task of
        # its own, so a command refused without a first await is judged before it arrives.
        self._judged_early: dict[int, tuple[str, float]] = {}
        self._pruned = 0.0
        self._seen_waiting: dict[int, float] = {}  # outbox row id -> first seen (monotonic)
        self._db: Database | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def _declare(self) -> None:
        r = self.registry
        self.interactions = Counter(
            "vcpbot_interactions",
            "Interactions by kind, command (English name; '-' for buttons and forms) and "
            "outcome of the answer.",
            ["kind", "command", "outcome"],
            registry=r,
        )
        self.first_response = Histogram(
            "vcpbot_interaction_first_response_seconds",
            "From the interaction's arrival to its first answer (Discord allows 3 s).",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.outbox_depth = Gauge(
            "vcpbot_escalation_outbox_depth",
            "Escalation cards, notices and DMs waiting for delivery.",
            registry=r,
        )
        self.outbox_oldest = Gauge(
            "vcpbot_escalation_outbox_oldest_age_seconds",
            "How long the oldest waiting delivery has been seen waiting (0 when none).",
            registry=r,
        )
        self.reminders = Counter(
            "vcpbot_intervisie_reminders",
            "Intervisie reminders handled by this process, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.leader = Gauge(
            "vcpbot_leader", "1 while this process leads (runs the timed work).", registry=r
        )
        self.database_errors = Counter(
            "vcpbot_database_errors",
            "Errors from the database, by SQLAlchemy's class of error.",
            ["kind"],
            registry=r,
        )
        for kind in KINDS.values():
            self.first_response.labels(kind)
        for outcome in REMINDER_OUTCOMES:
            self.reminders.labels(outcome)
        for kind in DATABASE_ERRORS:
            self.database_errors.labels(kind)

    # --- interactions ------------------------------------------------------------------

    def arrived(self, interaction: discord.Interaction) -> None:
        """From ``on_interaction``, before its first await: the answer has not gone yet."""
        now = self._now()
        self._forget_old(now)
        kind = KINDS.get(interaction.type)
        if kind is None or _anonymous_reporting(interaction):
            return
        command = NO_COMMAND
        if kind in ("slash_command", "autocomplete"):
            found = interaction.command
            command = found.qualified_name if found is not None else "unknown"
        early = self._judged_early.pop(interaction.id, None)
        self._open[interaction.id] = _Open(kind, command, now, judged=early and early[0])

    def judged(self, interaction: discord.Interaction, outcome: str) -> None:
        """``report_error`` classified a failure (refused, error or late)."""
        entry = self._open.get(interaction.id)
        if entry is None:
            if outcome != "late":
                self._judged_early[interaction.id] = (outcome, self._now())
            return
        if not entry.answered:
            entry.judged = outcome
            if outcome == "late":
                self._count(entry, "late")
        elif outcome != "late" and not entry.judged_after:
            # Failed after its first answer (a deferred command): counted once more.
            entry.judged_after = True
            self.interactions.labels(entry.kind, entry.command, outcome).inc()

    def _count(self, entry: _Open, outcome: str) -> None:
        entry.answered = True
        self.interactions.labels(entry.kind, entry.command, outcome).inc()

    def _forget_old(self, now: float) -> None:
        if now - self._pruned < PRUNE_EVERY_S:
            return
        self._pruned = now
        for key in [
            k for k, (_, at) in self._judged_early.items() if now - at > UNANSWERED_AFTER_S
        ]:
            del self._judged_early[key]
        for key in [k for k, e in self._open.items() if now - e.arrived > UNANSWERED_AFTER_S]:
            entry = self._open.pop(key)
            if not entry.answered:
                self._count(entry, "late")  # nobody was ever answered

    def trace_config(self) -> aiohttp.TraceConfig:
        """For discord.py's ``http_trace``: sees each interaction's answer go out."""
        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(self._request_end)
        trace.on_request_exception.append(self._request_failed)
        return trace

    async def _request_end(
        self,
        _session: aiohttp.ClientSession,
        _ctx: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        entry = self._callback_of(params)
        if entry is None:
            return
        status = params.response.status
        if status in _RETRIED:
            return
        if status < 300 or status == 404:
            self.first_response.labels(entry.kind).observe(self._now() - entry.arrived)
        if status < 300:
            self._count(entry, entry.judged or "ok")
        else:
            self._count(entry, "late" if status == 404 else "error")

    async def _request_failed(
        self,
        _session: aiohttp.ClientSession,
        _ctx: SimpleNamespace,
        params: aiohttp.TraceRequestExceptionParams,
    ) -> None:
        entry = self._callback_of(params)
        if entry is not None:
            self._count(entry, "error")

    def _callback_of(
        self, params: aiohttp.TraceRequestEndParams | aiohttp.TraceRequestExceptionParams
    ) -> _Open | None:
        if params.method != "POST":
            return None
        found = _CALLBACK.search(params.url.path)
        entry = self._open.get(int(found.group(1))) if found else None
        return None if entry is None or entry.answered else entry

    # --- reminders, leadership, database -----------------------------------------------

    def reminder(self, outcome: str) -> None:
        """``ReminderRunner``'s ``observe``."""
        self.reminders.labels(outcome).inc()

    def follow_leader(self, leads: Callable[[], bool]) -> None:
        self.leader.set_function(lambda: 1.0 if leads() else 0.0)

    def watch(self, db: Database) -> None:
        self._db = db
        event.listen(db.engine.sync_engine, "handle_error", self._database_error)

    def _database_error(self, context: ExceptionContext) -> None:
        error = context.sqlalchemy_exception or context.original_exception
        self.database_errors.labels(type(error).__name__).inc()

    def unwatch(self) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):
                event.remove(self._db.engine.sync_engine, "handle_error", self._database_error)
            self._db = None

    async def read_outbox(self) -> None:
        """Depth and age of the escalation outbox; at scrape time, not per interaction."""
        if self._db is None:
            return
        try:
            async with asyncio.timeout(SCRAPE_READ_TIMEOUT_S), self._db.reading.begin() as s:
                waiting = await escalation.waiting_delivery_ids(s)
        except Exception as exc:  # a scrape still answers with what it knows
            if not isinstance(exc, DBAPIError):  # those were counted by handle_error
                self.database_errors.labels(type(exc).__name__).inc()
            log.warning("metrics: could not read the outbox (%s)", type(exc).__name__)
            return
        now = self._now()
        self._seen_waiting = {i: self._seen_waiting.get(i, now) for i in waiting}
        self.outbox_depth.set(len(waiting))
        self.outbox_oldest.set(now - min(self._seen_waiting.values()) if waiting else 0.0)

    # --- the endpoint ------------------------------------------------------------------

    async def start(self, db: Database) -> int:
        """Listen on 127.0.0.1 and count ``db``'s errors; returns the port (the one
        chosen when ``port`` is 0). ``MetricsUnavailable`` when the port is taken."""
        app = web.Application()
        app.router.add_get("/metrics", self._serve)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.settings.host, self.settings.port))
            await web.SockSite(runner, sock).start()
        except BaseException as exc:
            sock.close()
            await runner.cleanup()
            if isinstance(exc, OSError):
                raise MetricsUnavailable(self.settings, exc) from None
            raise
        self._runner = runner
        self.port = sock.getsockname()[1]
        self.watch(db)
        log.info("metrics on http://%s:%d/metrics", self.settings.host, self.port)
        return self.port

    async def _serve(self, _request: web.Request) -> web.Response:
        await self.read_outbox()
        self._forget_old(self._now())
        return web.Response(
            body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self.port = None
        self.unwatch()


def _anonymous_reporting(interaction: discord.Interaction) -> bool:
    data: Any = interaction.data or {}
    if str(data.get("custom_id", "")).startswith(UNCOUNTED_CUSTOM_IDS):
        return True
    command = interaction.command
    return command is not None and (command.module or "").startswith(UNCOUNTED_MODULE)


def metrics_for(settings: MetricsSettings) -> Metrics | None:
    return Metrics(settings) if settings.enabled else None
