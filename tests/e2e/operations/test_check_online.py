"""`vcpbot check --online`: the operator asks Discord whether the deployment works,
and reads one line per problem, before a student meets it."""

from __future__ import annotations

import asyncio
import os

import pytest
from pydantic import SecretStr

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from tests.e2e.escalation.steps import network_with
from tests.e2e.network.steps import set_up_hub
from vcpbot.cli import main
from vcpbot.invite import Place, bot_permissions
from vcpbot.online_check import check_online
from vcpbot.settings import Settings
from vcpbot_harness import AssociationGuild, BotHarness, NetworkWorld


@pytest.fixture(autouse=True)
def invited(world: NetworkWorld) -> None:
    """The hub added the bot with `vcpbot invite-url --server hub`: its role holds that."""
    assert world.hub.bot_role is not None
    world.hub.bot_role.permissions = bot_permissions(Place.HUB).value
    for association in world.associations.values():
        assert association.guild.bot_role is not None
        association.guild.bot_role.permissions = bot_permissions(Place.ASSOCIATION).value


def deployed(emulator: Emulator, harness: BotHarness) -> Settings:
    """The running bot's settings as an operator has them: with the token."""
    return harness.settings.model_copy(update={"discord_token": SecretStr(emulator.token)})


@pytest.fixture
async def operator_environment(  # noqa: PLR0917 - fixtures, by name
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, databases, monkeypatch, tmp_path
) -> None:
    """The same Discord, as environment variables in a fresh working directory, with a
    database of the operator's own (upgraded, /hub setup not yet run)."""
    settings = harness.settings
    for key in list(os.environ):
        if key.upper().startswith("VCPBOT_") and not key.upper().startswith("VCPBOT_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    env = {
        "DISCORD_TOKEN": emulator.token,
        "DISCORD_API_BASE": settings.discord_api_base,
        "DISCORD_GATEWAY_URL": settings.discord_gateway_url,
        "HUB_GUILD_ID": str(world.hub.id),
        "DATABASE_URL": await databases.create_url(),
        "MASTER_KEYS": settings.master_keys.get_secret_value(),
        "INDEX_KEY": settings.index_key.get_secret_value(),
        "RUNTIME_DIR": str(settings.runtime_directory),
    }
    for key, value in env.items():
        monkeypatch.setenv(f"VCPBOT_{key}", value)
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0


async def test_a_hub_that_is_set_up_and_synced_looks_good(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    assert await check_online(deployed(emulator, harness), harness.db) == []


async def test_before_hub_setup_it_says_to_run_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    assert await check_online(deployed(emulator, harness), harness.db) == [
        "hub: `/hub setup` has not been run in the hub yet"
    ]


async def test_a_wrong_token_is_named(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    settings = deployed(emulator, harness).model_copy(
        update={"discord_token": SecretStr("not-the-token")}
    )
    [line] = await check_online(settings, harness.db)
    assert line.startswith("discord_token: Discord did not accept the token")


async def test_a_hub_the_bot_is_not_in_is_named(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    other = emulator.create_guild("Elders", owner=world.hub_admin, with_bot=False)
    settings = deployed(emulator, harness).model_copy(update={"hub_guild_id": other.id})
    [line] = await check_online(settings, harness.db)
    assert line.startswith(f"hub_guild_id: the bot is not in the server {other.id}")
    assert "vcpbot invite-url --server hub" in line


async def test_a_channel_the_bot_may_not_post_in_is_named_with_what_it_lacks(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    world.hub.set_overwrite(
        world.escalations, world.hub.bot_role, deny=perm.SEND_MESSAGES | perm.EMBED_LINKS
    )
    assert await check_online(deployed(emulator, harness), harness.db) == [
        f"hub: in #{world.escalations.name} (escalations) the bot lacks: Send Messages, "
        "Embed Links (the invite link asks for them: `vcpbot invite-url`)"
    ]


async def test_a_role_without_a_permission_the_invite_asks_for_is_named(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    world.hub.bot_role.permissions &= ~perm.CREATE_EVENTS
    [line] = await check_online(deployed(emulator, harness), harness.db)
    assert line.startswith("hub: the bot's role lacks: Create Events")


async def choose_rules_channel(emulator: Emulator, association: AssociationGuild) -> None:
    """The board of an approved association runs /setup again, now with its rules channel."""
    settings = {
        "name": association.guild.name,
        "short_name": "Tragos",
        "language": "nl",
        "vcp_role": association.vcp_role,
        "rules_channel": association.rules,
    }
    board = emulator.person(association.admin)
    await (await board.slash(association.guild, "setup", settings)).final()


async def test_an_association_whose_bot_role_sits_below_the_vcp_role_is_named(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await choose_rules_channel(emulator, tragos)
    assert await check_online(deployed(emulator, harness), harness.db) == []
    tragos.vcp_role.position = tragos.guild.bot_role.position + 1
    tragos.guild.set_overwrite(tragos.rules, tragos.guild.bot_role, deny=perm.SEND_MESSAGES)
    assert await check_online(deployed(emulator, harness), harness.db) == [
        f"association {tragos.guild.name}: the bot's role is not above the VCP role, so it "
        "cannot give it; the board moves the bot's role up in Server Settings > Roles",
        f"association {tragos.guild.name}: in #{tragos.rules.name} (rules) the bot lacks: "
        "Send Messages, Embed Links (the invite link asks for them: `vcpbot invite-url`)",
    ]


async def test_commands_changed_since_the_last_sync_are_named(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    commands = {c.name: c for c in emulator.world.commands.values() if c.guild_id is None}
    del emulator.world.commands[commands["rules"].id]  # never synced
    commands["help"].body = commands["help"].body | {"description": "an old description"}
    commands["kmtm"].body = commands["kmtm"].body | {"name": "kmtm-old"}  # renamed since
    problems = await check_online(deployed(emulator, harness), harness.db)
    assert problems == [
        "commands: not registered with Discord: /kmtm, /rules; run `vcpbot sync`",
        "commands: Discord still shows /kmtm-old, gone from this version; run `vcpbot sync`",
        "commands: /help changed since the last sync; run `vcpbot sync`",
    ]


@pytest.mark.usefixtures("operator_environment")
async def test_the_operator_runs_it_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["check", "--online"]) == 1
    captured = capsys.readouterr()
    assert "database: " in captured.out
    online = ("discord", "hub", "commands")
    assert [line for line in captured.err.splitlines() if line.startswith(online)] == [
        "hub: `/hub setup` has not been run in the hub yet"
    ]
