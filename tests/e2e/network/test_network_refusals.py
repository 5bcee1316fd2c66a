"""When Discord or the database says no during /setup or /vcp, nothing stays half-done.

Discord goes first, outside any transaction (no write lock waits for it): the hub
card, the VCP role. If Discord refuses, nothing is saved and the board is told. If the
database then fails to save, what Discord did is taken back: the card is deleted, the
role given or taken back. Either way the board is told calmly and can simply try again.
"""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from tests.e2e.network.steps import join_network, request_to_join, set_up_hub
from tests.e2e.support.db_faults import failing_commit
from vcpbot_harness import BotHarness, NetworkWorld, add_student

POST = "POST /channels/{channel_id}/messages"
ROLE_ADD = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
ROLE_REMOVE = "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
MISSING_PERMISSIONS = 50013
SOMETHING_WENT_WRONG = "er ging aan onze kant iets mis"


def request_cards(emulator: Emulator, world: NetworkWorld) -> list[Message]:
    return emulator.channel_messages(world.network_log, viewer=world.coordinator)


async def vcp_command(emulator: Emulator, world: NetworkWorld, action: str, member: User) -> str:
    tragos = world.association("tragos")
    result = await emulator.person(tragos.admin).slash(
        tragos.guild, "vcp", {"member": member}, subcommand=action
    )
    reply = await result.final()
    assert reply.ephemeral
    return reply.text


async def registered(emulator: Emulator, world: NetworkWorld, member: User) -> bool:
    tragos = world.association("tragos")
    listing = await emulator.person(tragos.admin).slash(tragos.guild, "vcp", subcommand="list")
    return f"<@{member.id}>" in (await listing.final()).text


def has_vcp_role(emulator: Emulator, world: NetworkWorld, member: User) -> bool:
    tragos = world.association("tragos")
    return tragos.vcp_role in emulator.member_roles(tragos.guild, member)


async def test_a_hub_that_refuses_the_card_saves_no_request_and_the_board_may_try_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    emulator.inject(POST, status=403, code=MISSING_PERMISSIONS, channel=world.network_log)

    refused = await request_to_join(emulator, world)
    assert "kon de UM-coördinator nu niet bereiken" in refused.text
    assert "niets opgeslagen" in refused.text
    assert request_cards(emulator, world) == []

    again = await request_to_join(emulator, world)
    assert "naar de UM-coördinator gestuurd" in again.text
    assert len(request_cards(emulator, world)) == 1


async def test_a_request_the_database_cannot_save_takes_its_card_back(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    with failing_commit(harness.db, "associations") as fault:
        failed = await request_to_join(emulator, world)
    assert fault.failed == 1
    assert SOMETHING_WENT_WRONG in failed.text
    # No card waits for a decision on a request that does not exist.
    assert request_cards(emulator, world) == []

    again = await request_to_join(emulator, world)
    assert "naar de UM-coördinator gestuurd" in again.text
    [card] = request_cards(emulator, world)
    coordinator = emulator.person(world.coordinator)
    decided = await (await coordinator.press(card, label="Goedkeuren")).wait()
    assert "Onderdeel van het netwerk" in decided.message.text


async def test_a_role_discord_will_not_give_registers_no_one(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")

    emulator.inject(ROLE_ADD, status=403, code=MISSING_PERMISSIONS)
    assert "Er is niets veranderd" in await vcp_command(emulator, world, "add", sanne)
    assert not await registered(emulator, world, sanne)

    emulator.inject(ROLE_ADD, status=503)
    assert "Discord liet me de rol nu niet aanpassen" in await vcp_command(
        emulator, world, "add", sanne
    )
    assert not await registered(emulator, world, sanne)
    assert not has_vcp_role(emulator, world, sanne)


async def test_a_role_discord_will_not_take_keeps_the_vcp_registered(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")
    assert "sanne" not in await vcp_command(emulator, world, "add", sanne)

    emulator.inject(ROLE_REMOVE, status=503)
    assert "Discord liet me de rol nu niet aanpassen" in await vcp_command(
        emulator, world, "remove", sanne
    )
    assert await registered(emulator, world, sanne)
    assert has_vcp_role(emulator, world, sanne)


async def test_a_vcp_the_database_cannot_register_loses_the_role_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")

    with failing_commit(harness.db, "vcps") as fault:
        failed = await vcp_command(emulator, world, "add", sanne)
    assert fault.failed == 1
    assert SOMETHING_WENT_WRONG in failed
    assert not has_vcp_role(emulator, world, sanne)
    assert not await registered(emulator, world, sanne)


async def test_a_vcp_the_database_cannot_take_off_the_registry_gets_the_role_back(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world)
    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")
    await vcp_command(emulator, world, "add", sanne)

    with failing_commit(harness.db, "vcps") as fault:
        failed = await vcp_command(emulator, world, "remove", sanne)
    assert fault.failed == 1
    assert SOMETHING_WENT_WRONG in failed
    assert has_vcp_role(emulator, world, sanne)
    assert await registered(emulator, world, sanne)
