"""The handlers' side: the UM team in the hub, and an association's VCPs for member cases.

The cog decides who is acting (a team member in the hub, a VCP in their
association's guild) and passes a ``Handler``; the service decides which cases
that handler may see and what it may do with them. A case the handler may not
see is "not found", so its existence is not revealed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.crypto import semester_of
from vcpbot.db.escalation import (
    Author,
    Block,
    Case,
    CaseMessage,
    CaseStatus,
    Category,
    Consent,
    Outcome,
    Place,
    Post,
    PostKind,
    Route,
    Urgency,
)
from vcpbot.db.network import Association
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.services.escalation._core import (
    append_message,
    clean_text,
    close_case_row,
    enqueue_card_updates,
    local_day,
    notify_reporter,
    parse_outcome,
    read_messages,
    replied_to,
    reporter_pseudonyms,
)
from vcpbot.services.escalation._desk import claimer_of
from vcpbot.services.escalation._posts import card_ref
from vcpbot.services.escalation._types import (
    CaseCard,
    CaseCode,
    CaseDetail,
    EscalationConfig,
    Handler,
)

_CODE = re.compile(r"^C-[0-9A-Z]{4}$")


async def _cards(
    session: AsyncSession, config: EscalationConfig, cases: list[Case], now: datetime
) -> list[CaseCard]:
    today = local_day(now, config.zone)
    names = {}
    ids = {c.association_id for c in cases if c.association_id is not None}
    if ids:
        rows = await session.execute(
            select(Association.id, Association.name).where(Association.id.in_(ids))
        )
        names = {row.id: row.name for row in rows.all()}
    last = await _last_authors(session, [c.id for c in cases])
    replied = await replied_to(session, cases)
    cards = []
    for case in cases:
        shown = case.association_shown and case.association_id is not None
        claim = claimer_of(config, case)
        cards.append(
            CaseCard(
                code=case.code,
                token=case.card_token,
                route=Route(case.route),
                forwarded=case.forwarded_on is not None,
                sent_by_reporter=case.forwarded_on is not None and case.forward_seq is None,
                category=Category(case.category),
                urgency=Urgency(case.urgency),
                association_name=names.get(case.association_id) if shown else None,
                association_withheld=not shown,
                status=CaseStatus(case.status),
                outcome=Outcome(case.outcome) if case.outcome else None,
                created_on=case.created_on,
                age_days=(today - case.created_on).days,
                overdue=case.ack_due is not None and case.ack_due <= now,
                awaiting_reply=last.get(case.id) == Author.REPORTER
                and case.status != CaseStatus.CLOSED,
                consent=Consent(case.consent) if case.consent else None,
                replied=case.id in replied,
                language=case.language,
                claim_desk=claim[0] if claim else None,
                claimer=claim[1]["name"] if claim else None,
            )
        )
    return cards


async def _last_authors(session: AsyncSession, case_ids: list[int]) -> dict[int, Author]:
    """Who wrote last in each case (the author column is in clear; the text is not)."""
    if not case_ids:
        return {}
    last = (
        select(CaseMessage.case_id, func.max(CaseMessage.seq).label("seq"))
        .where(CaseMessage.case_id.in_(case_ids))
        .group_by(CaseMessage.case_id)
        .subquery()
    )
    rows = await session.execute(
        select(CaseMessage.case_id, CaseMessage.author).join(
            last, and_(CaseMessage.case_id == last.c.case_id, CaseMessage.seq == last.c.seq)
        )
    )
    return {row.case_id: Author(row.author) for row in rows.all()}


async def card_of(
    session: AsyncSession, config: EscalationConfig, case: Case, now: datetime
) -> CaseCard:
    return (await _cards(session, config, [case], now))[0]


CaseRef = str | CaseCode  # a card's token (a button), or a code a person typed


async def find_case(
    session: AsyncSession, handler: Handler, case_ref: CaseRef, *, act: bool = True
) -> Case:
    """By card token (a button) or typed ``CaseCode``; ``act`` also requires holding it."""
    if isinstance(case_ref, CaseCode):
        code = case_ref.text.strip().upper()
        where = Case.code == code if _CODE.match(code) else false()
    else:
        where = Case.card_token == case_ref
    case = await session.scalar(select(Case).where(where).with_for_update())
    if case is None or not handler.may_read(case):
        raise NotFound("escalation.error.case_not_found")
    if act and not handler.holds(case):
        raise Conflict("escalation.error.forwarded")
    return case


async def list_open_cases(
    session: AsyncSession, *, config: EscalationConfig, handler: Handler, now: datetime
) -> list[CaseCard]:
    """``/open-cases``: the handler's open cases whose card has arrived, oldest first, each
    with a link to its card. A case whose card still waits for its batch is not listed:
    the list must not tell sooner than the channel when a case came in.
    """
    place = Place.HUB if handler.is_team else Place.ASSOCIATION
    query = select(Case).where(
        Case.status != CaseStatus.CLOSED.value,
        exists().where(
            Post.case_id == Case.id, Post.kind == PostKind.CARD.value, Post.place == place.value
        ),
    )
    if handler.is_team:
        query = query.where(or_(Case.route == Route.VCP.value, Case.forwarded_on.is_not(None)))
    else:
        query = query.where(
            and_(
                Case.route == Route.MEMBER.value,
                Case.association_id == handler.association_id,
                Case.forwarded_on.is_(None),
            )
        )
    cases = list((await session.scalars(query.order_by(Case.created_on, Case.id))).all())
    cards = await _cards(session, config, cases, now)
    return [
        replace(card, link=await card_ref(session, config, case, place))
        for case, card in zip(cases, cards, strict=True)
    ]


async def read_case(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    case_ref: CaseRef,
    now: datetime,
    shown: bool = True,
) -> CaseDetail:
    """Open: the conversation as this handler may see it.

    The UM team sees a forwarded member case from ``forward_seq`` on: all of it when
    the member said yes, from the VCP's summary on when they chose to leave their
    words out, from the VCP's reason on when it went for acute danger. The VCPs see
    what they had, up to their summary. ``shown``: the messages are shown to the
    handler (not only the card checked before acting), so what they are is read.
    """
    case = await find_case(session, handler, case_ref, act=False)
    if handler.is_team and case.forward_seq is not None:
        messages = await read_messages(session, config, case, from_seq=case.forward_seq)
    elif not handler.is_team and case.forwarded_on is not None and case.summary_seq:
        messages = await read_messages(session, config, case, before_seq=case.summary_seq + 1)
    else:
        messages = await read_messages(session, config, case)
    if shown and messages:
        # What a handler has been shown: a reporter's choice up to here can't be taken back.
        case.read_seq = max(case.read_seq or 0, messages[-1].seq)
    return CaseDetail(card=await card_of(session, config, case, now), messages=messages)


def _acknowledge(case: Case, today: date) -> None:
    case.status = CaseStatus.ACKNOWLEDGED.value
    case.acknowledged_on = today
    case.ack_due = None  # the clock stopped; keep no finer time than needed


async def acknowledge(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    case_ref: CaseRef,
    now: datetime,
) -> CaseCard:
    """The handler says they have seen the case: its clock stops and the cards follow.

    Raises NotFound when the handler cannot see the case, Conflict when it is no longer
    theirs to act on (passed on), already acknowledged or closed.
    """
    case = await find_case(session, handler, case_ref)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.already_closed")
    if case.status == CaseStatus.ACKNOWLEDGED:
        raise Conflict("escalation.error.already_acknowledged")
    _acknowledge(case, local_day(now, config.zone))
    await enqueue_card_updates(session, case)
    await session.flush()
    return await card_of(session, config, case, now)


async def reply(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    case_ref: CaseRef,
    text: str,
    now: datetime,
) -> CaseCard:
    """A reply to the reporter; replying to a new case also acknowledges it."""
    text = clean_text(text)
    case = await find_case(session, handler, case_ref)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    today = local_day(now, config.zone)
    if case.status in (CaseStatus.NEW, CaseStatus.FORWARDED):
        _acknowledge(case, today)
    author = Author.TEAM if handler.is_team else Author.VCP
    await append_message(session, config, case, author=author, text=text, today=today)
    notify_reporter(session, case, reason="reply")
    await enqueue_card_updates(session, case)
    await session.flush()
    return await card_of(session, config, case, now)


async def close_case(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    case_ref: CaseRef,
    outcome: str,
    message: str | None,
    now: datetime,
) -> CaseCard:
    """Close with an outcome and, unless a handler has replied before, a last message
    for the reporter (``InvalidInput`` without one). A second Close is a ``Conflict``.
    The reporter's notice names the day the case is deleted; the DM link goes now."""
    chosen = parse_outcome(outcome)
    case = await find_case(session, handler, case_ref)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.already_closed")
    today = local_day(now, config.zone)
    if message is not None and message.strip():
        author = Author.TEAM if handler.is_team else Author.VCP
        text = clean_text(message)
        await append_message(session, config, case, author=author, text=text, today=today)
    elif not await replied_to(session, [case]):
        raise InvalidInput("escalation.error.closing_message_needed")
    notify_reporter(session, case, reason="closed")
    await session.flush()
    await close_case_row(session, case, outcome=chosen, now=now, zone=config.zone)
    await session.flush()
    return await card_of(session, config, case, now)


async def block_sender(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    case_ref: CaseRef,
    now: datetime,
) -> None:
    """Refuse this reporter's next cases, without anyone learning who they are.

    The case's sealed pseudonyms (this semester's and the next) are opened in
    memory with the runtime key and copied to the block list; a block lapses with
    its semester, as the pseudonyms themselves do, and with the runtime key (a
    reboot). A case sealed under an earlier runtime key cannot name its sender
    any more: ``Conflict`` says so.
    """
    if not handler.is_team:
        raise NotAllowed("escalation.error.block_team_only")
    case = await find_case(session, handler, case_ref, act=False)
    pairs = reporter_pseudonyms(config, case)
    if pairs is None:
        raise Conflict("escalation.error.sender_unknown")
    today = local_day(now, config.zone)
    current = semester_of(today)
    added = 0
    for pair in sorted(pairs):
        semester, pseudonym = pair.split(":", 1)
        if semester < current or await session.get(Block, pseudonym) is not None:
            continue
        session.add(Block(pseudonym=pseudonym, semester=semester, blocked_on=today))
        added += 1
    if not added:
        raise Conflict("escalation.error.already_blocked")
    await session.flush()


async def card_for(
    session: AsyncSession, *, config: EscalationConfig, case_id: int, now: datetime
) -> CaseCard | None:
    """For the outbox worker: the card as it should look now (None once purged)."""
    case = await session.get(Case, case_id)
    return None if case is None else await card_of(session, config, case, now)
