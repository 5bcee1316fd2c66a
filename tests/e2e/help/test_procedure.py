"""/procedure: a student reads how reporting works, in their language, as the UM keeps
it: 112 first, what counts, for whom and where, confidentiality, the options, who
investigates; never a placeholder, and the complaints page once the UM has given it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import network_with
from vcpbot.i18n import t
from vcpbot.services.help import load_procedure
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student, settings_for

SHIPPED = Path(__file__).parents[3] / "config" / "procedure.toml"
COMPLAINTS = "https://www.maastrichtuniversity.nl/complaints-service-point"


async def read_procedure(emulator: Emulator, user: User, guild=None) -> Message:
    shown = await (await emulator.person(user).slash(guild, "procedure")).final()
    assert shown.ephemeral
    assert shown.allowed_mentions == {"parse": []}
    return shown


@pytest.mark.parametrize(("discord", "lang"), [("nl", "nl"), ("en-GB", "en"), ("de", "en")])
async def test_a_student_reads_the_procedure_without_what_is_not_filled_in(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, discord: str, lang: str
) -> None:
    await network_with(emulator, world, "tragos")
    student = add_student(emulator, world, "tragos", "noor", locale=discord)
    shown = await read_procedure(emulator, student, world.association("tragos").guild)
    procedure = load_procedure(SHIPPED)
    assert shown.content.splitlines()[0] == t("help.danger", lang)
    titles = [embed["title"] for embed in shown.embeds]
    assert titles == [s.title(lang) for s in procedure.sections if s.filled_in()]
    assert len(titles) == len(procedure.sections) - 1  # the UM's part still to come
    assert "[...]" not in shown.text
    footer = shown.embeds[-1]["footer"]["text"]
    assert t("procedure.ask_team", lang) in footer
    assert t("procedure.version", lang, date=procedure.version) in footer
    assert shown.buttons == []  # the complaints link is still the university's home page


@pytest.fixture
async def filled_in(
    emulator: Emulator, world: NetworkWorld, databases, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    text = SHIPPED.read_text("utf-8")
    text = text.replace("[...] De UM vult hier in", "Een commissie onderzoekt; de UM vult in")
    text = text.replace("[...] The UM fills in here", "A committee investigates; the UM fills in")
    text = text.replace('"https://www.maastrichtuniversity.nl"', f'"{COMPLAINTS}"')
    path = tmp_path / "procedure.toml"
    path.write_text(text, encoding="utf-8")
    db = await databases.create_migrated()
    settings = settings_for(
        emulator, hub_guild_id=world.hub.id, runtime_dir=tmp_path / "run", procedure_file=path
    )
    running = BotHarness(emulator, settings, db, clock=clock)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_once_filled_in_every_section_and_the_complaints_page_are_there(
    emulator: Emulator, world: NetworkWorld, filled_in: BotHarness
) -> None:
    student = emulator.create_user("sam", locale="en-US")
    shown = await read_procedure(emulator, student)  # in a direct message with the bot
    assert [embed["title"] for embed in shown.embeds][-1] == "Who investigates and what can follow"
    assert "A committee investigates" in shown.text
    assert t("procedure.ask_team", "en") not in shown.text
    [button] = shown.buttons
    assert button["url"] == COMPLAINTS
    assert button["label"] == t("procedure.complaint", "en")
