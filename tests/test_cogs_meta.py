"""Every cog loads, and every command is valid and unique in both languages."""

import re
from collections import Counter

import discord
import pytest
from discord import app_commands

from vcpbot.access import audience_of
from vcpbot.bot import create_bot
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.i18n import catalog
from vcpbot.settings import ALL_COGS, Settings

NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture
async def loaded_bot(tmp_path):
    settings = Settings.load(config_file=None, env_file=None, hub_guild_id=1)
    db = create_database(f"sqlite+aiosqlite:///{tmp_path}/meta.db")
    # Cogs may read their rows when they load (intervisie rebuilds its reminder jobs).
    await upgrade(db)
    bot = create_bot(settings, db)
    for name in ALL_COGS:
        await bot.load_extension(f"cogs.{name}")
    yield bot
    await bot.close()
    await db.dispose()


def _localised(value: app_commands.locale_str | str, locale: str) -> str:
    key = value.extras.get("key") if isinstance(value, app_commands.locale_str) else None
    if key is None:
        return str(value)
    return catalog().entries[locale][key]


def _walk(commands):
    for command in commands:
        yield command
        if isinstance(command, app_commands.Group):
            yield from _walk(command.commands)


async def test_every_cog_loads(loaded_bot) -> None:
    assert ALL_COGS, "no cogs are declared"
    assert len(loaded_bot.extensions) == len(ALL_COGS)
    assert loaded_bot.tree.get_commands()


@pytest.mark.parametrize("locale", ["en", "nl"])
async def test_command_names_are_unique_per_level_in_each_language(loaded_bot, locale) -> None:
    def names(commands):
        return Counter(_localised(c._locale_name or c.name, locale) for c in commands)

    levels = [loaded_bot.tree.get_commands()]
    levels += [
        g.commands
        for g in _walk(loaded_bot.tree.get_commands())
        if isinstance(g, app_commands.Group)
    ]
    for level in levels:
        duplicates = [n for n, count in names(level).items() if count > 1]
        assert duplicates == []


@pytest.mark.parametrize("locale", ["en", "nl"])
async def test_names_and_descriptions_fit_discords_rules(loaded_bot, locale) -> None:
    for command in _walk(loaded_bot.tree.get_commands()):
        name = _localised(command._locale_name or command.name, locale)
        description = _localised(command._locale_description or command.description, locale)
        assert NAME.match(name) and name == name.lower(), name
        assert 1 <= len(description) <= 100, (name, description)
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                text = _localised(parameter.locale_description or parameter.description, locale)
                assert 1 <= len(text) <= 100, (name, parameter.name)


async def test_every_command_has_a_dutch_translation(loaded_bot) -> None:
    untranslated = [
        command.qualified_name
        for command in _walk(loaded_bot.tree.get_commands())
        if not isinstance(command._locale_name, app_commands.locale_str)
        or "key" not in command._locale_name.extras
    ]
    assert untranslated == []


def test_discord_sees_no_privileged_intents() -> None:
    from vcpbot.bot import intents

    chosen = intents()
    assert not (chosen.members or chosen.presences or chosen.message_content)
    assert isinstance(chosen, discord.Intents)


def _paths(commands, en_prefix: str = "", nl_prefix: str = ""):
    for command in commands:
        en = f"{en_prefix} {command.name}".strip()
        nl = f"{nl_prefix} {_localised(command._locale_name or command.name, 'nl')}".strip()
        yield en, nl
        if isinstance(command, app_commands.Group):
            yield from _paths(command.commands, en, nl)


async def test_dutch_text_names_commands_as_dutch_clients_see_them(loaded_bot) -> None:
    renamed = [(en, nl) for en, nl in _paths(loaded_bot.tree.get_commands()) if en != nl]
    wrong = [
        f"{key}: /{en} (Dutch clients see /{nl})"
        for key, value in catalog().entries["nl"].items()
        if not key.startswith("cmd.")
        for en, nl in renamed
        if re.search(r"(?<![\w/-])/" + re.escape(en) + r"(?![\w-])", value)
        and not value.count("/" + nl)
    ]
    assert wrong == []


def _cog_classes(base: type) -> list[type]:
    """Every subclass of ``base`` defined in a cog module (every module imported first)."""
    import importlib
    import pkgutil

    import cogs

    for module in pkgutil.walk_packages(cogs.__path__, "cogs."):
        importlib.import_module(module.name)
    found, todo = [], list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("cogs."):
            found.append(cls)
    return found


def test_every_view_and_modal_answers_its_own_errors() -> None:
    # discord.py's own handler logs the exception whole, its message too: a database
    # error's message holds the values of the statement, a user id among them.
    views = _cog_classes(discord.ui.view.BaseView)
    assert any(issubclass(v, discord.ui.Modal) for v in views) and len(views) > 5
    unhandled = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in views
        if cls.on_error in (discord.ui.View.on_error, discord.ui.Modal.on_error)
    ]
    assert unhandled == [], "derive from vcpbot.interactions.ReportingView or ReportingModal"


def test_every_persistent_button_answers_its_own_errors() -> None:
    # discord.py runs a DynamicItem outside any view's error handler: its callback must
    # catch what goes wrong, tell the presser, and log through report_error.
    import inspect

    items = _cog_classes(discord.ui.DynamicItem)
    assert len(items) > 3
    unhandled = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in items
        if "report_error(" not in inspect.getsource(cls.callback)
    ]
    assert unhandled == []


async def test_every_command_says_whom_it_is_for(loaded_bot) -> None:
    """/help lists a command only to the people it is for; a command that does not say
    would be shown to nobody."""
    silent = [
        command.qualified_name
        for command in _walk(loaded_bot.tree.get_commands())
        if isinstance(command, app_commands.Command) and audience_of(command) is None
    ]
    assert silent == []


# English option names that are also everyday Dutch words ("tot de start").
DUTCH_WORDS = {"start", "document"}


def _options(commands):
    for command in _walk(commands):
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                yield command, parameter


async def test_dutch_text_names_options_as_dutch_clients_see_them(loaded_bot) -> None:
    """A Dutch text that says "vul ook until in" points at an option a Dutch client calls
    something else (``/mijn-melding receipt:``): every option name a text quotes is the reader's."""
    renamed = {
        parameter.display_name
        for _, parameter in _options(loaded_bot.tree.get_commands())
        if _localised(parameter.locale_name or parameter.display_name, "nl")
        != parameter.display_name
    } - DUTCH_WORDS
    wrong = [
        f"{key}: {name}"
        for key, value in catalog().entries["nl"].items()
        if not key.startswith("cmd.")
        for name in sorted(renamed)
        if re.search(
            r"(?<![\w/{-])" + re.escape(name) + r"(?![\w}-])", re.sub(r"\{\w+\}", "", value)
        )
    ]
    assert wrong == []


async def test_every_option_has_a_dutch_name(loaded_bot) -> None:
    untranslated = [
        f"{command.qualified_name} {parameter.name}"
        for command, parameter in _options(loaded_bot.tree.get_commands())
        if parameter.locale_name is None or "key" not in parameter.locale_name.extras
    ]
    assert untranslated == []
