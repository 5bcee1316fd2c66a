"""A small network of associations and VCPs, a clock and a fake DM outbox for the
intervisie tests (a helper module, not a test file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from vcpbot.db import Database
from vcpbot.services import intervisie, network
from vcpbot.services.intervisie._types import CoordinatorReport

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
POLICY = intervisie.Policy()
COORDINATOR = 7

# Tragos (Dutch) has two VCPs, Saurus (English) one; Circumflex is still waiting for
# approval, Koko is paused and Scala's server no longer has the bot.
SANNE, AHMED, LIV, PENDING_VCP, PAUSED_VCP, GONE_VCP = 101, 102, 201, 301, 401, 501
ADVISER = 900  # a UM confidential adviser, not a VCP of any association


async def _association(
    db: Database, guild_id: int, name: str, short: str, *, locale: str, vcps: dict[int, str]
) -> None:
    async with db.sessions.begin() as session:
        result = await network.request_join(
            session,
            guild_id=guild_id,
            name=name,
            short_name=short,
            locale=locale,
            vcp_role_id=guild_id * 10,
            rules_channel_id=None,
            requested_by=guild_id + 1,
            now=NOW,
        )
        for user_id, display_name in vcps.items():
            await network.add_vcp(
                session,
                guild_id=guild_id,
                user_id=user_id,
                display_name=display_name,
                actor_id=guild_id + 1,
                now=NOW,
            )
    if name != "Circumflex":
        async with db.sessions.begin() as session:
            await network.decide_request(
                session,
                request_token=result.association.request_token,
                approve=True,
                decided_by=COORDINATOR,
                now=NOW,
                zone=AMS,
            )


async def build_network(db: Database) -> None:
    await _association(
        db,
        1,
        "Studentenvereniging Tragos",
        "Tragos",
        locale="nl",
        vcps={SANNE: "Sanne", AHMED: "Ahmed"},
    )
    await _association(db, 2, "Saurus", "Saurus", locale="en", vcps={LIV: "Liv"})
    await _association(db, 3, "Circumflex", "Circ", locale="nl", vcps={PENDING_VCP: "Pim"})
    await _association(db, 4, "Koko", "Koko", locale="nl", vcps={PAUSED_VCP: "Kim"})
    await _association(db, 5, "Scala", "Scala", locale="en", vcps={GONE_VCP: "Sam"})
    async with db.sessions.begin() as session:
        await network.set_suspended(
            session, name="Koko", suspended=True, actor_id=COORDINATOR, now=NOW
        )
        await network.set_present(session, guild_id=5, present=False)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Outbox:
    """Stands in for the cog's DM sender: records what would be sent, and finds in
    what it delivered a reminder an earlier attempt sent."""

    deliver: bool = True
    sent: list[intervisie.ReminderToSend] = field(default_factory=list)
    reports: list[CoordinatorReport] = field(default_factory=list)
    looked_for: list[intervisie.ReminderToSend] = field(default_factory=list)

    async def send(self, reminder: intervisie.ReminderToSend) -> bool:
        self.sent.append(reminder)
        return self.deliver

    async def find(self, reminder: intervisie.ReminderToSend) -> bool:
        self.looked_for.append(reminder)
        return self.deliver and any(s.token == reminder.token for s in self.sent)

    async def report(self, report: CoordinatorReport) -> None:
        self.reports.append(report)

    @property
    def missed(self) -> list[intervisie.MissedReminder]:
        return [m for r in self.reports for m in r.missed]

    @property
    def unreachable(self) -> list[intervisie.ReminderToSend]:
        return [u for r in self.reports for u in r.unreachable]


async def plan(
    db: Database,
    starts_at: datetime,
    *,
    invitees: intervisie.Invitees | None = None,
    now: datetime = NOW,
    title: str = "Intervisie",
) -> intervisie.Planned:
    async with db.sessions.begin() as session:
        return await intervisie.plan_session(
            session,
            title=title,
            starts_at=starts_at,
            duration_minutes=90,
            location=intervisie.Location.room("Tapijnkazerne, zaal 2"),
            agenda=None,
            invitees=invitees or intervisie.Invitees.people(SANNE),
            now=now,
            policy=POLICY,
        )


async def answer(
    db: Database, invitation: intervisie.InvitationView, value: intervisie.Rsvp, now: datetime = NOW
) -> intervisie.Answered:
    async with db.sessions.begin() as session:
        return await intervisie.rsvp(
            session,
            token=invitation.token,
            user_id=invitation.user_id,
            answer=value,
            now=now,
            policy=POLICY,
        )


async def pending(db: Database) -> list[intervisie.PendingReminder]:
    async with db.sessions.begin() as session:
        return await intervisie.pending_reminders(session)


async def reminders_by_lead(db: Database) -> dict[str, datetime]:
    """Lead code -> due time of every pending reminder (for one invitation)."""
    from sqlalchemy import select

    from vcpbot.db.intervisie import IntervisieReminder

    async with db.sessions.begin() as session:
        rows = await session.execute(
            select(IntervisieReminder.lead, IntervisieReminder.due_at).where(
                IntervisieReminder.outcome.is_(None)
            )
        )
        return dict(rows.all())
