"""Every committed case reaches the hub exactly once: leases, retries, crashes, duplicates.

A lease is a worker's token, not a time; a failed row's back-off is the worker's to
keep (``skip``); a card that waits for its batch is ``held``. None of it is a time.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Collection
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.services.escalation.steps import (
    NOW,
    TEAM,
    add_association,
    make_config,
    submit,
    unlocked,
)
from vcpbot.db import Database
from vcpbot.db.escalation import Case, OutboxItem
from vcpbot.services import escalation
from vcpbot.services.escalation import CaseCode, Delivery, MessageRef, OutboxKind, Place

WORKER = "worker-one"
CONFIG = make_config()


async def _claim(
    db: Database,
    limit: int = 10,
    *,
    token: str = WORKER,
    skip: Collection[int] = (),
    with_held: bool = True,
) -> list[Delivery]:
    async with db.sessions.begin() as session:
        return await escalation.claim_deliveries(
            session, token=token, limit=limit, skip=skip, with_held=with_held
        )


async def _delivered(db: Database, item: Delivery, message_id: int | None = None) -> bool:
    async with db.sessions.begin() as session:
        return await escalation.mark_delivered(
            session,
            config=CONFIG,
            delivery=item,
            posted=MessageRef(900, message_id) if message_id else None,
        )


async def _failed(db: Database, item: Delivery) -> None:
    async with db.sessions.begin() as session:
        await escalation.mark_failed(session, delivery=item)


async def test_a_case_card_is_claimed_once_and_its_message_kept(db: Database) -> None:
    config = CONFIG
    submitted = await submit(db, config, association_id=None)
    [item] = await _claim(db)
    assert item.kind is OutboxKind.CASE_CARD_CREATE and item.place is Place.HUB
    assert item.attempts == 0 and dict(item.payload) == {}
    assert await _claim(db) == []  # leased
    async with db.sessions.begin() as session:
        card = await escalation.card_for(session, config=config, case_id=item.case_id, now=NOW)
    assert card is not None and card.code == submitted.code
    assert await _delivered(db, item, message_id=123456)
    assert not await _delivered(db, item, message_id=654321)  # a duplicate: delete it
    async with db.sessions.begin() as session:
        ref = await escalation.card_message(
            session, config=config, case_id=item.case_id, place=Place.HUB
        )
        assert await escalation.pending_deliveries(session) == 0
    assert ref == MessageRef(channel_id=900, message_id=123456)
    assert await _claim(db) == []


async def test_a_failed_row_waits_where_the_worker_keeps_it_and_a_crashed_one_waits_for_a_leader(
    db: Database,
) -> None:
    await submit(db, CONFIG, association_id=None)
    [item] = await _claim(db)
    await _failed(db, item)
    # The back-off is the worker's: it skips the row until then, the row holds no time.
    assert await _claim(db, skip=[item.id]) == []
    assert escalation.retry_delay(item.attempts, 30) == 30
    assert escalation.retry_delay(1) == 10  # 5 s, doubling per earlier attempt
    assert escalation.retry_delay(20) == 900  # at most 15 minutes
    [again] = await _claim(db)
    assert again.attempts == 1  # an earlier try might have posted: look first
    # A worker that claims and then dies: nobody else takes the row...
    assert await _claim(db, token="worker-two") == []
    # ...until a new leader releases every lease it finds.
    async with db.sessions.begin() as session:
        assert await escalation.release_leases(session) == 1
    [recovered] = await _claim(db, token="worker-two")
    assert recovered.id == again.id and recovered.attempts == 2
    # The dead worker's late "failed" does not disturb the new lease.
    await _failed(db, again)
    assert await _claim(db) == []
    assert await _delivered(db, recovered, message_id=1)


async def test_a_worker_frees_only_its_own_leases_after_a_round_broke_off(db: Database) -> None:
    for user in (1, 2):
        await submit(db, CONFIG, association_id=None, user_id=user)
    [mine] = await _claim(db, limit=1)
    [theirs] = await _claim(db, limit=1, token="worker-two")
    async with db.sessions.begin() as session:
        assert await escalation.release_leases(session, token=WORKER) == 1
    assert [d.id for d in await _claim(db)] == [mine.id]
    assert theirs.id != mine.id


async def test_a_routine_card_waits_for_the_batch_and_an_urgent_one_does_not(
    db: Database,
) -> None:
    routine = await submit(db, CONFIG, association_id=None, user_id=1, urgency="routine")
    urgent = await submit(db, CONFIG, association_id=None, user_id=2, urgency="urgent")
    async with db.sessions.begin() as session:
        assert await escalation.held_waiting(session)
        ids = dict((await session.execute(select(Case.code, Case.id))).all())
    [now] = await _claim(db, with_held=False)
    assert now.case_id == ids[urgent.code]
    [batched] = await _claim(db, with_held=True)
    assert batched.case_id == ids[routine.code]
    async with db.sessions.begin() as session:
        assert not await escalation.held_waiting(session)


async def test_a_new_leader_takes_over_at_once_the_rows_its_dead_predecessor_had_leased(
    db: Database,
) -> None:
    for user in (1, 2):
        await submit(db, CONFIG, association_id=None, user_id=user)
    leased = await _claim(db, limit=1, token="old-leader")  # it dies with this one
    async with db.sessions.begin() as session:
        assert await escalation.release_leases(session) == 1
    taken = {i.id: i for i in await _claim(db, token="new-leader")}
    assert len(taken) == 2  # its row, at once, and the other
    assert taken[leased[0].id].attempts == 1  # it may have been posted: the new leader looks
    [_, other] = sorted(taken)
    await _failed(db, taken[other])  # a failure frees only the row, and leaves no time
    async with db.sessions.begin() as session:  # one row still leased by the new leader
        assert await escalation.release_leases(session) == 1


async def test_the_outbox_finds_a_cases_association_without_discords_cache(db: Database) -> None:
    config = make_config()
    association_id = await add_association(db, guild_id=4242)
    with_association = await submit(db, config, association_id=association_id, user_id=1)
    without = await submit(db, config, association_id=None, user_id=2)
    async with db.sessions.begin() as session:
        ids = dict((await session.execute(select(Case.code, Case.id))).all())
        assert (
            await escalation.association_of_case(session, case_id=ids[with_association.code])
            == 4242
        )
        assert await escalation.association_of_case(session, case_id=ids[without.code]) is None


async def test_two_workers_claiming_at_once_never_share_a_row(db: Database) -> None:
    config = make_config()
    for user in range(12):
        await submit(db, config, association_id=None, user_id=user)

    async def worker(token: str) -> list[int]:
        return [d.id for d in await _claim(db, limit=8, token=token)]

    first, second = await asyncio.gather(worker("one"), worker("two"))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 12


async def test_a_card_update_waits_for_the_card(db: Database) -> None:
    config = CONFIG
    submitted = await submit(db, config, association_id=None)
    async with db.sessions.begin() as session:
        await escalation.acknowledge(
            session, config=config, handler=TEAM, case_ref=CaseCode(submitted.code), now=NOW
        )
    claimed = await _claim(db)
    assert [d.kind for d in claimed] == [OutboxKind.CASE_CARD_CREATE]
    assert await _delivered(db, claimed[0], message_id=77)
    [update] = await _claim(db)
    assert update.kind is OutboxKind.CASE_CARD_UPDATE
    async with db.sessions.begin() as session:
        ref = await escalation.card_message(
            session, config=CONFIG, case_id=update.case_id, place=update.place
        )
    assert ref is not None and ref.message_id == 77


async def test_a_reply_notice_finds_the_reporter_only_through_the_sealed_link(
    db: Database,
) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=None)
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 31337),
            enabled=True,
        )
        await escalation.reply(
            session,
            config=config,
            handler=TEAM,
            case_ref=CaseCode(submitted.code),
            text="Hello",
            now=NOW,
        )
    items = [d for d in await _claim(db) if d.kind is OutboxKind.REPLY_NOTICE]
    [notice] = items
    # What kind of news, and whether the reporter asked to be told it: never more.
    assert notice.place is Place.DM and dict(notice.payload) == {"reason": "reply", "detail": False}
    async with db.sessions.begin() as session:
        assert await escalation.notice_recipient(session, config=config, delivery=notice) == 31337


async def test_a_rolled_back_case_leaves_no_delivery(db: Database) -> None:
    config = make_config()
    receipt = await escalation.prepare_receipt(config)
    with pytest.raises(RuntimeError):
        async with db.sessions.begin() as session:
            await escalation.submit_case(
                session,
                config=config,
                route="vcp",
                user_id=1,
                association_id=None,
                category="advice",
                urgency="routine",
                text="hello",
                association_shown=False,
                receipt=receipt,
                now=NOW,
            )
            raise RuntimeError("the interaction failed before commit")
    async with db.sessions.begin() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 0
        assert await session.scalar(select(func.count()).select_from(OutboxItem)) == 0


async def test_every_case_appears_exactly_once_through_429s_5xx_and_crashes(
    db: Database,
) -> None:
    """A worker against a flaky hub: it posts, but may get a 429 or 500, or crash between
    posting and marking (then a new leader takes over). Before re-posting a row it has
    tried before, it looks for the row's delivery key in the channel, as the cog does.
    """
    config = CONFIG
    codes = {(await submit(db, config, association_id=None, user_id=u)).code for u in range(15)}
    rng = random.Random(20261122)
    channel: list[tuple[str, str]] = []  # (delivery_key, code) as posted
    now = NOW
    waiting: dict[int, object] = {}
    for round_ in range(400):
        now += timedelta(seconds=20)
        token = f"leader-{round_ // 10}"
        if round_ % 10 == 0:  # a new leader: the old one's leases are its to release
            async with db.sessions.begin() as session:
                await escalation.release_leases(session)
            waiting = {}
        for item in await _claim(db, limit=4, token=token, skip=list(waiting)):
            async with db.sessions.begin() as session:
                card = await escalation.card_for(
                    session, config=config, case_id=item.case_id, now=now
                )
            if item.attempts and any(k == item.delivery_key for k, _ in channel):
                assert await _delivered(db, item, message_id=len(channel))
                continue
            fate = rng.random()
            if fate < 0.3:
                await _failed(db, item)
                if rng.random() < 0.5:
                    waiting[item.id] = now  # kept aside for a while by this leader
                continue
            channel.append((item.delivery_key, card.code))
            if fate < 0.5:
                continue  # crashed after posting, before marking
            assert await _delivered(db, item, message_id=len(channel))
        async with db.sessions.begin() as session:
            if not await escalation.pending_deliveries(session):
                break
    posted = [code for _, code in channel]
    assert sorted(posted) == sorted(codes)  # every case, each once


async def test_a_pattern_notice_goes_from_discord_with_the_first_case_it_names(
    db: Database,
) -> None:
    """It names both cases: once one is destroyed, the notice would still name its code."""
    association = await add_association(db)
    first = await submit(db, CONFIG, association_id=association, user_id=1)
    second = await submit(db, CONFIG, association_id=association, user_id=2)
    for item in await _claim(db):
        message = 555 if item.kind is OutboxKind.PATTERN_SIGNAL else 10_000 + item.id
        assert await _delivered(db, item, message_id=message)
    async with db.sessions.begin() as session:
        await escalation.close_case(
            session,
            config=CONFIG,
            handler=TEAM,
            case_ref=CaseCode(first.code),
            outcome="advice_given",
            message="Closing this case.",
            now=NOW,
        )
        ids = dict((await session.execute(select(Case.code, Case.id))).all())
        card = await escalation.card_message(
            session, config=CONFIG, case_id=ids[first.code], place=Place.HUB
        )
    for item in await _claim(db):  # the closed card's update
        assert await _delivered(db, item)
    async with db.sessions.begin() as session:
        purged = await escalation.purge_expired(
            session, config=CONFIG, now=NOW + timedelta(days=91)
        )
    assert purged.cases == 1
    removals = await _claim(db)
    assert {(d.kind, d.payload["message_id"]) for d in removals} == {
        (OutboxKind.MESSAGE_DELETE, card.message_id),
        (OutboxKind.MESSAGE_DELETE, 555),
    }
    assert all(d.case_id is None and d.place is Place.HUB for d in removals)
    async with db.sessions.begin() as session:  # the open case keeps its own card
        assert await escalation.card_message(
            session, config=CONFIG, case_id=ids[second.code], place=Place.HUB
        )
