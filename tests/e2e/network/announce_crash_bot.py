"""The real bot in a process of its own that dies half-way through an announcement:
``python tests/e2e/network/announce_crash_bot.py`` (``tests/e2e/support/crash_bot.py``
with one more test variable).

- ``VCPBOT_TEST_DIE_AFTER_ANNOUNCED=n``: after ``n`` copies are marked delivered, die at
  the worst moment for exactly-once: right after Discord accepted the next copy, before
  it is marked (as if the machine lost power).
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from tests.e2e.support.crash_bot import main


def _die_after(count: int) -> None:
    from vcpbot.services import announce

    original = announce.mark_copy_delivered
    marked = 0

    async def die(session: Any, **kwargs: Any) -> bool:
        nonlocal marked
        if marked >= count:
            os._exit(137)
        marked += 1
        return await original(session, **kwargs)

    announce.mark_copy_delivered = die  # type: ignore[assignment]  # the test's power cut


if __name__ == "__main__":
    if count := os.environ.get("VCPBOT_TEST_DIE_AFTER_ANNOUNCED"):
        _die_after(int(count))
    sys.exit(asyncio.run(main()))
