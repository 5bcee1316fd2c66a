"""Who may do what in KMTM reporting, bad input, and the panel button across restarts.

Only registered VCPs of an approved association log; only association admins register
member counts and post the panel; only the coordinator manages periods and reports.
Every refusal is private, says what to do, and changes nothing.
"""

from __future__ import annotations

import asyncio

import pytest

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from tests.e2e.kmtm.steps import (
    FIVE_ASSOCIATIONS,
    add_vcp,
    close_period,
    create_period,
    csv_rows,
    kmtm,
    log_contact,
    network_of_five,
)
from tests.e2e.network.steps import join_network, request_to_join, set_up_hub
from vcpbot_harness import BotHarness, NetworkWorld, add_student, seed_network_world
from vcpbot_harness.steps.kmtm import open_log_form, send_contact


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return seed_network_world(emulator, associations=FIVE_ASSOCIATIONS)


async def _association_totals(emulator: Emulator, world: NetworkWorld) -> dict[str, str]:
    export = await kmtm(
        emulator,
        world.coordinator,
        world.hub,
        "export",
        {"period": "KMTM 2026", "by": "association"},
    )
    return {row["label"]: row["count"] for row in csv_rows(export)}


async def test_only_registered_vcps_log_a_contact(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    tragos = world.association("tragos")
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    for person in (student, tragos.admin):
        refused = await log_contact(
            emulator, person, tragos.guild, "stalking", "student", "listening_ear"
        )
        assert refused.ephemeral
        assert "Alleen de geregistreerde VCP's" in refused.text
    # A VCP of another association is not a VCP here.
    other = await add_vcp(emulator, world, "koko", "vcp-koko")
    emulator.add_member(tragos.guild, other)
    refused = await log_contact(
        emulator, other, tragos.guild, "stalking", "student", "listening_ear"
    )
    assert "Alleen de geregistreerde VCP's" in refused.text
    # In the hub there is nothing to log.
    hub_try = await log_contact(
        emulator, world.coordinator, world.hub, "advice", "unknown", "nothing_yet"
    )
    assert "server van een vereniging" in hub_try.text


async def test_a_vcp_removed_while_the_form_is_open_cannot_submit_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne")
    person = emulator.person(vcp)
    modal = (await (await person.slash(tragos.guild, "kmtm", subcommand="log")).wait()).modal
    assert modal is not None
    assert modal.title == "Contact registreren · KMTM 2026"
    assert [c["custom_id"] for c in modal.inputs] == ["category", "relation", "follow_up"]
    assert len(modal.input("category")["options"]) == 12
    assert [o["label"] for o in modal.input("relation")["options"]][:2] == [
        "Medestudent",
        "Medewerker, wetenschappelijk (WP)",
    ]
    removed = await emulator.person(tragos.admin).slash(
        tragos.guild, "vcp", {"member": vcp}, subcommand="remove"
    )
    await removed.wait()
    submitted = await person.submit(
        modal, {"category": "stalking", "relation": "student", "follow_up": "listening_ear"}
    )
    refusal = await submitted.final()
    assert refusal.ephemeral and "Alleen de geregistreerde VCP's" in refusal.text


async def test_logging_needs_an_open_period_and_an_approved_association(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await set_up_hub(emulator, world)
    await join_network(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne")
    # No period yet.
    refused = await log_contact(emulator, vcp, tragos.guild, "advice", "unknown", "nothing_yet")
    assert refused.ephemeral
    assert "geen KMTM-periode open" in refused.text and "maandag 17 augustus 2026" in refused.text
    # A period that has not started yet (the clock says 17 August).
    await create_period(emulator, world, "KMTM 2026", "20-08-2026", "30-08-2026")
    refused = await log_contact(emulator, vcp, tragos.guild, "advice", "unknown", "nothing_yet")
    assert "geen KMTM-periode open" in refused.text

    # An association whose request still waits for the coordinator: its VCP cannot log.
    await create_period(emulator, world, "Vroeg", "01-08-2026", "19-08-2026")
    await request_to_join(emulator, world, "scopus")
    scopus = world.association("scopus")
    waiting_vcp = await add_vcp(emulator, world, "scopus", "vcp-scopus")
    refused = await log_contact(
        emulator, waiting_vcp, scopus.guild, "advice", "unknown", "nothing_yet"
    )
    assert refused.ephemeral and "geen onderdeel van het VCP-netwerk" in refused.text
    # The approved one can, in the open period.
    logged = await log_contact(emulator, vcp, tragos.guild, "advice", "unknown", "nothing_yet")
    assert "Geregistreerd voor Vroeg" in logged.text


async def test_only_the_coordinator_manages_periods_and_reports(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne")
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    for _ in range(3):
        await log_contact(emulator, vcp, tragos.guild, "advice", "unknown", "listening_ear")
    await close_period(emulator, world)

    # A VCP or a student, in their association's server: these commands live in the hub.
    for person in (vcp, student, tragos.admin):
        for subcommand in ("report", "export"):
            refused = await kmtm(
                emulator,
                person,
                tragos.guild,
                subcommand,
                {"period": "KMTM 2026", "by": "category"},
            )
            assert refused.ephemeral
            assert "hub" in refused.text
            assert not refused.attachments
    # A VCP who is also in the hub, and a UM team member: not the coordinator.
    emulator.add_member(world.hub, vcp)
    for person in (vcp, world.team_member):
        refused = await kmtm(
            emulator, person, world.hub, "report", {"period": "KMTM 2026", "by": "category"}
        )
        assert refused.ephemeral and not refused.attachments
        assert "coördinator" in refused.text.lower() or "coordinator" in refused.text.lower()
        made = await kmtm(
            emulator,
            person,
            world.hub,
            "period create",
            {"name": "KMTM 2027", "start": "01-08-2027", "end": "31-08-2027"},
        )
        assert made.ephemeral and "KMTM 2027" not in made.text
    listed = await kmtm(emulator, world.coordinator, world.hub, "period list")
    assert "KMTM 2027" not in listed.text
    # Typing a period's name: the coordinator is offered closed periods to report on, the
    # board the periods for its member count; a VCP is offered nothing.
    coordinator = emulator.person(world.coordinator)
    offered = await coordinator.autocomplete(
        world.hub, "kmtm", {"period": "kmtm"}, focused="period", subcommand="report"
    )
    assert [c["value"] for c in offered] == ["KMTM 2026"]
    to_close = await coordinator.autocomplete(
        world.hub, "kmtm", {"name": ""}, focused="name", subcommand="period close"
    )
    assert to_close == []
    for person, expected in ((tragos.admin, ["KMTM 2026"]), (vcp, [])):
        offered = await emulator.person(person).autocomplete(
            tragos.guild, "kmtm", {"period": "2026"}, focused="period", subcommand="members"
        )
        assert [c["value"] for c in offered] == expected
    assert "KMTM 2026" in listed.text and "afgesloten" in listed.text
    # Nothing was released by the refused requests: the hub has no report.
    assert not [m for m in emulator.messages_by_bot() if m.attachments and not m.ephemeral]


async def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    coordinator = world.coordinator
    await create_period(emulator, world)
    overlapping = await create_period(emulator, world, "Late KMTM", "25-08-2026", "05-09-2026")
    assert overlapping.ephemeral
    assert (
        "overlappen met KMTM 2026 (maandag 10 augustus 2026 t/m zondag 30 augustus 2026)"
        in overlapping.text
    )
    swapped = await create_period(emulator, world, "KMTM 2027", "30-08-2027", "10-08-2027")
    assert "ligt na de einddatum" in swapped.text
    unreadable = await create_period(emulator, world, "KMTM 2027", "morgenavond", "10-08-2027")
    assert "Ik kon “morgenavond” niet lezen als datum" in unreadable.text
    listed = await kmtm(emulator, coordinator, world.hub, "period list")
    assert "Late KMTM" not in listed.text and "KMTM 2027" not in listed.text

    tragos = world.association("tragos")
    for count in (0, -40):
        refused = await kmtm(
            emulator,
            tragos.admin,
            tragos.guild,
            "members",
            {"period": "KMTM 2026", "count": count},
        )
        assert refused.ephemeral
        assert "heel getal van 1 tot en met 100.000" in refused.text
    unknown = await kmtm(
        emulator, tragos.admin, tragos.guild, "members", {"period": "KMTM 1999", "count": 300}
    )
    assert "geen periode met de naam KMTM 1999" in unknown.text
    # A VCP (no Manage Server) cannot register the count or post the panel.
    vcp = await add_vcp(emulator, world, "tragos", "sanne")
    for subcommand, options in (
        ("members", {"period": "KMTM 2026", "count": 300}),
        ("panel", None),
    ):
        refused = await kmtm(emulator, vcp, tragos.guild, subcommand, options)
        assert "Server beheren" in refused.text

    for name, answer in (("KMTM 2026", "nog open"), ("KMTM 1999", "geen periode met de naam")):
        refused = await kmtm(
            emulator, coordinator, world.hub, "report", {"period": name, "by": "association"}
        )
        assert refused.ephemeral and answer in refused.text
        assert not refused.attachments
    closed = await close_period(emulator, world)
    again = await close_period(emulator, world)
    assert "afgesloten" in closed.text and "al afgesloten op maandag 17 augustus 2026" in again.text
    # Logging after the close: refused, nothing counted.
    refused = await log_contact(emulator, vcp, tragos.guild, "advice", "unknown", "nothing_yet")
    assert "geen KMTM-periode open" in refused.text
    assert (await _association_totals(emulator, world)) == {"Totaal": "minder dan 5"}


async def test_the_panel_button_works_after_a_restart_and_undo_does_not(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne")
    posted = await kmtm(emulator, tragos.admin, tragos.guild, "panel", channel=tragos.general)
    assert posted.ephemeral and f"<#{tragos.general.id}>" in posted.text
    panel = await emulator.person(vcp).wait_for_message(tragos.general, contains="KMTM")
    assert not panel.ephemeral
    assert [b["label"] for b in panel.buttons] == ["Contact registreren / Log a contact"]
    assert panel.buttons[0]["custom_id"] == "vcp:kmtm:log"

    first = await log_contact(
        emulator,
        vcp,
        tragos.guild,
        "intimidation",
        "staff_support",
        "referred_inside_um",
        panel=panel,
    )
    assert "Geregistreerd voor KMTM 2026" in first.text
    await harness.restart()
    second = await log_contact(
        emulator,
        vcp,
        tragos.guild,
        "intimidation",
        "staff_support",
        "referred_inside_um",
        panel=panel,
    )
    assert "Geregistreerd voor KMTM 2026" in second.text
    # The undo window lives in memory only: the restart ended it, and it says so.
    late = await (await emulator.person(vcp).press(first, label="Terugdraaien")).wait()
    assert "opnieuw gestart" in late.message.text
    # A student presses the panel button: a calm refusal, no form.
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    refused = await log_contact(
        emulator, student, tragos.guild, "advice", "unknown", "nothing_yet", panel=panel
    )
    assert refused.ephemeral and "Alleen de geregistreerde VCP's" in refused.text


async def test_a_channel_the_bot_cannot_post_in_is_named_and_no_panel_appears(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    tragos = world.association("tragos")
    tragos.guild.set_overwrite(tragos.rules, tragos.guild.bot_role, deny=perm.SEND_MESSAGES)
    refused = await kmtm(emulator, tragos.admin, tragos.guild, "panel", channel=tragos.rules)
    assert refused.ephemeral
    assert f"Ik kan niet posten in <#{tragos.rules.id}>" in refused.text
    seen = emulator.channel_messages(tragos.rules, viewer=tragos.admin)
    assert [m for m in seen if not m.ephemeral] == []


async def test_only_the_coordinator_is_offered_period_names_in_the_hub(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_of_five(emulator, world)
    await create_period(emulator, world, "KMTM 2025", "10-08-2025", "30-08-2025")
    await close_period(emulator, world, "KMTM 2025")
    await create_period(emulator, world)
    typed = (
        ("period close", "name", ["KMTM 2026"]),
        ("report", "period", ["KMTM 2025"]),
        ("export", "period", ["KMTM 2025"]),
    )
    # A team member is in the hub but manages no periods: typing shows nothing.
    for subcommand, option, _ in typed:
        offered = await emulator.person(world.team_member).autocomplete(
            world.hub, "kmtm", {option: "kmtm"}, focused=option, subcommand=subcommand
        )
        assert offered == [], subcommand
    for subcommand, option, expected in typed:
        offered = await emulator.person(world.coordinator).autocomplete(
            world.hub, "kmtm", {option: "kmtm"}, focused=option, subcommand=subcommand
        )
        assert [c["value"] for c in offered] == expected, subcommand


def _tasks_waiting() -> int:
    return len([task for task in asyncio.all_tasks() if not task.done()])


async def test_forms_left_open_hold_no_timer_each_and_still_work(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    """A VCP who opens the form and walks away leaves it open for half an hour; the
    network's VCPs together can leave hundreds. Each open form waits for its deadline
    without a task of its own (discord.py's timeout is one task per form), and a form
    left open is still the form: submitting it later counts the contact."""
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    key = FIVE_ASSOCIATIONS[0][0]
    vcp = await add_vcp(emulator, world, key, "vcp-open")
    guild = world.association(key).guild
    await asyncio.sleep(0.2)  # the answers' own tasks end
    before = _tasks_waiting()
    forms = [(await open_log_form(emulator, vcp, guild)).modal for _ in range(12)]
    await asyncio.sleep(0.2)
    assert all(forms)
    assert _tasks_waiting() - before <= 2, "each open form keeps a task of its own"

    choice = {
        "category": "intimidation",
        "relation": "staff_academic",
        "follow_up": "referred_um_team",
    }
    confirmation = await send_contact(emulator, vcp, forms[0], choice)
    assert confirmation.ephemeral and confirmation.buttons, confirmation.text


async def test_answers_with_buttons_leave_nothing_behind_in_the_bot(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    """Every logged contact is confirmed privately with an Undo button. discord.py keeps
    each view sent privately for 15 minutes, with a timer of its own; the bot's buttons
    are found by their custom_id, so nothing needs keeping, and the button still works."""
    await network_of_five(emulator, world)
    await create_period(emulator, world)
    key = FIVE_ASSOCIATIONS[0][0]
    vcp = await add_vcp(emulator, world, key, "vcp-undo")
    guild = world.association(key).guild
    choice = {
        "category": "intimidation",
        "relation": "staff_academic",
        "follow_up": "referred_um_team",
    }
    await asyncio.sleep(0.2)  # the answers' own tasks end
    before = _tasks_waiting()
    confirmations = [
        await send_contact(emulator, vcp, (await open_log_form(emulator, vcp, guild)).modal, choice)
        for _ in range(8)
    ]
    await asyncio.sleep(0.2)
    assert all(c.buttons for c in confirmations)
    assert _tasks_waiting() - before <= 2, "each answer with buttons keeps a task of its own"

    undone = await emulator.person(vcp).press(confirmations[-1], label="Terugdraaien")
    assert "Teruggedraaid" in (await undone.wait()).message.text
