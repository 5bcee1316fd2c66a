"""`vcpbot keys generate | rotate` and `vcpbot purge`, as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import re

import pytest

from vcpbot.cli import main
from vcpbot.crypto import IndexKey, MasterKeys, generate_index_key, generate_master_key


@pytest.fixture(autouse=True)
def operator_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.upper().startswith("VCPBOT_") and not key.upper().startswith("VCPBOT_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def _run(*argv: str) -> int:
    return main(list(argv))


def test_keys_generate_prints_a_first_master_key_and_an_index_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run("keys", "generate") == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("#")]
    master, index = lines
    assert master.startswith("v1:")
    assert MasterKeys.parse(master).current_version == 1
    IndexKey.parse(index)


def test_keys_generate_offers_the_next_version(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_environment.setenv(
        "VCPBOT_MASTER_KEYS", f"{generate_master_key(1)},{generate_master_key(2)}"
    )
    assert _run("keys", "generate") == 0
    assert re.search(r"^v3:", capsys.readouterr().out, re.MULTILINE)


def test_keys_rotate_without_keys_says_what_is_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run("keys", "rotate") == 1
    err = capsys.readouterr().err
    assert "master_keys: not set" in err and "index_key: not set" in err


async def test_rotate_and_purge_on_a_fresh_database(
    databases, operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_environment.setenv("VCPBOT_DATABASE_URL", await databases.create_url())
    operator_environment.setenv(
        "VCPBOT_MASTER_KEYS", f"{generate_master_key(1)},{generate_master_key(2)}"
    )
    operator_environment.setenv("VCPBOT_INDEX_KEY", generate_index_key())
    assert await asyncio.to_thread(_run, "db", "upgrade") == 0
    assert await asyncio.to_thread(_run, "keys", "rotate") == 0
    assert await asyncio.to_thread(_run, "purge") == 0
    out = capsys.readouterr().out
    assert "0 case key(s) re-wrapped under v2" in out
    assert "no case needs v1 any more" in out
    assert "0 closed case(s) older than 90 days destroyed" in out
