"""Invitation and reminder fan-out: many invited VCPs, one DM each, at Discord's rate limits.

In a world of its own: every ``PERSONAL_EVERY``-th VCP first chooses their own
lead times (``PERSONAL_LEADS``: 24 hours and 3 hours before, as from
``/intervisie mine``); the coordinator then plans sessions through the bot
(``/intervisie plan``; a session takes at most 1,000 people, so one session per
association of at most 1,000 VCPs, all at the same time) starting 24 hours and
half an hour from now. The invitations go out from the leader's outbox after the
coordinator's answer: the time from submitting the plan to the last invitation DM
is measured against the same rate-limit bound as the reminders. Each invitee then
has exactly one reminder due in half an hour (``PT24H``, chosen or by default; the
week-before one is already past, the hour-before one is only for those who answered
Yes or Maybe, the personal 3-hour one falls later). Then the bot process is restarted with
its clock (and its scheduler) moved to a few seconds before that reminder is
due: the bot's own scheduler fires every reminder job at once, as it would in
production, and the runner times until the last reminder DM arrives.

The emulator enforces its rate limits throughout (``discord_emulator.ratelimit``).
The minimum time those allow follows from the requests needed: a fresh process
knows no DM channel, so each reminder is ``POST /users/@me/channels`` then
``POST /channels/{id}/messages``; both count against the global limit (50 per
second), the first also against its own bucket. The DMs are counted per
recipient afterwards: exactly one each, or the run fails.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from benchmarks.processes import running, start_bot, stop_bot, vcpbot_args
from benchmarks.report import Figure
from benchmarks.world import (
    SESSION_CAP,
    ZONE,
    plan_intervisie,
    register_vcps,
    set_up_network,
)
from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from vcpbot.db import create_database
from vcpbot.db.intervisie import IntervisieReminder
from vcpbot.i18n import t
from vcpbot.services import intervisie
from vcpbot.services.intervisie import Policy
from vcpbot.services.when import Lead
from vcpbot_harness import add_student, seed_network_world

TITLE = "Intervisie fan-out"
# How far ahead of the reminder the restarted bot's clock starts, beyond its start-up time.
START_MARGIN_S = 1.5
GOAL_RATIO = 1.1
DUPLICATE_GRACE_S = 1.0
OPEN_DM = "POST /users/@me/channels"
SEND = "POST /channels/{channel_id}/messages"
# Every this many VCPs one chooses their own lead times before the session is planned.
PERSONAL_EVERY = 4
PERSONAL_LEADS = ("PT24H", "PT3H")
REMINDER = "intervisie.reminder.title"
INVITATION = "intervisie.invite.title"


@dataclass(frozen=True)
class FanOut:
    invitees: int
    delivered: int
    duplicates: int
    seconds: float  # from the due instant to the last reminder DM
    minimum: float  # what the rate limits allow for the requests needed
    rate_limited: int  # 429 answers the emulator gave meanwhile
    personal: int  # invitees with lead times of their own
    invited: int  # invitation DMs delivered (at least one)
    invitation_duplicates: int
    invitation_seconds: float  # from submitting the plan to the last invitation DM


def minimum_seconds(em: Emulator, reminders: int) -> float:
    """The least time the emulator's limits allow for ``reminders`` fresh DMs.

    Limits are fixed windows (``limit`` requests per ``per`` seconds, the first
    window starting at the first request), so N requests under a limit of L per P
    seconds need ``(ceil(N / L) - 1) * P`` seconds between the first and the last.
    """
    limits = em.rate_limits

    def windows(requests: int, limit: int, per: float) -> float:
        return (math.ceil(requests / limit) - 1) * per if requests else 0.0

    opens, sends = reminders, reminders
    bounds = [
        windows(opens + sends, limits.global_limit, limits.global_per),
        windows(opens, limits.bucket(OPEN_DM).limit, limits.bucket(OPEN_DM).per),
        # Every reminder goes to its own DM channel, so one send per channel bucket.
        windows(1, limits.bucket(SEND).limit, limits.bucket(SEND).per),
    ]
    return max(bounds)


class DmClock:
    """When each reminder DM arrives (wrapping the world's dispatch, as the Observer does)."""

    def __init__(self, em: Emulator, channels: set[int], title: str, key: str = REMINDER) -> None:
        self._world = em.world
        self._dispatch = em.world.dispatch
        self._channels = channels
        self._titles = {t(key, lang, title=title) for lang in ("nl", "en")}
        self.arrivals: list[float] = []
        em.world.dispatch = self._on_dispatch  # type: ignore[method-assign]

    def close(self) -> None:
        self._world.dispatch = self._dispatch  # type: ignore[method-assign]

    def _on_dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        if (
            event == "MESSAGE_CREATE"
            and int(data["channel_id"]) in self._channels
            and any(_is_reminder(e, self._titles) for e in data.get("embeds", []))
        ):
            self.arrivals.append(time.monotonic())
        self._dispatch(event, data, guild_id)


def _is_reminder(embed: dict[str, Any], titles: set[str]) -> bool:
    """The reminder's title in one language, or (to someone the bot never saw) in both."""
    return any(title in (embed.get("title") or "") for title in titles)


def reminders_in(em: Emulator, user: User, key: str = REMINDER) -> list[Message]:
    titles = {t(key, lang, title=TITLE) for lang in ("nl", "en")}
    return [m for m in em.dms(user) if any(_is_reminder(e, titles) for e in m.embeds)]


async def choose_own_leads(url: str, vcps: list[User]) -> None:
    """These VCPs choose ``PERSONAL_LEADS`` (as the menu in ``/intervisie mine`` does)."""
    policy = Policy(
        leads=(Lead.parse("P7D"), Lead.parse("PT24H"), Lead.parse("PT1H")),
        optional=(Lead.parse("PT3H"),),
        attending_only=frozenset({"PT1H"}),
    )
    db = create_database(url)
    try:
        async with db.sessions.begin() as session:
            for vcp in vcps:
                await intervisie.set_reminder_leads(
                    session,
                    user_id=vcp.id,
                    leads=PERSONAL_LEADS,
                    now=datetime.now(UTC),
                    policy=policy,
                )
    finally:
        await db.dispose()


async def due_times(url: str) -> list[datetime]:
    db = create_database(url)
    try:
        async with db.sessions.begin() as session:
            found = await session.scalars(
                select(IntervisieReminder.due_at).where(IntervisieReminder.outcome.is_(None))
            )
            due = [d if d.tzinfo else d.replace(tzinfo=UTC) for d in found.all()]
            # The personal 3-hour reminders fall later: the fan-out is the first instant's.
            return [d for d in due if d == min(due)] if due else []
    finally:
        await db.dispose()


async def _invite(
    em: Emulator,
    world: Any,
    *,
    keys: list[str],
    vcps: list[User],
    start: datetime,
    channels: set[int],
) -> float:
    """The coordinator plans one session per association: seconds from submitting the
    first plan to the last invitation DM the outbox sent."""
    invitations = DmClock(em, channels, TITLE, INVITATION)
    submitted = time.monotonic()
    try:
        for j, key in enumerate(keys):
            audience = {"invitees": "associations", "associations": key.capitalize()}
            await plan_intervisie(
                em, world, vcps[j :: len(keys)], title=TITLE, start=start, audience=audience
            )
    finally:
        invitations.close()
    return max(invitations.arrivals, default=math.nan) - submitted


async def run_fanout(name: str, url: str, invitees: int) -> tuple[FanOut, list[str]]:
    # A session takes at most SESSION_CAP people: one session per association, all at once.
    keys = [f"fanout{j}" for j in range(math.ceil(invitees / SESSION_CAP))]
    async with Emulator() as em:
        world = seed_network_world(em, associations=tuple((k, f"Fan-out {k}", "nl") for k in keys))
        vcps = [
            add_student(em, world, keys[i % len(keys)], f"fanout-vcp-{i}", locale="nl")
            for i in range(invitees)
        ]
        hub = world.hub.id
        # Start: a whole minute, 24 h 30 min from now, in Amsterdam.
        start = (datetime.now(UTC) + timedelta(hours=24, minutes=31)).astimezone(ZONE)
        start = start.replace(second=0, microsecond=0)
        channels = {em.world.dm_channel(user).id for user in vcps}
        personal = vcps[::PERSONAL_EVERY]
        async with running(em, "vcpbot", *vcpbot_args(url, hub)) as first:
            await set_up_network(em, world, *keys)
            for j, key in enumerate(keys):
                await register_vcps(em, world, key, vcps[j :: len(keys)])
            await choose_own_leads(url, personal)
            invitation_seconds = await _invite(
                em, world, keys=keys, vcps=vcps, start=start, channels=channels
            )
        invited_counts = [len(reminders_in(em, user, INVITATION)) for user in vcps]
        due = await due_times(url)
        if len(due) != invitees or len(set(due)) != 1:
            raise RuntimeError(f"expected {invitees} reminders due at one instant, found {due[:3]}")
        dm_clock = DmClock(em, channels, TITLE)
        served_before = len(em.rate_limits.served)
        lead = first.start_seconds + START_MARGIN_S
        offset = due[0].timestamp() - (time.time() + lead)
        fire = time.monotonic() + lead
        bot = await start_bot(em, "vcpbot", *vcpbot_args(url, hub, "--clock-offset", f"{offset}"))
        try:
            if time.monotonic() > fire:
                print(f"  {name}: the restarted bot became ready after the reminders fell due")
            minimum = minimum_seconds(em, invitees)
            await em.world.wait_for(
                lambda: len(dm_clock.arrivals) >= invitees or None,
                within=lead + 3 * minimum + 60,
                what=f"{invitees} reminder DMs",
            )
            # A little longer, so that a duplicate sent late is seen too.
            await asyncio.sleep(DUPLICATE_GRACE_S)
        except AssertionError:
            print(f"  {name}: not every reminder arrived in time")
        finally:
            dm_clock.close()
            await stop_bot(bot)
        failures = list(em.failures)
        counts = [len(reminders_in(em, user)) for user in vcps]
        delivered = sum(1 for c in counts if c >= 1)
        duplicates = sum(c - 1 for c in counts if c > 1)
        last = max(dm_clock.arrivals, default=math.nan)
        result = FanOut(
            invitees=invitees,
            delivered=delivered,
            duplicates=duplicates,
            seconds=last - fire,
            minimum=minimum,
            rate_limited=len(em.rate_limits.served) - served_before,
            personal=len(personal),
            invited=sum(1 for c in invited_counts if c >= 1),
            invitation_duplicates=sum(c - 1 for c in invited_counts if c > 1),
            invitation_seconds=invitation_seconds,
        )
    if duplicates:
        failures.append(f"{name}: {duplicates} duplicate reminder DM(s)")
    if delivered != invitees:
        failures.append(f"{name}: {invitees - delivered} of {invitees} reminders never arrived")
    if result.invitation_duplicates:
        failures.append(f"{name}: {result.invitation_duplicates} duplicate invitation DM(s)")
    return result, failures


def figures(name: str, fan: FanOut) -> list[Figure]:
    size = f"{fan.invitees} invitees, {fan.personal} with own lead times"
    ratio_met = fan.seconds <= GOAL_RATIO * fan.minimum if fan.minimum > 0 else None
    invitations_met = (
        fan.invitation_seconds <= GOAL_RATIO * fan.minimum if fan.minimum > 0 else None
    )
    return [
        Figure(
            name,
            "invitation fan-out: plan → last DM (baseline: the limits' minimum)",
            size,
            fan.invitation_seconds,
            fan.minimum,
            "s",
            goal=f"≤ {GOAL_RATIO:g}x",
            met=invitations_met,
        ),
        Figure(
            name,
            "invitation DMs delivered",
            size,
            fan.invited,
            fan.invitees,
            "",
            goal="all",
            met=fan.invited == fan.invitees,
        ),
        Figure(
            name,
            "duplicate invitation DMs",
            size,
            fan.invitation_duplicates,
            None,
            "",
            "0",
            fan.invitation_duplicates == 0,
        ),
        Figure(
            name,
            "reminder fan-out: due → last DM (baseline: the limits' minimum)",
            size,
            fan.seconds,
            fan.minimum,
            "s",
            goal=f"≤ {GOAL_RATIO:g}x",
            met=ratio_met,
        ),
        Figure(
            name,
            "reminder DMs delivered",
            size,
            fan.delivered,
            fan.invitees,
            "",
            goal="all",
            met=fan.delivered == fan.invitees,
        ),
        Figure(
            name, "duplicate reminder DMs", size, fan.duplicates, None, "", "0", fan.duplicates == 0
        ),
        Figure(name, "429 answers during the fan-out", size, fan.rate_limited, None, ""),
    ]
