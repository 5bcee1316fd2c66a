"""Settings: sources in order, unknown keys refused, secrets kept out of the TOML file."""

import os
from pathlib import Path

import pytest

from vcpbot.settings import Settings, SettingsError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Only what a test sets counts; a developer's own VCPBOT_* variables do not."""
    for key in list(os.environ):
        if key.upper().startswith("VCPBOT_"):
            monkeypatch.delenv(key)
    return monkeypatch


def load(tmp_path: Path, toml: str = "", env: dict[str, str] | None = None, **values) -> Settings:
    config = tmp_path / "vcpbot.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in (env or {}).items():
            patch.setenv(key, value)
        return Settings.load(config_file=config, env_file=None, **values)


def problems(tmp_path: Path, toml: str = "", env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, toml, env)
    return caught.value.problems


def test_defaults_are_usable_without_any_configuration(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert settings.database_url == "sqlite+aiosqlite:///./vcpbot.db"
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.default_locale == "nl"
    assert settings.discord_token is None
    assert settings.discord_api_base == "https://discord.com/api/v10"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/vcp", "postgresql+asyncpg://u:p@db/vcp"),
        ("postgresql://u@db/vcp", "postgresql+asyncpg://u@db/vcp"),
        ("sqlite:///data/vcp.db", "sqlite+aiosqlite:///data/vcp.db"),
    ],
)
def test_database_urls_are_normalised_to_async_drivers(
    tmp_path: Path, given: str, expected: str
) -> None:
    assert load(tmp_path, env={"VCPBOT_DATABASE_URL": given}).database_url == expected


def test_an_unsupported_database_is_named_clearly(tmp_path: Path) -> None:
    [line] = problems(tmp_path, env={"VCPBOT_DATABASE_URL": "mysql://root@localhost/vcp"})
    assert line.startswith("database_url:")
    assert "'mysql'" in line


def test_environment_beats_the_toml_file(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        toml='timezone = "Europe/London"\nhub_guild_id = 1\n',
        env={"VCPBOT_TIMEZONE": "Europe/Amsterdam"},
    )
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.hub_guild_id == 1


def test_values_passed_in_beat_the_environment(tmp_path: Path) -> None:
    settings = load(tmp_path, env={"VCPBOT_HUB_GUILD_ID": "5"}, hub_guild_id=7)
    assert settings.hub_guild_id == 7


def test_nested_settings_use_a_double_underscore(tmp_path: Path) -> None:
    assert load(tmp_path, env={"VCPBOT_SCHEDULER__ENABLED": "false"}).scheduler.enabled is False


def test_an_unknown_key_in_the_toml_file_is_an_error(tmp_path: Path) -> None:
    [line] = problems(tmp_path, toml="hub_guild = 1\n")
    assert line == "hub_guild: not a vcpbot setting (see config/vcpbot.example.toml)"


def test_a_misspelt_environment_variable_is_an_error(tmp_path: Path) -> None:
    [line] = problems(tmp_path, env={"VCPBOT_DATABSE_URL": "sqlite:///x.db"})
    assert line.startswith("VCPBOT_DATABSE_URL: not a vcpbot setting")


def test_the_test_suites_own_variables_are_not_settings(tmp_path: Path) -> None:
    load(tmp_path, env={"VCPBOT_TEST_DATABASE_URL": "postgresql://x/y"})


def test_a_token_in_the_toml_file_is_refused(tmp_path: Path) -> None:
    [line] = problems(tmp_path, toml='discord_token = "abc"\n')
    assert "secrets do not belong in" in line
    assert "VCPBOT_DISCORD_TOKEN" in line


def test_secrets_come_from_the_environment_or_the_secrets_dir(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "vcpbot_discord_token").write_text("from-file", encoding="utf-8")
    settings = Settings.load(config_file=None, env_file=None, secrets_dir=secrets)
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "from-file"
    assert "from-file" not in repr(settings)


def test_every_bad_value_is_listed_on_its_own_line(tmp_path: Path) -> None:
    lines = problems(
        tmp_path, toml='timezone = "Mars/Olympus"\ndefault_locale = "de"\ncogs = ["nope"]\n'
    )
    assert len(lines) == 3
    assert any(line.startswith("timezone: unknown time zone 'Mars/Olympus'") for line in lines)
    assert any(line.startswith("default_locale:") for line in lines)
    assert any(line.startswith("cogs: unknown cog(s) nope") for line in lines)


def test_the_example_file_is_a_valid_configuration(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "config" / "vcpbot.example.toml"
    settings = Settings.load(config_file=example, env_file=None)
    assert settings.timezone == "Europe/Amsterdam"


def test_the_example_file_documents_every_key() -> None:
    example = (Path(__file__).parents[1] / "config" / "vcpbot.example.toml").read_text("utf-8")
    for name, field in Settings.model_fields.items():
        assert f"{name} " in example or f"[{name}]" in example or f"# {name}" in example, name
        if hasattr(field.annotation, "model_fields"):
            for sub in field.annotation.model_fields:
                assert f"{sub} " in example, f"{name}.{sub}"


def test_the_metrics_endpoint_is_off_until_an_operator_turns_it_on(tmp_path: Path) -> None:
    metrics = load(tmp_path).metrics
    assert (metrics.enabled, metrics.host, metrics.port) == (False, "127.0.0.1", 9464)
    turned_on = load(tmp_path, "[metrics]\nenabled = true\nport = 9500\n").metrics
    assert (turned_on.enabled, turned_on.port) == (True, 9500)


@pytest.mark.parametrize(
    "host",
    ["0.0.0.0", "::", "192.168.1.20", "localhost", "metrics.example"],  # noqa: S104 - refused
)
def test_the_metrics_endpoint_listens_on_this_machine_only(tmp_path: Path, host: str) -> None:
    # One line that says what is wrong and what to do, whatever else the file holds.
    [line] = problems(tmp_path, f'[metrics]\nenabled = true\nhost = "{host}"\n')
    assert line.startswith("metrics.host: ")
    assert "127.0.0.1" in line
    assert "\n" not in line
