"""The network: the hub, associations joining by approval, the VCP registry, the audit log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.dml import execute_dml
from vcpbot.db.network import Association, AssociationStatus, AuditEntry, HubConfig, Vcp
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.services.privacy import eraser

NAME_MAX = 100
SHORT_NAME_MAX = 20
AUDIT_DETAIL_MAX = 200


@dataclass(frozen=True)
class Hub:
    guild_id: int
    escalations_channel_id: int
    team_role_id: int
    coordinator_role_id: int
    log_channel_id: int


@dataclass(frozen=True)
class AssociationView:
    id: int
    guild_id: int
    name: str
    short_name: str
    locale: str
    vcp_role_id: int
    rules_channel_id: int | None
    status: AssociationStatus
    present: bool
    joined_on: date | None
    request_token: str
    requested_by_id: int | None
    request_channel_id: int | None
    request_message_id: int | None

    @property
    def in_network(self) -> bool:
        return self.status is AssociationStatus.APPROVED and self.present


@dataclass(frozen=True)
class AssociationSummary:
    name: str
    short_name: str
    status: AssociationStatus
    present: bool
    vcp_count: int
    joined_on: date | None


@dataclass(frozen=True)
class VcpView:
    user_id: int
    display_name: str
    listed: bool
    association_name: str
    association_short_name: str


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor_id: int | None
    action: str
    association_name: str | None
    subject_id: int | None
    detail: str


def _view(row: Association) -> AssociationView:
    return AssociationView(
        id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        short_name=row.short_name,
        locale=row.locale,
        vcp_role_id=row.vcp_role_id,
        rules_channel_id=row.rules_channel_id,
        status=AssociationStatus(row.status),
        present=row.present,
        joined_on=row.joined_on,
        request_token=row.request_token,
        requested_by_id=row.requested_by_id,
        request_channel_id=row.request_channel_id,
        request_message_id=row.request_message_id,
    )


def _audit(
    session: AsyncSession,
    *,
    now: datetime,
    actor_id: int | None,
    action: str,
    association_id: int | None = None,
    subject_id: int | None = None,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            at=now,
            actor_id=actor_id,
            action=action,
            association_id=association_id,
            subject_id=subject_id,
            detail=detail[:AUDIT_DETAIL_MAX],
        )
    )


# --- the hub -----------------------------------------------------------------


async def configure_hub(
    session: AsyncSession,
    *,
    guild_id: int,
    escalations_channel_id: int,
    team_role_id: int,
    coordinator_role_id: int,
    log_channel_id: int,
    actor_id: int,
    now: datetime,
) -> Hub:
    """Save the UM hub's channels and roles (/setup in the hub guild), audited.

    Creates the hub's settings the first time and replaces them after that.
    """
    row = await session.get(HubConfig, guild_id)
    if row is None:
        row = HubConfig(guild_id=guild_id)
        session.add(row)
    row.escalations_channel_id = escalations_channel_id
    row.team_role_id = team_role_id
    row.coordinator_role_id = coordinator_role_id
    row.log_channel_id = log_channel_id
    row.updated_at = now
    _audit(session, now=now, actor_id=actor_id, action="hub.setup")
    await session.flush()
    return _hub(row)


def _hub(row: HubConfig) -> Hub:
    return Hub(
        guild_id=row.guild_id,
        escalations_channel_id=row.escalations_channel_id,
        team_role_id=row.team_role_id,
        coordinator_role_id=row.coordinator_role_id,
        log_channel_id=row.log_channel_id,
    )


async def get_hub(session: AsyncSession, *, guild_id: int) -> Hub | None:
    """The hub's channels and roles for ``guild_id``, or None when it is not the hub."""
    row = await session.get(HubConfig, guild_id)
    return None if row is None else _hub(row)


async def require_hub(session: AsyncSession, *, guild_id: int) -> Hub:
    """The hub's channels and roles for ``guild_id``.

    Raises NotFound when /setup has not been run in the hub.
    """
    hub = await get_hub(session, guild_id=guild_id)
    if hub is None:
        raise NotFound("network.error.hub_not_configured")
    return hub


# --- associations ------------------------------------------------------------


def _clean_names(name: str, short_name: str) -> tuple[str, str]:
    name, short_name = " ".join(name.split()), " ".join(short_name.split())
    if not name or len(name) > NAME_MAX:
        raise InvalidInput("network.error.bad_name", limit=NAME_MAX)
    if not short_name or len(short_name) > SHORT_NAME_MAX:
        raise InvalidInput("network.error.bad_short_name", limit=SHORT_NAME_MAX)
    return name, short_name


async def _association_row(session: AsyncSession, guild_id: int) -> Association | None:
    return await session.scalar(select(Association).where(Association.guild_id == guild_id))


async def association_for_guild(session: AsyncSession, *, guild_id: int) -> AssociationView | None:
    """The association that uses ``guild_id``, or None when none is registered there."""
    row = await _association_row(session, guild_id)
    return None if row is None else _view(row)


async def require_in_network(session: AsyncSession, *, guild_id: int) -> AssociationView:
    """The association of this guild, when it is an approved, present member of the network."""
    row = await _association_row(session, guild_id)
    return in_network_or_refuse(None if row is None else _view(row))


def in_network_or_refuse(association: AssociationView | None) -> AssociationView:
    """``association``, when it is an approved, present member of the network."""
    if association is None or association.status in (
        AssociationStatus.REJECTED,
        AssociationStatus.PENDING,
    ):
        raise NotAllowed("network.error.not_in_network")
    if association.status == AssociationStatus.SUSPENDED or not association.present:
        raise NotAllowed("network.error.suspended")
    return association


@dataclass(frozen=True)
class VcpStanding:
    """A guild's association and who is registered as its VCP: what every KMTM log checks.

    Plain values, so a cog can keep it between interactions (``vcpbot.readcache``)."""

    association: AssociationView | None
    vcp_ids: frozenset[int]


# The tables ``vcp_standing`` reads: a commit to either makes a kept copy stale.
STANDING_TABLES = ("associations", "vcps")


async def vcp_standing(session: AsyncSession, *, guild_id: int) -> VcpStanding:
    """The guild's association and its registered VCPs' user ids, in two queries."""
    row = await _association_row(session, guild_id)
    if row is None:
        return VcpStanding(None, frozenset())
    found = await session.scalars(select(Vcp.user_id).where(Vcp.association_id == row.id))
    return VcpStanding(_view(row), frozenset(found))


# The audit action when a board posts the anonymous-report panel (readiness reads it).
PANEL_ACTION = "anonymous.panel"


async def record_panel(
    session: AsyncSession, *, association_id: int, actor_id: int, now: datetime
) -> None:
    """Note in the network's log that the board posted the anonymous-report panel."""
    _audit(session, now=now, actor_id=actor_id, action=PANEL_ACTION, association_id=association_id)
    await session.flush()


@dataclass(frozen=True)
class SetupResult:
    association: AssociationView
    # True when a new join request was created (it needs the coordinator);
    # False when an approved association only updated its details.
    new_request: bool
    # What an association already in the network changed that the coordinator must see:
    # who counts as a VCP (the role), and what the hub knows it as (the name).
    previous_vcp_role_id: int | None = None
    previous_name: str | None = None

    @property
    def coordinator_should_see(self) -> bool:
        return self.previous_vcp_role_id is not None or self.previous_name is not None


@dataclass(frozen=True)
class JoinDraft:
    """A ``/setup`` checked in a read transaction, not yet saved.

    For a new request it carries the token of the hub card's buttons, so the card can be
    posted before the write: no transaction waits for Discord, and a card the hub
    refuses leaves nothing saved. ``save_join`` checks it again and writes it.
    """

    guild_id: int
    name: str
    short_name: str
    locale: str
    vcp_role_id: int
    rules_channel_id: int | None
    requested_by_id: int
    new_request: bool
    request_token: str = ""  # only for a new request

    @property
    def status(self) -> AssociationStatus:
        """What the hub card shows: a new request waits for the coordinator."""
        return AssociationStatus.PENDING


@dataclass(frozen=True)
class RequestCard:
    """Where the hub card of a new join request was posted."""

    channel_id: int
    message_id: int


def _is_new_request(row: Association | None) -> bool:
    """What ``/setup`` does for this association: a new request, or new details."""
    if row is not None and row.status == AssociationStatus.PENDING:
        raise Conflict("network.error.request_pending")
    if row is not None and row.status == AssociationStatus.SUSPENDED:
        raise NotAllowed("network.error.suspended")
    return row is None or row.status == AssociationStatus.REJECTED


async def draft_join(
    session: AsyncSession,
    *,
    guild_id: int,
    name: str,
    short_name: str,
    locale: str,
    vcp_role_id: int,
    rules_channel_id: int | None,
    requested_by: int,
) -> JoinDraft:
    """``/setup``, checked: a join request, or new details for an association in the network."""
    name, short_name = _clean_names(name, short_name)
    if locale not in ("nl", "en"):
        raise InvalidInput("network.error.bad_locale")
    new_request = _is_new_request(await _association_row(session, guild_id))
    return JoinDraft(
        guild_id=guild_id,
        name=name,
        short_name=short_name,
        locale=locale,
        vcp_role_id=vcp_role_id,
        rules_channel_id=rules_channel_id,
        requested_by_id=requested_by,
        new_request=new_request,
        request_token=secrets.token_urlsafe(18) if new_request else "",
    )


async def save_join(
    session: AsyncSession, *, draft: JoinDraft, now: datetime, card: RequestCard | None = None
) -> SetupResult:
    """Write a checked ``/setup`` (with where its hub card was posted, if it has one).

    Refuses when the association changed since the draft was checked, so a card posted
    for a new request never goes with anything else.
    """
    row = await _association_row(session, draft.guild_id)
    if _is_new_request(row) != draft.new_request:
        raise Conflict("network.error.setup_changed")
    if row is None:
        row = Association(guild_id=draft.guild_id, present=True)
        session.add(row)
    approved = row.status == AssociationStatus.APPROVED
    old_role = row.vcp_role_id if approved and row.vcp_role_id != draft.vcp_role_id else None
    old_name = row.name if approved and row.name != draft.name else None
    row.name, row.short_name, row.locale = draft.name, draft.short_name, draft.locale
    row.vcp_role_id, row.rules_channel_id = draft.vcp_role_id, draft.rules_channel_id
    if draft.new_request:
        row.status = AssociationStatus.PENDING
        row.requested_by_id = draft.requested_by_id
        row.requested_at = now
        row.decided_at = None
        row.request_token = draft.request_token
        row.request_channel_id = card.channel_id if card else None
        row.request_message_id = card.message_id if card else None
    await session.flush()
    result = SetupResult(
        association=_view(row),
        new_request=draft.new_request,
        previous_vcp_role_id=old_role,
        previous_name=old_name,
    )
    _audit_setup(session, result, actor_id=draft.requested_by_id, now=now)
    return result


async def request_join(
    session: AsyncSession,
    *,
    guild_id: int,
    name: str,
    short_name: str,
    locale: str,
    vcp_role_id: int,
    rules_channel_id: int | None,
    requested_by: int,
    now: datetime,
) -> SetupResult:
    """``/setup`` checked and saved in one go, where no hub card needs posting in between."""
    draft = await draft_join(
        session,
        guild_id=guild_id,
        name=name,
        short_name=short_name,
        locale=locale,
        vcp_role_id=vcp_role_id,
        rules_channel_id=rules_channel_id,
        requested_by=requested_by,
    )
    return await save_join(session, draft=draft, now=now)


def _audit_setup(
    session: AsyncSession, result: SetupResult, *, actor_id: int, now: datetime
) -> None:
    """One entry per /setup, and one more for each change the coordinator must see."""
    association = result.association
    action = "association.request" if result.new_request else "association.update"
    entries = [(action, association.name)]
    if result.previous_vcp_role_id is not None:
        roles = f"{result.previous_vcp_role_id} -> {association.vcp_role_id}"
        entries.append(("association.vcp_role", roles))
    if result.previous_name is not None:
        entries.append(("association.rename", result.previous_name))
    for action, detail in entries:
        _audit(
            session,
            now=now,
            actor_id=actor_id,
            action=action,
            association_id=association.id,
            detail=detail,
        )


async def decide_request(
    session: AsyncSession,
    *,
    request_token: str,
    approve: bool,
    decided_by: int,
    now: datetime,
    zone: ZoneInfo,
) -> AssociationView:
    """The coordinator's Approve or Reject; a second press finds it already decided."""
    row = await session.scalar(
        select(Association).where(Association.request_token == request_token).with_for_update()
    )
    if row is None:
        raise NotFound("network.error.unknown_request")
    if row.status != AssociationStatus.PENDING:
        raise Conflict("network.error.request_decided")
    row.status = AssociationStatus.APPROVED if approve else AssociationStatus.REJECTED
    row.decided_at = now
    if approve:
        row.joined_on = now.astimezone(zone).date()
    _audit(
        session,
        now=now,
        actor_id=decided_by,
        action="association.approve" if approve else "association.reject",
        association_id=row.id,
        detail=row.name,
    )
    await session.flush()
    return _view(row)


async def _by_name(session: AsyncSession, name: str) -> Association:
    wanted = name.strip().casefold()
    rows = (await session.scalars(select(Association))).all()
    for row in rows:
        if wanted in (row.name.casefold(), row.short_name.casefold()):
            return row
    raise NotFound("network.error.unknown_association", name=name.strip()[:NAME_MAX])


async def set_suspended(
    session: AsyncSession, *, name: str, suspended: bool, actor_id: int, now: datetime
) -> AssociationView:
    """Suspend an approved association, or reinstate a suspended one, audited.

    Raises NotFound when no association has that name, and Conflict when it is not
    approved (to suspend) or not suspended (to reinstate).
    """
    row = await _by_name(session, name)
    if suspended and row.status != AssociationStatus.APPROVED:
        raise Conflict("network.error.suspend_not_approved")
    if not suspended and row.status != AssociationStatus.SUSPENDED:
        raise Conflict("network.error.not_suspended")
    row.status = AssociationStatus.SUSPENDED if suspended else AssociationStatus.APPROVED
    _audit(
        session,
        now=now,
        actor_id=actor_id,
        action="association.suspend" if suspended else "association.reinstate",
        association_id=row.id,
        detail=row.name,
    )
    await session.flush()
    return _view(row)


async def set_present(session: AsyncSession, *, guild_id: int, present: bool) -> bool:
    """The bot joined or left a guild; returns whether it belonged to an association."""
    result = await execute_dml(
        session, update(Association).where(Association.guild_id == guild_id).values(present=present)
    )
    return bool(result.rowcount)


async def list_associations(session: AsyncSession) -> list[AssociationSummary]:
    """Every association by name, with how many VCPs each has registered."""
    counts = (
        select(Vcp.association_id, func.count(Vcp.id).label("n"))
        .group_by(Vcp.association_id)
        .subquery()
    )
    rows = await session.execute(
        select(Association, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.association_id == Association.id)
        .order_by(Association.name)
    )
    return [
        AssociationSummary(
            name=a.name,
            short_name=a.short_name,
            status=AssociationStatus(a.status),
            present=a.present,
            vcp_count=n,
            joined_on=a.joined_on,
        )
        for a, n in rows.all()
    ]


async def in_network(session: AsyncSession) -> list[AssociationView]:
    """The associations the bot serves now: approved, and the bot still in their server."""
    rows = await session.scalars(
        select(Association)
        .where(Association.status == AssociationStatus.APPROVED.value, Association.present)
        .order_by(Association.name)
    )
    return [_view(row) for row in rows]


async def association_names(
    session: AsyncSession, *, prefix: str = "", limit: int = 25
) -> list[str]:
    """For autocomplete: association names starting with or containing ``prefix``."""
    wanted = prefix.casefold()
    names = (await session.scalars(select(Association.name).order_by(Association.name))).all()
    return [n for n in names if wanted in n.casefold()][:limit]


# --- the VCP registry --------------------------------------------------------


async def _registered(session: AsyncSession, guild_id: int) -> Association:
    """The association of this guild; the registry needs /setup to have run."""
    row = await _association_row(session, guild_id)
    if row is None:
        raise NotAllowed("network.error.no_association")
    return row


async def _vcp_id(session: AsyncSession, association_id: int, user_id: int) -> int | None:
    return await session.scalar(
        select(Vcp.id).where(Vcp.association_id == association_id, Vcp.user_id == user_id)
    )


async def check_vcp_change(
    session: AsyncSession, *, guild_id: int, user_id: int, add: bool
) -> AssociationView:
    """What ``/vcp add`` or ``remove`` checks before the bot gives or takes the role (it
    reads only); ``add_vcp`` and ``remove_vcp`` check it again as they write."""
    row = await _registered(session, guild_id)
    registered = await _vcp_id(session, row.id, user_id) is not None
    if add and registered:
        raise Conflict("network.error.already_vcp")
    if not add and not registered:
        raise NotFound("network.error.not_a_vcp")
    return _view(row)


async def add_vcp(
    session: AsyncSession,
    *,
    guild_id: int,
    user_id: int,
    display_name: str,
    actor_id: int,
    now: datetime,
) -> AssociationView:
    """Register ``user_id`` as a VCP of the guild's association (not listed yet), audited.

    Raises NotAllowed when the guild has no association, and Conflict when the person
    is already registered there.
    """
    row = await _registered(session, guild_id)
    if await _vcp_id(session, row.id, user_id) is not None:
        raise Conflict("network.error.already_vcp")
    session.add(
        Vcp(
            association_id=row.id,
            user_id=user_id,
            display_name=display_name[:NAME_MAX],
            listed=False,
            added_at=now,
        )
    )
    _audit(
        session,
        now=now,
        actor_id=actor_id,
        action="vcp.add",
        association_id=row.id,
        subject_id=user_id,
    )
    await session.flush()
    return _view(row)


async def remove_vcp(
    session: AsyncSession, *, guild_id: int, user_id: int, actor_id: int, now: datetime
) -> AssociationView:
    """Take ``user_id`` off the guild's VCP registry, audited.

    Raises NotAllowed when the guild has no association, and NotFound when the person
    is not registered there.
    """
    row = await _registered(session, guild_id)
    result = await execute_dml(
        session, delete(Vcp).where(Vcp.association_id == row.id, Vcp.user_id == user_id)
    )
    if not result.rowcount:
        raise NotFound("network.error.not_a_vcp")
    _audit(
        session,
        now=now,
        actor_id=actor_id,
        action="vcp.remove",
        association_id=row.id,
        subject_id=user_id,
    )
    return _view(row)


async def set_listed(
    session: AsyncSession,
    *,
    guild_id: int,
    user_id: int,
    listed: bool,
    display_name: str,
    now: datetime,
) -> None:
    """A VCP's own choice whether /help names them."""
    row = await _association_row(session, guild_id)
    vcp = None
    if row is not None:
        vcp = await session.scalar(
            select(Vcp).where(Vcp.association_id == row.id, Vcp.user_id == user_id)
        )
    if row is None or vcp is None:
        raise NotAllowed("network.error.only_vcps")
    vcp.listed = listed
    vcp.display_name = display_name[:NAME_MAX]
    _audit(
        session,
        now=now,
        actor_id=user_id,
        action="vcp.listed" if listed else "vcp.unlisted",
        association_id=row.id,
        subject_id=user_id,
    )


async def vcps_of(
    session: AsyncSession, *, guild_id: int, listed_only: bool = False
) -> list[VcpView]:
    """The guild's registered VCPs by name; with ``listed_only``, those shown to members."""
    query = (
        select(Vcp, Association)
        .join(Association, Association.id == Vcp.association_id)
        .where(Association.guild_id == guild_id)
        .order_by(Vcp.display_name)
    )
    if listed_only:
        query = query.where(Vcp.listed.is_(True))
    return [_vcp_view(v, a) for v, a in (await session.execute(query)).all()]


async def all_vcps(session: AsyncSession) -> list[VcpView]:
    """Every VCP of every association, for the coordinator's planning."""
    query = (
        select(Vcp, Association)
        .join(Association, Association.id == Vcp.association_id)
        .order_by(Association.name, Vcp.display_name)
    )
    return [_vcp_view(v, a) for v, a in (await session.execute(query)).all()]


def _vcp_view(vcp: Vcp, association: Association) -> VcpView:
    return VcpView(
        user_id=vcp.user_id,
        display_name=vcp.display_name,
        listed=vcp.listed,
        association_name=association.name,
        association_short_name=association.short_name,
    )


async def is_vcp(session: AsyncSession, *, guild_id: int, user_id: int) -> bool:
    """Whether ``user_id`` is registered as a VCP of the guild's association."""
    found = await session.scalar(
        select(Vcp.id)
        .join(Association, Association.id == Vcp.association_id)
        .where(Association.guild_id == guild_id, Vcp.user_id == user_id)
    )
    return found is not None


@dataclass(frozen=True)
class VcpRole:
    """Where a person is registered as VCP, and the Discord role that goes with it."""

    guild_id: int
    role_id: int
    association_name: str


async def vcp_roles_of(session: AsyncSession, *, user_id: int) -> list[VcpRole]:
    """For delete-my-data: the roles to take back once the registry forgets the person."""
    rows = await session.execute(
        select(Association.guild_id, Association.vcp_role_id, Association.name)
        .join(Vcp, Vcp.association_id == Association.id)
        .where(Vcp.user_id == user_id)
        .order_by(Association.name)
    )
    return [VcpRole(guild_id=g, role_id=r, association_name=n) for g, r, n in rows.all()]


async def vcp_count(session: AsyncSession, *, association_id: int) -> int:
    """How many VCPs the association has registered."""
    count = await session.scalar(
        select(func.count(Vcp.id)).where(Vcp.association_id == association_id)
    )
    return int(count or 0)


async def audit_log(session: AsyncSession, *, limit: int = 25) -> list[AuditView]:
    """The latest ``limit`` entries of the network's audit log, newest first."""
    rows = await session.execute(
        select(AuditEntry, Association.name)
        .outerjoin(Association, Association.id == AuditEntry.association_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return [
        AuditView(
            at=e.at,
            actor_id=e.actor_id,
            action=e.action,
            association_name=name,
            subject_id=e.subject_id,
            detail=e.detail,
        )
        for e, name in rows.all()
    ]


@eraser("network", "vcps", "audit_log", "associations")
async def erase_network_data(session: AsyncSession, user_id: int) -> list[str]:
    """Remove a person from the VCP registry and their id from the audit log and from
    join requests (/privacy delete-my-data); the entries themselves stay.
    """
    removed = []
    result = await execute_dml(session, delete(Vcp).where(Vcp.user_id == user_id))
    if result.rowcount:
        removed.append("privacy.removed.vcp_registry")
    audit = 0
    for column in (AuditEntry.actor_id, AuditEntry.subject_id):
        result = await execute_dml(
            session, update(AuditEntry).where(column == user_id).values({column.key: None})
        )
        audit += result.rowcount or 0
    if audit:
        removed.append("privacy.removed.audit_log")
    result = await execute_dml(
        session,
        update(Association)
        .where(Association.requested_by_id == user_id)
        .values(requested_by_id=None),
    )
    if result.rowcount:
        removed.append("privacy.removed.join_requests")
    return removed
