"""`vcpbot run` for several processes: its shard options, and SQLite's one process."""

import asyncio
import os
from pathlib import Path

import pytest

from vcpbot.cli import main
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.leadership import SoleProcess


@pytest.fixture(autouse=True)
def operator_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.upper().startswith("VCPBOT_") and not key.upper().startswith("VCPBOT_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VCPBOT_DISCORD_TOKEN", "not-a-real-token")
    monkeypatch.setenv("VCPBOT_HUB_GUILD_ID", "1")
    return monkeypatch


def test_run_offers_the_shard_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "--shard-ids 0,1" in out
    assert "--shard-count N" in out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--shard-ids", "0,4", "--shard-count", "4"], "shard_ids [4] outside 0..3"),
        (["--shard-ids", "0,1"], "shard_ids needs shard_count"),
        (["--shard-count", "0"], "shard_count: Input should be greater than or equal to 1"),
        (["--shard-ids", "1,1", "--shard-count", "2"], "list each shard once"),
    ],
)
def test_run_refuses_shards_that_do_not_fit(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", *argv]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("settings: ")
    assert said in line


def test_run_refuses_shard_ids_that_are_not_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", "--shard-ids", "zero,one", "--shard-count", "2"])
    assert exited.value.code == 2
    assert "give shard numbers separated by commas, e.g. 0,1" in capsys.readouterr().err


def test_the_options_override_the_settings(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The environment says 2 shards; the command line's 4 wins, so shard 3 is fine.
    operator_environment.setenv("VCPBOT_SHARD_COUNT", "2")
    operator_environment.setenv("VCPBOT_DATABASE_URL", "sqlite:///old.db")
    assert main(["run", "--shard-ids", "3", "--shard-count", "4"]) == 1
    assert "vcpbot will not start" in capsys.readouterr().err  # got past the settings


def test_a_second_process_on_the_same_sqlite_file_is_refused(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database = tmp_path / "vcpbot.db"
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{database}")

    async def migrate() -> None:
        db = create_database(f"sqlite+aiosqlite:///{database}")
        await upgrade(db)
        await db.dispose()

    asyncio.run(migrate())
    running = SoleProcess(database, lead=True)
    running.reserve()  # the first process
    try:
        assert main(["run"]) == 1
    finally:
        asyncio.run(running.stop())
    assert (
        f"another vcpbot process is using {database}; SQLite serves one process "
        "— use PostgreSQL for several"
    ) in capsys.readouterr().err.splitlines()


def test_run_without_a_network_says_so_in_one_line(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An operator starting the bot on a machine that cannot reach Discord reads one
    line that says so, not a traceback, and nothing about voice, which the bot never uses."""
    url = f"sqlite:///{tmp_path}/bot.db"
    operator_environment.setenv("VCPBOT_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    operator_environment.setenv("VCPBOT_DISCORD_API_BASE", "http://127.0.0.1:9/api/v10")
    assert main(["run"]) == 1
    captured = capsys.readouterr()
    said = (captured.out + captured.err).strip().splitlines()
    problems = [line for line in said if "cannot reach Discord" in line]
    assert len(problems) == 1
    assert "127.0.0.1:9" in problems[0]
    assert not any("Traceback" in line for line in said)
    assert not any("voice" in line for line in said)
