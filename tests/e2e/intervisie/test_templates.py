"""The coordinator keeps a session's title, length, place and agenda as a template, sees
and removes templates, and plans from one: the plan form opens filled in, the
coordinator changes what differs this time and picks the date, and the invitations go
out as from /intervisie plan. Only the coordinator can do any of it; a bad name or an
unknown template gets a kind, private answer and nothing is stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from discord_emulator.interactions import Modal
from tests.e2e.intervisie.steps import (
    at,
    dms_with,
    form,
    network_with_vcps,
    plan,
    session_ids,
    start_clock,
    three_association_world,
)
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld, add_student

TRAGOS = {"invitees": "associations", "associations": "Tragos"}
FIRST = at(9, 15, 19, 30)
NEXT = at(10, 13, 19, 30)
PEOPLE = {"sanne": ("tragos", "nl"), "liv": ("saurus", "en-US")}
ONLINE = "https://maastrichtuniversity.zoom.us/j/123"
HUB_ONLY = "werkt alleen in de hub-server"
COORDINATOR_ONLY = "Only the UM coordinator can do this."


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


async def template(
    emulator: Emulator,
    world: NetworkWorld,
    action: str,
    options: dict[str, Any] | None = None,
    user: User | None = None,
) -> Message:
    """``/intervisie template <action>`` in the hub: what the person sees."""
    person = emulator.person(user or world.coordinator)
    used = await person.slash(
        world.hub, "intervisie", options or {}, subcommand=f"template {action}"
    )
    return await used.final(within=20)


async def use(emulator: Emulator, world: NetworkWorld, name: str, options: dict[str, Any]) -> Modal:
    """``/intervisie template use``: the plan form it opens."""
    opened = await emulator.person(world.coordinator).slash(
        world.hub, "intervisie", {"template": name} | options, subcommand="template use"
    )
    modal = (await opened.wait()).modal
    assert modal is not None, "planning from a template did not open the form"
    return modal


async def template_names(
    emulator: Emulator, world: NetworkWorld, user: User | None = None
) -> list[str]:
    """The names offered while typing a template's name."""
    choices = await emulator.person(user or world.coordinator).autocomplete(
        world.hub, "intervisie", {"template": ""}, focused="template", subcommand="template use"
    )
    return [c["value"] for c in choices]


def filled_in(modal: Modal) -> dict[str, str]:
    return {c["custom_id"]: c.get("value") or "" for c in modal.inputs}


async def test_a_session_becomes_a_template_and_the_next_one_is_planned_from_it(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, PEOPLE)
    await plan(emulator, world, TRAGOS, form(FIRST, title="Intervisie najaar"))
    [session_id] = await session_ids(emulator, world, subcommand="template save", typed="najaar")
    saved = await template(
        emulator, world, "save", {"session": session_id, "name": "Blok intervisie"}
    )
    assert saved.ephemeral and "Sjabloon bewaard" in saved.text
    assert "**Blok intervisie**: Intervisie najaar · 90 minuten · Tapijnkazerne, zaal 2" in (
        saved.text
    )
    assert "geen datum en geen genodigden" in saved.text
    assert await template_names(emulator, world) == ["Blok intervisie"]

    listed = await template(emulator, world, "list")
    assert listed.ephemeral and "Sjablonen voor intervisie" in listed.text
    assert "**Blok intervisie**: Intervisie najaar" in listed.text

    # What was acknowledged is kept: the bot restarts, the template is still there.
    await harness.restart()

    # This time Saurus is invited, on a new date, with a new title.
    offered = await emulator.person(world.coordinator).autocomplete(
        world.hub,
        "intervisie",
        {"template": "Blok intervisie", "invitees": "associations", "associations": "Sau"},
        focused="associations",
        subcommand="template use",
    )
    assert [c["value"] for c in offered] == ["Saurus Maastricht"]
    modal = await use(
        emulator,
        world,
        "blok intervisie",
        {"invitees": "associations", "associations": "Saurus"},
    )
    assert filled_in(modal) == {
        "title": "Intervisie najaar",
        "when": "",
        "duration": "1:30",
        "location": "Tapijnkazerne, zaal 2",
        "agenda": "Casus bespreken; grenzen aangeven.",
    }
    submitted = await emulator.person(world.coordinator).submit(
        modal, {"title": "Intervisie oktober", "when": f"{NEXT:%d-%m-%Y %H:%M}"}
    )
    done = await submitted.final(within=20)
    assert done.ephemeral and "Gepland: 1 bijeenkomst, 1 persoon uitgenodigd" in done.text
    invitation = await emulator.person(vcps["liv"]).wait_for_dm(contains="Intervisie oktober")
    assert "Invitation" in invitation.text and "Tapijnkazerne, zaal 2" in invitation.text
    assert [a.filename for a in invitation.attachments] == [f"intervisie-{NEXT:%Y-%m-%d-%H%M}.ics"]
    assert dms_with(emulator, vcps["sanne"], "Intervisie oktober") == []
    later = await session_ids(emulator, world, typed="oktober")
    assert len(later) == 1

    removed = await template(emulator, world, "remove", {"template": "Blok intervisie"})
    assert removed.ephemeral and "Sjabloon **Blok intervisie** verwijderd" in removed.text
    assert "Er zijn nog geen sjablonen" in (await template(emulator, world, "list")).text
    # The sessions planned from it stay.
    assert len(await session_ids(emulator, world, typed="Intervisie")) == 2


async def test_an_english_coordinator_plans_a_series_from_an_online_template(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, PEOPLE)
    world.coordinator.locale = "en-US"
    online = form(FIRST, title="Peer supervision", duration="2:00", location=ONLINE, agenda="")
    await plan(emulator, world, TRAGOS, online)
    clock.set(FIRST + timedelta(days=5))  # a session already held is offered too
    [session_id] = await session_ids(emulator, world, subcommand="template save", typed="Peer")
    saved = await template(
        emulator, world, "save", {"session": session_id, "name": "Online evening"}
    )
    assert "Template saved." in saved.text
    assert f"**Online evening**: Peer supervision · 120 minutes · {ONLINE}" in saved.text

    until = f"{NEXT + timedelta(weeks=2):%d-%m-%Y}"
    modal = await use(
        emulator,
        world,
        "Online evening",
        {"invitees": "associations", "associations": "Saurus", "every_weeks": 2, "until": until},
    )
    assert filled_in(modal) == {
        "title": "Peer supervision",
        "when": "",
        "duration": "2:00",
        "location": ONLINE,
        "agenda": "",
    }
    submitted = await emulator.person(world.coordinator).submit(
        modal, {"when": f"{NEXT:%d-%m-%Y %H:%M}", "agenda": "Boundaries"}
    )
    done = await submitted.final(within=20)
    assert "Planned: 2 sessions, 1 person invited" in done.text
    [invitation] = dms_with(emulator, vcps["liv"], "Peer supervision")
    assert ONLINE in invitation.text and "Boundaries" in invitation.text
    assert len(invitation.attachments) == 2

    listed = await template(emulator, world, "list")
    assert "Templates for intervisie" in listed.text and "**Online evening**" in listed.text
    removed = await template(emulator, world, "remove", {"template": "online evening"})
    assert "Template **Online evening** removed." in removed.text
    assert "There are no templates yet" in (await template(emulator, world, "list")).text


async def test_only_the_coordinator_uses_templates(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await plan(emulator, world, TRAGOS, form(FIRST))
    [session_id] = await session_ids(emulator, world, subcommand="template save")
    await template(emulator, world, "save", {"session": session_id, "name": "Blok"})
    tries = (
        ("save", {"session": session_id, "name": "Van mij"}),
        ("list", {}),
        ("remove", {"template": "Blok"}),
        ("use", {"template": "Blok", "invitees": "all"}),
    )
    student = add_student(emulator, world, "tragos", "lotte", locale="nl")
    tragos = world.association("tragos").guild
    for user in (vcps["sanne"], student):
        for action, options in tries:
            used = await emulator.person(user).slash(
                tragos, "intervisie", options, subcommand=f"template {action}"
            )
            refusal = await used.final()
            assert refusal.ephemeral and HUB_ONLY in refusal.text, (user.username, action)
    for action, options in tries:
        refusal = await template(emulator, world, action, options, user=world.team_member)
        assert refusal.ephemeral and COORDINATOR_ONLY in refusal.text, action
    assert await template_names(emulator, world, user=world.team_member) == []
    # Nothing was saved or removed.
    assert await template_names(emulator, world) == ["Blok"]


async def test_a_taken_or_empty_name_or_an_unknown_template_is_refused_kindly(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    await plan(emulator, world, TRAGOS, form(FIRST))
    [session_id] = await session_ids(emulator, world, subcommand="template save")
    await template(emulator, world, "save", {"session": session_id, "name": "Blok"})

    taken = await template(emulator, world, "save", {"session": session_id, "name": "BLOK"})
    assert taken.ephemeral and "Er is al een sjabloon met de naam “BLOK”" in taken.text
    assert "Er is niets bewaard" in taken.text
    empty = await template(emulator, world, "save", {"session": session_id, "name": "   "})
    assert empty.ephemeral and "1 tot 50 tekens" in empty.text
    gone = await template(emulator, world, "save", {"session": 999, "name": "Ander"})
    assert gone.ephemeral and "Die bijeenkomst bestaat niet (meer)" in gone.text
    assert await template_names(emulator, world) == ["Blok"]

    unknown = await emulator.person(world.coordinator).slash(
        world.hub,
        "intervisie",
        {"template": "Voorjaar", "invitees": "all"},
        subcommand="template use",
    )
    answer = await unknown.wait()
    assert answer.modal is None
    assert answer.message is not None and answer.message.ephemeral
    assert "Ik vind geen sjabloon met de naam “Voorjaar”" in answer.message.text
    not_there = await template(emulator, world, "remove", {"template": "Voorjaar"})
    assert "Ik vind geen sjabloon" in not_there.text
    assert await template_names(emulator, world) == ["Blok"]
