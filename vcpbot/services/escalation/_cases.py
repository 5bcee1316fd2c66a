"""The reporter's side of anonymous escalation: starting a case, and following it by receipt.

The reporter is known to the service only for the length of a call: their
Discord id becomes pseudonyms under the runtime key (a day's, for the rate
limits; a semester's, for the block list and, sealed, on the case), and, only if
they opt in, a DM link sealed to the runtime key. Nothing else about them is
stored, and nothing stored can be recomputed from who they are without the
runtime key, which is never stored (``vcpbot.runtime_key``).

Receipts are hashed with Argon2id, which is slow on purpose, so it never runs
inside a write transaction: a new receipt is hashed before the case's
transaction opens (``prepare_receipt``), and a receipt someone types is checked
in a read transaction and outside any (``unlock``); the action then runs in a
short write transaction that re-checks the case did not change meanwhile.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.crypto import CROCKFORD, format_receipt, new_data_key, next_semester, semester_of
from vcpbot.db.escalation import (
    Author,
    Block,
    Case,
    CaseStatus,
    Category,
    Consent,
    Counter,
    MemberRoute,
    OutboxItem,
    OutboxKind,
    Outcome,
    Place,
    Route,
    Undelivered,
    Urgency,
)
from vcpbot.errors import Conflict, InvalidInput, NotAllowed
from vcpbot.services.escalation._core import (
    ack_due,
    append_message,
    choices_seen,
    clean_text,
    close_case_row,
    deleted_on,
    enqueue,
    enqueue_card_updates,
    held_until_batch,
    local_day,
    open_dm_link,
    open_for,
    parse_category,
    parse_urgency,
    read_messages,
    seal_dm_link,
    upsert_add,
)
from vcpbot.services.escalation._receipts import case_of, count_today
from vcpbot.services.escalation._signals import signal_patterns
from vcpbot.services.escalation._types import (
    EscalationConfig,
    MemberRouteView,
    NewReceipt,
    ReporterView,
    Submitted,
    Unlocked,
)

CODE_CHARS = 4
CODE_ATTEMPTS = 20
RECEIPT_NOT_FOUND = "escalation.error.receipt_not_found"
LANGUAGES = ("nl", "en")  # what a case keeps of the reporter's language


def _pseudonyms(config: EscalationConfig, user_id: int, today: date) -> tuple[str, str]:
    """This semester's pseudonym and next semester's, as ``semester:hex`` pairs."""
    now_term = semester_of(today)
    later = next_semester(now_term)
    return (
        f"{now_term}:{config.runtime.semester_pseudonym(user_id, now_term)}",
        f"{later}:{config.runtime.semester_pseudonym(user_id, later)}",
    )


def _bare(pair: str) -> str:
    return pair.split(":", 1)[1]


async def _new_code(session: AsyncSession) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = "C-" + "".join(secrets.choice(CROCKFORD) for _ in range(CODE_CHARS))
        if await session.scalar(select(Case.id).where(Case.code == code)) is None:
            return code
    raise RuntimeError("no free case code; widen CODE_CHARS")


async def _check_route(session: AsyncSession, route: Route, association_id: int | None) -> None:
    if route is Route.VCP:
        return
    if association_id is None:
        raise InvalidInput("escalation.error.member_route_off")
    enabled = await session.scalar(
        select(MemberRoute.enabled).where(MemberRoute.association_id == association_id)
    )
    if not enabled:
        raise NotAllowed("escalation.error.member_route_off")


async def submit_case(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    route: Route | str,
    user_id: int,
    association_id: int | None,
    category: str,
    urgency: str,
    text: str,
    association_shown: bool,
    receipt: NewReceipt,
    now: datetime,
    language: str | None = None,
) -> Submitted:
    """Start a case: validated, sealed, queued for the hub (or the association's VCPs).

    Everything is written in the caller's transaction; show the receipt only after
    it has committed. ``receipt`` comes from ``prepare_receipt``, called before the
    transaction. ``user_id`` is used for the rate limit and the block list (as
    pseudonyms under the runtime key) and is not stored. ``language`` is the reporter's
    ("nl" or "en", anything else is kept as unknown), so a saved reply starts in it.
    """
    try:
        route = Route(route)
    except ValueError:
        raise InvalidInput("escalation.error.unknown_route") from None
    chosen_category, chosen_urgency = parse_category(category), parse_urgency(urgency)
    text = clean_text(text)
    await _check_route(session, route, association_id)
    today = local_day(now, config.zone)
    current, following = _pseudonyms(config, user_id, today)
    day = config.runtime.day_pseudonym(user_id, today)
    if await session.get(Block, _bare(current)) is not None:
        raise NotAllowed("escalation.error.blocked")
    if await count_today(session, day, "submit", today) >= config.policy.cases_per_day:
        raise NotAllowed("escalation.error.too_many_cases", count=config.policy.cases_per_day)

    case = Case(
        code=await _new_code(session),
        card_token=secrets.token_urlsafe(16),
        route=route.value,
        category=chosen_category.value,
        urgency=chosen_urgency.value,
        association_id=association_id,
        association_shown=association_shown and association_id is not None,
        status=CaseStatus.NEW.value,
        created_on=today,
        ack_due=ack_due(chosen_urgency, now=now, policy=config.policy, zone=config.zone),
        nudged=False,
        pattern_signalled=False,
        key_version=0,
        wrapped_key=b"",
        receipt_hash=receipt.hashed,
        receipt_index=config.keys.index.receipt_index(receipt.receipt),
        reporter_tag=b"",
        language=language if language in LANGUAGES else None,
    )
    session.add(case)
    # The row id is part of every sealed value's associated data, so seal after it exists.
    await session.flush()
    case.wrapped_key, case.key_version = config.keys.master.wrap(new_data_key(), case_id=case.id)
    # Sealed to the runtime key, not the case key: the master keys cannot open it.
    case.reporter_tag = config.runtime.seal(
        f"{current}\n{following}", case_id=case.id, purpose="reporter-tag"
    )
    await append_message(session, config, case, author=Author.REPORTER, text=text, today=today)
    await upsert_add(session, Counter, {"pseudonym": day, "kind": "submit", "day": today})
    place = Place.HUB if route is Route.VCP else Place.ASSOCIATION
    enqueue(
        session,
        kind=OutboxKind.CASE_CARD_CREATE,
        place=place,
        case_id=case.id,
        held=held_until_batch(case),
    )
    await session.flush()
    if route is Route.VCP:
        await signal_patterns(session, config=config, now=now)
    return Submitted(code=case.code, receipt=format_receipt(receipt.receipt), route=route)


# --- following a case by receipt -------------------------------------------------


QUESTION_SEALED_AS = "consent-summary"


def pending_question(config: EscalationConfig, case: Case) -> str | None:
    """The summary a VCP's waiting question shows the member; None when nothing is asked."""
    if case.consent != Consent.ASKED or case.consent_summary is None:
        return None
    return open_for(config, case, case.consent_summary, QUESTION_SEALED_AS)


async def reporter_view(
    session: AsyncSession, config: EscalationConfig, case: Case
) -> ReporterView:
    """What the holder of the receipt sees of ``case``."""
    notices = open_dm_link(config, case.id, case.dm_link) is not None
    messages = await read_messages(session, config, case)
    unread, read = choices_seen(case, messages)
    return ReporterView(
        code=case.code,
        route=Route(case.route),
        category=Category(case.category),
        urgency=Urgency(case.urgency),
        status=CaseStatus(case.status),
        created_on=case.created_on,
        forwarded=case.forwarded_on is not None,
        notices=notices,
        notices_lost=case.dm_link is not None and not notices,
        messages=messages,
        undelivered=Undelivered(case.undelivered) if case.undelivered else None,
        consent=Consent(case.consent) if case.consent else None,
        question=pending_question(config, case),
        deleted_on=deleted_on(case, config.policy),
        notice_detail=bool(case.notice_detail),
        choice_unread=unread,
        choice_read=read,
    )


async def open_case(
    session: AsyncSession, *, config: EscalationConfig, unlocked: Unlocked
) -> ReporterView | None:
    """``/my-case receipt:``, after ``unlock``. None when the receipt matches nothing.

    On None the miss has been recorded in this transaction: let it commit, then
    show ``RECEIPT_NOT_FOUND`` (say nothing more: not whether the case existed).
    Too many misses raise ``NotAllowed``.
    """
    case = await case_of(session, config, unlocked)
    return None if case is None else await reporter_view(session, config, case)


async def reporter_reply(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    unlocked: Unlocked,
    text: str,
    now: datetime,
) -> ReporterView | None:
    """The reporter writes to whoever handles the case. None: as for ``open_case``."""
    text = clean_text(text)
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    today = local_day(now, config.zone)
    await append_message(session, config, case, author=Author.REPORTER, text=text, today=today)
    await enqueue_card_updates(session, case)
    await session.flush()
    return await reporter_view(session, config, case)


async def reporter_close(
    session: AsyncSession, *, config: EscalationConfig, unlocked: Unlocked, now: datetime
) -> ReporterView | None:
    """ "Close my case". A second press raises ``Conflict``. None: as for ``open_case``."""
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.already_closed")
    await close_case_row(
        session, case, outcome=Outcome.CLOSED_BY_REPORTER, now=now, zone=config.zone
    )
    await session.flush()
    return await reporter_view(session, config, case)


async def reporter_send_to_team(
    session: AsyncSession, *, config: EscalationConfig, unlocked: Unlocked, now: datetime
) -> ReporterView | None:
    """ "Send to the UM team": the VCPs could not receive this member case, and its
    reporter chooses the team instead. The team reads all of it (the reporter agrees
    to that by choosing), and a fresh acknowledgement clock starts. None: as for
    ``open_case``; a case that is not waiting for this choice raises ``Conflict``.
    """
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    if case.undelivered is None or case.forwarded_on is not None:
        raise Conflict("escalation.error.not_undelivered")
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    case.forwarded_on = local_day(now, config.zone)
    case.status = CaseStatus.FORWARDED.value
    case.nudged = False
    case.ack_due = ack_due(Urgency(case.urgency), now=now, policy=config.policy, zone=config.zone)
    enqueue(
        session,
        kind=OutboxKind.CASE_CARD_CREATE,
        place=Place.HUB,
        case_id=case.id,
        held=held_until_batch(case),
    )
    await session.flush()
    await signal_patterns(session, config=config, now=now)
    return await reporter_view(session, config, case)


async def set_notices(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    unlocked: Unlocked,
    enabled: bool,
) -> ReporterView | None:
    """ "Notify me by DM" (on) or "Stop notices" (off). None: as for ``open_case``.

    The DM link is the reporter's user id sealed to the runtime key: only the
    notice sender opens it, nobody can with the stored keys, it stops opening
    after a reboot, and it is deleted when the case closes.
    """
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    if enabled:
        if case.status == CaseStatus.CLOSED:
            raise Conflict("escalation.error.case_closed")
        case.dm_link = seal_dm_link(config, case, unlocked.user_id)
    else:
        case.dm_link = None
        # "Stop notices" also stops the ones already queued.
        await session.execute(
            delete(OutboxItem).where(
                OutboxItem.case_id == case.id, OutboxItem.kind == OutboxKind.REPLY_NOTICE.value
            )
        )
    await session.flush()
    return await reporter_view(session, config, case)


async def set_notice_detail(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    unlocked: Unlocked,
    detailed: bool,
) -> ReporterView | None:
    """Notices that say what kind of news there is (a reply, a question, closed), or only
    "you have a new message" (the default: a notice may be read over someone's shoulder).
    None: as for ``open_case``."""
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    case.notice_detail = detailed
    await session.flush()
    return await reporter_view(session, config, case)


# --- the member route, per association -------------------------------------------


async def member_route(session: AsyncSession, *, association_id: int) -> MemberRouteView:
    """Whether the association's members can write to its VCPs, and in which channel
    (off, without a channel, until the board turns it on).
    """
    row = await session.get(MemberRoute, association_id)
    if row is None:
        return MemberRouteView(association_id=association_id, enabled=False, channel_id=None)
    return MemberRouteView(
        association_id=association_id, enabled=row.enabled, channel_id=row.channel_id
    )


async def set_member_route(
    session: AsyncSession,
    *,
    association_id: int,
    enabled: bool,
    channel_id: int | None,
    now: datetime,
    zone: ZoneInfo,
) -> MemberRouteView:
    """Let members reach their VCPs anonymously (off by default); cases go to ``channel_id``."""
    if enabled and channel_id is None:
        raise NotAllowed("escalation.error.member_route_needs_channel")
    row = await session.get(MemberRoute, association_id)
    if row is None:
        row = MemberRoute(association_id=association_id)
        session.add(row)
    row.enabled = enabled
    row.channel_id = channel_id
    row.updated_on = local_day(now, zone)
    await session.flush()
    return await member_route(session, association_id=association_id)
