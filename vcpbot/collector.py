"""Garbage collection that does not hold the event loop.

Python's full collection walks every object the process tracks. After start-up that is
some 200,000 of them (discord.py, SQLAlchemy, the catalogs, the guild caches), almost
all kept for the process's life, and a full collection over them held the loop for
hundreds of milliseconds under load: every interaction waiting at that moment answered
late (issue 21, the read paths' p99). Once the bot is ready, ``settle`` moves what
exists into the permanent generation (``gc.freeze``), so later full collections walk
only what the bot made since. Reference counting still frees a frozen object that is
dropped; only a frozen reference cycle would stay, and start-up leaves none worth a
pause. Every ready (a reconnect too) settles again.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


def settle() -> int:
    """Collect once, then freeze what is left; returns how many objects are frozen."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info(
        "%d objects moved out of the collector's way in %.0f ms",
        frozen,
        (time.perf_counter() - started) * 1000,
    )
    return frozen
