"""``vcpbot demo``: the product shown offline, against the in-repo Discord emulator."""

from __future__ import annotations

from collections.abc import Callable


async def run_demo(*, lang: str, step: bool, out: Callable[[str], None]) -> int:
    out(
        "vcpbot demo is not available yet: it will start the in-repo Discord emulator and "
        "the bot with a temporary database and play a scripted tour. Nothing was started."
    )
    return 1
