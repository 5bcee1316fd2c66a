"""Trainings and workshops: planned as intervisie sessions of kind "training", with a
topic and a validity; attendance records completion per person; reminders when due.

A training uses every part of intervisie (invitations, answers, reminders,
attendance); what it adds is here. Marking attendance of a training writes one
record per person who came (completed at the session's start, expiring
``valid_months`` later, on the same day of the month in the session's zone) and
removes the record of anyone marked absent again. A person's own records are theirs
to see in ``/intervisie mine``; readiness counts current ones per association.

Due reminders are claimed one at a time (a ``training_notices`` row, unique per record
and stage) and committed before the DM is sent, so a reminder is never claimed twice.
A claim that ran out without an outcome (the process stopped) is in doubt: the next
leader looks for the DM in the person's messages before sending it, as intervisie's
reminders do, so it arrives once.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.dml import execute_dml
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession
from vcpbot.db.training import TrainingNotice, TrainingRecord
from vcpbot.errors import InvalidInput
from vcpbot.services import languages
from vcpbot.services.intervisie._types import (
    TrainingNoticeToSend,
    TrainingRecordView,
    TrainingStage,
)
from vcpbot.services.privacy import eraser

KIND_INTERVISIE = "intervisie"
KIND_TRAINING = "training"
TOPIC_MAX = 100
VALID_MONTHS_MAX = 120
# When a topic has never been given a validity: refresh every two years.
DEFAULT_VALID_MONTHS = 24
# The first reminder: this long before a training expires.
DUE_SOON = timedelta(days=30)
# A claimed reminder is its claimer's to send for this long; after that it is in doubt.
TRAINING_LEASE = timedelta(minutes=10)


def add_months(moment: datetime, months: int, zone: ZoneInfo) -> datetime:
    """The same wall time ``months`` later in ``zone`` (the 31st becomes the month's last)."""
    local = moment.astimezone(zone)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def _clean_topic(topic: str) -> str:
    cleaned = " ".join(topic.split())
    if not cleaned or len(cleaned) > TOPIC_MAX:
        raise InvalidInput("training.error.bad_topic", limit=TOPIC_MAX)
    return cleaned


async def default_valid_months(session: AsyncSession, *, topic: str) -> int:
    """The validity the last training of this topic had, else ``DEFAULT_VALID_MONTHS``."""
    wanted = _clean_topic(topic).casefold()
    rows = await session.execute(
        select(IntervisieSession.topic, IntervisieSession.valid_months)
        .where(IntervisieSession.kind == KIND_TRAINING)
        .order_by(IntervisieSession.created_at.desc(), IntervisieSession.id.desc())
    )
    for known, months in rows.all():
        if known is not None and months and known.casefold() == wanted:
            return int(months)
    return DEFAULT_VALID_MONTHS


async def make_training(
    session: AsyncSession,
    *,
    session_ids: Sequence[int],
    topic: str,
    valid_months: int | None,
) -> int:
    """Mark just-planned sessions as a training of ``topic``, valid ``valid_months``
    (or the topic's default); returns the months used. Raises ``InvalidInput`` for an
    empty or too long topic or a validity outside 1-120 months."""
    cleaned = _clean_topic(topic)
    if valid_months is not None and not 1 <= valid_months <= VALID_MONTHS_MAX:
        raise InvalidInput("training.error.bad_months", limit=VALID_MONTHS_MAX)
    months = valid_months or await default_valid_months(session, topic=cleaned)
    for session_id in session_ids:
        row = await session.get(IntervisieSession, session_id)
        if row is not None:
            row.kind, row.topic, row.valid_months = KIND_TRAINING, cleaned, months
    await session.flush()
    return months


async def record_completions(session: AsyncSession, *, session_id: int, now: datetime) -> None:
    """After attendance of a training is marked: a record for each person present, none
    for anyone marked absent. Nothing for an intervisie session."""
    row = await session.get(IntervisieSession, session_id)
    if row is None or row.kind != KIND_TRAINING or row.topic is None:
        return
    months = row.valid_months or DEFAULT_VALID_MONTHS
    expires = add_months(row.starts_at, months, ZoneInfo(row.zone))
    invitations = await session.scalars(
        select(IntervisieInvitation).where(
            IntervisieInvitation.session_id == session_id,
            IntervisieInvitation.user_id.is_not(None),
        )
    )
    records = {
        r.user_id: r
        for r in await session.scalars(
            select(TrainingRecord).where(TrainingRecord.session_id == session_id)
        )
    }
    for invitation in invitations.all():
        user_id = invitation.user_id
        assert user_id is not None  # noqa: S101 - filtered in the query
        record = records.get(user_id)
        if invitation.attended and record is None:
            session.add(
                TrainingRecord(
                    user_id=user_id,
                    topic=row.topic,
                    session_id=session_id,
                    completed_at=row.starts_at,
                    expires_at=expires,
                    recorded_at=now,
                )
            )
        elif not invitation.attended and record is not None:
            await session.delete(record)
    await session.flush()


async def training_topic(session: AsyncSession, *, session_id: int) -> str | None:
    """The topic when this session is a training, else None."""
    row = await session.get(IntervisieSession, session_id)
    return row.topic if row is not None and row.kind == KIND_TRAINING else None


def _view(row: TrainingRecord) -> TrainingRecordView:
    return TrainingRecordView(
        id=row.id,
        user_id=row.user_id,
        topic=row.topic,
        completed_at=row.completed_at.astimezone(UTC),
        expires_at=row.expires_at.astimezone(UTC),
    )


def _latest(rows: Sequence[TrainingRecord]) -> dict[tuple[int, str], TrainingRecord]:
    """Per person and topic, the record that counts: the one completed last."""
    latest: dict[tuple[int, str], TrainingRecord] = {}
    for row in rows:
        key = (row.user_id, row.topic.casefold())
        if key not in latest or row.completed_at > latest[key].completed_at:
            latest[key] = row
    return latest


async def my_trainings(session: AsyncSession, *, user_id: int) -> list[TrainingRecordView]:
    """A person's own training record: the last completion of each topic, by topic."""
    rows = (
        await session.scalars(select(TrainingRecord).where(TrainingRecord.user_id == user_id))
    ).all()
    return sorted((_view(r) for r in _latest(rows).values()), key=lambda v: v.topic.casefold())


async def _in_doubt(session: AsyncSession, now: datetime) -> TrainingNoticeToSend | None:
    """A claim whose lease ran out without an outcome: the process may have sent it."""
    notice = await session.scalar(
        select(TrainingNotice)
        .where(TrainingNotice.outcome.is_(None), TrainingNotice.claimed_at <= now - TRAINING_LEASE)
        .order_by(TrainingNotice.claimed_at, TrainingNotice.id)
        .limit(1)
    )
    if notice is None:
        return None
    record = await session.get(TrainingRecord, notice.record_id)
    if record is None:  # pragma: no cover - the foreign key cascades
        return None
    notice.claimed_at = now
    await session.flush()
    locale = await languages.remembered(session, user_id=record.user_id)
    return TrainingNoticeToSend(
        record=_view(record), stage=TrainingStage(notice.stage), locale=locale, in_doubt=True
    )


async def claim_training_notice(
    session: AsyncSession, *, now: datetime
) -> TrainingNoticeToSend | None:
    """Claim the next reminder to send, or None. First one whose earlier claim ran out
    (``in_doubt``: look for its DM before sending again); then one that fell due: "soon"
    from ``DUE_SOON`` before expiry, "expired" from expiry, only for the record that
    counts (a newer completion ends the old one's reminders). Each stage of a record is
    claimed once; a "soon" never sent because the record already expired is settled as
    skipped. The caller commits, sends, then settles it, one at a time, so a stop in
    between leaves at most this one in doubt."""
    doubted = await _in_doubt(session, now)
    if doubted is not None:
        return doubted
    horizon = now + DUE_SOON
    users = select(TrainingRecord.user_id).where(TrainingRecord.expires_at <= horizon)
    rows = (
        await session.scalars(select(TrainingRecord).where(TrainingRecord.user_id.in_(users)))
    ).all()
    due = [r for r in _latest(rows).values() if r.expires_at <= horizon]
    for row in sorted(due, key=lambda r: (r.expires_at, r.id)):
        stages = {
            n.stage
            for n in await session.scalars(
                select(TrainingNotice).where(TrainingNotice.record_id == row.id)
            )
        }
        stage = TrainingStage.EXPIRED if row.expires_at <= now else TrainingStage.SOON
        if stage in stages:
            continue
        if stage is TrainingStage.EXPIRED and TrainingStage.SOON not in stages:
            session.add(
                TrainingNotice(
                    record_id=row.id, stage=TrainingStage.SOON, claimed_at=now, outcome="skipped"
                )
            )
        session.add(TrainingNotice(record_id=row.id, stage=stage, claimed_at=now))
        await session.flush()
        locale = await languages.remembered(session, user_id=row.user_id)
        return TrainingNoticeToSend(record=_view(row), stage=stage, locale=locale)
    return None


async def settle_training_notice(
    session: AsyncSession, *, record_id: int, stage: TrainingStage, delivered: bool
) -> None:
    """What became of a claimed reminder: sent, or the person could not be reached."""
    notice = await session.scalar(
        select(TrainingNotice).where(
            TrainingNotice.record_id == record_id, TrainingNotice.stage == stage
        )
    )
    if notice is not None:
        notice.outcome = "sent" if delivered else "unreachable"
        await session.flush()


@eraser("training", "training_records", "training_notices")
async def erase_training_records(session: AsyncSession, user_id: int) -> list[str]:
    """A person's training records, with their reminders, are deleted whole."""
    mine = select(TrainingRecord.id).where(TrainingRecord.user_id == user_id)
    await session.execute(
        delete(TrainingNotice)
        .where(TrainingNotice.record_id.in_(mine))
        .execution_options(synchronize_session=False)
    )
    deleted = await execute_dml(
        session,
        delete(TrainingRecord)
        .where(TrainingRecord.user_id == user_id)
        .execution_options(synchronize_session=False),
    )
    return ["privacy.removed.training_records"] if deleted.rowcount else []
