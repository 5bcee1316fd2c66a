"""Forms wait for their deadline in one shared table: they end as discord.py's timeout
would (stop listening, then ``on_timeout``), and a form submitted in time is forgotten."""

from __future__ import annotations

import asyncio

import pytest

from vcpbot import modals
from vcpbot.modals import ExpiringModal


class Form(ExpiringModal):
    def __init__(self, timeout: float, *, fails: bool = False) -> None:
        super().__init__(title="A form", timeout=timeout)
        self.timeouts = 0
        self.fails = fails

    async def on_timeout(self) -> None:
        self.timeouts += 1
        if self.fails:
            raise RuntimeError("clean-up failed")


def _sweeps() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "vcpbot-form-deadlines"]


async def test_a_form_past_its_deadline_stops_listening_and_cleans_up_once() -> None:
    form = Form(0.05)
    assert not form.is_finished()
    await asyncio.sleep(0.2)
    assert form.is_finished()
    assert form.timeouts == 1
    assert len(modals.open_forms()) == 0


async def test_a_form_submitted_in_time_is_forgotten_and_never_times_out() -> None:
    form = Form(0.1)
    form.stop()  # what discord.py does after on_submit
    assert len(modals.open_forms()) == 0
    await asyncio.sleep(0.25)
    assert form.timeouts == 0


async def test_many_open_forms_share_one_sweep_that_ends_with_the_last_form() -> None:
    forms = [Form(0.05 + i / 1000) for i in range(50)]
    assert len(_sweeps()) == 1
    await asyncio.sleep(0.3)
    assert [f.timeouts for f in forms] == [1] * 50
    assert _sweeps() == []


async def test_a_failing_clean_up_does_not_keep_the_other_forms_open(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failing, other = Form(0.05, fails=True), Form(0.06)
    await asyncio.sleep(0.25)
    assert failing.is_finished() and other.is_finished()
    assert other.timeouts == 1
    assert "a form's clean-up after its deadline failed" in caplog.text


async def test_a_form_opened_after_the_others_ended_gets_a_new_sweep() -> None:
    Form(0.02)
    await asyncio.sleep(0.1)
    assert _sweeps() == []
    late = Form(0.02)
    await asyncio.sleep(0.1)
    assert late.timeouts == 1


async def test_a_form_lives_until_its_deadline_not_the_sweeps_next_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(modals, "SWEEP_S", 0.05)
    form = Form(0.3)
    await asyncio.sleep(0.15)  # the sweep has woken at least twice
    assert not form.is_finished()
    await asyncio.sleep(0.3)
    assert form.is_finished()
