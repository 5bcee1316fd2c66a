"""The test suite is a package, grouped by feature: every folder of it is a package, and a
shared step is imported by its full name (``tests.e2e.kmtm.steps``), never as a top-level
module that resolves only because pytest put the folder beside it on ``sys.path`` (which
needed a ruff list of "local" names, and broke as soon as two folders had a ``steps.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def layout_problems(tests: Path) -> list[str]:
    """Folders of ``tests`` without an ``__init__.py``, and imports of a module of the suite
    by its bare name."""
    sources = sorted(p for p in tests.rglob("*.py") if "__pycache__" not in p.parts)
    problems = [
        f"{folder.relative_to(tests.parent)}: not a package"
        for folder in sorted({p.parent for p in sources})
        if not (folder / "__init__.py").exists()
    ]
    bare = {p.stem for p in sources} - {"__init__"}
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            problems += [
                f"{path.relative_to(tests.parent)}: import {name}"
                for name in names
                if name.split(".")[0] in bare
            ]
    return problems


def test_every_test_folder_is_a_package_and_steps_are_imported_by_their_full_name() -> None:
    assert layout_problems(TESTS) == []


def test_the_check_sees_a_folder_without_init_and_a_bare_import(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    (tests / "e2e").mkdir(parents=True)
    (tests / "__init__.py").write_text("")
    (tests / "e2e" / "steps.py").write_text("")
    (tests / "e2e" / "test_a.py").write_text("from steps import x\nimport conftest\n")
    (tests / "conftest.py").write_text("")
    assert layout_problems(tests) == [
        "tests/e2e: not a package",
        "tests/e2e/test_a.py: import steps",
        "tests/e2e/test_a.py: import conftest",
    ]
