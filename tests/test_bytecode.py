"""Each start of the bot in the test process reuses the cogs' compiled bytecode
(tests/helpers/bytecode.py), and none of it lands in the source tree."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import cogs.help

ROOT = Path(__file__).resolve().parents[1]


def test_a_cog_imported_once_leaves_bytecode_for_the_next_bot_start() -> None:
    source = str(Path(cogs.help.__file__).resolve())
    assert not sys.dont_write_bytecode
    assert Path(importlib.util.cache_from_source(source)).exists()


def test_bytecode_stays_out_of_the_tree_when_the_environment_asks_for_that() -> None:
    cached = Path(importlib.util.cache_from_source(str(ROOT / "cogs" / "help" / "__init__.py")))
    if sys.pycache_prefix is None:  # the environment writes bytecode beside the source
        assert cached.parent.name == "__pycache__"
    else:
        assert not cached.is_relative_to(ROOT)
