"""The network's rules, on SQLite and PostgreSQL: joining by approval, the registry, the log."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from vcpbot.db import Database
from vcpbot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from vcpbot.services import network
from vcpbot.services.network import AssociationStatus
from vcpbot.services.privacy import erase_user

NOW = datetime(2026, 8, 20, 21, 30, tzinfo=UTC)
AMS = ZoneInfo("Europe/Amsterdam")
GUILD, ADMIN, COORDINATOR, VCP = 1001, 11, 22, 33


async def _request(db: Database, guild_id: int = GUILD, **overrides) -> network.SetupResult:
    values = dict(
        guild_id=guild_id,
        name="Studentenvereniging Tragos",
        short_name="Tragos",
        locale="nl",
        vcp_role_id=500,
        rules_channel_id=None,
        requested_by=ADMIN,
        now=NOW,
    )
    values.update(overrides)
    async with db.sessions.begin() as session:
        return await network.request_join(session, **values)


async def _decide(db: Database, token: str, approve: bool = True) -> network.AssociationView:
    async with db.sessions.begin() as session:
        return await network.decide_request(
            session, request_token=token, approve=approve, decided_by=COORDINATOR, now=NOW, zone=AMS
        )


async def test_a_request_waits_for_the_coordinator_then_joins(db: Database) -> None:
    result = await _request(db)
    assert result.new_request
    assert result.association.status is AssociationStatus.PENDING
    async with db.sessions.begin() as session:
        with pytest.raises(NotAllowed) as caught:
            await network.require_in_network(session, guild_id=GUILD)
    assert caught.value.key == "network.error.not_in_network"

    approved = await _decide(db, result.association.request_token)
    assert approved.status is AssociationStatus.APPROVED
    # 21:30 UTC on 20 August is already the 20th in Amsterdam; joined on the local date.
    assert approved.joined_on.isoformat() == "2026-08-20"
    async with db.sessions.begin() as session:
        assert (await network.require_in_network(session, guild_id=GUILD)).in_network


async def test_a_second_request_while_one_is_pending_changes_nothing(db: Database) -> None:
    first = await _request(db)
    with pytest.raises(Conflict):
        await _request(db, name="Another name")
    async with db.sessions.begin() as session:
        current = await network.association_for_guild(session, guild_id=GUILD)
    assert current.name == first.association.name


async def test_a_decision_is_taken_once(db: Database) -> None:
    token = (await _request(db)).association.request_token
    await _decide(db, token, approve=False)
    with pytest.raises(Conflict):
        await _decide(db, token, approve=True)
    with pytest.raises(NotFound):
        await _decide(db, "no-such-token")


async def test_after_a_rejection_an_association_may_ask_again(db: Database) -> None:
    first = await _request(db)
    await _decide(db, first.association.request_token, approve=False)
    again = await _request(db)
    assert again.new_request
    assert again.association.request_token != first.association.request_token


async def test_setup_of_an_approved_association_updates_details_only(db: Database) -> None:
    await _decide(db, (await _request(db)).association.request_token)
    updated = await _request(db, short_name="SVT")
    assert not updated.new_request
    assert updated.association.status is AssociationStatus.APPROVED
    assert updated.association.short_name == "SVT"


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("name", "   ", "network.error.bad_name"),
        ("name", "x" * 101, "network.error.bad_name"),
        ("short_name", "", "network.error.bad_short_name"),
        ("locale", "de", "network.error.bad_locale"),
    ],
)
async def test_bad_details_are_refused_and_nothing_is_saved(db, field, value, key) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _request(db, **{field: value})
    assert caught.value.key == key
    async with db.sessions.begin() as session:
        assert await network.association_for_guild(session, guild_id=GUILD) is None


async def test_suspension_and_reinstatement(db: Database) -> None:
    await _decide(db, (await _request(db)).association.request_token)
    async with db.sessions.begin() as session:
        await network.set_suspended(
            session, name="tragos", suspended=True, actor_id=COORDINATOR, now=NOW
        )
    async with db.sessions.begin() as session:
        with pytest.raises(NotAllowed) as caught:
            await network.require_in_network(session, guild_id=GUILD)
        assert caught.value.key == "network.error.suspended"
        with pytest.raises(NotAllowed):
            await network.request_join(
                session,
                guild_id=GUILD,
                name="x",
                short_name="x",
                locale="nl",
                vcp_role_id=1,
                rules_channel_id=None,
                requested_by=ADMIN,
                now=NOW,
            )
    async with db.sessions.begin() as session:
        await network.set_suspended(
            session,
            name="Studentenvereniging Tragos",
            suspended=False,
            actor_id=COORDINATOR,
            now=NOW,
        )
        assert (await network.require_in_network(session, guild_id=GUILD)).in_network


async def test_the_bot_leaving_marks_the_association_inactive_and_keeps_it(db: Database) -> None:
    await _decide(db, (await _request(db)).association.request_token)
    async with db.sessions.begin() as session:
        assert await network.set_present(session, guild_id=GUILD, present=False)
        assert not await network.set_present(session, guild_id=999, present=False)
    async with db.sessions.begin() as session:
        view = await network.association_for_guild(session, guild_id=GUILD)
        assert view is not None and not view.in_network
        await network.set_present(session, guild_id=GUILD, present=True)
    async with db.sessions.begin() as session:
        assert (await network.require_in_network(session, guild_id=GUILD)).in_network


async def test_the_registry_lists_vcps_and_counts_them(db: Database) -> None:
    await _decide(db, (await _request(db)).association.request_token)
    async with db.sessions.begin() as session:
        for user_id, name in ((VCP, "Sanne"), (44, "Ahmed")):
            await network.add_vcp(
                session, guild_id=GUILD, user_id=user_id, display_name=name, actor_id=ADMIN, now=NOW
            )
        with pytest.raises(Conflict):
            await network.add_vcp(
                session, guild_id=GUILD, user_id=VCP, display_name="Sanne", actor_id=ADMIN, now=NOW
            )
    async with db.sessions.begin() as session:
        await network.set_listed(
            session, guild_id=GUILD, user_id=VCP, listed=True, display_name="Sanne", now=NOW
        )
        with pytest.raises(NotAllowed):
            await network.set_listed(
                session, guild_id=GUILD, user_id=ADMIN, listed=True, display_name="x", now=NOW
            )
    async with db.sessions.begin() as session:
        listed = await network.vcps_of(session, guild_id=GUILD, listed_only=True)
        everyone = await network.vcps_of(session, guild_id=GUILD)
        [summary] = await network.list_associations(session)
        audit = await network.audit_log(session)
    assert [v.display_name for v in listed] == ["Sanne"]
    assert {v.display_name for v in everyone} == {"Sanne", "Ahmed"}
    assert summary.vcp_count == 2
    assert [e.action for e in audit][:3] == ["vcp.listed", "vcp.add", "vcp.add"]


async def test_removing_someone_who_is_not_a_vcp_is_not_found(db: Database) -> None:
    await _request(db)
    async with db.sessions.begin() as session:
        with pytest.raises(NotFound):
            await network.remove_vcp(session, guild_id=GUILD, user_id=VCP, actor_id=ADMIN, now=NOW)


async def test_erasing_a_vcp_removes_the_entry_and_anonymises_the_log(db: Database) -> None:
    await _request(db)
    async with db.sessions.begin() as session:
        await network.add_vcp(
            session, guild_id=GUILD, user_id=VCP, display_name="Sanne", actor_id=ADMIN, now=NOW
        )
    async with db.sessions.begin() as session:
        removed = await erase_user(session, VCP)
    assert removed == ["privacy.removed.vcp_registry", "privacy.removed.audit_log"]
    async with db.sessions.begin() as session:
        assert await network.vcps_of(session, guild_id=GUILD) == []
        audit = await network.audit_log(session)
    assert all(VCP not in (e.actor_id, e.subject_id) for e in audit)
    async with db.sessions.begin() as session:
        assert await erase_user(session, VCP) == []


async def test_a_new_vcp_role_or_name_of_an_approved_association_is_told_and_logged(
    db: Database,
) -> None:
    first = await _request(db)
    # Before approval the details are part of the request the coordinator decides on.
    again = await _request(db, guild_id=2002, name="Saurus", short_name="Saurus")
    assert not again.coordinator_should_see
    await _decide(db, first.association.request_token)
    same = await _request(db, locale="en")
    assert not same.coordinator_should_see
    changed = await _request(db, vcp_role_id=501, name="Tragos Maastricht")
    assert changed.previous_vcp_role_id == 500 and changed.previous_name == first.association.name
    async with db.sessions.begin() as session:
        audit = await network.audit_log(session)
    assert [(e.action, e.detail) for e in audit][:3] == [
        ("association.rename", "Studentenvereniging Tragos"),
        ("association.vcp_role", "500 -> 501"),
        ("association.update", "Tragos Maastricht"),
    ]


async def test_the_registry_counts_an_associations_vcps_and_forgets_an_erased_one(
    db: Database,
) -> None:
    association = (await _request(db)).association
    async with db.sessions.begin() as session:
        assert await network.vcp_count(session, association_id=association.id) == 0
        await network.add_vcp(
            session, guild_id=GUILD, user_id=VCP, display_name="Sanne", actor_id=ADMIN, now=NOW
        )
        assert await network.vcp_count(session, association_id=association.id) == 1
        [role] = await network.vcp_roles_of(session, user_id=VCP)
    assert (role.guild_id, role.role_id) == (GUILD, 500)
    async with db.sessions.begin() as session:
        await erase_user(session, VCP)
    async with db.sessions.begin() as session:
        assert not await network.is_vcp(session, guild_id=GUILD, user_id=VCP)
        assert await network.vcp_roles_of(session, user_id=VCP) == []
        assert await network.vcp_count(session, association_id=association.id) == 0
