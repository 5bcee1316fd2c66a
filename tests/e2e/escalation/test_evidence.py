"""Evidence: a reporter adds screenshots or files to their case, at submit and later; the
handlers see them only in answers no one else sees; the bytes are sealed at rest and go
with the case."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from discord_emulator import Emulator, Message
from discord_emulator.entities import Attachment, User
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    card_for,
    code_in,
    escalate,
    lang,
    network_with,
    open_case,
    receipt_in,
    switch_member_route,
    vcp_channel,
)
from tests.e2e.escalation.test_escalation_canary import database_text, debug_logs
from tests.e2e.escalation.test_escalation_retention import close_by_reporter, purge
from vcpbot.db.escalation import Evidence
from vcpbot.i18n import t
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

__all__ = ["debug_logs"]  # a fixture, used by name

MARK = "BEWIJSKANARIE"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + f"{MARK}-png".encode() + b"\0" * 64
PDF = b"%PDF-1.4\n%" + f"{MARK}-pdf".encode() + b"\n1 0 obj <<>> endobj\n%%EOF\n"


def png(emulator: Emulator, name: str = f"{MARK}-chat.png") -> Attachment:
    return emulator.upload(name, PNG, content_type="image/png")


def pdf(emulator: Emulator, name: str = "brief.pdf") -> Attachment:
    return emulator.upload(name, PDF, content_type="application/pdf")


async def stored_files(harness: BotHarness) -> int:
    async with harness.db.reading.begin() as session:
        return int(await session.scalar(select(func.count()).select_from(Evidence)) or 0)


async def add_files(
    emulator: Emulator, user: User, message: Message, files: list[Attachment]
) -> Message:
    """The reporter presses "Add a file" on a private message, reads the note, uploads."""
    person = emulator.person(user)
    form = (await person.press(message, label=t("evidence.add", lang(user)))).response.modal
    assert form is not None
    # Before uploading: what Discord itself keeps, in the person's language.
    assert t("evidence.form.discord_note", lang(user)) in form.text
    return await (await person.submit(form, {"files": files})).final()


async def own_files(emulator: Emulator, user: User, receipt: str) -> Message:
    """/my-case, then Files: the reporter's own files, privately."""
    seen = await open_case(emulator, user, receipt)
    pressed = await emulator.person(user).press(seen, label=t("evidence.files", lang(user)))
    return await pressed.final()


async def handler_files(emulator: Emulator, handler: User, card: Message, count: int) -> Message:
    """Open on the card, then "Files (n)": the files, only to the one who pressed."""
    person = emulator.person(handler)
    opened = await (await person.press(card, label=t("escalation.button.open", "nl"))).final()
    assert opened.ephemeral
    label = t("evidence.files_count", lang(handler), count=count)
    return await (await person.press(opened, label=label)).final()


def contents(message: Message) -> list[bytes]:
    return sorted(a.data for a in message.attachments)


@pytest.mark.threat("T6")
@pytest.mark.parametrize("locale", ["nl", "en-GB"])
async def test_a_reporter_adds_a_screenshot_and_later_a_pdf_and_the_team_sees_both_privately(
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    debug_logs: pytest.LogCaptureFixture,
    locale: str,
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Zie de schermafbeelding.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)

    added = await add_files(emulator, sanne, confirmation, [png(emulator)])
    assert added.ephemeral
    assert t("evidence.added", lang(sanne), count=1) in added.text

    mine = await own_files(emulator, sanne, receipt)
    assert mine.ephemeral and contents(mine) == [PNG]
    later = await add_files(emulator, sanne, mine, [pdf(emulator)])
    assert later.ephemeral and t("evidence.added", lang(sanne), count=1) in later.text

    card = await card_for(emulator, world, code)
    shown = await handler_files(emulator, world.team_member, card, count=2)
    assert shown.ephemeral and shown.visible_to == world.team_member.id
    assert contents(shown) == sorted([PNG, PDF])
    # Shown behind a spoiler, so nothing upsetting appears before the handler chooses to look.
    assert all(a.filename.startswith("SPOILER_") for a in shown.attachments)
    # The conversation says that a file was added, in the reporter's words and language.
    opened = await (
        await emulator.person(world.team_member).press(
            card, label=t("escalation.button.open", "nl")
        )
    ).final()
    assert t("evidence.line", lang(sanne), names=f"{MARK}-chat.png") in opened.text

    # Never in the card or any message others can see; never in a log line.
    for message in emulator.world.messages.values():
        if not message.ephemeral:
            assert message.attachments == [] and MARK not in message.text, message.channel.name
    for record in debug_logs.records:
        if record.name == "aiohttp.access":
            continue  # the emulated Discord's own access log: its CDN serves the upload by name
        assert MARK not in record.getMessage() + (record.exc_text or ""), record.name
    # Never readable at rest: not the bytes, not the name.
    stored = await database_text(harness)
    assert MARK.encode() not in stored and MARK.encode().hex().encode() not in stored
    assert await stored_files(harness) == 2


@pytest.mark.parametrize("locale", ["nl", "en-GB"])
async def test_a_file_of_another_type_or_too_big_is_refused_kindly_and_nothing_is_stored(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Een bestand volgt.")
    receipt = receipt_in(confirmation)
    # A program dressed up as a picture: its name and type say PNG, its bytes do not.
    disguised = emulator.upload("foto.png", b"MZ\x90\0" + b"\0" * 200, content_type="image/png")
    refused = await add_files(emulator, sanne, confirmation, [png(emulator, "ok.png"), disguised])
    assert refused.ephemeral
    assert t("evidence.error.type", lang(sanne)) in refused.text
    assert await stored_files(harness) == 0

    big = emulator.upload("groot.pdf", b"%PDF-1.7\n" + b"x" * (9 * 1024 * 1024))
    refused = await add_files(emulator, sanne, confirmation, [big])
    limit = t("evidence.error.too_big", lang(sanne), size="8 MB")
    assert limit in refused.text
    assert await stored_files(harness) == 0
    seen = await open_case(emulator, sanne, receipt)
    assert t("evidence.line", lang(sanne), names="groot.pdf") not in seen.text


@pytest.mark.parametrize("locale", ["nl", "en-GB"])
async def test_files_go_with_the_case_when_retention_deletes_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Met bijlage.")
    receipt = receipt_in(confirmation)
    await add_files(emulator, sanne, confirmation, [png(emulator), pdf(emulator)])
    assert await stored_files(harness) == 2
    await close_by_reporter(emulator, sanne, receipt)
    # Closed, but kept for the retention period: the reporter can still take their files.
    assert contents(await own_files(emulator, sanne, receipt)) == sorted([PNG, PDF])

    await purge(harness, clock)
    assert await stored_files(harness) == 0
    stored = await database_text(harness)
    assert MARK.encode() not in stored


@pytest.mark.parametrize("locale", ["nl", "en-GB"])
async def test_a_reporter_sees_only_their_own_cases_files(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    ahmed = await add_vcp(emulator, world, "tragos", "ahmed", locale="nl")
    _, first = await escalate(emulator, sanne, tragos.guild, text="Mijn melding.")
    _, second = await escalate(emulator, ahmed, tragos.guild, text="Een andere melding.")
    await add_files(emulator, ahmed, second, [png(emulator)])

    mine = await own_files(emulator, sanne, receipt_in(first))
    assert mine.attachments == []
    assert t("evidence.none", lang(sanne)) in mine.text
    theirs = await own_files(emulator, ahmed, receipt_in(second))
    assert contents(theirs) == [PNG]
    # A handler who opens the first case sees no "Files" button at all.
    card = await card_for(emulator, world, code_in(first))
    team = emulator.person(world.team_member)
    opened = await (await team.press(card, label=t("escalation.button.open", "nl"))).final()
    files = t("evidence.files_count", lang(world.team_member), count=1)[:-3]
    assert not [b for b in opened.buttons if files in (b.get("label") or "")]


@pytest.mark.parametrize("locale", ["nl", "en-GB"])
async def test_a_members_file_reaches_their_vcp_privately_in_the_vcps_language(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    noor = add_member(emulator, world, "tragos", "noor", locale=locale)
    _, confirmation = await escalate(emulator, noor, tragos.guild, text="Kijk maar.")
    code = code_in(confirmation)
    await add_files(emulator, noor, confirmation, [pdf(emulator)])

    card = await emulator.person(sanne).wait_for_message(channel, contains=code)
    assert card.attachments == [] and "brief" not in card.text
    shown = await handler_files(emulator, sanne, card, count=1)
    assert shown.ephemeral and shown.visible_to == sanne.id
    assert t("evidence.shown", "nl", code=code) in shown.text
    assert contents(shown) == [PDF]


@pytest.mark.parametrize("locale", ["nl", "en-GB"])
async def test_turning_on_notices_on_the_receipt_keeps_add_a_file(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    _, confirmation = await escalate(emulator, sanne, tragos.guild, text="Straks een foto.")
    notify = t("escalation.submitted.notify", lang(sanne))

    after = await (await emulator.person(sanne).press(confirmation, label=notify)).final()

    assert t("escalation.notices.on", lang(sanne)) in after.text
    assert [b["label"] for b in after.buttons] == [t("evidence.add", lang(sanne))]
    added = await add_files(emulator, sanne, after, [png(emulator)])
    assert t("evidence.added", lang(sanne), count=1) in added.text
