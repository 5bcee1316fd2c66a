"""The emulator's own pieces: ids, permission maths, routing, and its coverage of Discord's API."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import discord
import pytest
import yarl

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from discord_emulator.entities import Overwrite
from discord_emulator.rest import ROUTES
from discord_emulator.routing import normalise_template
from discord_emulator.snowflake import SnowflakeFactory, snowflake_time
from discord_emulator.spec import SpecValidator
from vcpbot_harness import point_discord_py


def test_snowflakes_increase_and_carry_their_creation_time() -> None:
    factory = SnowflakeFactory()
    ids = [factory.next() for _ in range(1000)]

    assert ids == sorted(set(ids))
    assert abs((snowflake_time(ids[-1]) - datetime.now(UTC)).total_seconds()) < 2
    assert discord.utils.snowflake_time(ids[0]) == snowflake_time(ids[0])


def test_every_modelled_route_is_an_endpoint_of_discords_api() -> None:
    spec = SpecValidator.load()
    unknown = []
    for key in ROUTES.route_keys():
        method, template = key.split(" ", 1)
        concrete = template.replace("{", "1").replace("}", "")
        for name in ("interaction_token", "webhook_token"):
            concrete = concrete.replace(f"1{name}", "token")
        operation = spec.match(method, concrete)
        if operation is None or normalise_template(f"{method} {operation.template}") != (
            normalise_template(key)
        ):
            unknown.append(key)
    assert unknown == []


def test_the_most_literal_route_wins() -> None:
    found = ROUTES.find("PATCH", "/webhooks/1/token/messages/@original")

    assert found is not None
    assert found[0].template.endswith("/messages/@original")


def test_channel_permissions_follow_discords_order() -> None:
    emulator = Emulator()
    owner = emulator.create_user("owner")
    alice = emulator.create_user("alice")
    guild = emulator.create_guild("G", owner=owner)
    vcp = guild.create_role("VCP", permissions=perm.MANAGE_EVENTS)
    emulator.add_member(guild, alice, roles=[vcp])
    secret = guild.create_text_channel(
        "secret",
        overwrites=[
            Overwrite(id=guild.id, type=0, deny=perm.VIEW_CHANNEL),
            Overwrite(id=vcp.id, type=0, allow=perm.VIEW_CHANNEL),
            Overwrite(id=alice.id, type=1, deny=perm.SEND_MESSAGES),
        ],
    )

    in_secret = guild.permissions_for(alice, secret)
    assert in_secret & perm.VIEW_CHANNEL
    assert not in_secret & perm.SEND_MESSAGES
    assert not in_secret & perm.ATTACH_FILES  # needs SEND_MESSAGES too
    assert guild.permissions_for(owner, secret) == perm.ALL
    guild.edit_role(vcp, permissions=perm.ADMINISTRATOR)
    assert guild.permissions_for(alice, secret) == perm.ALL


def test_add_member_with_permissions_gives_a_personal_role() -> None:
    emulator = Emulator()
    owner, alice = emulator.create_user("owner"), emulator.create_user("alice")
    guild = emulator.create_guild("G", owner=owner)

    emulator.add_member(guild, alice, permissions=perm.MANAGE_GUILD)

    [role] = emulator.member_roles(guild, alice)
    assert role.permissions == perm.MANAGE_GUILD
    assert guild.permissions_for(alice) & perm.MANAGE_GUILD


def _discord_py_targets() -> tuple[str, yarl.URL]:
    return discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


async def test_point_discord_py_restores_discord_pys_globals() -> None:
    before = _discord_py_targets()
    async with Emulator() as emulator:
        with point_discord_py(emulator):
            inside = _discord_py_targets()

    assert inside == (emulator.api_base, yarl.URL(emulator.gateway_url))
    assert _discord_py_targets() == before


async def test_an_emulator_starts_quickly() -> None:
    started = time.monotonic()
    async with Emulator():
        pass

    assert time.monotonic() - started < 0.5


async def test_waiting_reports_what_was_awaited() -> None:
    emulator = Emulator()

    with pytest.raises(AssertionError, match="waiting for a unicorn"):
        await emulator.world.wait_for(lambda: None, within=0.05, what="a unicorn")
