"""The handlers' desk: internal notes, who has taken a case, and who read it.

Each desk (the UM team; an association's VCPs) sees only its own notes and read log;
the reporter sees none of it; all of it is sealed with the case key and goes with
the case.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.services.escalation.steps import (
    NOW,
    TEAM,
    add_association,
    enable_member_route,
    make_config,
    submit,
    unlocked,
)
from vcpbot.db import Database
from vcpbot.db.escalation import Case, DeskEntry, OutboxItem
from vcpbot.errors import Conflict, InvalidInput
from vcpbot.services import escalation
from vcpbot.services.escalation import Actor, CaseCode, Desk, Handler

EVA = Actor(user_id=710_000_000_000_000_001, name="Eva")
JOOST = Actor(user_id=710_000_000_000_000_002, name="Joost")
NOTE = "Called the confidential adviser; she will phone back on Thursday."


async def test_a_note_is_sealed_shown_to_its_own_desk_and_gone_with_the_case(db: Database) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    ref = CaseCode(submitted.code)
    async with db.sessions.begin() as session:
        await escalation.add_note(
            session, config=config, handler=TEAM, actor=EVA, case_ref=ref, text=NOTE, now=NOW
        )
    async with db.sessions.begin() as session:
        desk = await escalation.open_desk(
            session, config=config, handler=TEAM, actor=JOOST, case_ref=ref, now=NOW
        )
    assert [(n.by, n.text, n.on) for n in desk.notes] == [("Eva", NOTE, NOW.date())]
    async with db.sessions.begin() as session:
        stored = b"".join((await session.scalars(select(DeskEntry.body))).all())
    assert NOTE.encode() not in stored and b"Eva" not in stored
    assert str(EVA.user_id).encode() not in stored
    # The reporter's own view has no note.
    async with db.sessions.begin() as session:
        seen = await escalation.open_case(
            session, config=config, unlocked=await unlocked(db, config, submitted.receipt, 1)
        )
    assert all(NOTE not in m.text for m in seen.messages)
    async with db.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.code == submitted.code))
        assert case is not None
        await session.delete(case)
    async with db.sessions.begin() as session:
        assert await session.scalar(select(func.count()).select_from(DeskEntry)) == 0


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 1501])
async def test_an_empty_or_too_long_note_is_refused_and_nothing_is_stored(
    db: Database, text: str
) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    with pytest.raises(InvalidInput):
        async with db.sessions.begin() as session:
            await escalation.add_note(
                session,
                config=config,
                handler=TEAM,
                actor=EVA,
                case_ref=CaseCode(submitted.code),
                text=text,
                now=NOW,
            )
    async with db.sessions.begin() as session:
        assert await session.scalar(select(func.count()).select_from(DeskEntry)) == 0


async def test_the_vcps_desk_and_the_teams_desk_are_separate(db: Database) -> None:
    config = make_config()
    association = await add_association(db)
    await enable_member_route(db, association)
    vcps = Handler.vcps(association)
    submitted = await submit(db, config, association_id=association, route="member")
    ref = CaseCode(submitted.code)
    async with db.sessions.begin() as session:
        await escalation.add_note(
            session, config=config, handler=vcps, actor=EVA, case_ref=ref, text=NOTE, now=NOW
        )
        await escalation.claim_case(
            session, config=config, handler=vcps, actor=EVA, case_ref=ref, now=NOW
        )
    async with db.sessions.begin() as session:
        mine = await escalation.open_desk(
            session, config=config, handler=vcps, actor=JOOST, case_ref=ref, now=NOW
        )
    assert [n.text for n in mine.notes] == [NOTE]
    assert mine.claimer == "Eva" and not mine.mine
    assert [r.by for r in mine.reads] == ["Joost"]
    # The team's view of the card says nothing of the VCPs' claim.
    async with db.sessions.begin() as session:
        card = await escalation.card_for(
            session,
            config=config,
            case_id=(await session.scalar(select(Case.id).where(Case.code == submitted.code))) or 0,
            now=NOW,
        )
    assert card.claim_desk is Desk.VCPS and card.claimer == "Eva"


async def test_two_handlers_claiming_at_once_one_wins_and_the_other_hears_who(
    db: Database,
) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    ref = CaseCode(submitted.code)

    async def claim(actor: Actor) -> str:
        try:
            async with db.sessions.begin() as session:
                await escalation.claim_case(
                    session, config=config, handler=TEAM, actor=actor, case_ref=ref, now=NOW
                )
            return "won"
        except Conflict as refused:
            return f"{refused.key}:{refused.params.get('name')}"

    results = await asyncio.gather(claim(EVA), claim(JOOST))
    assert sorted(results)[1] == "won", results
    loser = sorted(results)[0]
    winner = "Joost" if results[1] == "won" else "Eva"
    assert loser == f"casework.error.claimed_by:{winner}"
    async with db.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.code == submitted.code))
        assert case is not None and case.claim_desk == "team"
        assert case.claim is not None and winner.encode() not in case.claim


async def test_only_the_claimer_releases_and_the_coordinator_may_take_over(db: Database) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    ref = CaseCode(submitted.code)
    async with db.sessions.begin() as session:
        await escalation.claim_case(
            session, config=config, handler=TEAM, actor=EVA, case_ref=ref, now=NOW
        )
    with pytest.raises(Conflict) as refused:
        async with db.sessions.begin() as session:
            await escalation.release_case(
                session, config=config, handler=TEAM, actor=JOOST, case_ref=ref, now=NOW
            )
    assert refused.value.key == "casework.error.not_yours"
    async with db.sessions.begin() as session:
        await escalation.claim_case(
            session, config=config, handler=TEAM, actor=JOOST, case_ref=ref, now=NOW, take_over=True
        )
    async with db.sessions.begin() as session:
        desk = await escalation.open_desk(
            session, config=config, handler=TEAM, actor=JOOST, case_ref=ref, now=NOW
        )
        assert desk.claimer == "Joost" and desk.mine
        await escalation.release_case(
            session, config=config, handler=TEAM, actor=JOOST, case_ref=ref, now=NOW
        )
    async with db.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.code == submitted.code))
        assert case is not None and case.claim_desk is None and case.claim is None


async def test_the_read_log_keeps_one_line_per_reader_and_day(db: Database) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    ref = CaseCode(submitted.code)
    for actor in (EVA, EVA, JOOST):
        async with db.sessions.begin() as session:
            desk = await escalation.open_desk(
                session, config=config, handler=TEAM, actor=actor, case_ref=ref, now=NOW
            )
    assert [(r.by, r.on) for r in desk.reads] == [("Eva", NOW.date()), ("Joost", NOW.date())]
    async with db.sessions.begin() as session:
        stored = b"".join((await session.scalars(select(DeskEntry.body))).all())
    assert str(JOOST.user_id).encode() not in stored and b"Joost" not in stored


async def test_an_overdue_nudge_says_whether_anyone_has_taken_the_case(db: Database) -> None:
    config = make_config()
    association = await add_association(db)
    taken = await submit(db, config, association_id=association, urgency="urgent")
    free = await submit(db, config, association_id=association, urgency="urgent", user_id=5353)
    async with db.sessions.begin() as session:
        await escalation.claim_case(
            session,
            config=config,
            handler=TEAM,
            actor=EVA,
            case_ref=CaseCode(taken.code),
            now=NOW,
        )
    async with db.sessions.begin() as session:
        await escalation.queue_overdue_nudges(session, config=config, now=NOW + timedelta(days=1))
        rows = await session.scalars(
            select(OutboxItem.payload).where(OutboxItem.kind == "overdue_nudge")
        )
        payloads = {p["code"]: p["claimed"] for p in map(json.loads, rows.all())}
    assert payloads == {taken.code: True, free.code: False}


async def test_a_removed_vcps_claims_go_back_to_the_other_vcps_with_a_notice(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    await enable_member_route(db, association)
    vcps = Handler.vcps(association)
    mine = await submit(db, config, association_id=association, route="member")
    theirs = await submit(db, config, association_id=association, route="member", user_id=5353)
    async with db.sessions.begin() as session:
        for submitted, actor in ((mine, EVA), (theirs, JOOST)):
            await escalation.claim_case(
                session,
                config=config,
                handler=vcps,
                actor=actor,
                case_ref=CaseCode(submitted.code),
                now=NOW,
            )
    async with db.sessions.begin() as session:
        released = await escalation.release_claims_of(
            session, config=config, association_id=association, user_id=EVA.user_id, now=NOW
        )
    assert released == [mine.code]
    async with db.sessions.begin() as session:
        cases = {c.code: c for c in (await session.scalars(select(Case))).all()}
        assert cases[mine.code].claim_desk is None and cases[mine.code].claim is None
        assert cases[theirs.code].claim_desk == "vcps"
        rows = await session.execute(
            select(OutboxItem.place, OutboxItem.payload).where(OutboxItem.kind == "overdue_nudge")
        )
        notices = [(place, json.loads(payload)) for place, payload in rows.all()]
    assert notices == [("association", {"code": mine.code, "released": True})]


async def test_retention_destroys_the_desks_notes_and_read_log_with_the_case(
    db: Database,
) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    ref = CaseCode(submitted.code)
    async with db.sessions.begin() as session:
        await escalation.add_note(
            session, config=config, handler=TEAM, actor=EVA, case_ref=ref, text=NOTE, now=NOW
        )
        await escalation.open_desk(
            session, config=config, handler=TEAM, actor=EVA, case_ref=ref, now=NOW
        )
        await escalation.close_case(
            session,
            config=config,
            handler=TEAM,
            case_ref=ref,
            outcome="advice_given",
            message="Take care; the adviser will call you.",
            now=NOW,
        )
    later = NOW + timedelta(days=config.policy.retention_days + 1)
    async with db.sessions.begin() as session:
        purged = await escalation.purge_expired(session, config=config, now=later)
    assert purged.cases == 1
    async with db.sessions.begin() as session:
        assert await session.scalar(select(func.count()).select_from(DeskEntry)) == 0


async def test_with_no_vcp_left_open_member_cases_wait_for_their_members_choice(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    await enable_member_route(db, association)
    waiting = await submit(db, config, association_id=association, route="member")
    from_a_vcp = await submit(db, config, association_id=association, user_id=5353)
    async with db.sessions.begin() as session:
        offered = await escalation.offer_to_team(session, association_id=association)
    assert offered == [waiting.code]
    async with db.sessions.begin() as session:
        seen = await escalation.open_case(
            session, config=config, unlocked=await unlocked(db, config, waiting.receipt, 1)
        )
        assert seen is not None and seen.awaiting_choice
        assert seen.undelivered is escalation.Undelivered.NO_VCPS
        other = await session.scalar(select(Case).where(Case.code == from_a_vcp.code))
        assert other is not None and other.undelivered is None
