"""Forms that wait for their deadline in one shared table, not in a task each.

discord.py gives every modal with a timeout an asyncio task of its own that sleeps
until the deadline. A form people may leave open for half an hour or an hour needs
the deadline, not a task: with hundreds of VCPs each form would cost about 1.6 KiB
for the timer alone (issue 21: 7.2 KiB per open ``/kmtm log`` form against a bare
bot's 5.6). Here the open forms wait in one table per event loop, and one sweep,
running only while a form is open, ends each form whose deadline has passed the way
discord.py's own timeout does: the form stops listening, then its ``on_timeout`` runs.
A form that was submitted or stopped leaves the table at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from vcpbot.logs import safe_traceback

log = logging.getLogger(__name__)

# How late a form may end after its deadline, at most (the forms wait 15 minutes or more).
SWEEP_S = 15.0


class _OpenForms:
    """The open forms of one event loop, each with its deadline (the loop's clock)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._deadlines: dict[ExpiringModal, float] = {}
        self._sweep: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._deadlines)

    def add(self, form: ExpiringModal, seconds: float) -> None:
        self._deadlines[form] = self._loop.time() + seconds
        if self._sweep is None or self._sweep.done():
            self._sweep = self._loop.create_task(self._run(), name="vcpbot-form-deadlines")

    def discard(self, form: ExpiringModal) -> None:
        self._deadlines.pop(form, None)

    async def _run(self) -> None:
        while self._deadlines:
            now = self._loop.time()
            due = [form for form, deadline in self._deadlines.items() if deadline <= now]
            for form in due:
                await self._end(form)
            if self._deadlines:
                soonest = min(self._deadlines.values())
                await asyncio.sleep(min(max(soonest - self._loop.time(), 0.0), SWEEP_S))

    async def _end(self, form: ExpiringModal) -> None:
        self._deadlines.pop(form, None)
        if form.is_finished():
            return
        form.stop()
        try:
            await form.on_timeout()
        except Exception as exc:  # one form's clean-up must not end the others' deadlines
            # Messages withheld, as everywhere: a form's exception may carry what was typed.
            log.error("a form's clean-up after its deadline failed\n%s", safe_traceback(exc))


_BY_LOOP: dict[asyncio.AbstractEventLoop, _OpenForms] = {}


def open_forms() -> _OpenForms:
    """The running loop's table of open forms (a closed loop's table is dropped)."""
    loop = asyncio.get_running_loop()
    for closed in [other for other in _BY_LOOP if other.is_closed()]:
        del _BY_LOOP[closed]
    forms = _BY_LOOP.get(loop)
    if forms is None:
        forms = _BY_LOOP[loop] = _OpenForms(loop)
    return forms


class ExpiringModal(discord.ui.Modal):
    """A modal that stops listening ``timeout`` seconds after it was made, as
    discord.py's timeout would, without a task of its own while it waits."""

    def __init__(self, *, timeout: float, **kwargs: Any) -> None:
        super().__init__(timeout=None, **kwargs)
        open_forms().add(self, timeout)

    def stop(self) -> None:
        super().stop()
        open_forms().discard(self)
