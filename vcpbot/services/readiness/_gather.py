"""Gathering one readiness line per association from the tables that describe settings.

The queries touch only the registry, rules, help contact, member-route setting,
intervisie invitations, training records and the audit log; see the package docstring for why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.escalation import MemberRoute
from vcpbot.db.help import HelpContact
from vcpbot.db.intervisie import IntervisieInvitation, IntervisieSession, SessionStatus
from vcpbot.db.network import Association, AssociationStatus, AuditEntry, Vcp
from vcpbot.db.rules import RulesDocument, RulesKind, RulesVersion
from vcpbot.db.training import TrainingRecord
from vcpbot.services.disclosure import Rule
from vcpbot.services.network import PANEL_ACTION
from vcpbot.services.readiness._types import (
    ATTENDANCE_LOW_PERCENT,
    BOARD_SHARE_MIN_VCPS,
    QUIET_DAYS,
    TERM_DAYS,
    Acknowledgements,
    Gap,
    Readiness,
    RulesLine,
)
from vcpbot.services.rules import ack_stats


async def readiness(
    session: AsyncSession, *, now: datetime, members: Mapping[int, int | None]
) -> list[Readiness]:
    """Every approved association's line, those that need attention first.

    ``members`` maps a guild id to its member count (from Discord; missing or None when
    unknown), the denominator of the acknowledgement rates.
    """
    rows = (
        await session.scalars(
            select(Association).where(Association.status == AssociationStatus.APPROVED)
        )
    ).all()
    lines = [await _line(session, row, now, members.get(row.guild_id)) for row in rows]
    return sorted(lines, key=_attention_first)


async def readiness_of(
    session: AsyncSession, *, guild_id: int, now: datetime, members: int | None
) -> Readiness | None:
    """The line of the association in this guild as its board may see it, or None when it
    is not approved.

    The board knows its VCPs by name, so with fewer than ``BOARD_SHARE_MIN_VCPS`` VCPs an
    attendance share would say how often one of them came: it is left out (None, and no
    intervisie gap) for the board. The coordinator already sees attendance per person.
    """
    row = (
        await session.scalars(
            select(Association).where(
                Association.guild_id == guild_id,
                Association.status == AssociationStatus.APPROVED,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    line = await _line(session, row, now, members)
    if line.vcps >= BOARD_SHARE_MIN_VCPS:
        return line
    return _with_gaps(replace(line, attendance_percent=None))


def _attention_first(line: Readiness) -> tuple[int, int, str]:
    """Most gaps first; then the longest quiet; then by name."""
    quiet = -1 if line.days_quiet is None else line.days_quiet
    return (-len(line.gaps), -quiet, line.name.casefold())


async def _line(
    session: AsyncSession, row: Association, now: datetime, members: int | None
) -> Readiness:
    vcps = await _count(session, select(func.count()).where(Vcp.association_id == row.id))
    code = await _rules(session, row.guild_id, RulesKind.CODE_OF_CONDUCT, members)
    house = await _rules(session, row.guild_id, RulesKind.HOUSE_RULES, members)
    contact = await _count(
        session, select(func.count()).where(HelpContact.association_id == row.id)
    )
    panel = await _count(
        session,
        select(func.count()).where(
            AuditEntry.association_id == row.id, AuditEntry.action == PANEL_ACTION
        ),
    )
    route = await session.scalar(
        select(MemberRoute.enabled).where(MemberRoute.association_id == row.id)
    )
    attendance = await _attendance(session, row.id, now)
    quiet = await _days_quiet(session, row, now)
    trained = await _trained(session, row.id, now)
    line = Readiness(
        association_id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        short_name=row.short_name,
        vcps=vcps,
        code_of_conduct=code,
        house_rules=house,
        help_contact=contact > 0,
        panel_posted=panel > 0,
        member_route=bool(route),
        attendance_percent=attendance,
        days_quiet=quiet,
        gaps=(),
        trained=trained,
    )
    return _with_gaps(line)


def _with_gaps(line: Readiness) -> Readiness:
    found = {
        Gap.NO_VCPS: line.vcps == 0,
        Gap.CODE_OF_CONDUCT: line.code_of_conduct.version_date is None,
        Gap.HOUSE_RULES: line.house_rules.version_date is None,
        Gap.HELP_CONTACT: not line.help_contact,
        Gap.PANEL: not line.panel_posted,
        Gap.MEMBER_ROUTE: not line.member_route,
        Gap.INTERVISIE: line.attendance_percent is not None
        and line.attendance_percent < ATTENDANCE_LOW_PERCENT,
        Gap.QUIET: line.days_quiet is not None and line.days_quiet > QUIET_DAYS,
        Gap.TRAINING: line.trained < line.vcps,
    }
    return replace(line, gaps=tuple(gap for gap in Gap if found[gap]))


async def _count(session: AsyncSession, query: object) -> int:
    return int(await session.scalar(query) or 0)  # type: ignore[call-overload]


async def _rules(
    session: AsyncSession, guild_id: int, kind: RulesKind, members: int | None
) -> RulesLine:
    published = await session.scalar(
        select(func.max(RulesVersion.published_at))
        .join(RulesDocument, RulesDocument.id == RulesVersion.document_id)
        .where(
            RulesDocument.guild_id == guild_id,
            RulesDocument.kind == kind,
            RulesDocument.is_template.is_(False),
        )
    )
    if published is None:
        return RulesLine(kind=kind, version_date=None, acknowledgements=None)
    stats = await ack_stats(session, guild_id=guild_id, kind=kind)
    return RulesLine(
        kind=kind,
        version_date=published.date(),
        acknowledgements=_acknowledgements(stats.enabled, stats.up_to_date, members),
    )


def _acknowledgements(enabled: bool, up_to_date: int, members: int | None) -> Acknowledgements:
    """A percentage only when at least ``k`` members acknowledged (the small-number rule)."""
    if not enabled:
        return Acknowledgements(enabled=False, percent=None, too_few=False)
    if up_to_date < Rule().k or not members:
        return Acknowledgements(enabled=True, percent=None, too_few=True)
    percent = min(100, round(100 * up_to_date / members))
    return Acknowledgements(enabled=True, percent=percent, too_few=False)


async def _attendance(session: AsyncSession, association_id: int, now: datetime) -> int | None:
    attended = case((IntervisieInvitation.attended.is_(True), 1), else_=0)
    recorded, present = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(attended), 0))
            .join(IntervisieSession, IntervisieSession.id == IntervisieInvitation.session_id)
            .where(
                IntervisieInvitation.association_id == association_id,
                IntervisieInvitation.attended.is_not(None),
                IntervisieSession.status != SessionStatus.CANCELLED,
                # Trainings are counted as trained VCPs, not as intervisie.
                IntervisieSession.kind == "intervisie",
                IntervisieSession.starts_at >= now - timedelta(days=TERM_DAYS),
                IntervisieSession.starts_at <= now,
            )
        )
    ).one()
    return None if not recorded else round(100 * int(present) / int(recorded))


async def _days_quiet(session: AsyncSession, row: Association, now: datetime) -> int | None:
    """Days since the board last did something the bot saw: a change in the network's
    log (VCPs, /help contact, panel, approval) or a rules version published."""
    logged = await session.scalar(
        select(func.max(AuditEntry.at)).where(AuditEntry.association_id == row.id)
    )
    published = await session.scalar(
        select(func.max(RulesVersion.published_at))
        .join(RulesDocument, RulesDocument.id == RulesVersion.document_id)
        .where(RulesDocument.guild_id == row.guild_id, RulesDocument.is_template.is_(False))
    )
    moments = [m for m in (logged, published, row.decided_at) if m is not None]
    return None if not moments else max(0, (now - max(moments)).days)


async def _trained(session: AsyncSession, association_id: int, now: datetime) -> int:
    """Its registered VCPs with a training that has not expired (any topic)."""
    current = select(TrainingRecord.user_id).where(TrainingRecord.expires_at > now)
    return await _count(
        session,
        select(func.count(func.distinct(Vcp.user_id))).where(
            Vcp.association_id == association_id, Vcp.user_id.in_(current)
        ),
    )
