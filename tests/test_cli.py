"""The `vcpbot` command as an operator uses it."""

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from vcpbot.cli import main
from vcpbot.crypto import generate_index_key, generate_master_key


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Iterator[Path]:
    """A runtime directory in memory, as /run/vcpbot is (``vcpbot check`` wants tmpfs)."""
    shared_memory = Path("/dev/shm")  # noqa: S108 - a private directory is made inside
    if not shared_memory.is_dir():
        yield tmp_path / "run"
        return
    made = Path(tempfile.mkdtemp(prefix="vcpbot-test-run-", dir=shared_memory))
    yield made
    shutil.rmtree(made, ignore_errors=True)


@pytest.fixture(autouse=True)
def operator_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, runtime_dir: Path
) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.upper().startswith("VCPBOT_") and not key.upper().startswith("VCPBOT_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no config/vcpbot.toml or .env from the developer
    monkeypatch.setenv("VCPBOT_DISCORD_TOKEN", "not-a-real-token")
    monkeypatch.setenv("VCPBOT_HUB_GUILD_ID", "1")
    # A complete deployment has the escalation keys (tests/test_cli_escalation.py checks them).
    monkeypatch.setenv("VCPBOT_MASTER_KEYS", generate_master_key(1))
    monkeypatch.setenv("VCPBOT_INDEX_KEY", generate_index_key())
    monkeypatch.setenv("VCPBOT_RUNTIME_DIR", str(runtime_dir))
    # ... and has filled in its UM contact point (the shipped file is an example).
    filled_in = help_file(tmp_path, phone="+31 43 388 5454", url=FILLED_IN_PAGE)
    monkeypatch.setenv("VCPBOT_HELP_RESOURCES_FILE", filled_in)
    # ... and its reporting procedure (the shipped file leaves one section to the UM).
    monkeypatch.setenv("VCPBOT_PROCEDURE_FILE", procedure_file(tmp_path))
    return monkeypatch


SHIPPED_PROCEDURE = Path(__file__).parents[1] / "config" / "procedure.toml"
PROCEDURE_FILLED_IN = {
    "[...] De UM vult hier in": "Een klachtencommissie onderzoekt; de UM vult hier in",
    "[...] The UM fills in here": "A complaints committee investigates; the UM fills in here",
    '"https://www.maastrichtuniversity.nl"': '"https://www.maastrichtuniversity.nl/complaints"',
}


def procedure_file(tmp_path: Path, replacements: dict[str, str] = PROCEDURE_FILLED_IN) -> str:
    """The shipped procedure with ``replacements`` made (by default: all filled in)."""
    text = SHIPPED_PROCEDURE.read_text("utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "procedure.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "sync", "check", "demo", "db"):
        assert f"    {command} " in out


def test_check_names_an_unreachable_database_in_one_line(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_environment.setenv("VCPBOT_DATABASE_URL", "postgresql://vcp:secret@127.0.0.1:1/vcp")
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("database: cannot use postgresql+asyncpg://vcp:***@127.0.0.1:1/vcp")
    assert "secret" not in captured.err


def test_check_names_an_unsupported_database_url_in_one_line(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_environment.setenv("VCPBOT_DATABASE_URL", "mysql://root@localhost/vcp")
    assert main(["check"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("settings: database_url:")


def test_check_lists_missing_token_and_hub(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_environment.delenv("VCPBOT_DISCORD_TOKEN")
    operator_environment.delenv("VCPBOT_HUB_GUILD_ID")
    operator_environment.setenv("VCPBOT_DATABASE_URL", "sqlite:///fresh.db")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "discord_token: not set" in err
    assert "hub_guild_id: not set" in err
    assert "vcpbot db upgrade" in err


async def test_upgrade_then_check_succeeds(
    databases,
    operator_environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = await databases.create_url()
    operator_environment.setenv("VCPBOT_DATABASE_URL", url)
    import asyncio

    def run(*argv: str) -> int:
        return main(list(argv))

    assert await asyncio.to_thread(run, "db", "upgrade") == 0
    assert await asyncio.to_thread(run, "db", "check") == 0
    assert await asyncio.to_thread(run, "check") == 0
    out = capsys.readouterr().out
    assert "database upgraded" in out
    assert "matches the models" in out


def test_run_refuses_a_database_that_is_not_at_head(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_environment.setenv("VCPBOT_DATABASE_URL", "sqlite:///old.db")
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert "vcpbot will not start" in err
    assert "vcpbot db upgrade" in err


def test_run_without_a_token_says_where_to_put_it(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_environment.delenv("VCPBOT_DISCORD_TOKEN")
    assert main(["run"]) == 2
    assert "VCPBOT_DISCORD_TOKEN" in capsys.readouterr().err


def test_check_names_a_broken_help_resources_file(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    broken = tmp_path / "help.toml"
    broken.write_text('[um_team]\nname = { nl = "x" }\n', encoding="utf-8")
    operator_environment.setenv("VCPBOT_HELP_RESOURCES_FILE", str(broken))
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "help_resources_file:" in err
    assert "um_team.name.en" in err


def test_check_wants_the_runtime_key_kept_in_memory(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    from vcpbot.runtime_key import file_system_of

    kind = file_system_of(tmp_path)
    if kind in (None, "tmpfs", "ramfs"):
        pytest.skip(f"the test's temporary directory is on {kind}")
    operator_environment.setenv("VCPBOT_RUNTIME_DIR", str(tmp_path / "run"))
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert f"runtime_dir: {tmp_path / 'run'} is on {kind}, not in memory" in err


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_demo_logs_through_the_same_privacy_filter_as_the_bot(
    operator_environment: pytest.MonkeyPatch,
    root_logger: logging.Logger,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The tour itself is tests/test_demo.py's; here it only writes the warning discord.py
    # writes when a DM meets a rate limit.
    async def tour(**_: object) -> int:
        logging.getLogger("discord.http").warning(
            "We are being rate limited. POST %s responded with 429.",
            "https://discord.com/api/v10/channels/1201234567890123456/messages",
        )
        return 0

    operator_environment.setattr("vcpbot_harness.demo.run_demo", tour)
    assert main(["demo"]) == 0
    err = capsys.readouterr().err
    assert "POST https://discord.com/api/v10/channels/[id]/messages responded" in err
    assert "1201234567890123456" not in err


# --- the help on offer: no deployment shows students a contact without a number ----------

CONTACT_POINT = """
[um_team]
name = { nl = "UM Team Sociale Veiligheid Studenten", en = "UM Student Social Safety Team" }
detail = { nl = "Het eerste aanspreekpunt.", en = "The first point of contact." }
"""
EMERGENCY = """
[[external]]
name = { nl = "Noodgevallen", en = "Emergencies" }
detail = { nl = "Bel 112.", en = "Call 112." }
phone = "112"
"""


def help_file(tmp_path, *, phone: str | None, url: str | None, more: str = "") -> str:
    """A deployment's help file: the contact point with this phone and page, and ``more``."""
    lines = [CONTACT_POINT]
    if phone is not None:
        lines.append(f'phone = "{phone}"')
    if url is not None:
        lines.append(f'url = "{url}"')
    path = tmp_path / "help_resources.toml"
    path.write_text("\n".join(lines) + "\n" + more + EMERGENCY, encoding="utf-8")
    return str(path)


def help_problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("help_resources_file")]


def test_check_reports_the_shipped_example_until_its_contact_point_is_filled_in(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    # The file that ships is an example: a placeholder number and the university's home page.
    operator_environment.delenv("VCPBOT_HELP_RESOURCES_FILE")
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["check"]) == 1
    problems = help_problems(capsys.readouterr().err)
    assert len(problems) == 2, problems
    assert "um_team.phone: placeholder" in problems[0]
    assert "um_team.url" in problems[1] and "home page" in problems[1]


HOME_PAGE = "the university's home page"
FILLED_IN_PAGE = "https://www.maastrichtuniversity.nl/support/social-safety"
CONTACT_POINT_CASES = {
    # phone, url -> what `vcpbot check` says about each
    "nothing given": (None, None, "missing", "missing"),
    "empty, example.com": ("", "https://example.com/help", "empty", "placeholder"),
    "TODO, the home page": (
        "TODO",
        "https://www.maastrichtuniversity.nl/",
        "placeholder",
        HOME_PAGE,
    ),
    "[...], TODO in the path": (
        "[telefoonnummer]",
        "https://www.maastrichtuniversity.nl/TODO",
        "placeholder",
        "placeholder",
    ),
    "X for digits, home page in Dutch": (
        "043-XXX XXXX",
        "https://maastrichtuniversity.nl/nl",
        "placeholder",
        HOME_PAGE,
    ),
    "zeros, example.org": ("0000000000", "https://help.example.org", "placeholder", "placeholder"),
    "dots, brackets": ("...", "https://[...]", "placeholder", "placeholder"),
}


@pytest.mark.parametrize("case", CONTACT_POINT_CASES.values(), ids=CONTACT_POINT_CASES.keys())
def test_check_names_a_missing_or_placeholder_contact_point_one_line_each(
    operator_environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path,
    case: tuple[str | None, str | None, str, str],
) -> None:
    phone, url, about_phone, about_url = case
    path = help_file(tmp_path, phone=phone, url=url)
    operator_environment.setenv("VCPBOT_HELP_RESOURCES_FILE", path)
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["check"]) == 1
    problems = help_problems(capsys.readouterr().err)
    assert len(problems) == 2, problems
    assert f"um_team.phone: {about_phone}" in problems[0]
    assert f"um_team.url: {about_url}" in problems[1]


def test_check_names_placeholders_in_any_resource(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    more = """
[[um_contacts]]
name = { nl = "Vertrouwenspersonen", en = "Confidential advisers" }
detail = { nl = "TODO: uitleg", en = "For a confidential conversation." }
url = "https://www.example.com/advisers"

[[external]]
name = { nl = "Huisartsenpost", en = "GP out-of-hours service" }
detail = { nl = "Buiten kantooruren.", en = "Out of hours." }
phone = "tbd"
"""
    path = help_file(tmp_path, phone="+31 43 388 5454", url="https://www.um.example/x", more=more)
    operator_environment.setenv("VCPBOT_HELP_RESOURCES_FILE", path)
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["check"]) == 1
    problems = help_problems(capsys.readouterr().err)
    assert len(problems) == 4, problems
    assert "um_team.url: placeholder" in problems[0]
    assert "um_contacts.0 (Confidential advisers).detail.nl: placeholder" in problems[1]
    assert "um_contacts.0 (Confidential advisers).url: placeholder" in problems[2]
    assert "external.0 (GP out-of-hours service).phone: placeholder" in problems[3]


def test_check_accepts_a_filled_in_help_file(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    path = help_file(tmp_path, phone="+31 43 388 5454", url=FILLED_IN_PAGE)
    operator_environment.setenv("VCPBOT_HELP_RESOURCES_FILE", path)
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["check"]) == 1  # the fresh database still needs `vcpbot db upgrade`
    assert help_problems(capsys.readouterr().err) == []


# --- what `vcpbot check` touches and names ---------------------------------------------


def test_check_creates_no_database_and_says_which_one_it_looked_for(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    assert main(["check"]) == 1
    assert list(tmp_path.glob("missing.db*")) == []
    err = capsys.readouterr().err
    assert f"database: {tmp_path}/missing.db does not exist" in err
    assert "vcpbot db upgrade" in err


def test_check_with_the_default_database_leaves_no_file_behind(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    assert main(["check"]) == 1
    assert list(tmp_path.glob("vcpbot.db*")) == []


async def test_check_names_the_config_file_and_the_database_it_used(
    databases, operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    url = await databases.create_url()
    operator_environment.setenv("VCPBOT_DATABASE_URL", url)
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["check"]) == 0
    out = capsys.readouterr().out
    assert "config: none found (config/vcpbot.toml); settings from the environment" in out
    parsed = make_url(url)
    assert f"database: {_as_named(url)}" in out
    assert parsed.password is None or parsed.password not in out


def _as_named(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {Path(parsed.database or '').resolve()}"
    return f"PostgreSQL {parsed.database} on {parsed.host}:{parsed.port}"


def test_check_names_the_config_file_it_read(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    config = tmp_path / "deploy.toml"
    config.write_text('default_locale = "nl"\n')
    main(["--config", str(config), "check"])
    assert f"config: {config}" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["check"], ["db", "check"], ["run"]])
def test_a_config_file_named_on_the_command_line_must_exist(
    command: list[str], capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    assert main(["--config", str(tmp_path / "typo.toml"), *command]) == 2
    err = capsys.readouterr().err
    assert f"config: {tmp_path / 'typo.toml'} does not exist" in err
    assert list(tmp_path.glob("*.db*")) == []


def test_version_is_the_installed_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"vcpbot {version('vcpbot')}"


# --- the reporting procedure (/procedure) --------------------------------------------


def procedure_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("procedure_file")]


def test_check_names_what_the_shipped_procedure_leaves_to_the_um(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    operator_environment.setenv("VCPBOT_PROCEDURE_FILE", str(SHIPPED_PROCEDURE))
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["check"]) == 1
    lines = procedure_lines(capsys.readouterr().err)
    assert len(lines) == 2, lines
    assert "sections.4 (Who investigates and what can follow): placeholder text" in lines[0]
    assert "links.complaint: the university's home page" in lines[1]


def test_check_accepts_a_filled_in_procedure(
    operator_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    main(["check"])
    assert procedure_lines(capsys.readouterr().err) == []


@pytest.mark.parametrize(
    ("replacements", "said"),
    [
        ({"version = 2026-12-01": "version = 1 december"}, "not valid TOML"),
        ({"version = 2026-12-01": ""}, "version: Field required"),
        ({"version = 2026-12-01": "version = 2026-12-01\ncolour = 1"}, "Extra inputs"),
    ],
)
def test_check_names_a_procedure_file_it_cannot_use(
    replacements: dict[str, str],
    said: str,
    operator_environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path,
) -> None:
    operator_environment.setenv("VCPBOT_PROCEDURE_FILE", procedure_file(tmp_path, replacements))
    operator_environment.setenv("VCPBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["check"]) == 1
    [line] = procedure_lines(capsys.readouterr().err)
    assert said in line
