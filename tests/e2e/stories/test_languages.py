"""Each person reads the bot in their own language: in answers, Discord's language of the
moment; in direct messages, the language the bot last saw them use, or both Dutch and
English for someone it has never seen. Any other language reads English."""

from __future__ import annotations

from datetime import UTC

import pytest

from discord_emulator import Emulator
from discord_emulator.entities import User
from tests.e2e.escalation.steps import add_vcp, escalate, network_with, open_case, receipt_in
from tests.e2e.intervisie.steps import (
    at,
    form,
    network_with_vcps,
    plan,
    runner,
    start_clock,
)
from tests.e2e.network.steps import request_to_join, set_up_hub
from tests.e2e.rules.steps import HOUSE_RULES_NL, publish, register_with_rules_channel, upload
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student

TRAGOS = {"invitees": "associations", "associations": "Tragos"}


async def use_the_bot(emulator: Emulator, user: User, world: NetworkWorld, key: str) -> None:
    """The person looks up their intervisie sessions, in Discord's language."""
    guild = world.association(key).guild
    await (await emulator.person(user).slash(guild, "intervisie", subcommand="mine")).wait()


# --- intervisie ------------------------------------------------------------------------


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


async def test_a_dutch_first_and_an_english_first_vcp_each_get_their_invitation_in_their_language(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    vcps = await network_with_vcps(
        emulator,
        world,
        {"sanne": ("tragos", "nl"), "ahmed": ("tragos", "en-US"), "noor": ("tragos", "nl")},
        seen=False,
    )
    # Sanne and Ahmed have used the bot; Noor, registered by the board, never has.
    await use_the_bot(emulator, vcps["sanne"], world, "tragos")
    await use_the_bot(emulator, vcps["ahmed"], world, "tragos")
    start = at(9, 15, 19, 30)
    await plan(emulator, world, TRAGOS, form(start))

    sanne = await emulator.person(vcps["sanne"]).wait_for_dm(contains="Intervisie najaar")
    assert "Uitnodiging: Intervisie najaar" in sanne.text and "Invitation" not in sanne.text
    assert [b["label"] for b in sanne.buttons] == ["Ja, ik kom", "Nee, ik kan niet", "Misschien"]

    # Tragos chose Dutch, but Ahmed reads Discord in English: his invitation is English.
    ahmed = await emulator.person(vcps["ahmed"]).wait_for_dm(contains="Intervisie najaar")
    assert "Invitation: Intervisie najaar" in ahmed.text and "Uitnodiging" not in ahmed.text
    assert f" 15 September {start.year}, 19:30 (Amsterdam time)" in ahmed.text
    assert [b["label"] for b in ahmed.buttons] == ["Yes, I'll come", "No, I can't", "Maybe"]

    # Noor's language is unknown: the invitation speaks both, and so do its buttons.
    noor = await emulator.person(vcps["noor"]).wait_for_dm(contains="Intervisie najaar")
    assert "Uitnodiging: Intervisie najaar" in noor.text
    assert "Invitation: Intervisie najaar" in noor.text
    assert [b["label"] for b in noor.buttons] == [
        "Ja, ik kom / Yes, I'll come",
        "Nee, ik kan niet / No, I can't",
        "Misschien / Maybe",
    ]
    answered = await emulator.person(vcps["noor"]).press(noor, label="Misschien / Maybe")
    assert "Genoteerd als misschien" in (await answered.wait()).message.text

    # Ahmed switches his Discord to Dutch and uses the bot: the change reaches him in Dutch.
    vcps["ahmed"].locale = "nl"
    await use_the_bot(emulator, vcps["ahmed"], world, "tragos")
    moved = await emulator.person(world.coordinator).slash(
        world.hub,
        "intervisie",
        {"session": await _only_session(emulator, world), "when": f"{start:%d-%m-%Y} 20:00"},
        subcommand="move",
    )
    await moved.final(within=20)
    change = await emulator.person(vcps["ahmed"]).wait_for_dm(contains="Gewijzigd:")
    assert "Changed:" not in change.text
    # Noor answered in Dutch, so the bot knows her language now.
    noor_change = await emulator.person(vcps["noor"]).wait_for_dm(contains="Gewijzigd:")
    assert "Changed:" not in noor_change.text


async def test_a_reminder_to_a_vcp_the_bot_never_saw_speaks_both_languages(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"noor": ("tragos", "nl")}, seen=False)
    start = at(9, 15, 19, 30)
    await plan(emulator, world, TRAGOS, form(start))
    clock.set(at(9, 8, 19, 31).astimezone(UTC))
    await runner(harness).run_due()
    reminder = await emulator.person(vcps["noor"]).wait_for_dm(contains="Herinnering:")
    assert "Reminder: Intervisie najaar" in reminder.text
    assert "begint over 7 dagen" in reminder.text and "starts in 7 days" in reminder.text
    assert reminder.buttons[0]["label"] == "Ja, ik kom / Yes, I'll come"


async def _only_session(emulator: Emulator, world: NetworkWorld) -> int:
    choices = await emulator.person(world.coordinator).autocomplete(
        world.hub, "intervisie", {"session": ""}, focused="session", subcommand="move"
    )
    [choice] = choices
    return int(choice["value"])


# --- joining the network ----------------------------------------------------------------


async def test_an_english_speaking_board_member_of_a_dutch_association_is_told_in_english(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    tragos = world.association("tragos")
    tragos.admin.locale = "en-GB"
    asked = await request_to_join(emulator, world)  # the server's language: Dutch
    assert "UM coordinator" in asked.text
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains=tragos.guild.name)
    await (await coordinator.press(card, label="Goedkeuren")).wait()
    told = await emulator.person(tragos.admin).wait_for_dm(contains="Good news")
    assert "Goed nieuws" not in told.text


# --- escalation notices -------------------------------------------------------------------


async def test_a_reply_notice_reaches_an_english_vcp_in_english_only(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    maria = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
    # Escalating records nothing about her; using the bot as a VCP elsewhere does.
    await use_the_bot(emulator, maria, world, "tragos")
    _, confirmation = await escalate(
        emulator, maria, tragos.guild, text="Someone keeps pushing first-years to drink."
    )
    seen = await open_case(emulator, maria, receipt_in(confirmation))
    await (await emulator.person(maria).press(seen, label="Notify me by DM")).final()
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.escalations, contains="Melding")
    reply_form = (await coordinator.press(card, label="Reageren")).response.modal
    assert reply_form is not None
    await (await coordinator.submit(reply_form, {"text": "We call you today."})).final()
    # Notices are discreet by default: "You have a new message", in her language only.
    notice = await emulator.person(maria).wait_for_dm(contains="You have a new message")
    assert "Je hebt een nieuw bericht" not in notice.text


# --- any other language reads English -----------------------------------------------------


async def test_a_german_student_reads_help_and_the_rules_in_english(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    await publish(emulator, tragos, "Eerste versie")
    lena = add_student(emulator, world, "tragos", "lena", locale="de")

    help_reply = (await (await emulator.person(lena).slash(tragos.guild, "help")).wait()).message
    assert "Who you can talk to" in help_reply.text
    assert "Met wie je kunt praten" not in help_reply.text

    rules = (await (await emulator.person(lena).slash(tragos.guild, "rules")).wait()).message
    # Only a Dutch text exists, so she reads it, told so in English.
    assert "Welkom bij Tragos" in rules.text or "Respect" in rules.text
    assert "not available in English yet" in rules.text


# --- what is kept, and deleting it -----------------------------------------------------------


async def test_a_student_leaves_no_language_behind_and_help_stores_nothing_for_anyone(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    await use_the_bot(emulator, student, world, "tragos")
    guild = world.association("tragos").guild
    # A VCP who only reads /help and /rules leaves nothing behind either.
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    for command in ("help", "rules"):
        await (await emulator.person(vcp).slash(guild, command)).wait()
    erased = {}
    for who in (student, vcp):
        person = emulator.person(who)
        asked = await (await person.slash(guild, "privacy", subcommand="delete-my-data")).wait()
        pressed = await person.press(asked.message, label="Ja, verwijder mijn gegevens")
        erased[who.id] = (await pressed.final()).text
    assert "Deze bot bewaarde niets" in erased[student.id]
    # The VCP's place in the registry goes (the board put it there); no language was kept.
    assert "je vermelding in het VCP-register" in erased[vcp.id]
    assert "de taal van je Discord" not in erased[vcp.id]


async def test_a_vcp_deletes_the_language_the_bot_remembered(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    await use_the_bot(emulator, vcp, world, "tragos")
    person = emulator.person(vcp)
    guild = world.association("tragos").guild
    info = (await (await person.slash(guild, "privacy", subcommand="info")).wait()).message
    assert "taal" in info.text.lower()
    asked = await (await person.slash(guild, "privacy", subcommand="delete-my-data")).wait()
    done = await (await person.press(asked.message, label="Ja, verwijder mijn gegevens")).final()
    assert "de taal van je Discord" in done.text


async def test_the_language_is_written_once_however_often_the_bot_is_used(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    assert harness.bot is not None
    reads = harness.bot.reads
    await use_the_bot(emulator, vcp, world, "tragos")
    written = reads.generation("user_languages")
    assert written >= 1
    for _ in range(3):
        await use_the_bot(emulator, vcp, world, "tragos")
    assert reads.generation("user_languages") == written
    vcp.locale = "en-GB"
    await use_the_bot(emulator, vcp, world, "tragos")
    assert reads.generation("user_languages") > written  # a change is written


async def test_help_lists_the_vcps_as_each_language_writes_a_list(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    board = emulator.person(tragos.admin)
    vcps = [add_student(emulator, world, "tragos", name, locale="nl") for name in ("an", "bo")]
    for vcp in vcps:
        await (await board.slash(tragos.guild, "vcp", {"member": vcp}, subcommand="add")).wait()
        listed = await emulator.person(vcp).slash(
            tragos.guild, "vcp", {"listed": True}, subcommand="listing"
        )
        await listed.wait()
    first, second = (f"**{v.username}** (<@{v.id}>)" for v in vcps)
    for locale, joined in (("nl", f"{first} en {second}"), ("de", f"{first} and {second}")):
        student = add_student(emulator, world, "tragos", f"student-{locale}", locale=locale)
        shown = (await (await emulator.person(student).slash(tragos.guild, "help")).wait()).message
        assert joined in shown.text
