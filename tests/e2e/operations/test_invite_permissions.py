"""The bot does its work in servers that added it with `vcpbot invite-url`, and no more.

Every server here gives the bot's role exactly the permissions of the invite link
for that kind of server (``vcpbot.invite``): the hub's link in the hub, the
association link in the associations. The key flows must work there, and taking
away a permission the bot asks for must break something a person notices: the
link asks for nothing the bot does not use.

Two permissions cannot be seen failing here: Read Message History is used only
when the delivery worker recovers from a crash (it looks for a card it may
already have posted), and Mention @everyone, @here, and All Roles only makes
Discord deliver the urgent role ping, which the emulator does not model.
"""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from discord_emulator.entities import Overwrite, User
from discord_emulator.guild import Guild
from tests.e2e.escalation.steps import (
    cards_in,
    code_in,
    escalate,
    switch_member_route,
    vcp_channel,
    wait_until,
)
from tests.e2e.intervisie.steps import at, form, plan, start_clock
from tests.e2e.network.steps import join_network, set_up_hub
from tests.e2e.rules.steps import (
    ACK_ID,
    HOUSE_RULES_EN,
    HOUSE_RULES_NL,
    ack_role,
    admin,
    publish,
    rules_posts,
    upload,
)
from vcpbot.invite import Place, bot_permissions
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student, seed_network_world

HUB = bot_permissions(Place.HUB).value
ASSOCIATION = bot_permissions(Place.ASSOCIATION).value


@pytest.fixture
def taken_away() -> tuple[Place, int]:
    """A permission removed from the bot's role in one kind of server (none by default)."""
    return Place.ALL, 0


@pytest.fixture
def world(emulator: Emulator, taken_away: tuple[Place, int]) -> NetworkWorld:
    seeded = seed_network_world(emulator)
    place, missing = taken_away
    hub = HUB & ~missing if place is Place.HUB else HUB
    association = ASSOCIATION & ~missing if place is Place.ASSOCIATION else ASSOCIATION
    _grant_exactly(emulator, seeded.hub, hub)
    for each in seeded.associations.values():
        _grant_exactly(emulator, each.guild, association)
    return seeded


def _grant_exactly(emulator: Emulator, guild: Guild, granted: int) -> None:
    """The bot's role holds ``granted``, and nothing from @everyone adds to it in a channel.

    Set before the bot connects (its GUILD_CREATE carries the roles and channels), so
    directly, without gateway events.
    """
    guild.bot_role.permissions = granted
    for channel in guild.text_channels:
        channel.overwrites.append(
            Overwrite(id=emulator.bot_user.id, type=1, deny=perm.ALL & ~granted)
        )


@pytest.fixture
def clock() -> ManualClock:
    # Discord refuses scheduled events in the past: the intervisie session is planned next year.
    return start_clock()


def test_the_invite_asks_for_no_dangerous_permission() -> None:
    for place in Place:
        granted = bot_permissions(place).value
        for bit in (
            perm.ADMINISTRATOR,
            perm.MANAGE_GUILD,
            perm.MANAGE_CHANNELS,
            perm.MANAGE_MESSAGES,
            perm.KICK_MEMBERS,
            perm.BAN_MEMBERS,
            perm.MANAGE_EVENTS,
        ):
            assert not granted & bit, (place, bit)


async def test_an_association_works_with_exactly_the_association_invite(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world, "tragos")
    tragos = world.association("tragos")
    board = emulator.person(tragos.admin)

    # The board registers a VCP: the bot gives the VCP role (Manage Roles).
    sanne = await _register_vcp(emulator, world)
    assert tragos.vcp_role in emulator.member_roles(tragos.guild, sanne)

    # The board publishes its house rules: posted as embeds and pinned (Pin Messages).
    await _setup_with_rules_channel(emulator, world)  # now with a rules channel
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    await upload(emulator, tragos, "en", HOUSE_RULES_EN, filename="house-rules.md")
    done = await publish(emulator, tragos, "Eerste versie")
    assert "gepubliceerd en vastgezet" in done.text
    posts = rules_posts(emulator, tragos)
    assert posts and posts[0].pinned and posts[0].embeds

    # Accepting the rules gives the role the board chose (Manage Roles).
    accepted = await ack_role(emulator, harness, tragos, "Huisregels gelezen")
    await admin(
        emulator, tragos, "ack", {"document": "house_rules", "enabled": True, "role": accepted}
    )
    lotte = add_student(emulator, world, "tragos", "lotte", locale="nl")
    pressed = await emulator.person(lotte).press(
        rules_posts(emulator, tragos)[-1], custom_id=ACK_ID
    )
    await pressed.wait()
    assert accepted in emulator.member_roles(tragos.guild, lotte)

    # The escalation panel is posted, and a member's case arrives in the VCPs' channel.
    panel = await board.slash(
        tragos.guild, "anonymous-contact", {"channel": tragos.general}, subcommand="panel"
    )
    await panel.final()
    assert any(
        m.buttons
        for m in emulator.channel_messages(tragos.general, viewer=tragos.admin)
        if m.author is emulator.bot_user and not m.ephemeral
    )
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    _, confirmation = await escalate(
        emulator, lotte, tragos.guild, text="Iets wat ik kwijt wil.", urgency="urgent"
    )
    code = code_in(confirmation)
    await wait_until(
        emulator,
        lambda: any(code in m.text for m in cards_in(emulator, world, channel)),
        "the member's case card in the VCPs' channel",
    )


async def test_the_hub_works_with_exactly_the_hub_invite(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    # The join request card reaches the network log, and the decision is made there.
    await join_network(emulator, world, "tragos")
    tragos = world.association("tragos")

    # An urgent case from a VCP arrives as a card that pings the UM team role.
    sanne = await _register_vcp(emulator, world)
    _, confirmation = await escalate(
        emulator, sanne, tragos.guild, text="Er is iets ernstigs gebeurd.", urgency="urgent"
    )
    code = code_in(confirmation)
    card = await emulator.person(world.team_member).wait_for_message(
        world.escalations, contains=code
    )
    assert world.team_role.id in card.mention_roles

    # The coordinator plans intervisie: a scheduled event appears in the hub (Create Events).
    reply = await plan(emulator, world, {"invitees": "all"}, form(at(9, 15, 19, 30)))
    assert reply.ephemeral
    [event] = emulator.scheduled_events(world.hub)
    assert event.name == "Intervisie najaar"


async def _register_vcp(emulator: Emulator, world: NetworkWorld) -> User:
    tragos = world.association("tragos")
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")
    added = await emulator.person(tragos.admin).slash(
        tragos.guild, "vcp", {"member": sanne}, subcommand="add"
    )
    await added.final()
    return sanne


async def _setup_with_rules_channel(emulator: Emulator, world: NetworkWorld) -> str:
    tragos = world.association("tragos")
    asked = await emulator.person(tragos.admin).slash(
        tragos.guild,
        "setup",
        {
            "name": tragos.guild.name,
            "short_name": "Tragos",
            "language": "nl",
            "vcp_role": tragos.vcp_role,
            "rules_channel": tragos.rules,
        },
    )
    return (await asked.final()).text


@pytest.mark.parametrize(
    ("taken_away", "refusal"),
    [
        ((Place.ASSOCIATION, perm.VIEW_CHANNEL), "View Channel"),
        ((Place.ASSOCIATION, perm.SEND_MESSAGES), "Send Messages"),
        ((Place.ASSOCIATION, perm.EMBED_LINKS), "Embed Links"),
        ((Place.ASSOCIATION, perm.PIN_MESSAGES), "Pin Messages"),
    ],
)
async def test_without_a_rules_permission_publishing_names_the_missing_one(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, refusal: str
) -> None:
    await set_up_hub(emulator, world)
    await _setup_with_rules_channel(emulator, world)
    tragos = world.association("tragos")
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    refused = await publish(emulator, tragos, "Eerste versie")
    assert refusal in refused.text and "Er is niets gepubliceerd" in refused.text
    assert rules_posts(emulator, tragos) == []


@pytest.mark.parametrize("taken_away", [(Place.ASSOCIATION, perm.MANAGE_ROLES)])
async def test_without_manage_roles_the_board_is_told_before_anything_is_saved(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    refused = await _setup_with_rules_channel(emulator, world)
    assert "ik mis Rollen beheren" in refused


@pytest.mark.parametrize("taken_away", [(Place.HUB, perm.CREATE_EVENTS)])
async def test_without_create_events_the_coordinator_is_told(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world, "tragos")
    await _register_vcp(emulator, world)
    reply = await plan(emulator, world, {"invitees": "all"}, form(at(9, 15, 19, 30)))
    assert "Evenementen aanmaken" in reply.text
    assert emulator.scheduled_events(world.hub) == []
