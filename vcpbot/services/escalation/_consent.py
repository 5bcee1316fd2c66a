"""The reporter decides: a member's case goes to the UM team only if the member says so.

A VCP who thinks the team can help better asks (``ask_consent``) with the summary
the team would read; the question and the summary wait, sealed on the case, and the
member answers in /my-case (``answer_consent``):

- ``YES``: the team reads the whole conversation, the member's own words included;
- ``WITHOUT_WORDS``: the team reads from the VCP's summary on, as a forward did before;
- ``NO``: nothing goes; the VCPs see only that answer, and may ask again later.

Nothing about the case reaches the team before a yes: no card, no pattern, no line.
A question waits until the member answers, however long; the VCP can withdraw it;
closing the case withdraws it (``close_case_row``), and so does an urgent forward.

The one exception is acute danger (``forward_urgently``): the VCP's explicit choice,
with a short reason written into the case's sealed conversation, which the member
reads in /my-case and the team reads first. The card and the hub's log record it by
case code only; no one's Discord id is stored or logged with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.escalation import Author, Case, CaseStatus, Consent, OutboxKind, Place, Urgency
from vcpbot.errors import Conflict, NotAllowed
from vcpbot.services.escalation._cases import QUESTION_SEALED_AS, pending_question, reporter_view
from vcpbot.services.escalation._core import (
    ack_due,
    append_message,
    clean_text,
    enqueue,
    enqueue_card_updates,
    held_until_batch,
    local_day,
    notify_reporter,
    seal_for,
)
from vcpbot.services.escalation._handling import CaseRef, card_of, find_case
from vcpbot.services.escalation._receipts import case_of
from vcpbot.services.escalation._signals import signal_patterns
from vcpbot.services.escalation._types import (
    Answer,
    CaseCard,
    EscalationConfig,
    Handler,
    ReporterView,
    Unlocked,
)

SUMMARY_MAX = 1500  # shown to the member above their conversation: a summary, not a story
REASON_MAX = 500


async def _held_by_vcps(session: AsyncSession, handler: Handler, case_ref: CaseRef) -> Case:
    """A member's case its VCPs hold now (not forwarded, not closed)."""
    if handler.is_team:
        raise NotAllowed("escalation.error.forward_vcps_only")
    case = await find_case(session, handler, case_ref)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    return case


async def ask_consent(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    case_ref: CaseRef,
    summary: str,
    now: datetime,
) -> CaseCard:
    """The VCPs ask the member whether their case may go to the team, with ``summary``."""
    summary = clean_text(summary, limit=SUMMARY_MAX)
    case = await _held_by_vcps(session, handler, case_ref)
    if case.consent == Consent.ASKED:
        raise Conflict("escalation.error.question_pending")
    case.consent = Consent.ASKED.value
    case.consent_summary = seal_for(config, case, summary, QUESTION_SEALED_AS)
    notify_reporter(session, case, reason="consent")
    await enqueue_card_updates(session, case)
    await session.flush()
    return await card_of(session, config, case, now)


async def withdraw_consent(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    case_ref: CaseRef,
    now: datetime,
) -> CaseCard:
    """The VCPs take their question back; the member's /my-case no longer asks it."""
    case = await _held_by_vcps(session, handler, case_ref)
    if case.consent != Consent.ASKED:
        raise Conflict("escalation.error.no_question_to_withdraw")
    case.consent = Consent.WITHDRAWN.value
    case.consent_summary = None
    await enqueue_card_updates(session, case)
    await session.flush()
    return await card_of(session, config, case, now)


async def _forward(
    session: AsyncSession, config: EscalationConfig, case: Case, now: datetime, *, held: bool
) -> None:
    """To the team: a fresh acknowledgement clock, a card in the hub, patterns looked for."""
    case.forwarded_on = local_day(now, config.zone)
    case.status = CaseStatus.FORWARDED.value
    case.acknowledged_on = None
    case.nudged = False
    case.consent_summary = None
    case.ack_due = ack_due(Urgency(case.urgency), now=now, policy=config.policy, zone=config.zone)
    enqueue(session, kind=OutboxKind.CASE_CARD_CREATE, place=Place.HUB, case_id=case.id, held=held)
    enqueue(session, kind=OutboxKind.CASE_CARD_UPDATE, place=Place.ASSOCIATION, case_id=case.id)
    await session.flush()
    await signal_patterns(session, config=config, now=now)


async def answer_consent(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    unlocked: Unlocked,
    answer: Answer | str,
    now: datetime,
) -> ReporterView | None:
    """The member's answer, from /my-case. None: as for ``open_case``. A question that is
    no longer there (withdrawn, answered, the case forwarded) raises ``Conflict``."""
    answer = Answer(answer)
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    summary = pending_question(config, case)
    if summary is None or case.forwarded_on is not None:
        raise Conflict("escalation.error.no_question")
    if answer is Answer.NO:
        case.consent = Consent.DECLINED.value
        case.consent_summary = None
        await enqueue_card_updates(session, case)
    else:
        today = local_day(now, config.zone)
        seq = await append_message(
            session, config, case, author=Author.VCP, text=summary, today=today
        )
        case.summary_seq = seq
        case.forward_seq = 1 if answer is Answer.YES else seq
        case.consent = (Consent.YES if answer is Answer.YES else Consent.WITHOUT_WORDS).value
        # The member acted: the card goes with the next batch, so its moment says nothing.
        await _forward(session, config, case, now, held=held_until_batch(case))
    await session.flush()
    return await reporter_view(session, config, case)


async def forward_urgently(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    case_ref: CaseRef,
    reason: str,
    summary: str,
    now: datetime,
) -> CaseCard:
    """Acute danger: the VCPs pass a member's case to the team without asking. Their
    ``reason`` and ``summary`` go into the conversation, which the team reads from the
    reason on; the member is told (in /my-case, and by notice if they asked for them).
    A question still waiting goes."""
    reason = clean_text(reason, limit=REASON_MAX)
    summary = clean_text(summary)
    case = await _held_by_vcps(session, handler, case_ref)
    today = local_day(now, config.zone)
    case.reason_seq = await append_message(
        session, config, case, author=Author.VCP, text=reason, today=today
    )
    case.summary_seq = await append_message(
        session, config, case, author=Author.VCP, text=summary, today=today
    )
    case.forward_seq = case.reason_seq
    case.consent = Consent.URGENT.value
    notify_reporter(session, case, reason="urgent")
    await _forward(session, config, case, now, held=False)
    return await card_of(session, config, case, now)
