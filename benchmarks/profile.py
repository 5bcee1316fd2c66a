"""Where a bot process spends its CPU during each class: py-spy, summarised by library.

``python -m benchmarks --profile DIR`` records each bot process with py-spy while a
latency class is measured (not during set-up or warm-up), one file per class and bot,
and prints a summary after the class. py-spy runs outside the bot (``--nonblocking``:
it reads the process's memory without pausing it), so the bot under test is the
unmodified one; it is not a project dependency (``pip install py-spy``).

The summary counts samples, not seconds: py-spy leaves out threads that wait (idle),
so the samples are where the process was running. Each sample is charged twice:

- **self**, to the library of the innermost frame (what was executing: SQLAlchemy's
  compiler, discord.py's parser, our own code, the event loop);
- **inclusive**, to each of our own functions on the stack (what it cost, with
  everything it called), for the few that cost most.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

SAMPLES_PER_SECOND = 250
ATTACH_S = 0.5  # py-spy needs a moment to find the interpreter's state
OWN = ("vcpbot/", "cogs/")
# First match wins: the library a frame's file belongs to (py-spy names a file by its
# path under sys.path, so site-packages and the standard library look alike).
LIBRARIES = (
    ("our code", OWN),
    ("discord.py", ("discord/",)),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("database driver", ("aiosqlite/", "sqlite3/", "asyncpg/")),
    ("aiohttp and HTTP", ("aiohttp/", "yarl/", "multidict/", "http/", "email/")),
    ("json", ("json/",)),
    ("logging", ("logging/",)),
    ("event loop", ("asyncio/", "selectors.py", "uvloop/")),
    ("argon2 and crypto", ("argon2/", "cryptography/", "hashlib")),
    ("scheduler", ("apscheduler/",)),
    ("pydantic", ("pydantic",)),
)
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]+)(?::\d+)?\)$")
TOP_OWN = 8


def py_spy() -> str | None:
    return shutil.which("py-spy")


@contextlib.asynccontextmanager
async def recording(pid: int, path: Path, tool: str) -> AsyncIterator[None]:
    """py-spy on ``pid`` while the block runs; its raw (collapsed) stacks go to ``path``."""
    recorder = await asyncio.create_subprocess_exec(
        tool,
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(SAMPLES_PER_SECOND),
        "--nonblocking",
        "--format",
        "raw",
        "--output",
        str(path),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.sleep(ATTACH_S)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on interrupt
        await recorder.wait()


@dataclass(frozen=True)
class Summary:
    samples: int
    by_library: list[tuple[str, int]]
    own_inclusive: list[tuple[str, int]]

    def lines(self, title: str) -> list[str]:
        if not self.samples:
            return [f"  profile {title}: no samples"]
        share = ", ".join(f"{lib} {n / self.samples:.0%}" for lib, n in self.by_library if n)
        own = "; ".join(f"{name} {n / self.samples:.0%}" for name, n in self.own_inclusive)
        return [
            f"  profile {title} ({self.samples} samples), self time by library: {share}",
            f"    our costliest functions (inclusive): {own or '-'}",
        ]


# Innermost frames that are a system call rather than Python work: the time is the
# kernel's (loopback TCP to the emulator and the database) or waiting for events.
SYSTEM_CALLS = (
    ("sending on sockets (kernel)", ("_SelectorSocketTransport.write", "sock_sendall")),
    ("polling for events (epoll)", ("EpollSelector.select",)),
)


def _library(function: str, file: str) -> str:
    for name, functions in SYSTEM_CALLS:
        if function in functions:
            return name
    for name, markers in LIBRARIES:
        if any(marker in file for marker in markers):
            return name
    return "other"


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for part in stack.split(";"):
        found = FRAME.match(part.strip())
        if found:
            frames.append((found["function"], found["file"]))
    return frames


def summarize(path: Path) -> Summary:
    """The library of each sample's innermost frame, and our functions' inclusive share."""
    libraries: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = _frames(stack)
        if not frames:
            continue
        total += count
        libraries[_library(*frames[-1])] += count
        seen = {f"{file}:{function}" for function, file in frames if file.startswith(OWN)}
        for name in seen:
            own[name] += count
    return Summary(total, libraries.most_common(), own.most_common(TOP_OWN))
