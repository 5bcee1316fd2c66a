"""The UM team and the VCPs handle cases: cards, replies, closing, forwarding, clocks, patterns."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.services.escalation.steps import (
    AMS,
    MEMBER_USER,
    NOW,
    OTHER_USER,
    TEAM,
    add_association,
    deliver_cards,
    enable_member_route,
    make_config,
    rebooted,
    submit,
    unlocked,
)
from vcpbot.db import Database
from vcpbot.db.escalation import Case, OutboxItem
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.services import escalation
from vcpbot.services.escalation import (
    Author,
    CaseCode,
    CaseStatus,
    EscalationConfig,
    Handler,
    Outcome,
    Urgency,
    ack_due,
    add_working_days,
)


async def _outbox(db: Database, kind: str) -> list[dict]:
    async with db.sessions.begin() as session:
        rows = await session.scalars(
            select(OutboxItem.payload).where(OutboxItem.kind == kind).order_by(OutboxItem.id)
        )
        return [json.loads(p) for p in rows.all()]


async def test_the_team_acknowledges_replies_and_closes_with_an_outcome(db: Database) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 1),
            enabled=True,
        )
        card = await escalation.acknowledge(
            session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code), now=NOW
        )
        assert card.status is CaseStatus.ACKNOWLEDGED and not card.overdue
        with pytest.raises(Conflict):
            await escalation.acknowledge(
                session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code), now=NOW
            )
        await escalation.reply(
            session,
            config=config,
            handler=TEAM,
            case_ref=card.token,
            text="Thank you for telling us. Can we call?",
            now=NOW,
        )
    async with db.sessions.begin() as session:
        detail = await escalation.read_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code.lower()), now=NOW
        )
    assert [m.author for m in detail.messages] == [Author.REPORTER, Author.TEAM]
    assert not detail.card.awaiting_reply

    async with db.sessions.begin() as session:
        with pytest.raises(InvalidInput) as caught:
            await escalation.close_case(
                session,
                config=config,
                handler=TEAM,
                case_ref=CaseCode(submitted.code),
                outcome="closed_by_reporter",
                message=None,
                now=NOW,
            )
        assert caught.value.key == "escalation.error.unknown_outcome"
        card = await escalation.close_case(
            session,
            config=config,
            handler=TEAM,
            case_ref=CaseCode(submitted.code),
            outcome="referred_internally",
            message=None,
            now=NOW,
        )
    assert card.status is CaseStatus.CLOSED and card.outcome is Outcome.REFERRED_INTERNALLY
    async with db.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.code == submitted.code))
        assert case.dm_link is None and case.closed_on == date(2026, 11, 24)
    # The reporter is still told it closed: the notice carries its own sealed copy of the link.
    assert [p["reason"] for p in await _outbox(db, "reply_notice")] == ["reply", "closed"]

    for action in ("close", "reply"):
        async with db.sessions.begin() as session:
            with pytest.raises(Conflict):
                if action == "close":
                    await escalation.close_case(
                        session,
                        config=config,
                        handler=TEAM,
                        case_ref=CaseCode(submitted.code),
                        outcome="advice_given",
                        message=None,
                        now=NOW,
                    )
                else:
                    await escalation.reply(
                        session,
                        config=config,
                        handler=TEAM,
                        case_ref=CaseCode(submitted.code),
                        text="again",
                        now=NOW,
                    )
    async with db.sessions.begin() as session:
        counts = await escalation.case_counts(session)
    assert [(c.outcome, c.count) for c in counts] == [("referred_internally", 1)]


async def test_a_card_shows_no_narrative_and_withholds_the_association_when_asked(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    await submit(db, config, association_id=association, shown=False, text="secret narrative")
    await deliver_cards(db, config)
    async with db.sessions.begin() as session:
        [card] = await escalation.list_open_cases(session, config=config, handler=TEAM, now=NOW)
    assert card.association_name is None and card.association_withheld
    assert "secret narrative" not in repr(card)
    assert {f.name for f in fields(card)} == {
        "code", "token", "route", "forwarded", "category", "urgency", "association_name",
        "association_withheld", "status", "outcome", "created_on", "age_days", "overdue",
        "awaiting_reply", "sent_by_reporter", "link", "consent", "replied", "language",
        "claim_desk", "claimer",
    }  # fmt: skip
    assert card.link == escalation.MessageRef(900, card.link.message_id)


async def test_open_cases_are_listed_oldest_first_with_their_age(db: Database) -> None:
    config = make_config()
    newer = await submit(db, config, association_id=None, now=NOW)
    older = await submit(db, config, association_id=None, now=NOW - timedelta(days=3))
    closed = await submit(db, config, association_id=None, user_id=OTHER_USER)
    await deliver_cards(db, config)
    async with db.sessions.begin() as session:
        await escalation.close_case(
            session,
            config=config,
            handler=TEAM,
            case_ref=CaseCode(closed.code),
            outcome="out_of_scope",
            message="Closing this case.",
            now=NOW,
        )
        cards = await escalation.list_open_cases(session, config=config, handler=TEAM, now=NOW)
    assert [(c.code, c.age_days) for c in cards] == [(older.code, 3), (newer.code, 0)]


async def test_unknown_codes_and_other_associations_cases_are_not_found(db: Database) -> None:
    config = make_config()
    association = await add_association(db)
    await enable_member_route(db, association)
    member_case = await submit(
        db, config, association_id=association, route="member", user_id=MEMBER_USER
    )
    async with db.sessions.begin() as session:
        for handler, ref in (
            (TEAM, "C-ZZZZ"),
            (TEAM, member_case.code),  # not forwarded: the team does not see it
            (Handler.vcps(association + 1), member_case.code),
        ):
            with pytest.raises(NotFound):
                await escalation.read_case(
                    session, config=config, handler=handler, case_ref=CaseCode(ref), now=NOW
                )


async def test_a_members_case_goes_to_the_team_with_their_consent_and_they_keep_following_it(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    await enable_member_route(db, association)
    vcps = Handler.vcps(association)
    submitted = await submit(
        db,
        config,
        association_id=association,
        route="member",
        user_id=MEMBER_USER,
        text="Something happened at the gala.",
        urgency="soon",
    )
    later = NOW + timedelta(days=1)
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 1),
            enabled=True,
        )
        await escalation.reply(
            session,
            config=config,
            handler=vcps,
            case_ref=CaseCode(submitted.code),
            text="I hear you.",
            now=NOW,
        )
        with pytest.raises(NotAllowed):
            await escalation.ask_consent(
                session,
                config=config,
                handler=TEAM,
                case_ref=CaseCode(submitted.code),
                summary="x",
                now=NOW,
            )
        await escalation.ask_consent(
            session,
            config=config,
            handler=vcps,
            case_ref=CaseCode(submitted.code),
            summary="A member reports an incident at the gala; they want advice.",
            now=later,
        )
    # The member agrees, with their own words left out: the team reads from the summary on.
    async with db.sessions.begin() as session:
        await escalation.answer_consent(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 1, now=later),
            answer="without_words",
            now=later,
        )
    async with db.sessions.begin() as session:
        card = (
            await escalation.read_case(
                session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code), now=later
            )
        ).card
    assert card.status is CaseStatus.FORWARDED and card.forwarded
    async with db.sessions.begin() as session:
        team_view = await escalation.read_case(
            session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code), now=later
        )
        vcp_view = await escalation.read_case(
            session, config=config, handler=vcps, case_ref=CaseCode(submitted.code), now=later
        )
        with pytest.raises(Conflict) as caught:
            await escalation.reply(
                session,
                config=config,
                handler=vcps,
                case_ref=CaseCode(submitted.code),
                text="x",
                now=later,
            )
        assert caught.value.key == "escalation.error.forwarded"
        member_view = await escalation.reporter_reply(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 1, now=later),
            text="Thank you.",
            now=later,
        )
    assert [m.text for m in team_view.messages] == [
        "A member reports an incident at the gala; they want advice."
    ]
    assert team_view.messages[0].summary
    # The VCPs read what they had, up to their own summary.
    assert [m.author for m in vcp_view.messages] == [Author.REPORTER, Author.VCP, Author.VCP]
    assert member_view is not None and member_view.forwarded
    assert [m.author for m in member_view.messages] == [
        Author.REPORTER,
        Author.VCP,
        Author.VCP,
        Author.REPORTER,
    ]
    assert [m.summary for m in member_view.messages] == [False, False, True, False]
    # Told of the reply and of the question; the forwarding was their own answer.
    assert [p["reason"] for p in await _outbox(db, "reply_notice")] == ["reply", "consent"]
    await deliver_cards(db, config)
    async with db.sessions.begin() as session:
        [card] = await escalation.list_open_cases(session, config=config, handler=TEAM, now=later)
        assert card.awaiting_reply and card.status is CaseStatus.FORWARDED
        card = await escalation.acknowledge(
            session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code), now=later
        )
        assert card.status is CaseStatus.ACKNOWLEDGED
        assert (
            await escalation.list_open_cases(session, config=config, handler=vcps, now=later) == []
        )
        with pytest.raises(NotAllowed):
            await escalation.block_sender(
                session, config=config, handler=vcps, case_ref=CaseCode(submitted.code), now=later
            )


# --- clocks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 23), 2, date(2026, 11, 25)),  # Monday -> Wednesday
        (date(2026, 11, 27), 2, date(2026, 12, 1)),  # Friday -> Tuesday
        (date(2026, 11, 28), 2, date(2026, 12, 1)),  # Saturday -> Tuesday
        (date(2026, 11, 29), 1, date(2026, 11, 30)),  # Sunday -> Monday
        (date(2026, 11, 24), 5, date(2026, 12, 1)),  # Tuesday -> next Tuesday
    ],
)
def test_working_days_skip_weekends(start: date, count: int, expected: date) -> None:
    assert add_working_days(start, count) == expected


def test_acknowledgement_targets_per_urgency() -> None:
    policy = make_config().policy
    # Urgent: 4 clock hours, rounded up to the hour (09:17:43 UTC -> 14:00 UTC).
    assert ack_due(Urgency.URGENT, now=NOW, policy=policy, zone=AMS) == datetime(
        2026, 11, 24, 14, 0, tzinfo=UTC
    )
    exact = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert ack_due(Urgency.URGENT, now=exact, policy=policy, zone=AMS).hour == 13
    # Soon: 2 working days from Tuesday -> the end of Thursday in Amsterdam.
    assert ack_due(Urgency.SOON, now=NOW, policy=policy, zone=AMS) == datetime(
        2026, 11, 27, 0, 0, tzinfo=AMS
    )
    # Routine, sent on Saturday night: 5 working days -> the end of next Friday.
    saturday = datetime(2026, 11, 28, 22, 30, tzinfo=UTC)
    assert ack_due(Urgency.ROUTINE, now=saturday, policy=policy, zone=AMS) == datetime(
        2026, 12, 5, 0, 0, tzinfo=AMS
    )
    # Across the end of summer time the boundary is still local midnight.
    thursday = datetime(2026, 10, 22, 12, 0, tzinfo=UTC)
    assert ack_due(Urgency.SOON, now=thursday, policy=policy, zone=AMS) == datetime(
        2026, 10, 26, 23, 0, tzinfo=UTC
    )
    # The local date decides: 23:30 UTC on Friday is already Saturday in Amsterdam.
    late_friday = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert ack_due(Urgency.SOON, now=late_friday, policy=policy, zone=AMS) == datetime(
        2026, 12, 2, 0, 0, tzinfo=AMS
    )
    shorter = make_config(ack_urgent_hours=1).policy
    assert ack_due(Urgency.URGENT, now=NOW, policy=shorter, zone=AMS).hour == 11


async def test_an_overdue_case_is_nudged_once_and_shows_overdue_until_acknowledged(
    db: Database,
) -> None:
    config = make_config()
    urgent = await submit(db, config, association_id=None, urgency="urgent")
    routine = await submit(db, config, association_id=None, urgency="routine")
    await deliver_cards(db, config)
    async with db.sessions.begin() as session:
        assert await escalation.queue_overdue_nudges(session, config=config, now=NOW) == []
    at_14 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    async with db.sessions.begin() as session:
        assert await escalation.queue_overdue_nudges(session, config=config, now=at_14) == [
            urgent.code
        ]
        assert await escalation.queue_overdue_nudges(session, config=config, now=at_14) == []
        cards = await escalation.list_open_cases(session, config=config, handler=TEAM, now=at_14)
    assert {c.code: c.overdue for c in cards} == {urgent.code: True, routine.code: False}
    # The nudge says whether someone took the case (issue 18's claim), never who.
    assert await _outbox(db, "overdue_nudge") == [{"code": urgent.code, "claimed": False}]
    async with db.sessions.begin() as session:
        await escalation.acknowledge(
            session, config=config, handler=TEAM, case_ref=CaseCode(urgent.code), now=at_14
        )
        cards = await escalation.list_open_cases(session, config=config, handler=TEAM, now=at_14)
        case = await session.scalar(select(Case).where(Case.code == urgent.code))
    assert not any(c.overdue for c in cards)
    assert case.ack_due is None  # no instant is kept once the clock has stopped
    async with db.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.code == routine.code))
    due = case.ack_due.astimezone(AMS)
    assert (due.hour, due.minute, due.second) == (0, 0, 0)


# --- pattern signal ----------------------------------------------------------------


async def _patterns(db: Database, config: EscalationConfig, now: datetime = NOW) -> list:
    async with db.sessions.begin() as session:
        return await escalation.signal_patterns(session, config=config, now=now)


async def test_two_reporters_about_one_association_and_category_raise_one_notice(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    first = await submit(db, config, association_id=association, now=NOW - timedelta(days=10))
    assert await _outbox(db, "pattern_signal") == []
    second = await submit(db, config, association_id=association, user_id=OTHER_USER)
    assert await _outbox(db, "pattern_signal") == [
        {"codes": [first.code, second.code], "association_withheld": False}
    ]
    assert await _patterns(db, config) == []  # the same set is not announced twice
    third = await submit(db, config, association_id=association, user_id=MEMBER_USER)
    [notice] = (await _outbox(db, "pattern_signal"))[1:]
    assert notice["codes"] == [first.code, second.code, third.code]


async def test_no_pattern_from_one_reporter_other_categories_closed_or_old_cases(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    other_association = await add_association(db, guild_id=2002, name="Circumflex")
    closed = await submit(db, config, association_id=association, user_id=MEMBER_USER + 1)
    async with db.sessions.begin() as session:
        await escalation.close_case(
            session,
            config=config,
            handler=TEAM,
            case_ref=CaseCode(closed.code),
            outcome="advice_given",
            message="Closing this case.",
            now=NOW,
        )
    await submit(
        db, config, association_id=association, user_id=MEMBER_USER, now=NOW - timedelta(days=31)
    )
    await submit(db, config, association_id=association)
    await submit(db, config, association_id=association)  # the same person again
    await submit(db, config, association_id=association, user_id=OTHER_USER, category="stalking")
    await submit(db, config, association_id=other_association, user_id=OTHER_USER)
    assert await _patterns(db, config) == []
    assert await _outbox(db, "pattern_signal") == []


async def test_a_withheld_association_is_never_revealed_by_a_pattern(db: Database) -> None:
    config = make_config()
    association = await add_association(db)
    await submit(db, config, association_id=association, shown=True)
    await submit(db, config, association_id=association, user_id=OTHER_USER, shown=False)
    assert await _outbox(db, "pattern_signal") == []
    third = await submit(db, config, association_id=association, user_id=MEMBER_USER, shown=False)
    [notice] = await _outbox(db, "pattern_signal")
    assert notice["association_withheld"] is True
    assert third.code in notice["codes"] and len(notice["codes"]) == 2


async def test_the_daily_upkeep_purges_and_nudges(db: Database) -> None:
    config = make_config()
    urgent = await submit(db, config, association_id=None, urgency="urgent")
    closed = await submit(db, config, association_id=None, user_id=OTHER_USER)
    await deliver_cards(db, config)
    async with db.sessions.begin() as session:
        await escalation.close_case(
            session,
            config=config,
            handler=TEAM,
            case_ref=CaseCode(closed.code),
            outcome="advice_given",
            message="Closing this case.",
            now=NOW,
        )
    async with db.sessions.begin() as session:
        upkeep = await escalation.daily_upkeep(session, config=config, now=NOW + timedelta(days=90))
    assert upkeep.purged.cases == 1
    assert upkeep.nudged == (urgent.code,)


async def test_the_member_route_is_off_by_default_and_needs_a_channel(db: Database) -> None:
    association = await add_association(db)
    async with db.sessions.begin() as session:
        route = await escalation.member_route(session, association_id=association)
        assert not route.enabled
        with pytest.raises(NotAllowed) as caught:
            await escalation.set_member_route(
                session,
                association_id=association,
                enabled=True,
                channel_id=None,
                now=NOW,
                zone=AMS,
            )
        assert caught.value.key == "escalation.error.member_route_needs_channel"


async def test_a_button_finds_its_case_by_the_cards_token_never_by_a_code(db: Database) -> None:
    """A card's buttons carry its random token. A case code (on every card, and told to
    the reporter) put where a token belongs finds nothing; codes are for typing."""
    config = make_config()
    association = await add_association(db)
    await enable_member_route(db, association)
    case = await submit(db, config, association_id=association)
    member_case = await submit(
        db, config, association_id=association, route="member", user_id=MEMBER_USER
    )
    vcps = Handler.vcps(association)
    presses = (
        (TEAM, case.code, escalation.acknowledge, {}),
        (TEAM, case.code, escalation.read_case, {}),
        (TEAM, case.code, escalation.reply, {"text": "Hello"}),
        (TEAM, case.code, escalation.close_case, {"outcome": "advice_given", "message": "Bye"}),
        (TEAM, case.code, escalation.block_sender, {}),
        (vcps, member_case.code, escalation.ask_consent, {"summary": "In short"}),
        (vcps, member_case.code, escalation.withdraw_consent, {}),
        (vcps, member_case.code, escalation.forward_urgently, {"reason": "Now", "summary": "x"}),
        (vcps, member_case.code.lower(), escalation.read_case, {}),
    )
    for handler, code, press, extra in presses:
        async with db.sessions.begin() as session:
            with pytest.raises(NotFound):
                await press(
                    session, config=config, handler=handler, case_ref=code, now=NOW, **extra
                )
    await deliver_cards(db, config)  # /open-cases lists a case once its card is posted
    async with db.sessions.begin() as session:
        [card] = await escalation.list_open_cases(session, config=config, handler=TEAM, now=NOW)
        by_token = await escalation.read_case(
            session, config=config, handler=TEAM, case_ref=card.token, now=NOW
        )
        typed = await escalation.read_case(
            session,
            config=config,
            handler=TEAM,
            case_ref=CaseCode(case.code.lower()),
            now=NOW,
        )
    assert by_token.card.code == typed.card.code == case.code


async def test_after_a_reboot_a_persons_older_case_counts_as_another_reporters(
    db: Database,
) -> None:
    """The documented bound: the runtime key that told reporters apart is gone."""
    before = make_config()
    association = await add_association(db)
    await submit(db, before, association_id=association)
    after = rebooted(before)
    assert await _outbox(db, "pattern_signal") == []
    await submit(db, after, association_id=association)  # the same person
    [notice] = await _outbox(db, "pattern_signal")
    assert len(notice["codes"]) == 2
