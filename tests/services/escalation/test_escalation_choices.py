"""The reporter's choices (who they are, a call), taken back while unread; reopening a closed
case within its retention, out of the closing figures until it closes again."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.services.escalation.steps import (
    NOW,
    OTHER_USER,
    TEAM,
    VCP_USER,
    add_association,
    make_config,
    submit,
    unlocked,
)
from vcpbot.db import Database
from vcpbot.db.escalation import CaseCount, CaseMessage
from vcpbot.errors import Conflict, NotAllowed
from vcpbot.services import escalation
from vcpbot.services.escalation import CaseCode, EscalationConfig, MessageKind


async def _case(db: Database, config: EscalationConfig) -> tuple[str, str]:
    submitted = await submit(db, config, association_id=await add_association(db))
    return submitted.code, submitted.receipt


async def _reveal(db: Database, config: EscalationConfig, receipt: str):
    async with db.sessions.begin() as session:
        return await escalation.reveal_identity(
            session, config=config, unlocked=await unlocked(db, config, receipt, VCP_USER),
            name="sanne.b", now=NOW,
        )  # fmt: skip


async def _take_back(db: Database, config: EscalationConfig, receipt: str):
    async with db.sessions.begin() as session:
        return await escalation.take_back_choices(
            session, config=config, unlocked=await unlocked(db, config, receipt, VCP_USER)
        )


async def _open(db: Database, config: EscalationConfig, code: str):
    async with db.sessions.begin() as session:
        return await escalation.read_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(code), now=NOW
        )


async def _kinds(db: Database) -> list[str | None]:
    async with db.sessions.begin() as session:
        return list((await session.scalars(select(CaseMessage.kind))).all())


async def test_a_choice_nobody_read_is_taken_back_and_really_deleted(db: Database) -> None:
    config = make_config()
    code, receipt = await _case(db, config)
    view = await _reveal(db, config, receipt)
    assert view is not None and view.choice_unread and not view.choice_read
    [choice] = [m for m in view.messages if m.kind is MessageKind.IDENTITY]
    assert json.loads(choice.text) == {"user": VCP_USER, "name": "sanne.b"}

    taken = await _take_back(db, config, receipt)

    assert taken is not None and taken.removed == 1 and not taken.read
    assert await _kinds(db) == [None]  # the row is gone, not hidden
    detail = await _open(db, config, code)
    assert all(m.kind is None for m in detail.messages)


async def test_a_choice_a_handler_was_shown_stays_and_the_reporter_can_ask_to_stay_anonymous(
    db: Database,
) -> None:
    config = make_config()
    code, receipt = await _case(db, config)
    await _reveal(db, config, receipt)
    detail = await _open(db, config, code)
    assert [m.kind for m in detail.messages] == [None, MessageKind.IDENTITY]

    taken = await _take_back(db, config, receipt)

    assert taken is not None and taken.removed == 0 and taken.read
    assert await _kinds(db) == [None, "identity"]
    async with db.sessions.begin() as session:
        view = await escalation.stay_anonymous(
            session, config=config, unlocked=await unlocked(db, config, receipt, VCP_USER), now=NOW
        )
    assert view is not None and view.messages[-1].kind is MessageKind.ANONYMOUS


async def test_only_a_card_checked_before_acting_does_not_count_as_read(db: Database) -> None:
    config = make_config()
    code, receipt = await _case(db, config)
    await _reveal(db, config, receipt)
    async with db.sessions.begin() as session:
        await escalation.read_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(code), now=NOW, shown=False
        )
    taken = await _take_back(db, config, receipt)
    assert taken is not None and taken.removed == 1


async def test_a_call_request_keeps_how_and_when_as_typed(db: Database) -> None:
    config = make_config()
    _, receipt = await _case(db, config)
    async with db.sessions.begin() as session:
        view = await escalation.ask_for_contact(
            session, config=config, unlocked=await unlocked(db, config, receipt, VCP_USER),
            how="06 12345678", when="weekdays after 17:00", now=NOW,
        )  # fmt: skip
    assert view is not None
    assert json.loads(view.messages[-1].text) == {
        "how": "06 12345678",
        "when": "weekdays after 17:00",
    }


async def _counts(db: Database) -> dict[str, int]:
    async with db.sessions.begin() as session:
        rows = (await session.scalars(select(CaseCount))).all()
        return {r.outcome: r.count for r in rows}


async def _reopen(db: Database, config: EscalationConfig, receipt: str, now=NOW):
    async with db.sessions.begin() as session:
        return await escalation.reopen_case(
            session,
            config=config,
            unlocked=await unlocked(db, config, receipt, VCP_USER, now=now),
            now=now,
        )


async def test_a_reopened_case_leaves_the_figures_and_is_counted_again_when_it_closes(
    db: Database,
) -> None:
    config = make_config()
    code, receipt = await _case(db, config)
    async with db.sessions.begin() as session:
        await escalation.close_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(code),
            outcome="advice_given", message="Take care.", now=NOW,
        )  # fmt: skip
    assert await _counts(db) == {"advice_given": 1}

    view = await _reopen(db, config, receipt)

    assert view is not None and view.status is escalation.CaseStatus.NEW
    assert view.messages[-1].kind is MessageKind.REOPENED
    assert await _counts(db) == {}
    with pytest.raises(Conflict):
        await _reopen(db, config, receipt)
    async with db.sessions.begin() as session:
        await escalation.reporter_close(
            session, config=config, unlocked=await unlocked(db, config, receipt, VCP_USER), now=NOW
        )
    assert await _counts(db) == {"closed_by_reporter": 1}


async def test_reopening_is_refused_on_the_day_retention_deletes_the_case(db: Database) -> None:
    config = make_config()
    _, receipt = await _case(db, config)
    async with db.sessions.begin() as session:
        await escalation.reporter_close(
            session, config=config, unlocked=await unlocked(db, config, receipt, VCP_USER), now=NOW
        )
    last_day = NOW + timedelta(days=config.policy.retention_days)
    with pytest.raises(NotAllowed) as caught:
        await _reopen(db, config, receipt, now=last_day)
    assert caught.value.key == "escalation.error.reopen_too_late"
    assert await _reopen(db, config, receipt, now=last_day - timedelta(days=1)) is not None


async def test_a_blocked_sender_cannot_reopen_even_from_another_account(db: Database) -> None:
    config = make_config()
    code, receipt = await _case(db, config)
    async with db.sessions.begin() as session:
        await escalation.block_sender(
            session, config=config, handler=TEAM, case_ref=CaseCode(code), now=NOW
        )
        await escalation.close_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(code),
            outcome="out_of_scope", message="We have closed this case.", now=NOW,
        )  # fmt: skip
    for user in (VCP_USER, OTHER_USER):
        with pytest.raises(NotAllowed) as caught:
            async with db.sessions.begin() as session:
                await escalation.reopen_case(
                    session, config=config, unlocked=await unlocked(db, config, receipt, user),
                    now=NOW,
                )  # fmt: skip
        assert caught.value.key == "escalation.error.blocked"
