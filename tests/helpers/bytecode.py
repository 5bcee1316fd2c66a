"""Compiled cogs kept for the next bot start of the test process, outside the source tree.

discord.py's ``Bot.close`` unloads every extension and drops its modules from
``sys.modules``, so each start of the bot imports the cogs again; a test process starts
hundreds of bots. Where the environment turns bytecode writing off
(``PYTHONDONTWRITEBYTECODE``, to keep source trees free of ``__pycache__``), every one of
those imports compiled the cogs from source again, about half of a bot's start. The
suite then writes bytecode under a prefix in the temporary directory instead (Python's
own ``sys.pycache_prefix``), so the tree stays clean and each cog is compiled once.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def keep_bytecode_outside_the_tree() -> None:
    """Write bytecode under a temporary prefix when the environment writes none."""
    if not sys.dont_write_bytecode or sys.pycache_prefix is not None:
        return
    sys.pycache_prefix = str(Path(tempfile.gettempdir()) / f"vcpbot-pycache-{os.getuid()}")
    sys.dont_write_bytecode = False
