"""The threat model in docs/privacy.md is checked line by line.

Each line of its table (``T1``, ``T2``, ...) says who holds what and what they can
and cannot learn. The tests that prove a line carry ``@pytest.mark.threat("T<n>")``;
this module checks that every line, in both languages, has at least one such test,
and that no test claims a line the document does not have. The proving tests
themselves run with the rest of the suite, so a change that makes a line untrue
fails there.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRIVACY = ROOT / "docs" / "privacy.md"
ROW = re.compile(r"^\| (T\d+) \|", re.MULTILINE)


def _sections() -> dict[str, str]:
    text = PRIVACY.read_text(encoding="utf-8")
    dutch, english = text.split("\n## English\n", 1)
    return {"nl": dutch, "en": english}


def _lines_in(section: str) -> list[str]:
    return ROW.findall(section)


def _threat_ids(decorator: ast.expr) -> list[str]:
    """The ids of a ``pytest.mark.threat("T1", ...)`` decorator; [] for any other."""
    if not isinstance(decorator, ast.Call):
        return []
    func = decorator.func
    if not (isinstance(func, ast.Attribute) and func.attr == "threat"):
        return []
    return [a.value for a in decorator.args if isinstance(a, ast.Constant)]


def proving_tests() -> dict[str, list[str]]:
    """Line id -> the tests that say they prove it (``path::name``)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                for line in _threat_ids(decorator):
                    assert node.name.startswith("test_"), f"{path.name}::{node.name}"
                    found.setdefault(line, []).append(f"{path.relative_to(ROOT)}::{node.name}")
    return found


def test_both_languages_have_the_same_lines_in_order() -> None:
    sections = _sections()
    dutch, english = _lines_in(sections["nl"]), _lines_in(sections["en"])
    assert dutch == english
    assert dutch == [f"T{n}" for n in range(1, len(dutch) + 1)], "number the lines T1, T2, ..."
    assert len(dutch) >= 10


def test_every_line_is_proved_by_a_test_and_every_claim_is_a_line() -> None:
    lines = set(_lines_in(_sections()["en"]))
    proved = proving_tests()
    assert sorted(lines - set(proved), key=lambda i: int(i[1:])) == [], "lines without a test"
    assert sorted(set(proved) - lines) == [], "tests claiming a line the document lacks"


def test_each_line_says_who_holds_what_and_what_they_learn() -> None:
    for section in _sections().values():
        for row in re.findall(r"^\| T\d+ \|.*$", section, re.MULTILINE):
            cells = [cell.strip() for cell in row.strip("|").split(" | ")]
            assert len(cells) == 5 and all(cells), row
