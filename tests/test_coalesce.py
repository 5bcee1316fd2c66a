"""Shared upkeep: one run serves every caller waiting, and never one that called after
it began; each caller returns only once a run that started after its call has ended."""

from __future__ import annotations

import asyncio

import pytest

from vcpbot.coalesce import Coalesced


class Upkeep:
    def __init__(self) -> None:
        self.runs: list[frozenset[int] | None] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_next = False

    async def __call__(self, keys: frozenset[int] | None) -> None:
        self.runs.append(keys)
        await self.gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the upkeep failed")


async def test_one_caller_alone_waits_for_its_own_run() -> None:
    upkeep = Upkeep()
    await Coalesced(upkeep)([7])
    assert upkeep.runs == [frozenset({7})]


async def test_callers_during_a_run_share_the_next_one_and_wait_for_it() -> None:
    upkeep = Upkeep()
    shared = Coalesced(upkeep)
    upkeep.gate.clear()
    first = asyncio.create_task(shared([1]))
    await asyncio.sleep(0)  # the first run has begun, with key 1 only
    later = [asyncio.create_task(shared([n])) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    assert upkeep.runs == [frozenset({1})]
    assert not any(t.done() for t in [first, *later])
    upkeep.gate.set()
    await asyncio.gather(first, *later)
    assert upkeep.runs == [frozenset({1}), frozenset({2, 3, 4})]


async def test_a_caller_is_never_served_by_a_run_that_began_before_its_call() -> None:
    upkeep = Upkeep()
    shared = Coalesced(upkeep)
    upkeep.gate.clear()
    first = asyncio.create_task(shared([1]))
    await asyncio.sleep(0)
    second = asyncio.create_task(shared([2]))
    await asyncio.sleep(0)
    upkeep.gate.set()
    await first
    await second
    assert frozenset({2}) in upkeep.runs[1:]


async def test_everything_asked_once_makes_the_next_run_cover_everything() -> None:
    upkeep = Upkeep()
    shared = Coalesced(upkeep)
    upkeep.gate.clear()
    first = asyncio.create_task(shared([1]))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(shared([2])), asyncio.create_task(shared(None))]
    await asyncio.sleep(0)
    upkeep.gate.set()
    await asyncio.gather(first, *waiting)
    assert upkeep.runs == [frozenset({1}), None]


async def test_a_failed_run_reaches_each_of_its_callers_and_the_next_run_still_happens() -> None:
    upkeep = Upkeep()
    shared = Coalesced(upkeep)
    upkeep.fail_next = True
    upkeep.gate.clear()
    callers = [asyncio.create_task(shared([n])) for n in (1, 2)]
    await asyncio.sleep(0)
    upkeep.gate.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert [str(r) for r in results] == ["the upkeep failed"] * 2
    await shared([3])
    assert upkeep.runs[-1] == frozenset({3})


async def test_a_caller_that_gives_up_does_not_stop_the_run_for_the_others() -> None:
    upkeep = Upkeep()
    shared = Coalesced(upkeep)
    upkeep.gate.clear()
    leaving = asyncio.create_task(shared([1]))
    staying = asyncio.create_task(shared([2]))
    await asyncio.sleep(0)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    upkeep.gate.set()
    await staying
    assert upkeep.runs == [frozenset({1, 2})]
