"""The reporter's side of anonymous escalation: starting a case, and following it by receipt.

The reporter is known to the service only for the length of a call: their
Discord id becomes a semester pseudonym for the rate limit and the block list,
and, only if they opt in, a sealed DM link on the case. Nothing else about them
is stored, so nothing can be looked up by who they are.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.crypto import (
    CROCKFORD,
    format_receipt,
    new_data_key,
    new_receipt,
    next_semester,
    normalise_receipt,
    seal,
    semester_of,
)
from vcpbot.db.escalation import (
    Author,
    Block,
    Case,
    CaseStatus,
    Category,
    Counter,
    MemberRoute,
    OutboxItem,
    OutboxKind,
    Outcome,
    Place,
    Route,
    Urgency,
)
from vcpbot.errors import Conflict, InvalidInput, NotAllowed
from vcpbot.services.escalation_core import (
    EscalationConfig,
    MessageView,
    ack_due,
    append_message,
    case_aad,
    clean_text,
    close_case_row,
    enqueue,
    enqueue_card_updates,
    local_day,
    parse_category,
    parse_urgency,
    read_messages,
    seal_for,
    upsert_add,
)
from vcpbot.services.escalation_signals import signal_patterns

CODE_CHARS = 4
CODE_ATTEMPTS = 20
RECEIPT_NOT_FOUND = "escalation.error.receipt_not_found"


@dataclass(frozen=True)
class Submitted:
    """Show ``receipt`` once, and only after the transaction has committed."""

    code: str
    receipt: str  # grouped for reading: K7QM-3XRT-...
    route: Route


@dataclass(frozen=True)
class ReporterView:
    """What the holder of a receipt sees of their case."""

    code: str
    route: Route
    category: Category
    urgency: Urgency
    status: CaseStatus
    created_on: date
    forwarded: bool
    notices: bool  # the reporter gets a DM when someone replies
    messages: tuple[MessageView, ...]

    @property
    def closed(self) -> bool:
        return self.status is CaseStatus.CLOSED


def _pseudonyms(config: EscalationConfig, user_id: int, today: date) -> tuple[str, str]:
    """This semester's pseudonym and next semester's, as ``semester:hex`` pairs."""
    now_term = semester_of(today)
    later = next_semester(now_term)
    return (
        f"{now_term}:{config.keys.index.pseudonym(user_id, now_term)}",
        f"{later}:{config.keys.index.pseudonym(user_id, later)}",
    )


def _bare(pair: str) -> str:
    return pair.split(":", 1)[1]


async def _count(session: AsyncSession, pseudonym: str, kind: str, today: date) -> int:
    count = await session.scalar(
        select(Counter.count).where(
            Counter.pseudonym == pseudonym, Counter.kind == kind, Counter.day == today
        )
    )
    return count or 0


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
    now: datetime,
) -> Submitted:
    """Start a case: validated, sealed, queued for the hub (or the association's VCPs).

    Everything is written in the caller's transaction; show the receipt only after
    it has committed. ``user_id`` is used for the rate limit and the block list
    (as a pseudonym) and is not stored.
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
    if await session.get(Block, _bare(current)) is not None:
        raise NotAllowed("escalation.error.blocked")
    if await _count(session, _bare(current), "submit", today) >= config.policy.cases_per_day:
        raise NotAllowed("escalation.error.too_many_cases", count=config.policy.cases_per_day)

    receipt = new_receipt()
    receipt_hash = await asyncio.to_thread(config.keys.hasher.hash, receipt)
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
        receipt_hash=receipt_hash,
        receipt_index=config.keys.index.receipt_index(receipt),
        reporter_tag=b"",
    )
    session.add(case)
    # The row id is part of every sealed value's associated data, so seal after it exists.
    await session.flush()
    key = new_data_key()
    case.wrapped_key, case.key_version = config.keys.master.wrap(key, case_id=case.id)
    case.reporter_tag = seal(
        f"{current}\n{following}", key=key, aad=case_aad(case.id, "reporter-tag")
    )
    await append_message(session, config, case, author=Author.REPORTER, text=text, today=today)
    await upsert_add(
        session, Counter, {"pseudonym": _bare(current), "kind": "submit", "day": today}
    )
    place = Place.HUB if route is Route.VCP else Place.ASSOCIATION
    enqueue(session, kind=OutboxKind.CASE_CARD_CREATE, place=place, now=now, case_id=case.id)
    await session.flush()
    if route is Route.VCP:
        await signal_patterns(session, config=config, now=now)
    return Submitted(code=case.code, receipt=format_receipt(receipt), route=route)


# --- following a case by receipt -------------------------------------------------


async def _unlock(
    session: AsyncSession, config: EscalationConfig, receipt: str, user_id: int, now: datetime
) -> Case | None:
    """The case this receipt belongs to, or None after recording a miss.

    Misses are counted per person per day under their pseudonym; over the limit,
    even a right receipt is refused, or the limit would not limit guessing.
    """
    canonical = normalise_receipt(receipt)
    today = local_day(now, config.zone)
    pseudonym = _bare(_pseudonyms(config, user_id, today)[0])
    limit = config.policy.receipt_misses_per_day
    if await _count(session, pseudonym, "miss", today) >= limit:
        raise NotAllowed("escalation.error.too_many_attempts")
    case = await session.scalar(
        select(Case)
        .where(Case.receipt_index == config.keys.index.receipt_index(canonical))
        .with_for_update()
    )
    hasher = config.keys.hasher
    if case is None:
        await asyncio.to_thread(hasher.verify_nothing, canonical)
    elif await asyncio.to_thread(hasher.verify, case.receipt_hash, canonical):
        return case
    await upsert_add(session, Counter, {"pseudonym": pseudonym, "kind": "miss", "day": today})
    return None


async def _view(session: AsyncSession, config: EscalationConfig, case: Case) -> ReporterView:
    return ReporterView(
        code=case.code,
        route=Route(case.route),
        category=Category(case.category),
        urgency=Urgency(case.urgency),
        status=CaseStatus(case.status),
        created_on=case.created_on,
        forwarded=case.forwarded_on is not None,
        notices=case.dm_link is not None,
        messages=await read_messages(session, config, case),
    )


async def open_case(
    session: AsyncSession, *, config: EscalationConfig, receipt: str, user_id: int, now: datetime
) -> ReporterView | None:
    """``/case receipt:``. None when the receipt matches nothing.

    On None the miss has been recorded in this transaction: let it commit, then
    show ``RECEIPT_NOT_FOUND`` (say nothing more: not whether the case existed).
    A malformed receipt raises ``InvalidInput``; too many misses, ``NotAllowed``.
    """
    case = await _unlock(session, config, receipt, user_id, now)
    return None if case is None else await _view(session, config, case)


async def reporter_reply(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    receipt: str,
    user_id: int,
    text: str,
    now: datetime,
) -> ReporterView | None:
    """The reporter writes to whoever handles the case. None: as for ``open_case``."""
    text = clean_text(text)
    case = await _unlock(session, config, receipt, user_id, now)
    if case is None:
        return None
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    today = local_day(now, config.zone)
    await append_message(session, config, case, author=Author.REPORTER, text=text, today=today)
    await enqueue_card_updates(session, case, now=now)
    await session.flush()
    return await _view(session, config, case)


async def reporter_close(
    session: AsyncSession, *, config: EscalationConfig, receipt: str, user_id: int, now: datetime
) -> ReporterView | None:
    """ "Close my case". A second press raises ``Conflict``. None: as for ``open_case``."""
    case = await _unlock(session, config, receipt, user_id, now)
    if case is None:
        return None
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.already_closed")
    await close_case_row(
        session, case, outcome=Outcome.CLOSED_BY_REPORTER, now=now, zone=config.zone
    )
    await session.flush()
    return await _view(session, config, case)


async def set_notices(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    receipt: str,
    user_id: int,
    enabled: bool,
    now: datetime,
) -> ReporterView | None:
    """ "Notify me by DM" (on) or "Stop notices" (off). None: as for ``open_case``.

    The DM link is the reporter's user id sealed with the case key: only the
    notice sender opens it, and it is deleted when the case closes.
    """
    case = await _unlock(session, config, receipt, user_id, now)
    if case is None:
        return None
    if enabled:
        if case.status == CaseStatus.CLOSED:
            raise Conflict("escalation.error.case_closed")
        case.dm_link = seal_for(config, case, str(user_id), "dm-link")
    else:
        case.dm_link = None
        # "Stop notices" also stops the ones already queued.
        await session.execute(
            delete(OutboxItem).where(
                OutboxItem.case_id == case.id, OutboxItem.kind == OutboxKind.REPLY_NOTICE.value
            )
        )
    await session.flush()
    return await _view(session, config, case)


@dataclass(frozen=True)
class MemberRouteView:
    association_id: int
    enabled: bool
    channel_id: int | None


# --- the member route, per association -------------------------------------------


async def member_route(session: AsyncSession, *, association_id: int) -> MemberRouteView:
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
