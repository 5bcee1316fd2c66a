"""A board posts the KMTM panel: everyone in the channel reads it alike, in Dutch and
English, and the board is told privately when people who are not VCPs can see the
channel (everyone, a members' role, or one person let in by hand)."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from discord_emulator.entities import Channel, Overwrite
from discord_emulator.guild import Guild
from tests.e2e.kmtm.steps import FIVE_ASSOCIATIONS, add_vcp, create_period, kmtm, network_of_five
from vcpbot_harness import (
    AssociationGuild,
    BotHarness,
    NetworkWorld,
    add_student,
    seed_network_world,
)

BOT_NEEDS = perm.VIEW_CHANNEL | perm.SEND_MESSAGES | perm.EMBED_LINKS


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=FIVE_ASSOCIATIONS)


def board_administrator(emulator: Emulator, association: AssociationGuild) -> None:
    """The board's role carries Administrator, as it usually does: it sees every channel."""
    guild = association.guild
    board_role = guild.create_role("Bestuur", permissions=perm.ADMINISTRATOR)
    member = guild.member(association.admin)
    assert member is not None
    member.roles.append(board_role)
    emulator.world.update_member(guild, member)


def hidden_channel(guild: Guild, name: str, *can_see: int) -> Channel:
    """A channel @everyone cannot see, open to the bot and to ``can_see`` (role ids)."""
    assert guild.bot_role is not None
    overwrites = [
        Overwrite(id=guild.id, type=0, deny=perm.VIEW_CHANNEL),
        Overwrite(id=guild.bot_role.id, type=0, allow=BOT_NEEDS),
        *(Overwrite(id=role_id, type=0, allow=perm.VIEW_CHANNEL) for role_id in can_see),
    ]
    return guild.create_text_channel(name, overwrites=overwrites)


async def test_the_panel_reads_the_same_in_dutch_and_english_for_everyone(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    for key in ("tragos", "saurus"):  # a Dutch and an English association
        association = world.association(key)
        vcp = await add_vcp(emulator, world, key, f"vcp-{key}")
        await kmtm(
            emulator, association.admin, association.guild, "panel", channel=association.general
        )
        panel = await emulator.person(vcp).wait_for_message(association.general, contains="KMTM")
        [embed] = panel.embeds
        assert embed["title"] == "KMTM: contact registreren · KMTM: log a contact"
        assert "Voor de VCP's van" in embed["description"]
        assert "For the VCPs of" in embed["description"]
        assert "geen namen" in embed["footer"]["text"] and "no names" in embed["footer"]["text"]
        assert [b["label"] for b in panel.buttons] == ["Contact registreren / Log a contact"]


async def test_a_channel_everyone_can_see_gets_a_private_warning(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    tragos = world.association("tragos")
    posted = await kmtm(emulator, tragos.admin, tragos.guild, "panel", channel=tragos.general)
    assert posted.ephemeral
    assert f"Het paneel staat in <#{tragos.general.id}>" in posted.text
    assert "ook mensen die geen VCP zijn" in posted.text and "@everyone" in posted.text
    # An English-speaking board reads it in English.
    saurus = world.association("saurus")
    posted = await kmtm(emulator, saurus.admin, saurus.guild, "panel", channel=saurus.general)
    assert "people who are not VCPs can also see" in posted.text and "@everyone" in posted.text


async def test_a_members_role_that_can_see_the_channel_is_named(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    """Hidden from @everyone is not enough: a role for all members may still see it."""
    await network_of_five(emulator, world)
    tragos = world.association("tragos")
    board_administrator(emulator, tragos)
    members = tragos.guild.create_role("Leden")
    channel = hidden_channel(tragos.guild, "vcp-kmtm", tragos.vcp_role.id, members.id)
    posted = await kmtm(emulator, tragos.admin, tragos.guild, "panel", channel=channel)
    assert f"<@&{members.id}>" in posted.text
    assert "@everyone" not in posted.text
    assert f"<@&{tragos.vcp_role.id}>" not in posted.text


async def test_a_channel_only_the_vcps_see_gets_no_warning_but_one_person_let_in_does(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    tragos = world.association("tragos")
    board_administrator(emulator, tragos)
    channel = hidden_channel(tragos.guild, "vcp-kmtm", tragos.vcp_role.id)
    vcp = await add_vcp(emulator, world, "tragos", "sanne")
    tragos.guild.set_overwrite(channel, vcp, allow=perm.VIEW_CHANNEL)
    posted = await kmtm(emulator, tragos.admin, tragos.guild, "panel", channel=channel)
    assert posted.text == (
        f"Het paneel staat in <#{channel.id}>. "
        "Alleen geregistreerde VCP's kunnen de knop gebruiken."
    )

    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    tragos.guild.set_overwrite(channel, student, allow=perm.VIEW_CHANNEL)
    posted = await kmtm(emulator, tragos.admin, tragos.guild, "panel", channel=channel)
    assert f"<@{student.id}>" in posted.text
    assert f"<@{vcp.id}>" not in posted.text
