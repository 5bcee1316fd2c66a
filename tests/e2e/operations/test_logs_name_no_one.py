"""Logs carry no one (issue 15, item 8). Where discord.py or the database would write a
person's id, a DM channel or a statement's values into the log, the line is still
written and the person is not in it. Every end-to-end test also checks its whole log
at DEBUG (``bot_log`` in conftest); these provoke the lines no ordinary flow writes."""

from __future__ import annotations

import logging

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import form, network_with_vcps, plan, start_clock
from tests.e2e.network.steps import join_network, request_to_join, set_up_hub
from tests.helpers.log_privacy import Line, LogCapture, findings
from vcpbot.db import Database
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student


@pytest.fixture
def clock() -> ManualClock:
    # Discord refuses events in the past: the intervisie steps plan next year.
    return start_clock()


async def line_with(emulator: Emulator, log: LogCapture, text: str) -> Line:
    return await emulator.world.wait_for(
        lambda: next((line for line in log.lines if text in line.text), None),
        within=5,
        what=f"a log line with {text!r}",
    )


async def refuse_deleting(db: Database, table: str) -> None:
    """From now on the database itself refuses to delete a row of ``table``: the bot's
    statement fails inside the database, as on a broken constraint."""
    async with db.engine.begin() as conn:
        if db.is_sqlite:
            await conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_delete BEFORE DELETE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
            return
        await conn.exec_driver_sql(
            "CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'refused' USING ERRCODE = 'integrity_constraint_violation'; "
            "END $$"
        )
        await conn.exec_driver_sql(
            f"CREATE TRIGGER refuse_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_delete()"
        )


@pytest.mark.threat("T11")
async def test_a_database_error_while_deleting_my_data_is_answered_and_names_no_one(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, bot_log: LogCapture
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    tragos = world.association("tragos")
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")
    added = await emulator.person(tragos.admin).slash(
        tragos.guild, "vcp", {"member": sanne}, subcommand="add"
    )
    await added.wait()
    person = emulator.person(sanne)
    ask = (await (await person.slash(None, "privacy", subcommand="delete-my-data")).wait()).message
    await refuse_deleting(harness.db, "vcps")

    pressed = await person.press(ask, label="Ja, verwijder mijn gegevens")
    # The press is acknowledged first (taking roles back talks to Discord); the error follows.
    answer = await pressed.followup()
    # Sanne is told, privately and calmly, with a reference for the team.
    assert answer is not None and answer.ephemeral
    assert answer.text.startswith("Sorry, er ging aan onze kant iets mis")
    reference = answer.text.rsplit(" ", 1)[-1]
    # The operator finds the reference, where it failed and the kind of error; not
    # Sanne's id, which was the statement's parameter, nor the statement's values.
    line = await line_with(emulator, bot_log, f"(reference {reference})")
    assert "IntegrityError (message withheld)" in line.text
    assert "erase_user" in line.text
    assert str(sanne.id) not in line.text and "[parameters:" not in line.text
    assert not findings(emulator, bot_log.lines)


async def test_a_failing_autocomplete_names_no_one_who_was_typing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, bot_log: LogCapture
) -> None:
    await set_up_hub(emulator, world)
    async with harness.db.engine.begin() as conn:  # the periods' table is gone
        await conn.exec_driver_sql("ALTER TABLE kmtm_periods RENAME TO kmtm_periods_gone")
    emulator.interaction_deadline = 0.5
    coordinator = emulator.person(world.coordinator)
    with pytest.raises(AssertionError, match="did not answer"):
        await coordinator.autocomplete(
            world.hub, "kmtm", {"period": "kmtm"}, focused="period", subcommand="report"
        )
    line = await line_with(emulator, bot_log, "Ignoring exception in autocomplete")
    assert "'kmtm report' (Guild: [id], User: [id])" in line.text
    assert "OperationalError" in line.text or "ProgrammingError" in line.text
    assert str(world.coordinator.id) not in line.text
    assert not findings(emulator, bot_log.lines)


@pytest.mark.threat("T11")
async def test_a_rate_limited_dm_is_warned_about_without_its_channel(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, bot_log: LogCapture
) -> None:
    await set_up_hub(emulator, world)
    await request_to_join(emulator, world)
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains="Tragos")
    # Approving edits the card and writes to the board member: that DM meets a 429.
    emulator.inject("POST /channels/{channel_id}/messages", status=429, count=1, retry_after=0.1)
    await (await coordinator.press(card, label="Goedkeuren")).wait()
    board = world.association("tragos").admin
    await emulator.person(board).wait_for_dm()
    dm = emulator.world.dm_channel(board)
    line = await line_with(emulator, bot_log, "We are being rate limited.")
    assert "POST " in line.text and "/channels/[id]/messages responded with 429" in line.text
    assert str(dm.id) not in line.text
    assert not findings(emulator, bot_log.lines)


async def test_marking_interest_in_the_intervisie_event_names_no_one_at_debug(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, bot_log: LogCapture
) -> None:
    await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    options = {"invitees": "associations", "associations": "Tragos"}
    await plan(emulator, world, options, form(harness.clock().replace(month=9, day=15, hour=17)))
    [event] = emulator.scheduled_events(world.hub)
    emulator.person(world.team_member).mark_interested(event)
    line = await line_with(emulator, bot_log, "SCHEDULED_EVENT_USER_ADD")
    assert str(world.team_member.id) not in line.text
    assert not findings(emulator, bot_log.lines)


@pytest.mark.threat("T11")
async def test_the_watch_on_the_log_sees_a_person_when_one_is_there(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, bot_log: LogCapture
) -> None:
    # The check every test ends with, shown to notice what it looks for.
    student = add_student(emulator, world, "tragos", "noor", locale="nl")
    emulator.person(student).say(world.association("tragos").general, "Hij volgt me naar huis")
    dm = emulator.world.dm_channel(student)
    logging.getLogger("cogs.example").info("helped %s in %s", student.id, dm.id)
    logging.getLogger("discord.example").info("%s wrote %r", "someone", "Hij volgt me naar huis")
    found = findings(emulator, bot_log.lines)
    assert any("(our code, unfiltered) has the user id of noor" in f for f in found)
    assert any("(our code, unfiltered) has the DM channel of noor" in f for f in found)
    assert any("discord.example logs text a person typed" in f for f in found)
    # The filter already took the ids out of what the log shows.
    assert not any("cogs.example logs" in f for f in found)
    bot_log.lines.clear()  # planted: not the bot's
