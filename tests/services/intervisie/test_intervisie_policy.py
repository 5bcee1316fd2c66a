"""The intervisie settings become the policy the services follow; bad values are named."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from vcpbot.services.intervisie import Policy
from vcpbot.settings import Settings, SettingsError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the file a test writes counts, not a developer's own VCPBOT_* variables."""
    for key in list(os.environ):
        if key.upper().startswith("VCPBOT_"):
            monkeypatch.delenv(key)


def _load(tmp_path: Path, toml: str) -> Settings:
    config = tmp_path / "vcpbot.toml"
    config.write_text(toml, encoding="utf-8")
    return Settings.load(config_file=config, env_file=None)


def test_the_defaults_are_a_week_a_day_and_an_hour_before(tmp_path: Path) -> None:
    policy = Policy.from_settings(_load(tmp_path, ""))
    assert [lead.code for lead in policy.leads] == ["P7D", "PT24H", "PT1H"]
    assert policy.attending_only == {"PT1H"}
    assert policy.grace == timedelta(hours=2)
    assert policy.max_duration_minutes == 480
    assert policy.zone.key == "Europe/Amsterdam"
    assert policy == Policy()


def test_leads_and_grace_can_be_configured(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        '[intervisie]\nreminder_leads = ["p2d", "PT30M"]\nattending_only_leads = []\n'
        "catch_up_grace_minutes = 30\n",
    )
    policy = Policy.from_settings(settings)
    assert [lead.code for lead in policy.leads] == ["P2D", "PT30M"]
    assert policy.attending_only == frozenset()
    assert policy.grace == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('reminder_leads = ["7 days"]', "intervisie.reminder_leads: 7 DAYS: use ISO 8601"),
        ('reminder_leads = ["PT"]', "intervisie.reminder_leads: PT: use ISO 8601"),
        ('reminder_leads = ["P1D", "P1D"]', "intervisie.reminder_leads: each lead time"),
        (
            'reminder_leads = ["P1D"]\nattending_only_leads = ["PT1H"]',
            "intervisie.attending_only_leads: PT1H must also be in reminder_leads",
        ),
        ("catch_up_grace_minutes = -1", "intervisie.catch_up_grace_minutes:"),
    ],
)
def test_bad_intervisie_settings_are_named(tmp_path: Path, toml: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        _load(tmp_path, f"[intervisie]\n{toml}\n")
    assert any(line.startswith(problem) for line in caught.value.problems), caught.value.problems
