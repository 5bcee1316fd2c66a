"""The reporter's choices in /my-case: who they are, a call, taking back, reopening.

A reporter is anonymous until they choose otherwise, and only in the case's sealed
conversation: letting the handlers know who they are (their Discord mention and
name, as the person who pressed the button) or asking for a call with a way to
reach them is a message of the reporter's with a ``MessageKind``, its details sealed
with the case key like any message. Nothing about who they are is stored anywhere
else: no column, no card, no log line.

A choice no handler has been shown yet (its seq above ``Case.read_seq``, which Open
raises) can be taken back: the message is deleted, not hidden. One already read
cannot be unread; the reporter can say they would rather stay anonymous from now on.

Reopening brings a closed case back to its handlers within its retention, with a
fresh acknowledgement clock, and takes it out of the closing figures until it
closes again.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.crypto import semester_of
from vcpbot.db.escalation import (
    CHOICE_KINDS,
    Author,
    Block,
    Case,
    CaseMessage,
    CaseStatus,
    MessageKind,
    Urgency,
)
from vcpbot.errors import Conflict, NotAllowed
from vcpbot.services.escalation._cases import reporter_view
from vcpbot.services.escalation._core import (
    ack_due,
    append_message,
    clean_text,
    deleted_on,
    enqueue_card_updates,
    local_day,
    reporter_pseudonyms,
)
from vcpbot.services.escalation._figures import count_closed
from vcpbot.services.escalation._receipts import case_of
from vcpbot.services.escalation._types import (
    ChoicesTaken,
    EscalationConfig,
    ReporterView,
    Unlocked,
)

NAME_MAX = 100  # a Discord display name is at most 32; room for what a client sends
CONTACT_MAX = 300


async def _open_case(session: AsyncSession, config: EscalationConfig, unlocked: Unlocked) -> Case:
    """The reporter's open case, or ``Conflict`` when it is closed."""
    case = await case_of(session, config, unlocked)
    if case is None:
        raise LookupError  # handled by the callers: None, as for ``open_case``
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    return case


async def _choose(
    session: AsyncSession,
    config: EscalationConfig,
    unlocked: Unlocked,
    kind: MessageKind,
    *,
    details: dict[str, str | int],
    now: datetime,
) -> ReporterView | None:
    try:
        case = await _open_case(session, config, unlocked)
    except LookupError:
        return None
    text = json.dumps(details, ensure_ascii=False, sort_keys=True)
    today = local_day(now, config.zone)
    await append_message(
        session, config, case, author=Author.REPORTER, text=text, today=today, kind=kind
    )
    await enqueue_card_updates(session, case)
    await session.flush()
    return await reporter_view(session, config, case)


async def reveal_identity(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    unlocked: Unlocked,
    name: str,
    now: datetime,
) -> ReporterView | None:
    """ "Let them know who I am": the person who unlocked the receipt (their user id, for
    a mention, and ``name``) becomes a message in the sealed conversation. None: as
    for ``open_case``; a closed case raises ``Conflict``."""
    details: dict[str, str | int] = {
        "user": unlocked.user_id,
        "name": clean_text(name, limit=NAME_MAX),
    }
    return await _choose(session, config, unlocked, MessageKind.IDENTITY, details=details, now=now)


async def ask_for_contact(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    unlocked: Unlocked,
    how: str,
    when: str | None,
    now: datetime,
) -> ReporterView | None:
    """ "I'd like a call or a meeting": how to reach them and when suits them, as they
    typed it, in the sealed conversation. None: as for ``open_case``."""
    details: dict[str, str | int] = {"how": clean_text(how, limit=CONTACT_MAX)}
    if when and when.strip():
        details["when"] = clean_text(when, limit=CONTACT_MAX)
    return await _choose(session, config, unlocked, MessageKind.CONTACT, details=details, now=now)


async def stay_anonymous(
    session: AsyncSession, *, config: EscalationConfig, unlocked: Unlocked, now: datetime
) -> ReporterView | None:
    """After a choice was read: the handlers are told the reporter would rather stay
    anonymous from now on. None: as for ``open_case``."""
    return await _choose(session, config, unlocked, MessageKind.ANONYMOUS, details={}, now=now)


async def take_back_choices(
    session: AsyncSession, *, config: EscalationConfig, unlocked: Unlocked
) -> ChoicesTaken | None:
    """Delete every choice no handler has been shown yet (really deleted); the ones
    already read stay, and the answer says whether there were any. None: as for
    ``open_case``."""
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    unread = (
        CaseMessage.case_id == case.id,
        CaseMessage.kind.in_([k.value for k in CHOICE_KINDS]),
        CaseMessage.seq > (case.read_seq or 0),
    )
    removed = len((await session.scalars(select(CaseMessage.seq).where(*unread))).all())
    if removed:
        await session.execute(delete(CaseMessage).where(*unread))
        await enqueue_card_updates(session, case)
        await session.flush()
    view = await reporter_view(session, config, case)
    return ChoicesTaken(view=view, removed=removed, read=view.choice_read)


async def _blocked(
    session: AsyncSession, config: EscalationConfig, case: Case, unlocked: Unlocked, today: date
) -> bool:
    """The case's sender (its sealed pseudonyms, while this runtime key opens them) or
    whoever holds the receipt now is on the block list."""
    pairs = reporter_pseudonyms(config, case) or set()
    names = {pair.split(":", 1)[1] for pair in pairs}
    names.add(config.runtime.semester_pseudonym(unlocked.user_id, semester_of(today)))
    found = await session.scalar(select(Block.pseudonym).where(Block.pseudonym.in_(names)))
    return found is not None


async def reopen_case(
    session: AsyncSession, *, config: EscalationConfig, unlocked: Unlocked, now: datetime
) -> ReporterView | None:
    """ "Reopen my case": a closed case goes back to its handlers, until the day retention
    deletes it. Status new (or forwarded, when it is the team's), a fresh acknowledgement
    clock, a line in the conversation, the card updated; out of the closing figures
    until it closes again. Not for a blocked sender. None: as for ``open_case``."""
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    if case.status != CaseStatus.CLOSED:
        raise Conflict("escalation.error.not_closed")
    today = local_day(now, config.zone)
    ends = deleted_on(case, config.policy)
    if ends is not None and ends <= today:
        raise NotAllowed("escalation.error.reopen_too_late")
    if await _blocked(session, config, case, unlocked, today):
        raise NotAllowed("escalation.error.blocked")
    await count_closed(session, case, sign=-1)
    case.outcome = None
    case.closed_on = None
    case.status = (
        CaseStatus.FORWARDED.value if case.forwarded_on is not None else CaseStatus.NEW.value
    )
    case.nudged = False
    case.ack_due = ack_due(Urgency(case.urgency), now=now, policy=config.policy, zone=config.zone)
    await append_message(
        session,
        config,
        case,
        author=Author.REPORTER,
        text="{}",
        today=today,
        kind=MessageKind.REOPENED,
    )
    await enqueue_card_updates(session, case)
    await session.flush()
    return await reporter_view(session, config, case)
