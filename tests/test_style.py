"""The catalogs speak as docs/style-nl.md says: none of the words it lists to avoid
appears in a text of that language."""

from __future__ import annotations

import json
import re
from pathlib import Path

from vcpbot.i18n import catalog

STYLE = Path(__file__).parents[1] / "docs" / "style-nl.md"
LIST = re.compile(r"```json\n(.*?)```", re.DOTALL)
# The names of commands and options are chosen in the command tree, not as texts.
NAMES = re.compile(r"cmd\..*\.name|cmd\..*\.opt\..*")


def avoid() -> list[dict]:
    found = LIST.search(STYLE.read_text("utf-8"))
    assert found, "docs/style-nl.md has no ```json list of words to avoid"
    return json.loads(found.group(1))["avoid"]


def _pattern(entry: dict) -> re.Pattern[str]:
    before = re.escape(entry["allowed_after"]) if entry.get("allowed_after") else ""
    guard = rf"(?<![\w{before}])" if before else r"(?<!\w)"
    flags = 0 if entry.get("case_sensitive") else re.IGNORECASE
    return re.compile(guard + re.escape(entry["term"]) + r"(?![\w'])", flags)


def offending(entries: list[dict], texts: dict[str, dict[str, str]]) -> list[str]:
    found = []
    for entry in entries:
        pattern = _pattern(entry)
        for key, text in texts[entry["language"]].items():
            if NAMES.fullmatch(key):
                continue
            bare = re.sub(r"\{\w+\}", "", text)
            if pattern.search(bare):
                found.append(f"{entry['language']}:{key}: {entry['term']!r} -> {entry['use']!r}")
    return found


def test_the_list_names_the_terms_the_catalogs_follow() -> None:
    entries = avoid()
    used = {e["use"] for e in entries if e["language"] == "nl"}
    assert {"melding", "privébericht", "rechten", "de ander"} <= used
    assert {e["language"] for e in entries} == {"nl", "en"}


def test_a_listed_word_is_found_as_a_word_and_not_in_a_command_name() -> None:
    entries = [
        {"language": "nl", "term": "zaak", "use": "melding", "allowed_after": "/"},
        {"language": "nl", "term": "DM", "use": "privébericht", "case_sensitive": True},
    ]
    texts = {
        "nl": {
            "a": "Volg je melding met /zaak.",
            "b": "Deze zaak is gesloten.",
            "c": "Geen DM's.",
            "d": "De DMV is iets anders; admin ook.",
        },
        "en": {},
    }
    assert offending(entries, texts) == [
        "nl:b: 'zaak' -> 'melding'",
    ]


def test_the_catalogs_avoid_every_word_the_style_guide_lists() -> None:
    assert offending(avoid(), catalog().entries) == []
