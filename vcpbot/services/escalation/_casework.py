"""The handlers' desk on a case: internal notes, who has taken it, and who read it.

Two desks work on cases, kept apart: the UM team (its own cases and forwarded ones)
and an association's VCPs (their members' cases). A desk sees only its own notes and
read log; the reporter sees none of it. Everything about a person here (a handler's
name and Discord id, a note's text, the day) is sealed with the case key, so it goes
with the case and nothing readable stays at rest. A claim is taken with one
conditional UPDATE, so two handlers pressing at once cannot both win.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.escalation import (
    Case,
    CaseStatus,
    Desk,
    DeskEntry,
    DeskKind,
    OutboxKind,
    Place,
    Route,
    Undelivered,
)
from vcpbot.errors import Conflict
from vcpbot.services.escalation._core import (
    clean_text,
    enqueue,
    enqueue_card_updates,
    local_day,
    notify_reporter,
    open_for,
    seal_for,
)
from vcpbot.services.escalation._desk import claimer_of, desk_of
from vcpbot.services.escalation._handling import CaseRef, find_case
from vcpbot.services.escalation._types import (
    Actor,
    Casework,
    DeskNote,
    DeskRead,
    EscalationConfig,
    Handler,
)

NOTE_MAX = 1500  # a note is for the desk's colleagues: a few lines, not a report


def _purpose(desk: Desk, kind: DeskKind, seq: int) -> str:
    return f"desk:{desk.value}:{kind.value}:{seq}"


async def _entries(
    session: AsyncSession, config: EscalationConfig, case: Case, desk: Desk, kind: DeskKind
) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(DeskEntry)
        .where(DeskEntry.case_id == case.id, DeskEntry.desk == desk, DeskEntry.kind == kind)
        .order_by(DeskEntry.seq)
    )
    return [
        json.loads(open_for(config, case, row.body, _purpose(desk, kind, row.seq)))
        for row in rows.all()
    ]


async def _append(
    session: AsyncSession,
    config: EscalationConfig,
    case: Case,
    *,
    desk: Desk,
    kind: DeskKind,
    entry: dict[str, Any],
) -> None:
    last = await session.scalar(
        select(DeskEntry.seq)
        .where(DeskEntry.case_id == case.id, DeskEntry.desk == desk, DeskEntry.kind == kind)
        .order_by(DeskEntry.seq.desc())
        .limit(1)
    )
    seq = (last or 0) + 1
    body = seal_for(config, case, json.dumps(entry), _purpose(desk, kind, seq))
    session.add(DeskEntry(case_id=case.id, desk=desk.value, kind=kind.value, seq=seq, body=body))


async def add_note(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    actor: Actor,
    case_ref: CaseRef,
    text: str,
    now: datetime,
) -> str:
    """An internal note on a case the handler may see, for their own desk only; returns
    the case code. ``InvalidInput`` when empty or longer than ``NOTE_MAX``."""
    text = clean_text(text, limit=NOTE_MAX)
    case = await find_case(session, handler, case_ref, act=False)
    day = local_day(now, config.zone)
    entry = {"by": actor.name, "on": day.toordinal(), "text": text}
    await _append(session, config, case, desk=desk_of(handler), kind=DeskKind.NOTE, entry=entry)
    await session.flush()
    return case.code


async def open_desk(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    actor: Actor,
    case_ref: CaseRef,
    now: datetime,
) -> Casework:
    """Open: record this read in the desk's log (once per reader and day), and return the
    desk's notes, its read log and its claim."""
    case = await find_case(session, handler, case_ref, act=False)
    desk, day = desk_of(handler), local_day(now, config.zone).toordinal()
    reads = await _entries(session, config, case, desk, DeskKind.READ)
    if not any(r["id"] == actor.user_id and r["on"] == day for r in reads):
        entry = {"by": actor.name, "id": actor.user_id, "on": day}
        await _append(session, config, case, desk=desk, kind=DeskKind.READ, entry=entry)
        reads.append(entry)
        await session.flush()
    notes = await _entries(session, config, case, desk, DeskKind.NOTE)
    claim = claimer_of(config, case)
    held = claim[1] if claim is not None and claim[0] is desk else None
    return Casework(
        notes=tuple(
            DeskNote(by=n["by"], text=n["text"], on=date.fromordinal(n["on"])) for n in notes
        ),
        reads=tuple(DeskRead(by=r["by"], on=date.fromordinal(r["on"])) for r in reads),
        claimer=held["name"] if held else None,
        mine=held is not None and held["id"] == actor.user_id,
        may_claim=handler.holds(case) and case.status != CaseStatus.CLOSED,
    )


async def claim_case(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    actor: Actor,
    case_ref: CaseRef,
    now: datetime,
    take_over: bool = False,
) -> str:
    """Take the case for this desk ("being handled"); returns the case code.

    One conditional UPDATE decides: when someone of this desk has it already,
    ``Conflict`` names them (``casework.error.claimed_by``), or says it is the
    presser's own. ``take_over`` (the cog allows it to the coordinator) moves it to
    the presser whoever has it.
    """
    case = await find_case(session, handler, case_ref)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("casework.error.closed")
    desk = desk_of(handler)
    sealed = seal_for(config, case, json.dumps({"id": actor.user_id, "name": actor.name}), "claim")
    statement = update(Case).where(Case.id == case.id)
    if not take_over:
        statement = statement.where(or_(Case.claim_desk.is_(None), Case.claim_desk != desk))
    done = await session.execute(
        statement.values(claim_desk=desk.value, claim=sealed),
        execution_options={"synchronize_session": False},
    )
    if not isinstance(done, CursorResult) or done.rowcount != 1:
        await session.refresh(case)
        holder = claimer_of(config, case)
        if holder is not None and holder[1]["id"] == actor.user_id:
            raise Conflict("casework.error.already_yours")
        raise Conflict("casework.error.claimed_by", name=holder[1]["name"] if holder else "?")
    await session.refresh(case)
    await enqueue_card_updates(session, case)
    await session.flush()
    return case.code


async def release_case(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    handler: Handler,
    actor: Actor,
    case_ref: CaseRef,
    now: datetime,
) -> str:
    """Give the case back to the desk; only the one who holds it can. Returns the code."""
    case = await find_case(session, handler, case_ref, act=False)
    holder = claimer_of(config, case)
    if holder is None or holder[0] is not desk_of(handler):
        raise Conflict("casework.error.not_claimed")
    if holder[1]["id"] != actor.user_id:
        raise Conflict("casework.error.not_yours", name=holder[1]["name"])
    await session.execute(
        update(Case)
        .where(Case.id == case.id, Case.claim_desk == desk_of(handler).value)
        .values(claim_desk=None, claim=None),
        execution_options={"synchronize_session": False},
    )
    await session.refresh(case)
    await enqueue_card_updates(session, case)
    await session.flush()
    return case.code


async def release_claims_of(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    association_id: int,
    user_id: int,
    now: datetime,
) -> list[str]:
    """A VCP left the association's registry: the open member cases they had taken go
    back to the association's VCPs, each with a notice in the VCPs' channel (a nudge
    that names only the code). Returns the codes released.
    """
    cases = (
        await session.scalars(
            select(Case)
            .where(
                Case.association_id == association_id,
                Case.claim_desk == Desk.VCPS.value,
                Case.forwarded_on.is_(None),
                Case.status != CaseStatus.CLOSED.value,
            )
            .order_by(Case.id)
            .with_for_update()
        )
    ).all()
    released = []
    for case in cases:
        holder = claimer_of(config, case)
        if holder is None or holder[1]["id"] != user_id:
            continue
        case.claim_desk = None
        case.claim = None
        enqueue(
            session,
            kind=OutboxKind.OVERDUE_NUDGE,
            place=Place.ASSOCIATION,
            case_id=case.id,
            payload={"code": case.code, "released": True},
        )
        await enqueue_card_updates(session, case)
        released.append(case.code)
    await session.flush()
    return released


async def offer_to_team(session: AsyncSession, *, association_id: int) -> list[str]:
    """The association has no registered VCP left: each of its open member cases waits
    for its member's choice (``Undelivered.NO_VCPS``), who is told and decides in
    /my-case whether the UM team gets it. Nothing goes to the team by itself; the
    clock stops meanwhile. Returns the codes.
    """
    cases = (
        await session.scalars(
            select(Case)
            .where(
                Case.association_id == association_id,
                Case.route == Route.MEMBER.value,
                Case.forwarded_on.is_(None),
                Case.undelivered.is_(None),
                Case.status != CaseStatus.CLOSED.value,
            )
            .order_by(Case.id)
            .with_for_update()
        )
    ).all()
    for case in cases:
        case.undelivered = Undelivered.NO_VCPS.value
        case.ack_due = None
        notify_reporter(session, case, reason="undelivered")
    await session.flush()
    return [case.code for case in cases]
