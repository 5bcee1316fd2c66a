"""What every part of anonymous escalation shares: clean text, clocks, sealing.

Import the public API from ``vcpbot.services.escalation``; this module is its
foundation and holds no business flow of its own (the configuration is in ``_types``).
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.crypto import open_sealed, seal
from vcpbot.db.escalation import (
    CHOICE_KINDS,
    Author,
    Case,
    CaseMessage,
    CaseStatus,
    Category,
    Consent,
    MessageKind,
    OutboxItem,
    OutboxKind,
    Outcome,
    Place,
    Route,
    Urgency,
)
from vcpbot.errors import InvalidInput
from vcpbot.services.escalation._figures import count_closed
from vcpbot.services.escalation._types import EscalationConfig, Handler, MessageView
from vcpbot.settings import EscalationSettings

TEXT_MAX = 4000  # a Discord modal's longest paragraph field
_KEEP_FORMAT = {"\u200d"}  # the zero-width joiner holds emoji sequences together
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " "})


# --- text ----------------------------------------------------------------------


def clean_text(text: str, *, limit: int = TEXT_MAX) -> str:
    """What a person wrote, made safe to store and relay: NFC, no control or format
    characters (bidi overrides, zero-width spaces) except line breaks, trimmed, and
    between 1 and ``limit`` characters.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").translate(_LINE_BREAKS))
    kept = []
    for char in text:
        kind = unicodedata.category(char)
        if char == "\n" or char in _KEEP_FORMAT or kind not in ("Cc", "Cf", "Cs"):
            kept.append(char)
    cleaned = "".join(kept).strip()
    if not cleaned:
        raise InvalidInput("escalation.error.text_empty")
    if len(cleaned) > limit:
        raise InvalidInput("escalation.error.text_too_long", limit=limit, length=len(cleaned))
    return cleaned


def parse_category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise InvalidInput("escalation.error.unknown_category") from None


def parse_urgency(value: str) -> Urgency:
    try:
        return Urgency(value)
    except ValueError:
        raise InvalidInput("escalation.error.unknown_urgency") from None


def parse_outcome(value: str) -> Outcome:
    """A handler's outcome; the reporter's own closing is not theirs to choose."""
    try:
        outcome = Outcome(value)
    except ValueError:
        raise InvalidInput("escalation.error.unknown_outcome") from None
    if outcome is Outcome.CLOSED_BY_REPORTER:
        raise InvalidInput("escalation.error.unknown_outcome")
    return outcome


# --- time ----------------------------------------------------------------------


def local_day(now: datetime, zone: ZoneInfo) -> date:
    if now.tzinfo is None:
        raise ValueError("pass an aware datetime as now")
    return now.astimezone(zone).date()


def add_working_days(day: date, count: int) -> date:
    """``count`` working days (Monday to Friday) after ``day``; a weekend day counts from Monday."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def ceil_to_hour(moment: datetime) -> datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(hours=1)


def ack_due(
    urgency: Urgency, *, now: datetime, policy: EscalationSettings, zone: ZoneInfo
) -> datetime:
    """When acknowledgement is due, stored no finer than the clock needs.

    Urgent counts clock hours, weekends included (a safety risk does not wait for
    Monday); the due time is rounded up to the hour, the coarsest value that still
    keeps a 4-hour target meaningful, so no minute of submission is stored.
    Soon and routine count working days in the deployment's time zone; the due
    time is the local midnight that ends the last working day, a day boundary.
    """
    if urgency is Urgency.URGENT:
        return ceil_to_hour(now.astimezone(UTC) + timedelta(hours=policy.ack_urgent_hours))
    days = (
        policy.ack_soon_working_days if urgency is Urgency.SOON else policy.ack_routine_working_days
    )
    last = add_working_days(local_day(now, zone), days)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


# --- sealing a case's content -------------------------------------------------


def case_aad(case_id: int, purpose: str) -> bytes:
    """Binds a sealed value to its row and field, so it cannot be moved to another.

    The master key's version is bound where it matters, in the wrapped data key;
    the content itself is under the per-case key, which rotation never changes.
    """
    return f"vcpbot:case:{case_id}:{purpose}:v1".encode()


def message_aad(case_id: int, seq: int) -> bytes:
    return case_aad(case_id, f"message:{seq}")


def data_key(config: EscalationConfig, case: Case) -> bytes:
    return config.keys.master.unwrap(case.wrapped_key, case_id=case.id, version=case.key_version)


def seal_for(config: EscalationConfig, case: Case, text: str, purpose: str) -> bytes:
    """Sealed under the case's own key, bound to the case and the field."""
    return seal(text, key=data_key(config, case), aad=case_aad(case.id, purpose))


def open_for(config: EscalationConfig, case: Case, blob: bytes, purpose: str) -> str:
    return open_sealed(blob, key=data_key(config, case), aad=case_aad(case.id, purpose))


# --- what only the runtime key opens --------------------------------------------


def reporter_pseudonyms(config: EscalationConfig, case: Case) -> set[str] | None:
    """The ``semester:pseudonym`` pairs sealed on the case (this semester and the next),
    or None when this runtime key cannot open them (sealed before a reboot or an upgrade).
    """
    opened = config.runtime.open(case.reporter_tag, case_id=case.id, purpose="reporter-tag")
    return None if opened is None else set(opened.split("\n"))


def seal_dm_link(config: EscalationConfig, case: Case, user_id: int) -> bytes:
    """The way to DM the reporter: their user id, sealed to the runtime key."""
    return config.runtime.seal(str(user_id), case_id=case.id, purpose="dm-link")


def open_dm_link(config: EscalationConfig, case_id: int, link: bytes | None) -> int | None:
    """The reporter's user id, or None when the link is gone or no longer opens."""
    opened = config.runtime.open(link, case_id=case_id, purpose="dm-link")
    return None if opened is None else int(opened)


# --- shared row helpers --------------------------------------------------------


async def append_message(
    session: AsyncSession,
    config: EscalationConfig,
    case: Case,
    *,
    author: Author,
    text: str,
    today: date,
    kind: MessageKind | None = None,
) -> int:
    last = await session.scalar(
        select(CaseMessage.seq)
        .where(CaseMessage.case_id == case.id)
        .order_by(CaseMessage.seq.desc())
        .limit(1)
    )
    seq = (last or 0) + 1
    key = data_key(config, case)
    session.add(
        CaseMessage(
            case_id=case.id,
            seq=seq,
            author=author.value,
            body=seal(text, key=key, aad=message_aad(case.id, seq)),
            created_on=today,
            kind=kind.value if kind else None,
        )
    )
    return seq


async def read_messages(
    session: AsyncSession,
    config: EscalationConfig,
    case: Case,
    *,
    from_seq: int = 1,
    before_seq: int | None = None,
) -> tuple[MessageView, ...]:
    query = (
        select(CaseMessage)
        .where(CaseMessage.case_id == case.id, CaseMessage.seq >= from_seq)
        .order_by(CaseMessage.seq)
    )
    if before_seq is not None:
        query = query.where(CaseMessage.seq < before_seq)
    key = data_key(config, case)
    return tuple(
        MessageView(
            seq=m.seq,
            author=Author(m.author),
            text=open_sealed(m.body, key=key, aad=message_aad(case.id, m.seq)),
            on=m.created_on,
            summary=m.seq == case.summary_seq,
            urgent_reason=m.seq == case.reason_seq,
            kind=MessageKind(m.kind) if m.kind else None,
        )
        for m in (await session.scalars(query)).all()
    )


def choices_seen(case: Case, messages: tuple[MessageView, ...]) -> tuple[bool, bool]:
    """Whether the reporter's choices (who they are, a call) include ones no handler has
    been shown yet, and ones a handler has."""
    seqs = [m.seq for m in messages if m.kind in CHOICE_KINDS]
    read_up_to = case.read_seq or 0
    return any(s > read_up_to for s in seqs), any(s <= read_up_to for s in seqs)


async def replied_to(session: AsyncSession, cases: list[Case]) -> set[int]:
    """The cases a handler (the team, or the VCPs) has written a reply in: a message of
    theirs that is not a forwarding VCP's summary or reason for the team."""
    if not cases:
        return set()
    for_team = {c.id: {c.summary_seq, c.reason_seq} for c in cases}
    rows = await session.execute(
        select(CaseMessage.case_id, CaseMessage.seq).where(
            CaseMessage.case_id.in_(list(for_team)),
            CaseMessage.author.in_([Author.VCP.value, Author.TEAM.value]),
        )
    )
    return {case_id for case_id, seq in rows.all() if seq not in for_team[case_id]}


def held_until_batch(case: Case) -> bool:
    """What a reporter starts goes with the next batch, unless it is urgent."""
    return case.urgency != Urgency.URGENT


def with_team(case: Case) -> bool:
    """The case is the UM team's now: a VCP's, or a member's the VCPs passed on."""
    return Handler.team().holds(case)


def holder_place(case: Case) -> Place:
    return Place.HUB if with_team(case) else Place.ASSOCIATION


def enqueue(
    session: AsyncSession,
    *,
    kind: OutboxKind,
    place: Place,
    case_id: int | None = None,
    payload: dict[str, Any] | None = None,
    dm_link: bytes | None = None,
    held: bool = False,
) -> None:
    """Add an outbox row in the caller's transaction: it exists exactly when the change does.

    ``held``: it goes with the next batch instead of at once (what a reporter starts,
    unless urgent), so when it appears in Discord says nothing about when they acted.
    """
    session.add(
        OutboxItem(
            case_id=case_id,
            kind=kind.value,
            place=place.value,
            payload=json.dumps(payload or {}, sort_keys=True, separators=(",", ":")),
            delivery_key=secrets.token_hex(16),
            attempts=0,
            held=held,
            dm_link=dm_link,
        )
    )


def notify_reporter(session: AsyncSession, case: Case, *, reason: str) -> None:
    """Queue a DM notice if the reporter opted in: "you have a new message", or, if they
    asked for ``detail``, what kind (``reason``)."""
    if case.dm_link is None:
        return
    payload: dict[str, Any] = {"reason": reason, "detail": bool(case.notice_detail)}
    enqueue(
        session,
        kind=OutboxKind.REPLY_NOTICE,
        place=Place.DM,
        case_id=case.id,
        payload=payload,
        dm_link=case.dm_link,
    )


def deleted_on(case: Case, policy: EscalationSettings) -> date | None:
    """The day retention destroys a closed case (the daily upkeep on that day)."""
    if case.closed_on is None:
        return None
    return case.closed_on + timedelta(days=policy.retention_days)


async def enqueue_card_updates(session: AsyncSession, case: Case) -> None:
    """Refresh every card the case has or will have (the hub's, the association's)."""
    places = {holder_place(case)}
    if case.route == Route.MEMBER:
        places.add(Place.ASSOCIATION)
    for place in sorted(places):
        enqueue(session, kind=OutboxKind.CASE_CARD_UPDATE, place=place, case_id=case.id)


async def upsert_add(
    session: AsyncSession, model: type[Any], keys: dict[str, Any], column: str = "count"
) -> None:
    """``count += 1`` on the row with these keys, or insert it at 1; race-free on both databases."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**keys, **{column: 1})
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={column: getattr(model, column) + 1},
    )
    await session.execute(statement)


async def close_case_row(
    session: AsyncSession, case: Case, *, outcome: Outcome, now: datetime, zone: ZoneInfo
) -> None:
    """Close, drop the way back to the reporter and a question still waiting for them,
    and count the case in the figures (``count_closed``)."""
    case.status = CaseStatus.CLOSED.value
    if case.consent == Consent.ASKED:
        case.consent = Consent.WITHDRAWN.value
    case.consent_summary = None
    case.outcome = outcome.value
    case.closed_on = local_day(now, zone)
    case.ack_due = None
    case.dm_link = None
    # What outlives the case after retention: its counts and durations, counted now,
    # by the quarter it was reported in, so statistics need not wait for the purge.
    await count_closed(session, case)
    await enqueue_card_updates(session, case)
