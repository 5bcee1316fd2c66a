"""Every committed case reaches the hub exactly once: leases, retries, crashes, duplicates."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta

import pytest
from _escalation_helpers import NOW, TEAM, add_association, make_config, submit, unlocked
from sqlalchemy import func, select

from vcpbot.db import Database
from vcpbot.db.escalation import Case, OutboxItem
from vcpbot.services import escalation
from vcpbot.services.escalation import CaseCode, Delivery, OutboxKind, Place


async def _claim(db: Database, now: datetime = NOW, limit: int = 10) -> list[Delivery]:
    async with db.sessions.begin() as session:
        return await escalation.claim_deliveries(session, now=now, limit=limit)


async def _delivered(db: Database, item: Delivery, message_id: int | None = None) -> bool:
    async with db.sessions.begin() as session:
        return await escalation.mark_delivered(
            session,
            delivery=item,
            channel_id=900 if message_id else None,
            message_id=message_id,
        )


async def test_a_case_card_is_claimed_once_and_its_message_kept(db: Database) -> None:
    config = make_config()
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
        ref = await escalation.card_message(session, case_id=item.case_id, place=Place.HUB)
        assert await escalation.pending_deliveries(session) == 0
    assert ref == escalation.CardRef(channel_id=900, message_id=123456)
    assert await _claim(db, NOW + timedelta(hours=1)) == []


async def test_a_failed_post_backs_off_and_a_crashed_one_comes_back_after_its_lease(
    db: Database,
) -> None:
    config = make_config()
    await submit(db, config, association_id=None)
    [item] = await _claim(db)
    async with db.sessions.begin() as session:
        wait = await escalation.mark_failed(session, delivery=item, now=NOW, retry_after=30)
    assert wait == 30
    assert await _claim(db, NOW + timedelta(seconds=29)) == []
    [again] = await _claim(db, NOW + timedelta(seconds=30))
    assert again.attempts == 1  # an earlier try might have posted: look first
    async with db.sessions.begin() as session:
        wait = await escalation.mark_failed(session, delivery=again, now=NOW)
    assert wait == 10  # 5 s, doubling per attempt
    # A worker that claims and then dies: the row returns when the lease runs out.
    [crashed] = await _claim(db, NOW + timedelta(seconds=10))
    assert await _claim(db, NOW + timedelta(seconds=69)) == []
    [recovered] = await _claim(db, NOW + timedelta(seconds=71))
    assert recovered.id == crashed.id and recovered.attempts == 3
    # The crashed worker's late "failed" does not disturb the new lease.
    async with db.sessions.begin() as session:
        await escalation.mark_failed(session, delivery=crashed, now=NOW)
    assert await _claim(db, NOW + timedelta(seconds=72)) == []
    assert await _delivered(db, recovered, message_id=1)


async def test_a_new_leader_takes_over_at_once_the_rows_its_dead_predecessor_had_leased(
    db: Database,
) -> None:
    config = make_config()
    for user in (1, 2):
        await submit(db, config, association_id=None, user_id=user)
    leased = await _claim(db, limit=1)  # the old leader dies with this one in its hands
    async with db.sessions.begin() as session:
        assert await escalation.release_leases(session, now=NOW + timedelta(seconds=1)) == 1
    taken = {i.id: i for i in await _claim(db, NOW + timedelta(seconds=1))}
    assert len(taken) == 2  # its row, long before the lease would have run out, and the other
    assert taken[leased[0].id].attempts == 1  # it may have been posted: the new leader looks
    async with db.sessions.begin() as session:  # nothing leased any more: nothing to release
        assert await escalation.release_leases(session, now=NOW + timedelta(minutes=5)) == 0


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

    async def worker() -> list[int]:
        async with db.sessions.begin() as session:
            return [d.id for d in await escalation.claim_deliveries(session, now=NOW, limit=8)]

    first, second = await asyncio.gather(worker(), worker())
    assert not set(first) & set(second)
    assert len(first) + len(second) == 12


async def test_a_card_update_waits_for_the_card(db: Database) -> None:
    config = make_config()
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
        ref = await escalation.card_message(session, case_id=update.case_id, place=update.place)
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
    assert notice.place is Place.DM and dict(notice.payload) == {"reason": "reply"}
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
    posting and marking. Before re-posting a row it has tried before, it looks for the
    row's delivery key in the channel, as the cog does.
    """
    config = make_config()
    codes = {(await submit(db, config, association_id=None, user_id=u)).code for u in range(15)}
    rng = random.Random(20261122)
    channel: list[tuple[str, str]] = []  # (delivery_key, code) as posted
    now = NOW
    for _ in range(400):
        now += timedelta(seconds=20)
        for item in await _claim(db, now, limit=4):
            async with db.sessions.begin() as session:
                card = await escalation.card_for(
                    session, config=config, case_id=item.case_id, now=now
                )
            if item.attempts and any(k == item.delivery_key for k, _ in channel):
                assert await _delivered(db, item, message_id=len(channel))
                continue
            fate = rng.random()
            if fate < 0.3:
                async with db.sessions.begin() as session:
                    await escalation.mark_failed(
                        session, delivery=item, now=now, retry_after=rng.choice([None, 1.5])
                    )
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
