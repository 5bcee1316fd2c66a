"""The lock files (requirements/*.lock) that CI and an operator install from, with
hashes: they must hold every dependency pyproject.toml names, at a version it allows,
so a dependency added to one and not the other fails here and not on a server."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
REGENERATE = "regenerate the locks as docs/operator.md (Releases) says"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)")


def pinned(lock: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, how many hashes)."""
    found: dict[str, tuple[str, int]] = {}
    current = None
    for line in lock.read_text("utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            found[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def wanted(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = list(project["dependencies"])
    if extra:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize(("lock", "extra"), [("run.lock", None), ("test.lock", "test")])
def test_every_dependency_is_locked_at_an_allowed_version_with_hashes(
    lock: str, extra: str | None
) -> None:
    locked = pinned(ROOT / "requirements" / lock)
    for requirement in wanted(extra):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in {lock}; {REGENERATE}"
        version, _ = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {requirement.name}=={version}, outside {requirement.specifier}; "
            + REGENERATE
        )
    assert all(hashes for _, hashes in locked.values()), f"an entry without a hash; {REGENERATE}"


def test_the_run_lock_agrees_with_the_test_lock() -> None:
    run, test = (
        pinned(ROOT / "requirements" / "run.lock"),
        pinned(ROOT / "requirements" / "test.lock"),
    )
    differ = {name for name in run if name in test and run[name][0] != test[name][0]}
    assert not differ, f"run.lock and test.lock pin {sorted(differ)} differently; {REGENERATE}"


def test_ci_installs_from_the_lock() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "--require-hashes -r requirements/test.lock" in ci
