"""Date polls: the coordinator offers dates to a group, each person answers per date
(yes, if need be, no) until the deadline, and the best date becomes a planned session.

Who answered what is for the coordinator only (``poll_tally``); a person's own
answers are theirs (``answer_poll``). A poll is deleted with every answer when it
becomes a session, and otherwise ``POLL_KEPT_AFTER_DEADLINE`` after its deadline
(``purge_polls``, run by the leader).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.dml import execute_dml
from vcpbot.db.intervisie import LocationKind
from vcpbot.db.polls import (
    IntervisiePoll,
    IntervisiePollAnswer,
    IntervisiePollInvitee,
    IntervisiePollOption,
)
from vcpbot.errors import Conflict, InvalidInput, NotFound
from vcpbot.services.intervisie._invitees import resolve_invitees
from vcpbot.services.intervisie._planning import check_details, check_future, plan_session
from vcpbot.services.intervisie._types import (
    Invitees,
    Location,
    OptionTally,
    Policy,
    PollAnswer,
    PollAnswered,
    PollClosed,
    PollCreated,
    PollInviteeView,
    PollOptionView,
    PollTally,
    PollView,
    new_token,
)

POLL_OPTIONS_MIN = 2
POLL_OPTIONS_MAX = 10
POLL_KEPT_AFTER_DEADLINE = timedelta(days=30)


def _check_options(starts: Sequence[datetime], *, deadline: datetime, now: datetime) -> None:
    if not POLL_OPTIONS_MIN <= len(starts) <= POLL_OPTIONS_MAX:
        raise InvalidInput(
            "intervisie.poll.error.option_count", low=POLL_OPTIONS_MIN, high=POLL_OPTIONS_MAX
        )
    if len(set(starts)) != len(starts):
        raise InvalidInput("intervisie.poll.error.duplicate_option")
    if deadline >= min(starts):
        raise InvalidInput("intervisie.poll.error.deadline_after_option")


async def create_poll(
    session: AsyncSession,
    *,
    title: str,
    starts: Sequence[datetime],
    duration_minutes: int,
    location: Location,
    agenda: str | None,
    invitees: Invitees,
    deadline: datetime,
    remind_before: timedelta,
    now: datetime,
    policy: Policy,
) -> PollCreated:
    """A poll of ``starts`` (aware, in the future, 2–10, before none of them the deadline)
    to ``invitees``, with one reminder ``remind_before`` the deadline."""
    details = check_details(
        title=title,
        duration_minutes=duration_minutes,
        location=location,
        agenda=agenda,
        policy=policy,
    )
    for start in starts:
        check_future(start, now=now, zone=policy.zone)
    check_future(deadline, now=now, zone=policy.zone)
    _check_options(starts, deadline=deadline, now=now)
    remind_at = deadline - remind_before
    if remind_at <= now:
        raise InvalidInput(
            "intervisie.poll.error.reminder_past", when=remind_at.astimezone(policy.zone)
        )
    people = await resolve_invitees(session, invitees)
    poll = IntervisiePoll(
        title=details.title,
        zone=policy.zone.key,
        duration_minutes=details.duration_minutes,
        location_kind=details.location.kind,
        location=details.location.text,
        agenda=details.agenda,
        deadline=deadline.astimezone(UTC),
        remind_at=remind_at.astimezone(UTC),
        created_at=now,
    )
    session.add(poll)
    await session.flush()
    ordered = sorted(starts)
    session.add_all(
        IntervisiePollOption(poll_id=poll.id, position=n, starts_at=s.astimezone(UTC))
        for n, s in enumerate(ordered, start=1)
    )
    rows = [
        IntervisiePollInvitee(
            poll_id=poll.id,
            user_id=p.user_id,
            association_id=p.association_id,
            token=new_token(),
            dm_failed=False,
        )
        for p in people
    ]
    session.add_all(rows)
    await session.flush()
    return PollCreated(
        poll=await poll_view(session, poll), invitees=tuple(_invitee_view(r) for r in rows)
    )


def _invitee_view(row: IntervisiePollInvitee) -> PollInviteeView:
    return PollInviteeView(id=row.id, user_id=row.user_id, token=row.token)


async def poll_view(session: AsyncSession, row: IntervisiePoll) -> PollView:
    """The poll with its options, earliest first."""
    options = await session.scalars(
        select(IntervisiePollOption)
        .where(IntervisiePollOption.poll_id == row.id)
        .order_by(IntervisiePollOption.position)
    )
    return PollView(
        id=row.id,
        title=row.title,
        zone=row.zone,
        duration_minutes=row.duration_minutes,
        location_kind=LocationKind(row.location_kind),
        location=row.location,
        agenda=row.agenda,
        deadline=row.deadline.astimezone(UTC),
        remind_at=row.remind_at.astimezone(UTC),
        options=tuple(
            PollOptionView(o.id, o.position, o.starts_at.astimezone(UTC), row.zone)
            for o in options.all()
        ),
    )


async def _poll(session: AsyncSession, poll_id: int) -> IntervisiePoll:
    row = await session.get(IntervisiePoll, poll_id)
    if row is None:
        raise NotFound("intervisie.poll.error.unknown")
    return row


async def answer_poll(
    session: AsyncSession,
    *,
    token: str,
    user_id: int,
    position: int,
    answer: PollAnswer,
    now: datetime,
) -> PollAnswered:
    """The invitee's answer to one date; they may change it until the deadline."""
    invitee = await session.scalar(
        select(IntervisiePollInvitee).where(IntervisiePollInvitee.token == token)
    )
    if invitee is None or invitee.user_id != user_id:
        raise NotFound("intervisie.poll.error.gone")
    row = await _poll(session, invitee.poll_id)
    if row.deadline <= now:
        raise Conflict("intervisie.poll.error.closed")
    poll = await poll_view(session, row)
    option = next((o for o in poll.options if o.position == position), None)
    if option is None:
        raise NotFound("intervisie.poll.error.gone")
    existing = await session.get(IntervisiePollAnswer, (invitee.id, option.id))
    if existing is None:
        session.add(
            IntervisiePollAnswer(
                invitee_id=invitee.id, option_id=option.id, answer=answer, answered_at=now
            )
        )
    else:
        existing.answer = answer
        existing.answered_at = now
    await session.flush()
    return PollAnswered(
        poll=poll, option=option, answer=answer, mine=await _answers_of(session, invitee.id, poll)
    )


async def _answers_of(
    session: AsyncSession, invitee_id: int, poll: PollView
) -> dict[int, PollAnswer]:
    rows = await session.execute(
        select(IntervisiePollAnswer.option_id, IntervisiePollAnswer.answer).where(
            IntervisiePollAnswer.invitee_id == invitee_id
        )
    )
    by_option = {option_id: answer for option_id, answer in rows}
    return {o.position: PollAnswer(by_option[o.id]) for o in poll.options if o.id in by_option}


async def open_polls(session: AsyncSession) -> list[PollView]:
    """Every poll not yet turned into a session, soonest deadline first."""
    rows = await session.scalars(
        select(IntervisiePoll).order_by(IntervisiePoll.deadline, IntervisiePoll.id)
    )
    return [await poll_view(session, r) for r in rows.all()]


async def poll_tally(session: AsyncSession, *, poll_id: int) -> PollTally:
    """Who said what to each date (user ids): for the coordinator's eyes only."""
    poll = await poll_view(session, await _poll(session, poll_id))
    invitees = (
        await session.scalars(
            select(IntervisiePollInvitee)
            .where(IntervisiePollInvitee.poll_id == poll_id)
            .order_by(IntervisiePollInvitee.id)
        )
    ).all()
    user_of = {i.id: i.user_id for i in invitees}
    answers = await session.execute(
        select(
            IntervisiePollAnswer.invitee_id,
            IntervisiePollAnswer.option_id,
            IntervisiePollAnswer.answer,
        ).where(IntervisiePollAnswer.invitee_id.in_(list(user_of)))
    )
    said: dict[tuple[int, int], str] = {(i, o): a for i, o, a in answers}
    options = tuple(
        OptionTally(
            option=o,
            **{
                kind.name.lower(): tuple(
                    user_of[i] for i in user_of if said.get((i, o.id)) == kind.value
                )
                for kind in PollAnswer
            },
        )
        for o in poll.options
    )
    incomplete = tuple(
        user_of[i] for i in user_of if any((i, o.id) not in said for o in poll.options)
    )
    return PollTally(
        poll=poll,
        options=options,
        incomplete=incomplete,
        invited=len(user_of),
        best=_best(options),
    )


def _best(options: Sequence[OptionTally]) -> int:
    """Most yes, then most yes or if-need-be, then the earliest."""
    return max(
        options,
        key=lambda t: (len(t.yes), len(t.yes) + len(t.maybe), -t.option.position),
    ).option.position


async def close_poll(
    session: AsyncSession,
    *,
    poll_id: int,
    position: int | None,
    now: datetime,
    policy: Policy,
) -> PollClosed:
    """Plan the chosen date (the best when ``position`` is None) as a session for everyone
    asked, exactly as ``plan_session`` plans one; then delete the poll and its answers."""
    tally = await poll_tally(session, poll_id=poll_id)
    chosen_position = tally.best if position is None else position
    chosen = next((o for o in tally.poll.options if o.position == chosen_position), None)
    if chosen is None:
        raise InvalidInput("intervisie.poll.error.unknown_option", max=len(tally.poll.options))
    asked = await session.scalars(
        select(IntervisiePollInvitee.user_id)
        .where(IntervisiePollInvitee.poll_id == poll_id)
        .order_by(IntervisiePollInvitee.id)
    )
    people = tuple(asked.all())
    poll = tally.poll
    planned = await plan_session(
        session,
        title=poll.title,
        starts_at=chosen.starts_at,
        duration_minutes=poll.duration_minutes,
        location=Location(poll.location_kind, poll.location),
        agenda=poll.agenda,
        invitees=Invitees.people(*people),
        now=now,
        policy=policy,
    )
    await _delete_polls(session, [poll_id])
    return PollClosed(poll=poll, chosen=chosen, planned=planned, asked=people)


async def _delete_polls(session: AsyncSession, poll_ids: Sequence[int]) -> int:
    """Delete polls with their options, invitees and answers (not relying on cascades,
    which SQLite applies only with its foreign keys on)."""
    if not poll_ids:
        return 0
    invitees = select(IntervisiePollInvitee.id).where(IntervisiePollInvitee.poll_id.in_(poll_ids))
    for statement in (
        delete(IntervisiePollAnswer).where(IntervisiePollAnswer.invitee_id.in_(invitees)),
        delete(IntervisiePollInvitee).where(IntervisiePollInvitee.poll_id.in_(poll_ids)),
        delete(IntervisiePollOption).where(IntervisiePollOption.poll_id.in_(poll_ids)),
    ):
        await session.execute(statement.execution_options(synchronize_session=False))
    result = await execute_dml(
        session,
        delete(IntervisiePoll)
        .where(IntervisiePoll.id.in_(poll_ids))
        .execution_options(synchronize_session=False),
    )
    return result.rowcount


async def purge_polls(session: AsyncSession, *, now: datetime) -> int:
    """Delete the polls whose deadline passed ``POLL_KEPT_AFTER_DEADLINE`` ago; how many."""
    old = await session.scalars(
        select(IntervisiePoll.id).where(IntervisiePoll.deadline <= now - POLL_KEPT_AFTER_DEADLINE)
    )
    return await _delete_polls(session, list(old.all()))


async def record_poll_delivery(session: AsyncSession, *, unreachable: Sequence[int]) -> None:
    """Flag the invitees (by invitee id) whose poll DM could not be delivered."""
    for row in (
        await session.scalars(
            select(IntervisiePollInvitee).where(IntervisiePollInvitee.id.in_(list(unreachable)))
        )
    ).all():
        row.dm_failed = True
