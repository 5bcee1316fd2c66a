"""Closing a case that never got a reply needs a last message, and the reporter is told the
day it will be deleted; DM notices are short unless the reporter asks for more."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.services.escalation.steps import (
    NOW,
    TEAM,
    VCP_USER,
    add_association,
    make_config,
    submit,
    unlocked,
)
from vcpbot.db import Database
from vcpbot.db.escalation import OutboxItem
from vcpbot.errors import InvalidInput
from vcpbot.services import escalation
from vcpbot.services.escalation import Author, CaseCode, EscalationConfig

LAST_WORDS = "We could not reach you in time; please start a new case whenever you want."


async def _notices(db: Database) -> list[dict]:
    async with db.sessions.begin() as session:
        rows = await session.scalars(
            select(OutboxItem.payload)
            .where(OutboxItem.kind == "reply_notice")
            .order_by(OutboxItem.id)
        )
        return [json.loads(p) for p in rows.all()]


async def _case_with_notices(db: Database, config: EscalationConfig) -> tuple[str, str]:
    submitted = await submit(db, config, association_id=await add_association(db))
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, VCP_USER),
            enabled=True,
        )
    return submitted.code, submitted.receipt


async def _close(db: Database, config: EscalationConfig, code: str, message: str | None):
    async with db.sessions.begin() as session:
        return await escalation.close_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(code),
            outcome="no_further_action", message=message, now=NOW,
        )  # fmt: skip


async def test_a_case_nobody_answered_is_closed_only_with_a_last_message(db: Database) -> None:
    config = make_config()
    code, receipt = await _case_with_notices(db, config)

    for nothing in (None, "   "):
        with pytest.raises(InvalidInput) as caught:
            await _close(db, config, code, nothing)
        assert caught.value.key == "escalation.error.closing_message_needed"
    card = await _close(db, config, code, LAST_WORDS)

    assert card.outcome is escalation.Outcome.NO_FURTHER_ACTION
    async with db.sessions.begin() as session:
        view = await escalation.open_case(
            session, config=config, unlocked=await unlocked(db, config, receipt, VCP_USER)
        )
    assert view is not None and view.closed
    assert (view.messages[-1].author, view.messages[-1].text) == (Author.TEAM, LAST_WORDS)
    # Closed on Tuesday 24 November 2026, kept 90 days: deleted on 22 February 2027.
    assert view.deleted_on == date(2026, 11, 24) + timedelta(days=90) == date(2027, 2, 22)
    [closed] = await _notices(db)
    assert closed == {"reason": "closed", "detail": False}


async def test_after_a_reply_the_last_message_is_the_handlers_choice(db: Database) -> None:
    config = make_config()
    code, _ = await _case_with_notices(db, config)
    async with db.sessions.begin() as session:
        await escalation.reply(
            session, config=config, handler=TEAM, case_ref=CaseCode(code), text="We hear you.",
            now=NOW,
        )  # fmt: skip
        detail = await escalation.read_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(code), now=NOW
        )
    assert detail.card.replied  # the close form's message is optional now
    closed = await _close(db, config, code, None)
    assert closed.status is escalation.CaseStatus.CLOSED


async def test_notices_are_short_unless_the_reporter_asks_what_kind_of_news(db: Database) -> None:
    config = make_config()
    code, receipt = await _case_with_notices(db, config)
    async with db.sessions.begin() as session:
        await escalation.reply(
            session, config=config, handler=TEAM, case_ref=CaseCode(code), text="One.", now=NOW
        )
        view = await escalation.set_notice_detail(
            session,
            config=config,
            unlocked=await unlocked(db, config, receipt, VCP_USER),
            detailed=True,
        )
        assert view is not None and view.notice_detail
        await escalation.reply(
            session, config=config, handler=TEAM, case_ref=CaseCode(code), text="Two.", now=NOW
        )
    assert [n["detail"] for n in await _notices(db)] == [False, True]
