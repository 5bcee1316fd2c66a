"""A VCP is who the association's board registered with /vcp add, not whoever holds the role.

Anyone with Manage Roles can hand out a Discord role; only the registry says who
the association's VCPs are. A person with the role alone, or a VCP who deleted
their data, is refused calmly and privately, and told what the board can do.
"""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.escalation.steps import (
    CONTINUE,
    add_member,
    add_role_only_member,
    add_vcp,
    button_labels,
    cards_in,
    code_in,
    escalate,
    network_with,
    switch_member_route,
    vcp_channel,
)
from tests.e2e.kmtm.steps import create_period
from vcpbot_harness import BotHarness, NetworkWorld

SECRET = "Een verhaal dat alleen de geregistreerde VCP's mogen lezen."
NOT_REGISTERED = "niet geregistreerd als VCP van deze vereniging"
REGISTER_HINT = "/vcp toevoegen"
VCP_BUTTONS = [
    "In behandeling nemen",
    "Openen",
    "Reageren",
    "Vragen om door te sturen",
    "Nu doorsturen: acuut gevaar",
    "Afsluiten",
]


async def refused(result, *, secret: str = SECRET) -> str:
    message = await result.final()
    assert message.ephemeral and message.allowed_mentions == {"parse": []}
    assert secret not in message.text
    return message.text


async def a_member_case(emulator: Emulator, world: NetworkWorld) -> tuple[object, object, str]:
    """Tragos has the member route on in a channel its VCP role reads; a member reports."""
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    member = add_member(emulator, world, "tragos", "noor", locale="nl")
    _, confirmation = await escalate(emulator, member, tragos.guild, text=SECRET)
    return channel, member, code_in(confirmation)


@pytest.mark.threat("T2")
async def test_a_member_with_only_the_vcp_role_is_refused_every_action_on_a_member_case(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    rolf = add_role_only_member(emulator, world, "tragos", "rolf", locale="nl")
    channel, _, code = await a_member_case(emulator, world)
    card = await emulator.person(sanne).wait_for_message(channel, contains=code)

    # Discord shows Rolf the channel (the role opens it); the bot asks the registry.
    person = emulator.person(rolf)
    assert card in person.sees(channel)
    for label in VCP_BUTTONS:
        said = await refused(await person.press(card, label=label))
        assert NOT_REGISTERED in said and REGISTER_HINT in said, label
    said = await refused(await person.slash(tragos.guild, "open-cases"))
    assert NOT_REGISTERED in said and code not in said
    assert button_labels(card) == VCP_BUTTONS and "Nieuw" in card.text

    # Sanne, whom the board registered, reads and lists it.
    opened = await (await emulator.person(sanne).press(card, label="Openen")).final()
    assert opened.ephemeral and SECRET in opened.text
    listing = await (await emulator.person(sanne).slash(tragos.guild, "open-cases")).final()
    assert code in listing.text


async def test_a_vcp_who_deleted_their_data_is_no_vcp_any_more_and_loses_the_role(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    channel, _, code = await a_member_case(emulator, world)
    card = await emulator.person(sanne).wait_for_message(channel, contains=code)
    assert SECRET in (await (await emulator.person(sanne).press(card, label="Openen")).final()).text

    person = emulator.person(sanne)
    ask = (await (await person.slash(None, "privacy", subcommand="delete-my-data")).wait()).message
    assert ask is not None and "VCP-rol" in ask.text
    done = await (await person.press(ask, label="Ja, verwijder mijn gegevens")).final()
    assert "je vermelding in het VCP-register" in done.text
    assert f"je VCP-rol in {tragos.guild.name}" in done.text

    # The registry no longer names her, and the role that opened the channel is gone.
    listing = await (
        await emulator.person(tragos.admin).slash(tragos.guild, "vcp", subcommand="list")
    ).final()
    assert "sanne" not in listing.text
    assert tragos.vcp_role not in emulator.member_roles(tragos.guild, sanne)
    assert card not in person.sees(channel)
    said = await refused(await person.slash(tragos.guild, "open-cases"))
    assert code not in said and "VCP" in said


async def test_when_the_bot_cannot_take_the_role_back_the_registry_still_refuses(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    channel, _, code = await a_member_case(emulator, world)
    card = await emulator.person(sanne).wait_for_message(channel, contains=code)
    # The board moved the VCP role above the bot's own role: the bot cannot manage it now.
    tragos.guild.edit_role(tragos.vcp_role, position=50)

    person = emulator.person(sanne)
    ask = (await (await person.slash(None, "privacy", subcommand="delete-my-data")).wait()).message
    assert ask is not None
    done = await (await person.press(ask, label="Ja, verwijder mijn gegevens")).final()
    assert "je vermelding in het VCP-register" in done.text
    assert "kon je VCP-rol" in done.text and "bestuur" in done.text
    assert tragos.vcp_role in emulator.member_roles(tragos.guild, sanne)

    for label in ("Openen", "Reageren", "Afsluiten"):
        said = await refused(await person.press(card, label=label))
        assert NOT_REGISTERED in said and REGISTER_HINT in said, label
    said = await refused(await person.slash(tragos.guild, "open-cases"))
    assert NOT_REGISTERED in said and code not in said


@pytest.mark.threat("T2")
async def test_the_role_alone_does_not_reach_the_um_team_and_says_where_to_go(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    rolf = add_role_only_member(emulator, world, "tragos", "rolf", locale="nl")
    person = emulator.person(rolf)

    # The member route is off: nothing to fill in, and where to go instead.
    said = await refused(await person.slash(tragos.guild, "report"))
    assert NOT_REGISTERED in said and REGISTER_HINT in said and "/hulp" in said

    # With the member route on, Rolf reaches the VCPs as any member does, and is told why.
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    intro = (await (await person.slash(tragos.guild, "report")).wait()).message
    assert intro is not None and intro.ephemeral
    assert "Anoniem je VCP's bereiken" in intro.text and NOT_REGISTERED in intro.text
    modal = (await person.press(intro, label=CONTINUE["nl"])).response.modal
    assert modal is not None and modal.title == "Anoniem bericht aan je VCP's"
    submitted = await person.submit(
        modal, {"category": "advice", "urgency": "routine", "text": SECRET, "shown": "no"}
    )
    confirmation = await submitted.final()
    assert "verstuurd naar de VCP's van je vereniging" in confirmation.text


async def test_a_vcp_removed_while_writing_is_refused_at_submit_and_keeps_the_text(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    board = emulator.person(tragos.admin)
    await (await board.slash(tragos.guild, "vcp", {"member": sanne}, subcommand="remove")).final()
    person = emulator.person(sanne)
    said = await refused(await person.slash(tragos.guild, "report"))
    assert NOT_REGISTERED not in said  # without the role she is just a member now

    await (await board.slash(tragos.guild, "vcp", {"member": sanne}, subcommand="add")).final()
    intro = (await (await person.slash(tragos.guild, "report")).wait()).message
    assert intro is not None and "Anoniem escaleren naar het UM-team" in intro.text
    modal = (await person.press(intro, label=CONTINUE["nl"])).response.modal
    assert modal is not None
    # The board removes her while she writes; someone with Manage Roles gives the role back.
    await (await board.slash(tragos.guild, "vcp", {"member": sanne}, subcommand="remove")).final()
    emulator.give_role(tragos.guild, sanne, tragos.vcp_role)
    submitted = await person.submit(
        modal, {"category": "advice", "urgency": "routine", "text": SECRET, "shown": "no"}
    )
    answer = await submitted.followup()
    assert answer.ephemeral and NOT_REGISTERED in answer.text and REGISTER_HINT in answer.text
    assert SECRET in answer.text  # handed back, so nothing written is lost
    assert cards_in(emulator, world) == []


async def setup_again(emulator: Emulator, world: NetworkWorld, **changed: object) -> str:
    tragos = world.association("tragos")
    options = {
        "name": tragos.guild.name,
        "short_name": "Tragos",
        "language": "nl",
        "vcp_role": tragos.vcp_role,
        **changed,
    }
    result = await emulator.person(tragos.admin).slash(tragos.guild, "setup", options)
    return (await result.final()).text


def posted_in_log(emulator: Emulator, world: NetworkWorld) -> list[object]:
    """What the bot posted in the hub's network log for everyone there to read."""
    seen = emulator.person(world.coordinator).sees(world.network_log)
    return [m for m in seen if not m.ephemeral]


@pytest.mark.threat("T4")
async def test_a_new_vcp_role_or_name_is_shown_to_the_coordinator_and_logged(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    before = posted_in_log(emulator, world)
    # The same details again, or only the language: nothing the coordinator needs to see.
    await setup_again(emulator, world)
    await setup_again(emulator, world, language="en")
    assert posted_in_log(emulator, world) == before

    # The board points the VCP role at another role: whoever holds that one counts now.
    board_role = tragos.guild.create_role("Bestuur")
    said = await setup_again(emulator, world, vcp_role=board_role)
    assert "Bestuur" in said and "coördinator" in said
    notice = await emulator.person(world.coordinator).wait_for_message(
        world.network_log, contains="VCP-rol"
    )
    assert not notice.ephemeral and notice.allowed_mentions == {"parse": []}
    assert tragos.guild.name in notice.text and "@VCP" in notice.text and "@Bestuur" in notice.text

    await setup_again(emulator, world, vcp_role=board_role, name="Tragos Maastricht")
    renamed = await emulator.person(world.coordinator).wait_for_message(
        world.network_log, contains="Tragos Maastricht"
    )
    assert tragos.guild.name in renamed.text  # the old name, so the coordinator knows who

    audit = await (
        await emulator.person(world.coordinator).slash(world.hub, "network", subcommand="audit")
    ).final()
    assert "wijzigde de VCP-rol" in audit.text
    assert f"gaf de vereniging een nieuwe naam (was: {tragos.guild.name})" in audit.text


async def test_the_role_alone_logs_no_kmtm_contact_and_chooses_no_listing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    """KMTM and /vcp listing asked the registry already; this keeps them asking it."""
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await create_period(emulator, world)
    rolf = emulator.person(add_role_only_member(emulator, world, "tragos", "rolf", locale="nl"))
    logged = await (await rolf.slash(tragos.guild, "kmtm", subcommand="log")).final()
    listing = await (
        await rolf.slash(tragos.guild, "vcp", {"listed": True}, subcommand="listing")
    ).final()
    for said in (logged, listing):
        assert said.ephemeral and "geregistreerde VCP's" in said.text
        assert REGISTER_HINT in said.text
