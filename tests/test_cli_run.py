"""`vcpbot run` for several processes: its shard options, and SQLite's one process."""

import asyncio
import os
import socket
from pathlib import Path

import pytest

from discord_emulator import Emulator
from vcpbot.cli import main
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.leadership import SoleProcess
from vcpbot.runner import run_bot, sync_commands
from vcpbot_harness import settings_for


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


def _taken_port() -> socket.socket:
    """A port on 127.0.0.1 that something else already listens on."""
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


async def _migrated(url: str) -> None:
    db = create_database(url)
    await upgrade(db)
    await db.dispose()


async def test_a_taken_metrics_port_stops_the_start_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    await _migrated(url)
    capsys.readouterr()  # only what the command says counts
    with _taken_port() as taken:
        port = taken.getsockname()[1]
        async with Emulator() as emulator:
            settings = settings_for(
                emulator,
                hub_guild_id=1,
                database_url=url,
                discord_token=emulator.token,
                metrics={"enabled": True, "port": port},
            )
            assert await asyncio.wait_for(run_bot(settings), 20) == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert (
        f"vcpbot will not start: the metrics endpoint cannot listen on 127.0.0.1:{port} "
        "(Address already in use); choose another metrics.port, or set metrics.enabled = false"
    ) in said
    assert not any("Traceback" in line for line in said)


async def test_vcpbot_sync_beside_a_serving_bot_leaves_its_metrics_port_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The operator runs `vcpbot sync` on the machine where the bot serves its metrics,
    with the same settings: the commands are registered, the port is not wanted."""
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    await _migrated(url)
    capsys.readouterr()  # only what the command says counts
    with _taken_port() as serving:  # the running bot's endpoint
        async with Emulator() as emulator:
            settings = settings_for(
                emulator,
                hub_guild_id=1,
                database_url=url,
                discord_token=emulator.token,
                metrics={"enabled": True, "port": serving.getsockname()[1]},
            )
            said: list[str] = []
            assert await sync_commands(settings, said.append) == 0
    assert said[0].startswith("registered ")
    assert "metrics endpoint" not in capsys.readouterr().err
