"""The reporter decides: a VCP asks before a member's case goes to the UM team.

The member answers in /my-case: Yes (the team reads their words too), only with
their words left out (the team reads from the VCP's summary on), or No. The VCP
sees only the answer; nothing reaches the team before a Yes. The one exception,
acute danger, is the VCP's explicit choice with a written reason, and the member
is told. A question waits until the member answers, the VCP withdraws it, the case
closes or is forwarded urgently.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.services.escalation.steps import (
    MEMBER_USER,
    NOW,
    TEAM,
    add_association,
    enable_member_route,
    make_config,
    submit,
    unlocked,
)
from vcpbot.db import Database
from vcpbot.db.escalation import OutboxItem
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.services import escalation
from vcpbot.services.escalation import (
    Answer,
    Author,
    CaseCode,
    CaseStatus,
    Consent,
    EscalationConfig,
    Handler,
)

MEMBER_WORDS = "Something happened at the gala and I do not know what to do."
VCP_REPLY = "Thank you for telling me. Shall I ask the UM team to help?"
SUMMARY = "A member describes an incident at the gala and would like advice."
LATER = NOW + timedelta(days=1)


async def _member_case(db: Database, config: EscalationConfig) -> tuple[Handler, str, str]:
    """A member's case to their VCPs, answered once, with DM notices on."""
    association = await add_association(db)
    await enable_member_route(db, association)
    vcps = Handler.vcps(association)
    submitted = await submit(
        db, config, association_id=association, route="member", user_id=MEMBER_USER,
        text=MEMBER_WORDS, urgency="soon",
    )  # fmt: skip
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, MEMBER_USER),
            enabled=True,
        )
        await escalation.reply(
            session, config=config, handler=vcps, case_ref=CaseCode(submitted.code),
            text=VCP_REPLY, now=NOW,
        )  # fmt: skip
    return vcps, submitted.code, submitted.receipt


async def _ask(db: Database, config: EscalationConfig, vcps: Handler, code: str):
    async with db.sessions.begin() as session:
        return await escalation.ask_consent(
            session, config=config, handler=vcps, case_ref=CaseCode(code), summary=SUMMARY,
            now=NOW,
        )  # fmt: skip


async def _answer(db: Database, config: EscalationConfig, receipt: str, answer: Answer):
    async with db.sessions.begin() as session:
        return await escalation.answer_consent(
            session,
            config=config,
            unlocked=await unlocked(db, config, receipt, MEMBER_USER, now=LATER),
            answer=answer,
            now=LATER,
        )


async def _open(db: Database, config: EscalationConfig, receipt: str):
    async with db.sessions.begin() as session:
        return await escalation.open_case(
            session, config=config, unlocked=await unlocked(db, config, receipt, MEMBER_USER)
        )


async def _read(db: Database, config: EscalationConfig, handler: Handler, code: str):
    async with db.sessions.begin() as session:
        return await escalation.read_case(
            session, config=config, handler=handler, case_ref=CaseCode(code), now=LATER
        )


async def _queued(db: Database) -> list[tuple[str, str, dict]]:
    async with db.sessions.begin() as session:
        rows = await session.execute(
            select(OutboxItem.kind, OutboxItem.place, OutboxItem.payload).order_by(OutboxItem.id)
        )
        return [(kind, place, json.loads(payload)) for kind, place, payload in rows.all()]


async def _hub_cards(db: Database) -> list[dict]:
    return [p for k, place, p in await _queued(db) if k == "case_card_create" and place == "hub"]


async def test_a_vcp_asks_first_and_nothing_reaches_the_team_before_the_member_says_yes(
    db: Database,
) -> None:
    config = make_config()
    vcps, code, receipt = await _member_case(db, config)

    card = await _ask(db, config, vcps, code)

    # The VCPs' card says a question waits; the team has nothing, not even a card.
    assert card.consent is Consent.ASKED and not card.forwarded
    assert await _hub_cards(db) == []
    with pytest.raises(NotFound):
        await _read(db, config, TEAM, code)
    # The member sees the question with the summary the team would read.
    view = await _open(db, config, receipt)
    assert view is not None and view.question == SUMMARY and view.consent is Consent.ASKED
    assert SUMMARY not in [m.text for m in view.messages]
    notices = [p for k, _, p in await _queued(db) if k == "reply_notice"]
    assert [n["reason"] for n in notices] == ["reply", "consent"]

    answered = await _answer(db, config, receipt, Answer.YES)

    assert answered is not None and answered.forwarded and answered.question is None
    assert answered.consent is Consent.YES
    # Yes: the team reads the member's own words too, and the summary as the VCP's.
    team = await _read(db, config, TEAM, code)
    assert [m.text for m in team.messages] == [MEMBER_WORDS, VCP_REPLY, SUMMARY]
    assert [m.summary for m in team.messages] == [False, False, True]
    assert team.card.status is CaseStatus.FORWARDED and team.card.consent is Consent.YES
    assert len(await _hub_cards(db)) == 1
    # The VCPs keep reading what they had, up to their summary.
    mine = await _read(db, config, vcps, code)
    assert [m.text for m in mine.messages] == [MEMBER_WORDS, VCP_REPLY, SUMMARY]


async def test_only_with_my_words_left_out_the_team_reads_from_the_summary_on(
    db: Database,
) -> None:
    config = make_config()
    vcps, code, receipt = await _member_case(db, config)
    await _ask(db, config, vcps, code)

    answered = await _answer(db, config, receipt, Answer.WITHOUT_WORDS)

    assert answered is not None and answered.consent is Consent.WITHOUT_WORDS
    team = await _read(db, config, TEAM, code)
    assert [m.text for m in team.messages] == [SUMMARY]
    assert team.messages[0].summary and team.messages[0].author is Author.VCP
    assert team.card.consent is Consent.WITHOUT_WORDS


async def test_no_keeps_the_case_with_the_vcps_who_see_only_the_answer(db: Database) -> None:
    config = make_config()
    vcps, code, receipt = await _member_case(db, config)
    await _ask(db, config, vcps, code)

    answered = await _answer(db, config, receipt, Answer.NO)

    assert answered is not None and not answered.forwarded and answered.question is None
    assert answered.consent is Consent.DECLINED
    mine = await _read(db, config, vcps, code)
    assert mine.card.consent is Consent.DECLINED and not mine.card.forwarded
    assert [m.text for m in mine.messages] == [MEMBER_WORDS, VCP_REPLY]  # no summary added
    assert await _hub_cards(db) == []
    with pytest.raises(NotFound):
        await _read(db, config, TEAM, code)
    # Things change: a VCP may ask again later, and the member answers again.
    again = await _ask(db, config, vcps, code)
    assert again.consent is Consent.ASKED


async def test_acute_danger_forwards_without_asking_with_a_reason_the_member_reads(
    db: Database,
) -> None:
    config = make_config()
    vcps, code, receipt = await _member_case(db, config)
    await _ask(db, config, vcps, code)  # the question that was waiting goes
    reason = "The member wrote that they will be alone with him tonight."
    async with db.sessions.begin() as session:
        with pytest.raises(InvalidInput):
            await escalation.forward_urgently(
                session, config=config, handler=vcps, case_ref=CaseCode(code), reason="  ",
                summary=SUMMARY, now=LATER,
            )  # fmt: skip
        with pytest.raises(NotAllowed):
            await escalation.forward_urgently(
                session, config=config, handler=TEAM, case_ref=CaseCode(code), reason=reason,
                summary=SUMMARY, now=LATER,
            )  # fmt: skip
        card = await escalation.forward_urgently(
            session, config=config, handler=vcps, case_ref=CaseCode(code), reason=reason,
            summary=SUMMARY, now=LATER,
        )  # fmt: skip

    assert card.forwarded and card.consent is Consent.URGENT
    team = await _read(db, config, TEAM, code)
    assert [m.text for m in team.messages] == [reason, SUMMARY]
    assert team.messages[0].urgent_reason and team.messages[1].summary
    view = await _open(db, config, receipt)
    assert view is not None and view.consent is Consent.URGENT and view.question is None
    assert reason in [m.text for m in view.messages]
    notices = [p["reason"] for k, _, p in await _queued(db) if k == "reply_notice"]
    assert notices[-1] == "urgent"
    assert len(await _hub_cards(db)) == 1
    with pytest.raises(Conflict) as caught:
        await _answer(db, config, receipt, Answer.YES)
    assert caught.value.key == "escalation.error.no_question"


async def test_a_question_waits_until_answered_withdrawn_or_the_case_closes(db: Database) -> None:
    config = make_config()
    vcps, code, receipt = await _member_case(db, config)
    async with db.sessions.begin() as session:
        with pytest.raises(NotAllowed):
            await escalation.ask_consent(
                session, config=config, handler=TEAM, case_ref=CaseCode(code), summary=SUMMARY,
                now=NOW,
            )  # fmt: skip
    await _ask(db, config, vcps, code)
    with pytest.raises(Conflict) as caught:
        await _ask(db, config, vcps, code)
    assert caught.value.key == "escalation.error.question_pending"

    async with db.sessions.begin() as session:
        card = await escalation.withdraw_consent(
            session, config=config, handler=vcps, case_ref=CaseCode(code), now=NOW
        )
    assert card.consent is Consent.WITHDRAWN
    view = await _open(db, config, receipt)
    assert view is not None and view.question is None and view.consent is Consent.WITHDRAWN
    with pytest.raises(Conflict) as caught:
        await _answer(db, config, receipt, Answer.YES)
    assert caught.value.key == "escalation.error.no_question"

    await _ask(db, config, vcps, code)
    async with db.sessions.begin() as session:
        await escalation.close_case(
            session, config=config, handler=vcps, case_ref=CaseCode(code),
            outcome="advice_given", message=None, now=LATER,
        )  # fmt: skip
    view = await _open(db, config, receipt)
    assert view is not None and view.closed and view.question is None
    assert await _hub_cards(db) == []
    with pytest.raises(Conflict) as caught:
        await _answer(db, config, receipt, Answer.YES)
    assert caught.value.key == "escalation.error.case_closed"
