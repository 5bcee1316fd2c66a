"""After the real bot's run: is every write stored once, and none lost or doubled?

The runner reads the bot's database with its own connection while the bot still
runs, and waits for the counts to settle first: a write may commit after its
interaction was answered, or after Discord's deadline passed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.flows import Tally, shown
from benchmarks.world import KMTM_PERIOD, RSVP_TITLE
from discord_emulator.interactions import Interaction
from vcpbot.db import create_database
from vcpbot.db.escalation import Case
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession
from vcpbot.db.kmtm import COUNTER_TABLES, KmtmPeriod

SETTLE_S = 15.0
QUIET_S = 5.0


@dataclass(frozen=True)
class Stored:
    acks: int
    # Per counter table (category, relation, follow-up): contacts counted in the period.
    kmtm: tuple[int, ...]
    cases: int
    # user id -> the answer stored on that VCP's invitation.
    rsvp: dict[int, str]


async def _stored(conn: AsyncConnection) -> Stored:
    acks = (await conn.execute(text("SELECT count(*) FROM rules_acknowledgements"))).scalar_one()
    period = select(KmtmPeriod.id).where(KmtmPeriod.name == KMTM_PERIOD).scalar_subquery()
    kmtm = []
    for table in COUNTER_TABLES.values():
        counted = await conn.execute(
            select(func.coalesce(func.sum(table.count), 0)).where(table.period_id == period)
        )
        kmtm.append(int(counted.scalar_one()))
    cases = (await conn.execute(select(func.count()).select_from(Case))).scalar_one()
    answers = await conn.execute(
        select(IntervisieInvitation.user_id, IntervisieInvitation.rsvp)
        .join(IntervisieSession, IntervisieSession.id == IntervisieInvitation.session_id)
        .where(IntervisieSession.title == RSVP_TITLE)
    )
    return Stored(
        acks=int(acks),
        kmtm=tuple(kmtm),
        cases=int(cases),
        rsvp={int(user_id): str(rsvp) for user_id, rsvp in answers.all() if user_id is not None},
    )


async def settled(url: str, tally: Tally) -> Stored:
    """What is stored once it matches what was sent, or has not changed for ``QUIET_S``."""
    db = create_database(url)
    try:
        deadline = time.monotonic() + SETTLE_S
        last, quiet_since = None, time.monotonic()
        while True:
            async with db.engine.connect() as conn:
                now = await _stored(conn)
            if _all_stored(now, tally) or time.monotonic() > deadline:
                return now
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since > QUIET_S:
                return now
            await asyncio.sleep(0.2)
    finally:
        await db.dispose()


def _all_stored(stored: Stored, tally: Tally) -> bool:
    return (
        stored.acks == len(tally.acks)
        and set(stored.kmtm) == {len(tally.kmtm)}
        and stored.cases == len(tally.cases)
        and all(stored.rsvp.get(uid) == answer for uid, (answer, _) in tally.rsvp.items())
    )


@dataclass(frozen=True)
class Verdict:
    """One kind of write: sent, confirmed to the person in time, stored; and how many of the
    confirmed ones are not stored (lost)."""

    what: str
    sent: int
    confirmed: int
    stored: int
    lost: int

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.stored > self.sent:
            problems.append(f"{self.stored} {self.what} for {self.sent} sent (double-counted)")
        if self.lost:
            problems.append(f"{self.lost} confirmed {self.what} missing (lost)")
        return problems

    def line(self) -> str:
        text = f"{self.stored}/{self.sent} {self.what}"
        if self.confirmed != self.sent or self.stored != self.sent:
            text += f" ({self.confirmed} confirmed in time)"
        return text


def _counted(what: str, interactions: list[Interaction], stored: int) -> Verdict:
    confirmed = _shown(interactions)
    return Verdict(what, len(interactions), confirmed, stored, max(0, confirmed - stored))


def verdicts(stored: Stored, tally: Tally) -> list[Verdict]:
    presses = tally.rsvp.items()
    holding = sum(1 for uid, (answer, _) in presses if stored.rsvp.get(uid) == answer)
    # An invitation holds one answer: the last one pressed, at least when that was confirmed.
    lost = sum(1 for uid, (answer, p) in presses if shown(p) and stored.rsvp.get(uid) != answer)
    return [
        _counted("acknowledgements", tally.acks, stored.acks),
        *(
            _counted(f"KMTM contacts by {name}", tally.kmtm, counted)
            for name, counted in zip(
                ("category", "relation", "follow-up"), stored.kmtm, strict=True
            )
        ),
        _counted("escalation cases", tally.cases, stored.cases),
        Verdict(
            "invitations holding the last answer pressed",
            len(tally.rsvp),
            sum(1 for _, p in tally.rsvp.values() if shown(p)),
            holding,
            lost,
        ),
    ]


def _shown(interactions: list[Interaction]) -> int:
    return sum(1 for interaction in interactions if shown(interaction))


async def check_writes(name: str, url: str, tally: Tally) -> list[str]:
    """Print what was stored against what was sent; return lost or doubled writes.

    A write whose interaction expired before the bot handled it may be missing
    (the person saw "the application did not respond"); one the person was
    told is stored may not; none may be stored twice.
    """
    stored = await settled(url, tally)
    found = verdicts(stored, tally)
    problems = [problem for verdict in found for problem in verdict.problems]
    print(
        f"{name}: stored "
        + ", ".join(verdict.line() for verdict in found)
        + (": every confirmed write stored, none twice" if not problems else ": MISMATCH")
    )
    unconfirmed_kmtm = min(stored.kmtm, default=0) - _shown(tally.kmtm)
    if unconfirmed_kmtm > 0:
        print(
            f"  {unconfirmed_kmtm} KMTM contact(s) counted without the VCP being told in time: "
            "logging again would count them twice"
        )
    return [f"{name}: {problem}" for problem in problems]
