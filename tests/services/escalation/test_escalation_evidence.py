"""Evidence, as the service keeps it: files judged by their bytes, sealed like the text,
all or nothing, within the case's limits, seen by exactly the handlers who read that part
of the conversation, and gone with the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from tests.services.escalation.steps import (
    NOW,
    TEAM,
    VCP_USER,
    add_association,
    make_config,
    submit,
    unlocked,
)
from tests.services.escalation.test_escalation_consent import (
    MEMBER_USER,
    _answer,
    _ask,
    _member_case,
)
from vcpbot.db import Database
from vcpbot.db.escalation import Case, CaseMessage, Evidence
from vcpbot.errors import Conflict, InvalidInput
from vcpbot.services import escalation
from vcpbot.services.escalation import Answer, CaseCode, EscalationConfig, Handler

MARK = b"EVIDENCE-CANARY"
PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + MARK + b"\0" * 32
PDF = b"%PDF-1.7\n" + MARK + b"\n%%EOF\n"


def line(names: str) -> str:
    return f"Added a file: {names}"


async def add(
    db: Database,
    config: EscalationConfig,
    receipt: str,
    files: list[tuple[str, bytes]],
    user: int = VCP_USER,
) -> int | None:
    async with db.sessions.begin() as session:
        return await escalation.add_evidence(
            session,
            config=config,
            unlocked=await unlocked(db, config, receipt, user),
            files=files,
            line=line,
            now=NOW,
        )


async def mine(db: Database, config: EscalationConfig, receipt: str, user: int = VCP_USER):
    async with db.sessions.begin() as session:
        return await escalation.reporter_files(
            session, config=config, unlocked=await unlocked(db, config, receipt, user)
        )


async def seen_by(db: Database, config: EscalationConfig, handler: Handler, code: str):
    async with db.sessions.begin() as session:
        files = await escalation.case_files(
            session, config=config, handler=handler, case_ref=CaseCode(code)
        )
        count = await escalation.case_file_count(session, handler=handler, case_ref=CaseCode(code))
    assert count == len(files)
    return files


async def rows(db: Database) -> list[Evidence]:
    async with db.sessions.begin() as session:
        return list((await session.scalars(select(Evidence))).all())


async def lines(db: Database) -> int:
    async with db.sessions.begin() as session:
        return int(await session.scalar(select(func.count()).select_from(CaseMessage)) or 0)


def test_a_file_is_what_its_bytes_say_not_what_its_name_says() -> None:
    assert escalation.sniff(PNG) == "png"
    assert escalation.sniff(b"\xff\xd8\xff\xe0\0\x10JFIF") == "jpeg"
    assert escalation.sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "webp"
    assert escalation.sniff(b"GIF89a\x01\0") == "gif"
    assert escalation.sniff(PDF) == "pdf"
    assert escalation.sniff("Gesprek van gisteren:\n- hij zei…\n".encode()) == "text"
    assert escalation.sniff(b"MZ\x90\0\x03\0\0\0") is None  # a Windows program
    assert escalation.sniff(b"PK\x03\x04 a zip") is None
    assert escalation.sniff(b"") is None
    assert escalation.sniff(b"\xff\xfe\0t\0e\0x\0t") is None  # not UTF-8


async def test_a_file_is_sealed_at_rest_and_opens_for_the_reporter_and_the_team(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    submitted = await submit(db, config, association_id=association)

    added = await add(db, config, submitted.receipt, [("../../chat.exe", PNG), ("brief", PDF)])

    assert added == 2
    for row in await rows(db):
        for column in (row.name, row.kind, row.body):
            assert MARK not in column and b"chat" not in column
    expected = [("chat.png", "png", PNG), ("brief.pdf", "pdf", PDF)]
    own = await mine(db, config, submitted.receipt)
    assert own is not None and [(f.name, f.kind, f.data) for f in own] == expected
    team = await seen_by(db, config, TEAM, submitted.code)
    assert [(f.name, f.kind, f.data) for f in team] == expected
    # The conversation says so, in the same transaction.
    async with db.sessions.begin() as session:
        detail = await escalation.read_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code), now=NOW
        )
    assert detail.messages[-1].text == "Added a file: chat.png, brief.pdf"


async def test_one_file_refused_refuses_them_all_and_nothing_is_written(db: Database) -> None:
    config = make_config(evidence_file_max_kib=16)
    association = await add_association(db)
    submitted = await submit(db, config, association_id=association)
    before = await lines(db)

    with pytest.raises(InvalidInput) as refused:
        await add(db, config, submitted.receipt, [("a.png", PNG), ("b.png", b"MZ\x90\0")])
    assert refused.value.key == "evidence.error.type"
    with pytest.raises(InvalidInput) as refused:
        await add(db, config, submitted.receipt, [("big.pdf", PDF + b"x" * 17 * 1024)])
    assert refused.value.key == "evidence.error.too_big"
    assert refused.value.params == {"size": "16 kB"}

    assert await rows(db) == [] and await lines(db) == before


async def test_a_case_holds_only_so_many_files_and_bytes(db: Database) -> None:
    config = make_config(evidence_case_max_files=2, evidence_case_max_kib=40)
    association = await add_association(db)
    submitted = await submit(db, config, association_id=association)
    await add(db, config, submitted.receipt, [("a.png", PNG)])

    with pytest.raises(InvalidInput) as full:
        await add(db, config, submitted.receipt, [("b.png", PNG), ("c.png", PNG)])
    assert full.value.key == "evidence.error.case_full"
    # Each stored file counts as sealed: rounded up to 16 KiB.
    with pytest.raises(InvalidInput) as full:
        await add(db, config, submitted.receipt, [("d.pdf", PDF + b"x" * 30 * 1024)])
    assert full.value.key == "evidence.error.case_full_size"
    assert await add(db, config, submitted.receipt, [("e.pdf", PDF)]) == 1
    assert len(await rows(db)) == 2


async def test_a_closed_case_takes_no_files_and_a_wrong_receipt_finds_nothing(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    submitted = await submit(db, config, association_id=association)
    other = await submit(db, config, association_id=association, text="Another case.")
    await add(db, config, other.receipt, [("theirs.png", PNG)])
    assert await mine(db, config, submitted.receipt) == ()
    async with db.sessions.begin() as session:
        await escalation.reporter_close(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, VCP_USER),
            now=NOW,
        )
    with pytest.raises(Conflict):
        await add(db, config, submitted.receipt, [("late.png", PNG)])
    assert await add(db, config, "AAAA-BBBB-CCCC-DDDD-EEEE", [("x.png", PNG)]) is None


async def test_files_before_a_without_words_forward_stay_with_the_vcps(db: Database) -> None:
    config = make_config()
    vcps, code, receipt = await _member_case(db, config)
    await add(db, config, receipt, [("gala.png", PNG)], user=MEMBER_USER)
    await _ask(db, config, vcps, code)
    await _answer(db, config, receipt, Answer.WITHOUT_WORDS)

    assert [f.name for f in await seen_by(db, config, vcps, code)] == ["gala.png"]
    assert await seen_by(db, config, TEAM, code) == ()


async def test_files_go_with_the_case_by_retention_and_by_the_database_itself(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    kept = await submit(db, config, association_id=association)
    purged = await submit(db, config, association_id=association, text="Closed long ago.")
    for submitted in (kept, purged):
        await add(db, config, submitted.receipt, [("a.png", PNG)])
    async with db.sessions.begin() as session:
        await escalation.reporter_close(
            session,
            config=config,
            unlocked=await unlocked(db, config, purged.receipt, VCP_USER),
            now=NOW,
        )
    later = NOW + timedelta(days=config.policy.retention_days + 1)
    async with db.sessions.begin() as session:
        await escalation.purge_expired(session, config=config, now=later)
    assert len(await rows(db)) == 1

    # A case deleted any other way takes its files along (the foreign key cascades).
    async with db.sessions.begin() as session:
        await session.execute(delete(Case))
    assert await rows(db) == []
