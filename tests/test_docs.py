"""The documents match the code: every command and setting they name exists, and
every one that exists is named where people look for it.

Conventions the documents follow (docs/operator.md states them too):

- A slash command is written in backticks with its slash, by its full name:
  `/rules-admin publish`. Options follow with a colon (`/vcp add member:`), so the
  command's words end at the first word that is not a plain lower-case name.
  English names, or the Dutch names Discord shows a Dutch client (`/regels`), but
  not mixed in one command. In a guide's Dutch half the Dutch names are used, in
  its English half the English ones; the same holds for option names
  (`/regels artikel:`, `/rules article:`).
- A setting is written in backticks by its TOML name, `database_url` or
  `escalation.retention_days`, or as its environment variable
  `VCPBOT_ESCALATION__RETENTION_DAYS`, or as a secrets file `vcpbot_index_key`.
  A backticked snake_case word with an underscore, or `section.word` for a
  settings section, counts as a setting and must be one. TOML code blocks may
  only hold settings.
- The `vcpbot` command is written as `vcpbot db upgrade`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from discord import app_commands
from pydantic import BaseModel

from vcpbot.bot import create_bot
from vcpbot.cli import build_parser
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.i18n import catalog
from vcpbot.settings import ALL_COGS, Settings

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
OPERATOR = DOCS / "operator.md"
GUIDES = sorted(DOCS.glob("guide-*.md"))
EVERY_DOCUMENT = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]

FENCE = re.compile(r"^[ \t]*```([^\n]*)\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`\n]+)`")
WORD = re.compile(r"[a-z][a-z0-9-]*")
ENV_VAR = re.compile(r"\bVCPBOT_[A-Z0-9_]*[A-Z0-9]")
SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
DOTTED = re.compile(r"([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)")


# --- what exists --------------------------------------------------------------------


@dataclass(frozen=True)
class SlashCommand:
    english: tuple[str, ...]
    dutch: tuple[str, ...]
    leaf: bool
    # Option names as English and Dutch clients show them.
    options_en: frozenset[str] = frozenset()
    options_nl: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return "/" + " ".join(self.english)


def _localised(value: app_commands.locale_str | str, locale: str) -> str:
    key = value.extras.get("key") if isinstance(value, app_commands.locale_str) else None
    return str(value) if key is None else catalog().entries[locale][key]


def _walk(commands, english=(), dutch=()) -> Iterator[SlashCommand]:
    for command in commands:
        en = (*english, _localised(command._locale_name or command.name, "en"))
        nl = (*dutch, _localised(command._locale_name or command.name, "nl"))
        group = isinstance(command, app_commands.Group)
        parameters = [] if group else command.parameters
        yield SlashCommand(
            en,
            nl,
            leaf=not group,
            options_en=frozenset(p.display_name for p in parameters),
            options_nl=frozenset(
                _localised(p.locale_name or p.display_name, "nl") for p in parameters
            ),
        )
        if group:
            yield from _walk(command.commands, en, nl)


async def _command_tree(folder: Path) -> list[SlashCommand]:
    settings = Settings.load(config_file=None, env_file=None, hub_guild_id=1)
    db = create_database(f"sqlite+aiosqlite:///{folder}/docs.db")
    await upgrade(db)  # cogs may read their rows when they load
    bot = create_bot(settings, db)
    try:
        for name in ALL_COGS:
            await bot.load_extension(f"cogs.{name}")
        return list(_walk(bot.tree.get_commands()))
    finally:
        await bot.close()
        await db.dispose()


@pytest.fixture(scope="module")
def slash_commands(tmp_path_factory: pytest.TempPathFactory) -> list[SlashCommand]:
    return asyncio.run(_command_tree(tmp_path_factory.mktemp("docs")))


def _sections() -> dict[str, type[BaseModel]]:
    return {
        name: field.annotation
        for name, field in Settings.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    }


def setting_keys() -> set[str]:
    sections = _sections()
    keys = {name for name in Settings.model_fields if name not in sections}
    for section, model in sections.items():
        keys |= {f"{section}.{key}" for key in model.model_fields}
    return keys


def _env_name(key: str) -> str:
    return "VCPBOT_" + key.upper().replace(".", "__")


def cli_commands() -> set[str]:
    """Every `vcpbot` command, as ``"db upgrade"`` for the nested ones."""

    def choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    found = set()
    for name, sub in choices(build_parser()).items():
        nested = choices(sub)
        found |= {f"{name} {action}" for action in nested} if nested else {name}
    return found


# --- what the documents say ------------------------------------------------------------


def _prose(text: str) -> str:
    return FENCE.sub("", text)


def _inline_code(text: str) -> list[str]:
    return INLINE.findall(_prose(text))


def slash_mentions(text: str) -> list[tuple[str, ...]]:
    """The command words of every backticked `/command sub option:`."""
    mentions = []
    for span in _inline_code(text):
        tokens = span.split()
        if not tokens or not re.fullmatch(r"/[a-z][a-z0-9-]*", tokens[0]):
            continue  # not a command (a path like /opt/vcpbot, a URL)
        words = [tokens[0][1:]]
        for token in tokens[1:]:
            if not WORD.fullmatch(token):
                break
            words.append(token)
        mentions.append(tuple(words))
    return mentions


def option_mentions(text: str) -> list[tuple[tuple[str, ...], str]]:
    """(command words, option) for every `option:` written after a command, in the same
    backticks (`/vcp add member:`) or in its own (`rules_channel:` after `/setup ...`)."""
    found = []
    command: tuple[str, ...] = ()
    for span in _inline_code(text):
        tokens = span.split()
        if tokens and re.fullmatch(r"/[a-z][a-z0-9-]*", tokens[0]):
            words = [tokens[0][1:]]
            rest = tokens[1:]
            while rest and WORD.fullmatch(rest[0]):
                words.append(rest.pop(0))
            command = tuple(words)
            tokens = rest
        # `https://` is a web address, not an option.
        options = (re.fullmatch(r"([\w'-]+):(?!//)\S*", token) for token in tokens)
        found += [(command, match.group(1)) for match in options if command and match]
    return found


def setting_mentions(text: str) -> set[str]:
    """Everything written as a setting, normalised to ``key`` or ``section.key``."""
    sections = _sections()
    plain = set(Settings.model_fields) - set(sections)  # `cogs`, `timezone`: no underscore
    found = set()
    for name in ENV_VAR.findall(text):
        if name.startswith("VCPBOT_TEST_"):
            continue  # the test suite's own variables
        parts = name[len("VCPBOT_") :].lower().split("__")
        found.add(".".join(parts))
    for span in _inline_code(text):
        dotted = DOTTED.fullmatch(span)
        if dotted and dotted.group(1) in sections:
            found.add(span)
        elif SNAKE.fullmatch(span):
            found.add(span.removeprefix("vcpbot_"))
        elif span in plain:
            found.add(span)
    for language, body in FENCE.findall(text):
        if language.strip() == "toml":
            found |= _toml_keys(tomllib.loads(body))
    return found


def _toml_keys(data: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in data.items():
        if isinstance(value, dict):
            keys |= _toml_keys(value, f"{key}.")
        else:
            keys.add(prefix + key)
    return keys


def cli_mentions(text: str) -> list[str]:
    """`vcpbot <command> [action]` as written inline or at the start of a code line."""
    candidates = [s for s in _inline_code(text) if s.startswith("vcpbot ")]
    for _, body in FENCE.findall(text):
        for line in body.splitlines():
            head, _, rest = line.strip().partition(" ")
            if head == "vcpbot" or head.endswith("/bin/vcpbot"):
                candidates.append(f"vcpbot {rest}")
    groups = {name.split()[0] for name in cli_commands() if " " in name}
    found = []
    for candidate in candidates:
        tokens = candidate.split()[1:]
        while tokens[:1] and tokens[0] in ("--config", "--secrets-dir"):
            tokens = tokens[2:]
        if not tokens or not WORD.fullmatch(tokens[0]):
            continue  # "$@", an option: not a command named here
        words = tokens[:2] if tokens[0] in groups and len(tokens) > 1 else tokens[:1]
        found.append(" ".join(words))
    return found


def _halves(text: str) -> dict[str, str]:
    """A guide's Dutch and English halves, by their ``## Nederlands`` / ``## English`` headings."""
    parts = re.split(r"^## (Nederlands|English)\s*$", text, flags=re.MULTILINE)
    halves: dict[str, str] = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        lang = "nl" if heading == "Nederlands" else "en"
        halves[lang] = halves.get(lang, "") + body
    return halves


def _read(path: Path) -> str:
    return path.read_text("utf-8")


TEST_PATH = re.compile(r"\btests/[A-Za-z0-9_./-]*[A-Za-z0-9_]")


def test_every_test_file_a_document_names_exists() -> None:
    """A reader who follows "tests/e2e/...: this is proved there" finds the file."""
    missing = [
        f"{document.relative_to(ROOT)}: {path}"
        for document in [*EVERY_DOCUMENT, ROOT / "benchmarks" / "README.md"]
        for path in TEST_PATH.findall(_read(document))
        if not (ROOT / path.split("::")[0]).exists()
    ]
    assert missing == []


# --- slash commands -----------------------------------------------------------------


def test_the_documents_exist() -> None:
    assert OPERATOR.exists() and (DOCS / "privacy.md").exists()
    assert {p.name for p in GUIDES} >= {
        "guide-students.md",
        "guide-vcps.md",
        "guide-coordinator.md",
    }


def test_every_slash_command_named_in_a_document_exists(slash_commands) -> None:
    english = {c.english for c in slash_commands}
    dutch = {c.dutch for c in slash_commands}
    unknown = [
        (path.name, "/" + " ".join(words))
        for path in EVERY_DOCUMENT
        for words in slash_mentions(_read(path))
        if words not in english and words not in dutch
    ]
    assert unknown == []


def test_every_slash_command_is_in_the_operators_table_and_a_guide(slash_commands) -> None:
    def named_in(paths: list[Path]) -> set[tuple[str, ...]]:
        return {words for path in paths for words in slash_mentions(_read(path))}

    leaves = [c for c in slash_commands if c.leaf]
    in_operator = named_in([OPERATOR])
    in_guides = named_in(GUIDES)
    assert [c.name for c in leaves if c.english not in in_operator] == []
    missing = [c.name for c in leaves if c.english not in in_guides and c.dutch not in in_guides]
    assert missing == []


def test_each_half_of_a_guide_uses_that_languages_command_names(slash_commands) -> None:
    english = {c.english: c for c in slash_commands}
    dutch = {c.dutch: c for c in slash_commands}
    wrong = []
    for path in GUIDES:
        halves = _halves(_read(path))
        assert set(halves) == {"nl", "en"}, f"{path.name}: a ## Nederlands and a ## English part"
        for lang, body in halves.items():
            for words in slash_mentions(body):
                command = english.get(words) or dutch.get(words)
                if command is None or command.english == command.dutch:
                    continue
                expected = command.dutch if lang == "nl" else command.english
                if words != expected:
                    wrong.append((path.name, lang, "/" + " ".join(words)))
    assert wrong == []


def test_each_half_of_a_guide_uses_that_languages_option_names(slash_commands) -> None:
    by_words = {c.english: c for c in slash_commands} | {c.dutch: c for c in slash_commands}
    wrong = []
    for path in GUIDES:
        for lang, body in _halves(_read(path)).items():
            for words, option in option_mentions(body):
                command = by_words.get(words)
                if command is None:
                    continue  # an unknown command fails its own test
                known = command.options_nl if lang == "nl" else command.options_en
                if option not in known:
                    wrong.append((path.name, lang, "/" + " ".join(words), option))
    assert wrong == []


def test_options_are_read_after_their_command() -> None:
    text = "`/vcp add member:` and `/setup name: short_name:` and then `rules_channel:`"
    assert option_mentions(text) == [
        (("vcp", "add"), "member"),
        (("setup",), "name"),
        (("setup",), "short_name"),
        (("setup",), "rules_channel"),
    ]


# --- settings --------------------------------------------------------------------------


def test_every_setting_named_in_a_document_exists() -> None:
    known = setting_keys()
    unknown = [
        (path.name, name)
        for path in EVERY_DOCUMENT
        for name in sorted(setting_mentions(_read(path)))
        if name not in known
    ]
    assert unknown == []


def test_the_operators_guide_names_every_setting() -> None:
    assert setting_keys() - setting_mentions(_read(OPERATOR)) == set()


def test_settings_in_documents_are_written_as_the_conventions_say() -> None:
    # The environment form of every key is what the docs use for it.
    assert _env_name("escalation.retention_days") == "VCPBOT_ESCALATION__RETENTION_DAYS"
    assert setting_mentions("`VCPBOT_ESCALATION__RETENTION_DAYS`") == {"escalation.retention_days"}
    assert setting_mentions("`vcpbot_index_key`") == {"index_key"}
    assert setting_mentions("```toml\n[kmtm]\nk = 5\n```\n") == {"kmtm.k"}
    assert setting_mentions("`/opt/vcpbot` `help_resources.toml` `network`") == set()


# --- the vcpbot command -------------------------------------------------------------------


def test_every_vcpbot_command_named_in_a_document_exists() -> None:
    known = cli_commands()
    groups = {name.split()[0] for name in known}
    unknown = [
        (path.name, f"vcpbot {words}")
        for path in EVERY_DOCUMENT
        for words in cli_mentions(_read(path))
        if words not in known and words not in groups
    ]
    assert unknown == []


def test_the_operators_guide_names_every_vcpbot_command() -> None:
    assert cli_commands() - set(cli_mentions(_read(OPERATOR))) == set()


ARCHITECTURE = DOCS / "architecture.md"
# A path (has a slash or a file suffix) or a dotted module of ours, in inline code.
_PATHISH = re.compile(r"^[\w.<>-]+/[\w./<>-]*$")
_MODULE = re.compile(r"^(?:vcpbot|cogs|discord_emulator|vcpbot_harness)(?:\.\w+)+$")


def architecture_names(text: str) -> tuple[list[str], list[str]]:
    """The paths and the modules docs/architecture.md names (``<feature>`` patterns skipped)."""
    names = [n for n in _inline_code(text) if "<" not in n and " " not in n]
    return [n for n in names if _PATHISH.match(n)], [n for n in names if _MODULE.match(n)]


def _importable(dotted: str) -> bool:
    """A module, or a name in one."""
    try:
        importlib.import_module(dotted)
    except ImportError:
        parent, _, name = dotted.rpartition(".")
        try:
            return hasattr(importlib.import_module(parent), name)
        except ImportError:
            return False
    return True


def _exists(path: str) -> bool:
    return (ROOT / path).exists() or (ROOT / "harness" / path).exists()


def test_every_path_and_module_the_architecture_map_names_exists() -> None:
    paths, modules = architecture_names(_read(ARCHITECTURE))
    assert len(paths) > 20 and len(modules) > 3, "the map names the places it describes"
    missing = [p for p in paths if not _exists(p)] + [m for m in modules if not _importable(m)]
    assert not missing, f"docs/architecture.md names what is not there: {missing}"


def test_the_map_check_sees_a_path_that_is_gone() -> None:
    paths, modules = architecture_names(
        "`vcpbot/bot.py`, `vcpbot/nowhere.py`, `cogs/<feature>/`, `vcpbot.interactions.locale_of`"
    )
    assert paths == ["vcpbot/bot.py", "vcpbot/nowhere.py"]
    assert [p for p in paths if not _exists(p)] == ["vcpbot/nowhere.py"]
    assert modules == ["vcpbot.interactions.locale_of"]
