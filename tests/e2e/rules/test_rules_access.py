"""Who may write and publish rules; a refusal is kind, private and changes nothing."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from tests.e2e.network.steps import request_to_join
from tests.e2e.rules.steps import (
    HOUSE_RULES_NL,
    admin,
    publish,
    register_with_rules_channel,
    rules_posts,
    upload,
)
from vcpbot_harness import BotHarness, NetworkWorld, add_student

NEEDS_MANAGE_SERVER = "Alleen leden die deze server mogen beheren (Server beheren)"


def every_admin_command(emulator: Emulator, world: NetworkWorld) -> list[tuple[str, dict]]:
    house = {"document": "house_rules"}
    return [
        ("edit", house | {"language": "nl", "article": 1}),
        ("upload", house | {"language": "nl", "file": emulator.upload("r.md", b"## 1. X\n\ny")}),
        ("preview", house | {"language": "nl"}),
        ("publish", house | {"note": "Mijn eigen regels"}),
        ("history", house),
        ("diff", house | {"v1": 1, "v2": 2}),
        ("adopt-template", {"document": "code_of_conduct"}),
        ("ack", house | {"enabled": False}),
        ("ack-stats", house),
    ]


async def test_a_student_cannot_use_rules_admin_even_when_the_guild_opens_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    await publish(emulator, tragos, "Eerste versie")
    before = [(m.id, m.text) for m in rules_posts(emulator, tragos)]
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    person = emulator.person(student)

    with pytest.raises(AssertionError, match="not offered"):
        await person.slash(
            tragos.guild, "rules-admin", {"document": "house_rules"}, subcommand="history"
        )

    # Server Settings > Integrations: the guild lets everyone use the command.
    tragos.guild.open_command_to_everyone("rules-admin")
    for subcommand, options in every_admin_command(emulator, world):
        result = await person.slash(tragos.guild, "rules-admin", options, subcommand=subcommand)
        reply = (await result.wait()).message
        assert reply is not None, f"{subcommand} opened something instead of refusing"
        assert reply.ephemeral and reply.allowed_mentions == {"parse": []}
        assert NEEDS_MANAGE_SERVER in reply.text, subcommand

    assert [(m.id, m.text) for m in rules_posts(emulator, tragos)] == before
    preview = await admin(
        emulator, tragos, "preview", {"document": "house_rules", "language": "nl"}
    )
    assert "Sluitingstijd" in preview.text
    history = await admin(emulator, tragos, "history", {"document": "house_rules"})
    assert "**Versie 2**" not in history.text


async def test_a_board_member_who_lost_manage_server_cannot_submit_an_open_form(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    secretary = emulator.create_user("secretaris", locale="nl")
    emulator.add_member(tragos.guild, secretary, permissions=perm.MANAGE_GUILD)
    person = emulator.person(secretary)
    opened = await person.slash(
        tragos.guild,
        "rules-admin",
        {"document": "house_rules", "language": "nl", "article": 2},
        subcommand="edit",
    )
    modal = (await opened.wait()).modal
    assert modal.input("title")["value"] == "Alcohol"
    assert modal.input("body")["value"].startswith("Drink met mate.")

    (own_role,) = [
        r for r in emulator.member_roles(tragos.guild, secretary) if r.name.endswith("-permissions")
    ]
    tragos.guild.edit_role(own_role, permissions=0)
    submitted = await person.submit(modal, {"title": "Alcohol", "body": "Alles mag."})
    refusal = (await submitted.wait()).message
    assert refusal.ephemeral and NEEDS_MANAGE_SERVER in refusal.text
    preview = await admin(
        emulator, tragos, "preview", {"document": "house_rules", "language": "nl"}
    )
    assert "Alles mag." not in preview.text and "Drink met mate." in preview.text


async def test_rules_admin_is_for_association_servers(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    result = await emulator.person(world.hub_admin).slash(
        world.hub, "rules-admin", {"document": "house_rules"}, subcommand="history"
    )
    reply = (await result.wait()).message
    assert reply.ephemeral and "niet voor de hub" in reply.text


async def test_publishing_without_a_rules_channel_says_how_to_set_one_and_publishes_nothing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    from tests.e2e.network.steps import set_up_hub

    await set_up_hub(emulator, world)
    await request_to_join(emulator, world)  # /setup without the rules_channel option
    tragos = world.association("tragos")
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    refused = await publish(emulator, tragos, "Eerste versie")
    assert "nog geen regelkanaal" in refused.text and "/instellen" in refused.text
    assert rules_posts(emulator, tragos) == []
    history = await admin(emulator, tragos, "history", {"document": "house_rules"})
    assert "nog niet gepubliceerd" in history.text
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    reading = await emulator.person(student).slash(tragos.guild, "rules")
    assert "nog geen gedragscode of huisregels" in (await reading.wait()).message.text


async def test_a_rules_channel_the_bot_cannot_post_in_is_named_and_nothing_is_published(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    tragos.guild.set_overwrite(tragos.rules, tragos.guild.bot_role, deny=perm.SEND_MESSAGES)
    await emulator.world.wait_for(
        lambda: not tragos_channel_writable(harness, tragos),
        within=5,
        what="the bot to see the channel change",
    )
    refused = await publish(emulator, tragos, "Eerste versie")
    assert "Ik kan de regels niet plaatsen in" in refused.text
    assert "Send Messages" in refused.text
    assert rules_posts(emulator, tragos) == []
    history = await admin(emulator, tragos, "history", {"document": "house_rules"})
    assert "nog niet gepubliceerd" in history.text


def tragos_channel_writable(harness: BotHarness, tragos) -> bool:
    guild = harness.bot.get_guild(tragos.guild.id)
    channel = guild.get_channel(tragos.rules.id)
    return channel.permissions_for(guild.me).send_messages


async def test_a_role_above_the_bot_cannot_be_the_acceptance_role(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    bot_top = max(r.position for r in tragos.guild.bot_member.roles)
    high = tragos.guild.create_role("Bestuur", position=bot_top + 1)
    await emulator.world.wait_for(
        lambda: harness.bot.get_guild(tragos.guild.id).get_role(high.id),
        within=5,
        what="the bot to see the new role",
    )
    refused = await admin(
        emulator, tragos, "ack", {"document": "house_rules", "enabled": True, "role": high}
    )
    assert "Ik kan de rol Bestuur niet geven" in refused.text
    stats = await admin(emulator, tragos, "ack-stats", {"document": "house_rules"})
    assert "staat uit" in stats.text or "nog niet gepubliceerd" in stats.text
