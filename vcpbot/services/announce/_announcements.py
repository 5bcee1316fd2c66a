"""Announcements: the board's choice of channel, a draft's checks, who it reaches, sending.

Sending writes the announcement and one delivery row per approved association in one
transaction: a copy to post for each that has a channel and did not opt out, and a
"not sent" row (opted out, no channel) for each other, so the report can name them
too. Channel, role and language are taken at that moment.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.announce import Announcement, AnnouncementDelivery
from vcpbot.db.network import Association, AssociationStatus, AuditEntry
from vcpbot.errors import InvalidInput, NotAllowed
from vcpbot.services.announce._types import (
    TEXT_MAX,
    TITLE_MAX,
    AnnouncementSettings,
    Draft,
    Reach,
    Reason,
    Report,
    ReportLine,
    State,
)


async def _association(session: AsyncSession, guild_id: int) -> Association:
    row = await session.scalar(select(Association).where(Association.guild_id == guild_id))
    if row is None:
        raise NotAllowed("network.error.no_association")
    return row


async def set_announcements(
    session: AsyncSession,
    *,
    guild_id: int,
    receive: bool,
    channel_id: int | None,
    role_id: int | None,
    actor_id: int,
    now: datetime,
) -> AnnouncementSettings:
    """The board's choice for its association, noted in the network's log. ``receive``
    without a channel keeps the one chosen before; with none at all it raises
    ``InvalidInput``. The role is replaced each time (None: announcements never ping).
    Opting out keeps the channel for later."""
    row = await _association(session, guild_id)
    if receive and channel_id is None and row.announcements_channel_id is None:
        raise InvalidInput("announce.error.channel_needed")
    if channel_id is not None:
        row.announcements_channel_id = channel_id
    row.announcements_role_id = role_id
    row.announcements_opt_out = not receive
    action = "announcements_on" if receive else "announcements_off"
    session.add(
        AuditEntry(at=now, actor_id=actor_id, action=f"association.{action}", association_id=row.id)
    )
    await session.flush()
    return _settings(row)


def _settings(row: Association) -> AnnouncementSettings:
    return AnnouncementSettings(
        association=row.name,
        channel_id=row.announcements_channel_id,
        role_id=row.announcements_role_id,
        opted_out=row.announcements_opt_out,
    )


def check_draft(*, title: str, text_nl: str, text_en: str) -> Draft:
    """The draft, trimmed; ``InvalidInput`` naming the first field that is empty or too long."""
    draft = Draft(title.strip(), text_nl.strip(), text_en.strip())
    fields = (("title", draft.title, TITLE_MAX), ("nl", draft.text_nl, TEXT_MAX))
    for name, value, limit in (*fields, ("en", draft.text_en, TEXT_MAX)):
        if not value:
            raise InvalidInput(f"announce.error.empty_{name}")
        if len(value) > limit:
            raise InvalidInput(f"announce.error.too_long_{name}", limit=limit, length=len(value))
    return draft


async def _approved(session: AsyncSession) -> list[Association]:
    query = select(Association).where(Association.status == AssociationStatus.APPROVED.value)
    return list((await session.scalars(query.order_by(Association.name))).all())


def _state_of(row: Association) -> State:
    if row.announcements_opt_out:
        return State.OPTED_OUT
    if row.announcements_channel_id is None:
        return State.NO_CHANNEL
    return State.PENDING


async def reach(session: AsyncSession) -> Reach:
    """Who an announcement sent now would reach: for the preview."""
    rows = await _approved(session)
    states = [(row, _state_of(row)) for row in rows]
    going = [row for row, state in states if state is State.PENDING]
    return Reach(
        dutch=sum(row.locale == "nl" for row in going),
        english=sum(row.locale != "nl" for row in going),
        opted_out=tuple(row.name for row, state in states if state is State.OPTED_OUT),
        no_channel=tuple(row.name for row, state in states if state is State.NO_CHANNEL),
    )


async def send_announcement(session: AsyncSession, *, draft: Draft, now: datetime) -> int:
    """Queue the announcement for every approved association; returns its id. Commit, then
    wake the delivery worker."""
    draft = check_draft(title=draft.title, text_nl=draft.text_nl, text_en=draft.text_en)
    announcement = Announcement(
        title=draft.title, text_nl=draft.text_nl, text_en=draft.text_en, sent_at=now
    )
    session.add(announcement)
    await session.flush()
    for row in await _approved(session):
        state = _state_of(row)
        going = state is State.PENDING
        session.add(
            AnnouncementDelivery(
                announcement_id=announcement.id,
                association_id=row.id,
                state=state.value,
                channel_id=row.announcements_channel_id if going else None,
                role_id=row.announcements_role_id if going else None,
                locale=row.locale,
                delivery_key=secrets.token_hex(8),
                attempts=0,
            )
        )
    await session.flush()
    return announcement.id


async def report(session: AsyncSession, *, announcement_id: int | None = None) -> Report | None:
    """How an announcement went (the latest when no id is given); None when none was sent."""
    query = select(Announcement).order_by(Announcement.id.desc()).limit(1)
    if announcement_id is not None:
        query = select(Announcement).where(Announcement.id == announcement_id)
    announcement = await session.scalar(query)
    if announcement is None:
        return None
    rows = await session.execute(
        select(AnnouncementDelivery.state, AnnouncementDelivery.reason, Association.name)
        .join(Association, Association.id == AnnouncementDelivery.association_id)
        .where(AnnouncementDelivery.announcement_id == announcement.id)
        .order_by(Association.name)
    )
    lines = tuple(
        ReportLine(name, State(state), Reason(reason) if reason else None)
        for state, reason, name in rows.all()
    )
    return Report(announcement.title, announcement.sent_at, lines)
