"""Before their case is deleted, a reporter downloads their own conversation: a text file in
their language, sent only to them, with days and "you" / "UM team", nothing a handler kept
for themselves and no handler's name."""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.escalation.steps import (
    add_vcp,
    card_for,
    code_in,
    escalate,
    network_with,
    receipt_in,
)
from tests.e2e.escalation.test_escalation_retention import close_by_reporter
from tests.e2e.escalation.test_reporter_choices import choices, press
from vcpbot_harness import BotHarness, NetworkWorld

TEAM_REPLY = "Thank you for telling us. Would you like to talk?"


async def download(emulator: Emulator, user: User, receipt: str, label: str) -> Message:
    screen = await choices(emulator, user, receipt)
    result = await emulator.person(user).press(screen, label=label)
    # Private from the first response: a deferral only they see, then the file.
    assert (await result.wait()).kind == "deferred"
    sent = await result.final()
    assert sent.ephemeral
    return sent


async def team_replies(emulator: Emulator, world: NetworkWorld, code: str) -> None:
    team = emulator.person(world.team_member)
    card = await card_for(emulator, world, code)
    form = (await team.press(card, label="Reageren")).response.modal
    assert form is not None
    await (await team.submit(form, {"text": TEAM_REPLY})).final()


async def test_an_english_reporter_downloads_her_conversation_as_a_text_file(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    lotte = await add_vcp(emulator, world, "tragos", "lotte", locale="en-GB")
    _, confirmation = await escalate(emulator, lotte, tragos.guild, text="Something happened.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    await team_replies(emulator, world, code)

    sent = await download(emulator, lotte, receipt, "Download my conversation")

    assert "Only you received it" in sent.text
    [file] = sent.attachments
    assert file.filename == f"case-{code}.txt"
    text = file.data.decode("utf-8")
    assert text.startswith(f"Case {code}: your conversation\n")
    assert "Started on Monday 17 August 2026" in text and "Status: Acknowledged" in text
    assert "--- You, Monday 17 August 2026 ---\nSomething happened.\n" in text
    assert f"--- UM team, Monday 17 August 2026 ---\n{TEAM_REPLY}\n" in text
    assert text.count("\n--- ") == 2  # the two messages, nothing else
    team_names = {world.team_member.username, world.coordinator.username}
    assert not any(name in text for name in team_names)


async def test_a_dutch_reporter_downloads_her_closed_case_with_who_she_said_she_is(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Er gebeurde iets.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    screen = await choices(emulator, sanne, receipt)
    ask = await press(emulator, sanne, screen, "Laat weten wie ik ben")
    await press(emulator, sanne, ask, "Ja, laat het weten")
    await close_by_reporter(emulator, sanne, receipt)

    sent = await download(emulator, sanne, receipt, "Download mijn gesprek")

    [file] = sent.attachments
    assert file.filename == f"melding-{code}.txt"
    text = file.data.decode("utf-8")
    assert text.startswith(f"Melding {code}: jouw gesprek\n")
    assert "Status: Afgesloten" in text
    assert "Deze melding wordt verwijderd op zondag 15 november 2026." in text
    assert "--- Jij, maandag 17 augustus 2026 ---\nEr gebeurde iets.\n" in text
    assert "Je liet weten wie je bent: @sanne (Discord)." in text
    assert str(sanne.id) not in text
