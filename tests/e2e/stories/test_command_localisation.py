"""What a Dutch Discord client shows when someone types "/": every command, option
and choice of the tree the bot registers has a Dutch name and description, and
every name and text keeps to Discord's rules in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from discord_emulator import Emulator
from vcpbot_harness import BotHarness

# Discord: 1-32 characters, letters (lowercase where they have a case), digits, - _ '.
NAME = re.compile(r"^[-_'\w]{1,32}$")
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
CHAT_INPUT = 1


def _nodes(body: dict[str, Any], path: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, path, definition) for a command, its subcommands, options and choices."""
    here = f"{path} {body['name']}".strip()
    kind = (
        "option" if path and body.get("type") not in (SUB_COMMAND, SUB_COMMAND_GROUP) else "command"
    )
    yield kind, here, body
    for choice in body.get("choices") or []:
        yield "choice", f"{here}={choice['value']}", choice
    for option in body.get("options") or []:
        yield from _nodes(option, here)


def _synced(emulator: Emulator) -> list[tuple[str, str, dict[str, Any]]]:
    bodies = [c.body for c in emulator.world.commands.values() if c.type == CHAT_INPUT]
    assert bodies, "the bot registered no commands"
    return [node for body in bodies for node in _nodes(body)]


def _name_problems(where: str, name: str) -> list[str]:
    problems = []
    if not NAME.fullmatch(name):
        problems.append(f"{where}: {name!r} breaks Discord's name rule")
    if name != name.lower():
        problems.append(f"{where}: {name!r} is not lowercase")
    return problems


def _text_problems(where: str, text: str) -> list[str]:
    return [] if 1 <= len(text) <= 100 else [f"{where}: {len(text)} characters"]


async def test_a_dutch_client_sees_every_command_option_and_choice_in_dutch(
    emulator: Emulator, harness: BotHarness
) -> None:
    untranslated = []
    for kind, where, node in _synced(emulator):
        if "nl" not in (node.get("name_localizations") or {}):
            untranslated.append(f"{kind} {where}: name")
        if kind != "choice" and "nl" not in (node.get("description_localizations") or {}):
            untranslated.append(f"{kind} {where}: description")
    assert untranslated == []


async def test_every_name_and_text_keeps_to_discords_rules_in_both_languages(
    emulator: Emulator, harness: BotHarness
) -> None:
    problems = []
    for kind, where, node in _synced(emulator):
        names = [node["name"], *(node.get("name_localizations") or {}).values()]
        if kind == "choice":
            problems += [p for n in names for p in _text_problems(f"choice {where}", n)]
            continue
        problems += [p for n in names for p in _name_problems(f"{kind} {where}", n)]
        texts = [
            node.get("description", ""),
            *(node.get("description_localizations") or {}).values(),
        ]
        problems += [p for text in texts for p in _text_problems(f"{kind} {where}", text)]
    assert problems == []


async def test_option_names_are_unique_within_a_command_in_dutch(
    emulator: Emulator, harness: BotHarness
) -> None:
    clashes = []
    for _, where, node in _synced(emulator):
        options = node.get("options") or []
        dutch = [(o.get("name_localizations") or {}).get("nl", o["name"]) for o in options]
        clashes += [f"{where}: {n}" for n in set(dutch) if dutch.count(n) > 1]
    assert clashes == []
