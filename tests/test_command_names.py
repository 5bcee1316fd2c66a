"""The names of anonymous reporting's commands, as a first-year student and a VCP read them.

A student who wants to reach their own VCPs should not have to type "escalate"; a
Dutch client says "melding", not "zaak"; the reporter's follow-up command and the
handlers' list of open cases must not be told apart by one letter; and the board's
settings must not look like the command a reporter types. docs/style-nl.md gives the
reasons for the names chosen.
"""

from __future__ import annotations

import pytest
from discord import app_commands

from vcpbot.access import Audience, audience_of
from vcpbot.bot import create_bot
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.i18n import catalog
from vcpbot.settings import Settings

LANGUAGES = ("en", "nl")


@pytest.fixture
async def escalation_commands(tmp_path):
    settings = Settings.load(config_file=None, env_file=None, hub_guild_id=1)
    db = create_database(f"sqlite+aiosqlite:///{tmp_path}/names.db")
    await upgrade(db)
    bot = create_bot(settings, db)
    await bot.load_extension("cogs.escalation")
    yield bot.get_cog("EscalationCog").get_app_commands()
    await bot.close()
    await db.dispose()


def _name(command, locale: str) -> str:
    value = command._locale_name
    key = value.extras.get("key") if isinstance(value, app_commands.locale_str) else None
    return command.name if key is None else catalog().entries[locale][key]


def _for(commands, audience: Audience):
    found = [c for c in commands if isinstance(c, app_commands.Command)]
    return next(c for c in found if audience_of(c) is audience)


def _group(commands):
    return next(c for c in commands if isinstance(c, app_commands.Group))


def _first_word(name: str) -> str:
    return name.split("-", maxsplit=1)[0]


@pytest.mark.parametrize("locale", LANGUAGES)
async def test_a_student_reaches_their_vcps_without_typing_escalate(
    escalation_commands, locale
) -> None:
    names = [_name(c, locale) for c in escalation_commands]
    assert [n for n in names if "escal" in n] == []


async def test_a_dutch_client_reads_melding_and_never_zaak(escalation_commands) -> None:
    names = [_name(c, "nl") for c in escalation_commands]
    assert [n for n in names if "zaak" in n or "zaken" in n] == []
    assert "melden" in _name(_for(escalation_commands, Audience.REPORTERS), "nl")
    assert "melding" in _name(_for(escalation_commands, Audience.EVERYONE), "nl")


@pytest.mark.parametrize("locale", LANGUAGES)
async def test_the_reporters_follow_up_and_the_handlers_list_do_not_look_alike(
    escalation_commands, locale
) -> None:
    mine = _name(_for(escalation_commands, Audience.EVERYONE), locale)
    theirs = _name(_for(escalation_commands, Audience.HANDLERS), locale)
    # Not one letter apart (case / cases), and not the same first word either.
    assert _first_word(mine) != _first_word(theirs)
    assert not theirs.startswith(mine) and not mine.startswith(theirs)


@pytest.mark.parametrize("locale", LANGUAGES)
async def test_the_boards_settings_do_not_look_like_the_reporters_command(
    escalation_commands, locale
) -> None:
    report = _name(_for(escalation_commands, Audience.REPORTERS), locale)
    settings = _name(_group(escalation_commands), locale)
    for theirs in (report, _name(_for(escalation_commands, Audience.EVERYONE), locale)):
        assert _first_word(settings) != _first_word(theirs)
        assert not settings.startswith(theirs[:4]), (settings, theirs)
