"""The coordinator plans, moves and cancels intervisie; VCPs answer. SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.services.intervisie.steps import (
    ADVISER,
    AHMED,
    AMS,
    GONE_VCP,
    LIV,
    NOW,
    PAUSED_VCP,
    PENDING_VCP,
    POLICY,
    SANNE,
    answer,
    build_network,
    plan,
    reminders_by_lead,
)
from vcpbot.db import Database
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.i18n import t
from vcpbot.services import intervisie, languages, network
from vcpbot.services.intervisie import Invitees, Location, Rsvp, SessionStatus

START = datetime(2026, 9, 15, 19, 30, tzinfo=AMS)


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _series(db: Database, first: datetime, until: date, **overrides) -> intervisie.Planned:
    values = dict(
        title="Intervisie blok 1",
        first_start=first,
        interval_weeks=1,
        until=until,
        duration_minutes=120,
        location=Location.online("https://maastrichtuniversity.zoom.us/j/1"),
        agenda="Casusbespreking",
        invitees=Invitees.of_associations("Tragos"),
        now=NOW,
        policy=POLICY,
    )
    values.update(overrides)
    async with db.sessions.begin() as session:
        return await intervisie.plan_series(session, **values)


async def test_a_one_off_session_invites_the_chosen_people(world: Database) -> None:
    planned = await plan(world, START, invitees=Invitees.people(SANNE, ADVISER))
    [session] = planned.sessions
    assert session.starts_at == datetime(2026, 9, 15, 17, 30, tzinfo=UTC)
    assert session.local_start.strftime("%H:%M") == "19:30"
    assert session.sequence == 0 and session.status is SessionStatus.PLANNED
    by_user = {i.user_id: i for i in planned.invitations}
    assert set(by_user) == {SANNE, ADVISER}
    # Sanne is a VCP of Tragos; the adviser belongs to no association.
    assert by_user[SANNE].association_id is not None
    assert by_user[ADVISER].association_id is None
    assert all(i.rsvp is Rsvp.NONE for i in planned.invitations)
    assert len({i.token for i in planned.invitations} | {session.token}) == 3


async def test_all_active_vcps_means_approved_associations_with_the_bot_present(
    world: Database,
) -> None:
    planned = await plan(world, START, invitees=Invitees.everyone())
    invited = {i.user_id for i in planned.invitations}
    assert invited == {SANNE, AHMED, LIV}
    assert not {PENDING_VCP, PAUSED_VCP, GONE_VCP} & set(invited)


async def test_a_vcp_of_two_associations_is_invited_once(world: Database) -> None:
    async with world.sessions.begin() as session:
        await network.add_vcp(
            session, guild_id=2, user_id=SANNE, display_name="Sanne", actor_id=1, now=NOW
        )
    planned = await plan(world, START, invitees=Invitees(all_active=True, user_ids=(SANNE,)))
    assert sorted(i.user_id for i in planned.invitations) == [SANNE, AHMED, LIV]


async def test_associations_are_chosen_by_name_or_short_name(world: Database) -> None:
    planned = await plan(world, START, invitees=Invitees.of_associations("tragos", "Saurus"))
    assert sorted(i.user_id for i in planned.invitations) == [SANNE, AHMED, LIV]


@pytest.mark.parametrize(
    ("invitees", "error", "key"),
    [
        (Invitees.of_associations("Nope"), NotFound, "intervisie.error.unknown_association"),
        (Invitees.of_associations("Koko"), InvalidInput, "intervisie.error.association_inactive"),
        (Invitees.of_associations("Circ"), InvalidInput, "intervisie.error.association_inactive"),
        (Invitees(), InvalidInput, "intervisie.error.no_invitees"),
    ],
)
async def test_invitees_that_cannot_be_used_are_refused(world, invitees, error, key) -> None:
    with pytest.raises(error) as caught:
        await plan(world, START, invitees=invitees)
    assert caught.value.key == key
    assert t(key, "en", **caught.value.params)
    async with world.sessions.begin() as session:
        assert await intervisie.upcoming_sessions(session, now=NOW) == []


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"title": "  "}, "intervisie.error.bad_title"),
        ({"duration_minutes": 481}, "when.error.duration_too_long"),
        ({"duration_minutes": 0}, "when.error.duration_too_short"),
        ({"location": Location.room("")}, "intervisie.error.bad_room"),
        ({"location": Location.online("http://zoom.example/1")}, "intervisie.error.bad_link"),
        ({"location": Location.online("zoom")}, "intervisie.error.bad_link"),
        ({"agenda": "x" * 1001}, "intervisie.error.agenda_too_long"),
        ({"starts_at": datetime(2026, 9, 1, 11, 0, tzinfo=AMS)}, "when.error.in_past"),
    ],
)
async def test_bad_details_are_refused(world: Database, changes: dict, key: str) -> None:
    values = dict(
        title="Intervisie",
        starts_at=START,
        duration_minutes=90,
        location=Location.room("Zaal 2"),
        agenda=None,
        invitees=Invitees.people(SANNE),
        now=NOW,
        policy=POLICY,
    )
    values.update(changes)
    async with world.sessions.begin() as session:
        with pytest.raises(InvalidInput) as caught:
            await intervisie.plan_session(session, **values)
    assert caught.value.key == key
    assert "{" not in t(key, "nl", **caught.value.params)


async def test_a_weekly_series_keeps_1930_in_amsterdam_across_the_dst_change(
    world: Database,
) -> None:
    planned = await _series(world, datetime(2026, 10, 13, 19, 30, tzinfo=AMS), date(2026, 11, 3))
    assert planned.series is not None
    assert planned.series.weekday == 1 and planned.series.local_time.strftime("%H:%M") == "19:30"
    starts = [s.starts_at for s in planned.sessions]
    assert [s.strftime("%m-%d %H:%M") for s in starts] == [
        "10-13 17:30",
        "10-20 17:30",
        "10-27 18:30",
        "11-03 18:30",
    ]
    assert {s.local_start.strftime("%a %H:%M") for s in planned.sessions} == {"Tue 19:30"}
    assert [s.position for s in planned.sessions] == [0, 1, 2, 3]
    # Two people, four dates: one invitation per person per date.
    assert len(planned.invitations) == 8
    assert {len(v) for v in planned.by_user().values()} == {4}


async def test_series_rules_are_checked(world: Database) -> None:
    first = datetime(2026, 9, 8, 19, 30, tzinfo=AMS)
    for overrides, key in [
        ({"until": date(2026, 9, 1)}, "intervisie.error.until_before_start"),
        ({"interval_weeks": 0}, "intervisie.error.bad_interval"),
        ({"until": date(2028, 1, 1)}, "intervisie.error.series_too_long"),
    ]:
        values = {"until": date(2026, 12, 1), **overrides}
        with pytest.raises(InvalidInput) as caught:
            await _series(world, first, **values)
        assert caught.value.key == key
        assert t(key, "nl", **caught.value.params)
    # Every other week at 02:30 on Sundays runs into the night the clocks go back.
    with pytest.raises(InvalidInput) as caught:
        await _series(
            world,
            datetime(2026, 10, 11, 2, 30, tzinfo=AMS),
            date(2026, 11, 1),
            interval_weeks=2,
        )
    assert caught.value.key == "when.error.time_ambiguous"
    assert caught.value.params["date"] == date(2026, 10, 25)
    assert "zondag 25 oktober 2026" in t(caught.value.key, "nl", **caught.value.params)


async def test_a_series_of_six_with_one_moved_and_one_cancelled(world: Database) -> None:
    planned = await _series(world, datetime(2026, 9, 8, 19, 30, tzinfo=AMS), date(2026, 10, 13))
    sessions = planned.sessions
    assert len(sessions) == 6
    third, fifth = sessions[2], sessions[4]
    sanne_third = next(
        i for i in planned.invitations if i.session_id == third.id and i.user_id == SANNE
    )
    await answer(world, sanne_third, Rsvp.YES)

    # The third moves from Tuesday 22 to Thursday 24 September, 20:00.
    async with world.sessions.begin() as session:
        moved = await intervisie.move_session(
            session,
            session_id=third.id,
            starts_at=datetime(2026, 9, 24, 20, 0, tzinfo=AMS),
            now=NOW,
            policy=POLICY,
        )
    [move] = moved.moves
    assert move.before.starts_at == third.starts_at
    assert move.after.starts_at == datetime(2026, 9, 24, 18, 0, tzinfo=UTC)
    assert move.after.sequence == 1 and move.after.token == third.token
    assert move.answers_reset
    assert {i.user_id for i in moved.invitations} == {SANNE, AHMED}
    assert all(i.rsvp is Rsvp.NONE for i in moved.invitations)

    # The fifth is cancelled, with a reason for the invitees.
    async with world.sessions.begin() as session:
        cancelled = await intervisie.cancel_session(
            session, session_id=fifth.id, reason="  Zaal niet beschikbaar ", now=NOW
        )
    assert cancelled.reason == "Zaal niet beschikbaar"
    assert [s.id for s in cancelled.sessions] == [fifth.id]
    assert cancelled.sessions[0].status is SessionStatus.CANCELLED
    assert cancelled.sessions[0].sequence == 1
    assert {i.user_id for i in cancelled.invitations} == {SANNE, AHMED}

    async with world.sessions.begin() as session:
        upcoming = await intervisie.upcoming_sessions(session, now=NOW)
        details = await intervisie.session_details(session, session_id=sessions[0].id)
    assert [u.session.id for u in upcoming] == [s.id for s in sessions if s.id != fifth.id]
    assert upcoming[2].session.local_start.strftime("%a %d %H:%M") == "Thu 24 20:00"
    assert all(u.invited == 2 for u in upcoming)
    assert details.series is not None and details.series.interval_weeks == 1
    # The untouched occurrences are as planned.
    for before, after in zip(sessions[:2], upcoming[:2], strict=True):
        assert after.session == before

    # Changing it again: cancelled stays cancelled, moving it is refused.
    async with world.sessions.begin() as session:
        with pytest.raises(Conflict):
            await intervisie.move_session(
                session, session_id=fifth.id, starts_at=START, now=NOW, policy=POLICY
            )
        with pytest.raises(Conflict):
            await intervisie.cancel_session(session, session_id=fifth.id, reason=None, now=NOW)


async def test_the_rest_of_a_series_moves_together_and_skips_cancelled_ones(
    world: Database,
) -> None:
    planned = await _series(world, datetime(2026, 9, 8, 19, 30, tzinfo=AMS), date(2026, 10, 13))
    sessions = planned.sessions
    async with world.sessions.begin() as session:
        await intervisie.cancel_session(session, session_id=sessions[4].id, reason=None, now=NOW)
    # From the fourth on: Wednesdays at 19:00 instead of Tuesdays at 19:30.
    async with world.sessions.begin() as session:
        moved = await intervisie.move_session(
            session,
            session_id=sessions[3].id,
            starts_at=datetime(2026, 9, 30, 19, 0, tzinfo=AMS),
            now=NOW,
            policy=POLICY,
            rest_of_series=True,
        )
        details = await intervisie.session_details(session, session_id=sessions[3].id)
    assert [m.after.position for m in moved.moves] == [3, 5]
    assert [m.after.local_start.strftime("%a %d-%m %H:%M") for m in moved.moves] == [
        "Wed 30-09 19:00",
        "Wed 14-10 19:00",
    ]
    assert details.series is not None
    assert details.series.weekday == 2
    assert details.series.local_time.strftime("%H:%M") == "19:00"
    assert details.series.until == date(2026, 10, 14)

    async with world.sessions.begin() as session:
        rest = await intervisie.cancel_session(
            session, session_id=sessions[1].id, reason="Einde blok", now=NOW, rest_of_series=True
        )
        upcoming = await intervisie.upcoming_sessions(session, now=NOW)
    assert [s.position for s in rest.sessions] == [1, 2, 3, 5]
    assert [u.session.position for u in upcoming] == [0]


async def test_a_move_on_the_same_day_keeps_the_answers(world: Database) -> None:
    planned = await plan(world, START)
    await answer(world, planned.invitations[0], Rsvp.YES)
    async with world.sessions.begin() as session:
        moved = await intervisie.move_session(
            session,
            session_id=planned.sessions[0].id,
            starts_at=START + timedelta(minutes=30),
            duration_minutes=60,
            now=NOW,
            policy=POLICY,
        )
    assert not moved.moves[0].answers_reset
    assert moved.invitations[0].rsvp is Rsvp.YES
    assert moved.moves[0].after.duration_minutes == 60
    # The reminders follow the new time, including the Yes-only one.
    leads = await reminders_by_lead(world)
    assert leads["PT1H"] == datetime(2026, 9, 15, 17, 0, tzinfo=UTC)
    assert leads["P7D"] == datetime(2026, 9, 8, 18, 0, tzinfo=UTC)


async def test_moves_into_the_past_or_of_a_started_session_are_refused(world: Database) -> None:
    planned = await plan(world, START)
    session_id = planned.sessions[0].id
    async with world.sessions.begin() as session:
        with pytest.raises(InvalidInput) as caught:
            await intervisie.move_session(
                session, session_id=session_id, starts_at=NOW, now=NOW, policy=POLICY
            )
        assert caught.value.key == "when.error.in_past"
        later = START + timedelta(minutes=5)
        with pytest.raises(Conflict) as conflict:
            await intervisie.move_session(
                session,
                session_id=session_id,
                starts_at=later + timedelta(days=1),
                now=later,
                policy=POLICY,
            )
        assert conflict.value.key == "intervisie.error.already_started"
        with pytest.raises(InvalidInput):
            await intervisie.cancel_session(
                session, session_id=session_id, reason="x" * 301, now=NOW
            )
        with pytest.raises(NotFound):
            await intervisie.cancel_session(session, session_id=999_999, reason=None, now=NOW)


async def test_a_vcp_answers_and_may_change_until_the_start(world: Database) -> None:
    planned = await plan(world, START)
    [invitation] = planned.invitations
    answered = await answer(world, invitation, Rsvp.MAYBE)
    assert answered.previous is Rsvp.NONE and answered.invitation.rsvp is Rsvp.MAYBE
    answered = await answer(world, invitation, Rsvp.YES, now=START - timedelta(seconds=1))
    assert answered.previous is Rsvp.MAYBE
    with pytest.raises(Conflict) as caught:
        await answer(world, invitation, Rsvp.NO, now=START)
    assert caught.value.key == "intervisie.error.rsvp_closed"


async def test_someone_elses_buttons_do_nothing(world: Database) -> None:
    planned = await plan(world, START)
    async with world.sessions.begin() as session:
        with pytest.raises(NotAllowed):
            await intervisie.rsvp(
                session,
                token=planned.invitations[0].token,
                user_id=AHMED,
                answer=Rsvp.YES,
                now=NOW,
                policy=POLICY,
            )
        with pytest.raises(NotFound):
            await intervisie.rsvp(
                session, token="gone", user_id=SANNE, answer=Rsvp.YES, now=NOW, policy=POLICY
            )


async def test_answers_to_a_cancelled_session_are_refused(world: Database) -> None:
    planned = await plan(world, START)
    async with world.sessions.begin() as session:
        await intervisie.cancel_session(
            session, session_id=planned.sessions[0].id, reason=None, now=NOW
        )
    with pytest.raises(Conflict) as caught:
        await answer(world, planned.invitations[0], Rsvp.YES)
    assert caught.value.key == "intervisie.error.cancelled"


async def test_the_language_of_a_button_press_is_remembered_for_the_person(
    world: Database,
) -> None:
    first = await plan(world, START)
    async with world.sessions.begin() as session:
        await intervisie.rsvp(
            session,
            token=first.invitations[0].token,
            user_id=SANNE,
            answer=Rsvp.YES,
            now=NOW,
            policy=POLICY,
            locale="en",
        )
    async with world.sessions.begin() as session:
        assert await languages.remembered(session, user_id=SANNE) == "en"


async def test_mine_shows_only_my_upcoming_sessions_and_my_answers(world: Database) -> None:
    mine = await plan(world, START, invitees=Invitees.people(SANNE, AHMED))
    await plan(world, START + timedelta(days=1), invitees=Invitees.people(AHMED))
    cancelled = await plan(world, START + timedelta(days=2), invitees=Invitees.people(SANNE))
    async with world.sessions.begin() as session:
        await intervisie.cancel_session(
            session, session_id=cancelled.sessions[0].id, reason=None, now=NOW
        )
    sanne = next(i for i in mine.invitations if i.user_id == SANNE)
    await answer(world, sanne, Rsvp.NO)
    async with world.sessions.begin() as session:
        listed = await intervisie.my_sessions(session, user_id=SANNE, now=NOW)
        later = await intervisie.my_sessions(session, user_id=SANNE, now=START)
    assert [(m.session.id, m.invitation.rsvp) for m in listed] == [(mine.sessions[0].id, Rsvp.NO)]
    assert later == []


async def test_the_list_counts_answers(world: Database) -> None:
    planned = await plan(world, START, invitees=Invitees.everyone())
    by_user = {i.user_id: i for i in planned.invitations}
    await answer(world, by_user[SANNE], Rsvp.YES)
    await answer(world, by_user[AHMED], Rsvp.NO)
    async with world.sessions.begin() as session:
        [summary] = await intervisie.upcoming_sessions(session, now=NOW)
        during = await intervisie.upcoming_sessions(session, now=START + timedelta(minutes=30))
        after = await intervisie.upcoming_sessions(session, now=START + timedelta(minutes=90))
    assert (summary.invited, summary.yes, summary.no, summary.maybe, summary.unanswered) == (
        3,
        1,
        1,
        0,
        1,
    )
    assert len(during) == 1 and after == []


async def test_more_people_can_be_invited_later(world: Database) -> None:
    planned = await plan(world, START)
    async with world.sessions.begin() as session:
        more = await intervisie.invite(
            session,
            session_id=planned.sessions[0].id,
            invitees=Invitees.of_associations("Tragos"),
            now=NOW,
            policy=POLICY,
        )
    assert [i.user_id for i in more.invitations] == [AHMED]


async def test_the_discord_event_and_undeliverable_dms_are_remembered(world: Database) -> None:
    planned = await plan(world, START, invitees=Invitees.people(SANNE, AHMED))
    session_id = planned.sessions[0].id
    ahmed = next(i for i in planned.invitations if i.user_id == AHMED)
    async with world.sessions.begin() as session:
        await intervisie.set_discord_event(session, session_id=session_id, event_id=4242)
        await intervisie.record_delivery(session, invitation_ids=[ahmed.id], delivered=False)
    async with world.sessions.begin() as session:
        details = await intervisie.session_details(session, session_id=session_id)
        unreachable = await intervisie.unreachable_invitees(session, session_id=session_id)
        by_token = await intervisie.session_by_token(session, token=details.session.token)
    assert details.session.discord_event_id == 4242
    assert [i.user_id for i in unreachable] == [AHMED]
    assert by_token == details.session
