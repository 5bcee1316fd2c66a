"""Shared set-up for the escalation tests: cheap keys, an association, a reporter."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from vcpbot.crypto import (
    EscalationKeys,
    IndexKey,
    MasterKeys,
    ReceiptHasher,
    generate_index_key,
    generate_master_key,
)
from vcpbot.db import Database
from vcpbot.runtime_key import RuntimeKey
from vcpbot.services import escalation, network
from vcpbot.services.escalation import EscalationConfig, Handler
from vcpbot.settings import EscalationSettings

AMS = ZoneInfo("Europe/Amsterdam")
# A Tuesday in November, 10:17 in Amsterdam.
NOW = datetime(2026, 11, 24, 9, 17, 43, tzinfo=UTC)
TEAM = Handler.team()
VCP_USER, OTHER_USER, MEMBER_USER = 4242, 5353, 6464
CHEAP = EscalationSettings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)


def make_config(
    master: str | None = None,
    index: str | None = None,
    runtime: RuntimeKey | None = None,
    **policy: int,
) -> EscalationConfig:
    """Stored keys (given or fresh) and a runtime key (given, or this "machine's" own)."""
    settings = CHEAP.model_copy(update=policy)
    return EscalationConfig(
        keys=EscalationKeys(
            master=MasterKeys.parse(master or generate_master_key(1)),
            index=IndexKey.parse(index or generate_index_key()),
            hasher=ReceiptHasher.from_settings(settings),
        ),
        policy=settings,
        zone=AMS,
        runtime=runtime or RuntimeKey.generate(),
    )


def rebooted(config: EscalationConfig) -> EscalationConfig:
    """The same deployment after its machine rebooted: the stored keys, a new runtime key."""
    return dataclasses.replace(config, runtime=RuntimeKey.generate())


async def unlocked(
    db: Database, config: EscalationConfig, receipt: str, user_id: int, now: datetime = NOW
) -> escalation.Unlocked:
    """The receipt checked as the cog checks it: outside any write transaction."""
    return await escalation.unlock(db, config=config, receipt=receipt, user_id=user_id, now=now)


async def add_association(db: Database, guild_id: int = 1001, name: str = "Tragos") -> int:
    async with db.sessions.begin() as session:
        result = await network.request_join(
            session,
            guild_id=guild_id,
            name=f"Studentenvereniging {name}",
            short_name=name,
            locale="nl",
            vcp_role_id=guild_id + 1,
            rules_channel_id=None,
            requested_by=1,
            now=NOW,
        )
        await network.decide_request(
            session,
            request_token=result.association.request_token,
            approve=True,
            decided_by=2,
            now=NOW,
            zone=AMS,
        )
        return result.association.id


async def submit(
    db: Database,
    config: EscalationConfig,
    *,
    association_id: int | None,
    user_id: int = VCP_USER,
    route: str = "vcp",
    category: str = "intimidation",
    urgency: str = "routine",
    text: str = "A board member keeps pressuring first-years at the bar.",
    shown: bool = True,
    now: datetime = NOW,
) -> escalation.Submitted:
    receipt = await escalation.prepare_receipt(config)
    async with db.sessions.begin() as session:
        return await escalation.submit_case(
            session,
            config=config,
            route=route,
            user_id=user_id,
            association_id=association_id,
            category=category,
            urgency=urgency,
            text=text,
            association_shown=shown,
            receipt=receipt,
            now=now,
        )


async def enable_member_route(db: Database, association_id: int, channel_id: int = 777) -> None:
    async with db.sessions.begin() as session:
        await escalation.set_member_route(
            session,
            association_id=association_id,
            enabled=True,
            channel_id=channel_id,
            now=NOW,
            zone=AMS,
        )


async def deliver_cards(db: Database, config: EscalationConfig) -> int:
    """What the delivery worker does for cards: post each (here: a made-up message) and
    record it. ``/open-cases`` lists a case only once its card has arrived. Other rows stay."""
    delivered = 0
    async with db.sessions.begin() as session:
        items = await escalation.claim_deliveries(
            session, token="test-worker", limit=1000, with_held=True
        )
    for item in items:
        async with db.sessions.begin() as session:
            if item.kind is escalation.OutboxKind.CASE_CARD_CREATE:
                ref = escalation.MessageRef(channel_id=900, message_id=10_000 + item.id)
                await escalation.mark_delivered(session, config=config, delivery=item, posted=ref)
                delivered += 1
            else:
                await escalation.mark_failed(session, delivery=item)
    return delivered
