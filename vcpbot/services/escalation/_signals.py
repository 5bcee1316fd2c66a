"""What the hub is told without anyone asking: pattern notices and overdue nudges."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from itertools import combinations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.escalation import Case, CaseStatus, OutboxKind, Place, Route
from vcpbot.services.escalation._core import (
    enqueue,
    enqueue_card_updates,
    holder_place,
    local_day,
    reporter_pseudonyms,
)
from vcpbot.services.escalation._desk import claimed_by_holder
from vcpbot.services.escalation._types import EscalationConfig, PatternSignal


async def signal_patterns(
    session: AsyncSession, *, config: EscalationConfig, now: datetime
) -> list[PatternSignal]:
    """Queue a hub notice for each new pattern: two or more open cases with the team,
    from different reporters, about the same association and category, reported in
    the last ``pattern_window_days``.

    Reporters are told apart by their sealed pseudonyms, opened only here in memory
    with the runtime key; a case sealed under an earlier runtime key (before a
    reboot) counts as another reporter's, so after a reboot one person's older and
    newer cases can make a notice.
    A group is signalled again only when it gains a case that was not in an earlier
    notice, so the same set is never announced twice. Cases whose reporters withheld
    the association are grouped only with each other, so a notice can never reveal a
    withheld association by pairing the case with one that shows it.
    """
    since = local_day(now, config.zone) - timedelta(days=config.policy.pattern_window_days)
    rows = (
        await session.scalars(
            select(Case)
            .where(
                Case.status != CaseStatus.CLOSED.value,
                Case.association_id.is_not(None),
                Case.created_on >= since,
                or_(Case.route == Route.VCP.value, Case.forwarded_on.is_not(None)),
            )
            .order_by(Case.created_on, Case.id)
        )
    ).all()
    groups: dict[tuple[int, str, bool], list[Case]] = defaultdict(list)
    for case in rows:
        groups[(case.association_id or 0, case.category, case.association_shown)].append(case)
    signals = []
    for (_, _, shown), cases in sorted(groups.items()):
        if len(cases) < 2 or all(c.pattern_signalled for c in cases):
            continue
        tags = [reporter_pseudonyms(config, c) or {f"unknown:{c.id}"} for c in cases]
        if not any(a.isdisjoint(b) for a, b in combinations(tags, 2)):
            continue  # all from one person: not a pattern
        codes = tuple(c.code for c in cases)
        for case in cases:
            case.pattern_signalled = True
        enqueue(
            session,
            kind=OutboxKind.PATTERN_SIGNAL,
            place=Place.HUB,
            case_id=cases[-1].id,
            payload={"codes": list(codes), "association_withheld": not shown},
            # With the cards of the batch it may name: never before them, and never at
            # the moment of the Submit that completed the pattern.
            held=True,
        )
        signals.append(PatternSignal(codes=codes, association_withheld=not shown))
    await session.flush()
    return signals


async def queue_overdue_nudges(
    session: AsyncSession, *, config: EscalationConfig, now: datetime
) -> list[str]:
    """Nudge whoever holds each case whose acknowledgement clock ran out (once per clock).

    Returns the case codes nudged. Run it often (every few minutes): the urgent
    clock counts hours.
    """
    rows = (
        await session.scalars(
            select(Case)
            .where(
                Case.ack_due.is_not(None),
                Case.ack_due <= now,
                Case.nudged.is_(False),
                Case.status != CaseStatus.CLOSED.value,
            )
            .order_by(Case.ack_due, Case.id)
            .with_for_update()
        )
    ).all()
    for case in rows:
        case.nudged = True
        enqueue(
            session,
            kind=OutboxKind.OVERDUE_NUDGE,
            place=holder_place(case),
            case_id=case.id,
            payload={"code": case.code, "claimed": claimed_by_holder(case)},
        )
        await enqueue_card_updates(session, case)
    await session.flush()
    return [case.code for case in rows]
