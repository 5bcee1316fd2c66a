"""A series of six sessions for chosen people: one occurrence moved, one cancelled, the
rest moved together; afterwards the coordinator marks attendance and exports it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from discord_emulator import Emulator
from tests.e2e.intervisie.steps import (
    AMS,
    at,
    calendar_entry,
    component_id,
    dms_with,
    form,
    network_with_vcps,
    open_form,
    session_ids,
    start_clock,
    three_association_world,
)
from vcpbot.i18n import formats
from vcpbot_harness import BotHarness, ManualClock, NetworkWorld

FIRST = at(9, 15, 19, 30)
# Every other week until ten weeks on: six sessions, the last ones after summer time ends.
SERIES = {
    "invitees": "people",
    "every_weeks": 2,
    "until": f"{FIRST + timedelta(weeks=10):%d-%m-%Y}",
}


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    return three_association_world(emulator)


@pytest.fixture
def clock() -> ManualClock:
    return start_clock()


def starts(emulator: Emulator, world: NetworkWorld) -> list[tuple[datetime, int]]:
    """Each event's local start and status, in the order they were created."""
    return [
        (datetime.fromisoformat(e.scheduled_start_time).astimezone(AMS), e.status)
        for e in emulator.scheduled_events(world.hub)
    ]


async def test_a_series_for_chosen_people_changes_one_date_at_a_time(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    vcps = await network_with_vcps(emulator, world)
    coordinator = emulator.person(world.coordinator)
    modal = await open_form(emulator, world, SERIES)
    picker = (
        await (await coordinator.submit(modal, form(FIRST, title="Intervisie reeks"))).wait()
    ).message
    assert picker.ephemeral and "Wie nodig je uit voor **Intervisie reeks**" in picker.text
    chosen = [str(vcps["sanne"].id), str(vcps["liv"].id)]
    await (await coordinator.select(picker, component_id(picker, "vcps"), chosen)).wait()
    sent = await coordinator.press(picker, label="Uitnodigingen versturen")
    summary = await sent.followup(1, within=20)
    assert "6 bijeenkomsten, 2 personen uitgenodigd; 2 kregen" in summary.text

    # Six events, every one at 19:30 in Amsterdam, in summer and in winter time.
    weekly = [FIRST + timedelta(weeks=2 * n) for n in range(6)]
    assert [s for s, _ in starts(emulator, world)] == [
        w.replace(tzinfo=AMS) for w in [datetime.combine(d.date(), FIRST.time()) for d in weekly]
    ]
    assert {s.hour for s, _ in starts(emulator, world)} == {19}
    assert {s.astimezone(UTC).hour for s, _ in starts(emulator, world)} == {17, 18}

    sanne = emulator.person(vcps["sanne"])
    first, more = [m for m in sanne.dms() if "Intervisie reeks" in m.text]
    assert "elke 2 weken" in first.text
    assert len(first.buttons) == 15 and len(more.buttons) == 3
    assert first.buttons[0]["label"] == f"{formats.short_moment(FIRST, 'nl')} · Ja, ik kom"
    assert "Meer data van **Intervisie reeks**" in more.text
    # One calendar file per date (Outlook imports only the first entry of a file with
    # several), each in the message with that date's buttons.
    assert [a.filename for a in first.attachments + more.attachments] == [
        f"intervisie-{w:%Y-%m-%d-%H%M}.ics" for w in weekly
    ]
    entries = [calendar_entry(a) for a in first.attachments + more.attachments]
    assert [e.start for e in entries] == weekly
    assert len({str(e["UID"]) for e in entries}) == 6
    assert "Elke datum heeft een eigen .ics-bestand" in first.text
    assert not [m for m in emulator.person(vcps["kim"]).dms() if "Intervisie" in m.text]
    await (
        await sanne.press(first, label=f"{formats.short_moment(FIRST, 'nl')} · Ja, ik kom")
    ).wait()
    third = weekly[2]
    await (
        await sanne.press(first, label=f"{formats.short_moment(third, 'nl')} · Ja, ik kom")
    ).wait()

    ids = await session_ids(emulator, world, subcommand="move")
    assert len(ids) == 6
    # The third session moves to the next day: only its event moves, its answers reset.
    moved = await coordinator.slash(
        world.hub,
        "intervisie",
        {"session": ids[2], "when": f"{third + timedelta(days=1):%d-%m-%Y} 19:30"},
        subcommand="move",
    )
    assert "1 bijeenkomst verplaatst" in (await moved.final(within=20)).text
    assert starts(emulator, world)[2][0] == third + timedelta(days=1)
    assert starts(emulator, world)[3][0] == weekly[3]
    notice = await sanne.wait_for_dm(contains="Gewijzigd: Intervisie reeks")
    assert "wil je opnieuw antwoorden" in notice.text
    assert [b["label"] for b in notice.buttons] == ["Ja, ik kom", "Nee, ik kan niet", "Misschien"]

    # The fifth is cancelled on its own.
    cancelled = await coordinator.slash(
        world.hub, "intervisie", {"session": ids[4], "reason": "Tentamenweek"}, subcommand="cancel"
    )
    assert "1 bijeenkomst geannuleerd" in (await cancelled.final(within=20)).text
    assert [status for _, status in starts(emulator, world)] == [1, 1, 1, 1, 4, 1]
    off = await sanne.wait_for_dm(contains="Reden: Tentamenweek")
    [off_file] = off.attachments
    assert off_file.filename == f"intervisie-{weekly[4]:%Y-%m-%d-%H%M}.ics"
    assert calendar_entry(off_file)["UID"] == entries[4]["UID"]
    assert str(calendar_entry(off_file)["STATUS"]) == "CANCELLED"

    # From the fourth on, the rest of the series starts an hour later.
    rest = await coordinator.slash(
        world.hub,
        "intervisie",
        {"session": ids[3], "when": f"{weekly[3]:%d-%m-%Y} 20:30", "rest_of_series": True},
        subcommand="move",
    )
    assert "2 bijeenkomsten verplaatst" in (await rest.final(within=20)).text
    later = dms_with(emulator, vcps["sanne"], "Gewijzigd: Intervisie reeks")[-1]
    assert [str(calendar_entry(a)["UID"]) for a in later.attachments] == [
        str(entries[3]["UID"]),
        str(entries[5]["UID"]),
    ]
    assert [calendar_entry(a).start.strftime("%H:%M") for a in later.attachments] == [
        "20:30",
        "20:30",
    ]
    assert [s.strftime("%H:%M") for s, _ in starts(emulator, world)] == [
        "19:30",
        "19:30",
        "19:30",
        "20:30",
        "19:30",
        "20:30",
    ]
    listing = await coordinator.slash(world.hub, "intervisie", subcommand="list")
    assert (await listing.wait()).message.text.count("Intervisie reeks") == 5

    # After the first session the coordinator marks who came.
    clock.set(FIRST.astimezone(UTC) + timedelta(hours=2))
    too_late = await sanne.press(
        first, label=f"{formats.short_moment(FIRST, 'nl')} · Nee, ik kan niet"
    )
    assert "al begonnen" in (await too_late.wait()).message.text
    [held] = await session_ids(emulator, world, subcommand="attendance")
    assert held == ids[0]
    opened = await coordinator.slash(
        world.hub, "intervisie", {"session": held}, subcommand="attendance"
    )
    sheet = (await opened.wait()).message
    assert "Wie was er bij **Intervisie reeks**" in sheet.text
    present = component_id(sheet, "present0")
    await (await coordinator.select(sheet, present, chosen)).wait()
    saved = await coordinator.press(sheet, label="Opslaan")
    assert "Opgeslagen: 2 van de 2 aanwezig" in (await saved.wait()).message.text

    overview = await coordinator.slash(world.hub, "intervisie", subcommand="attendance")
    text = (await overview.wait()).message.text
    assert "sanne (Studentenvereniging Tragos): aanwezig 1 van 1" in text
    assert "liv (Saurus Maastricht): aanwezig 1 van 1" in text

    exported = await coordinator.slash(world.hub, "intervisie", subcommand="export")
    export = (await exported.wait()).message
    assert export.ephemeral and "houd ze binnen het UM-team" in export.text
    files = {a.filename.split("-")[1]: a.data.decode("utf-8") for a in export.attachments}
    sessions = list(csv.DictReader(io.StringIO(files["sessions"])))
    assert [row["status"] for row in sessions] == ["planned"] * 4 + ["cancelled", "planned"]
    assert sessions[4]["cancel_reason"] == "Tentamenweek"
    assert sessions[0]["attended"] == "2" and sessions[0]["yes"] == "1"
    attendance = list(csv.DictReader(io.StringIO(files["attendance"])))
    first_rows = [r for r in attendance if r["date"] == f"{FIRST:%Y-%m-%d}"]
    assert {(r["name"], r["attended"]) for r in first_rows} == {("sanne", "yes"), ("liv", "yes")}


async def test_a_long_series_cancelled_at_once_reaches_every_calendar_date_by_date(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, clock: ManualClock
) -> None:
    """Twelve weekly dates: more calendar files than Discord takes on one message."""
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})
    weekly = [FIRST + timedelta(weeks=n) for n in range(12)]
    options = {"invitees": "all", "every_weeks": 1, "until": f"{weekly[-1]:%d-%m-%Y}"}
    modal = await open_form(emulator, world, options)
    coordinator = emulator.person(world.coordinator)
    planned = await (await coordinator.submit(modal, form(FIRST, title="Wekelijks"))).final(
        within=20
    )
    assert "12 bijeenkomst" in planned.text
    sanne = emulator.person(vcps["sanne"])
    invitation = [m for m in sanne.dms() if "Wekelijks" in m.text]
    # Five dates a message, each date's file beside its buttons.
    assert [len(m.attachments) for m in invitation] == [5, 5, 2]
    assert [len(m.buttons) for m in invitation] == [15, 15, 6]
    sent = [a for m in invitation for a in m.attachments]
    assert [calendar_entry(a).start for a in sent] == weekly

    [first_id, *_] = await session_ids(emulator, world, subcommand="cancel")
    cancelled = await coordinator.slash(
        world.hub,
        "intervisie",
        {"session": first_id, "rest_of_series": True},
        subcommand="cancel",
    )
    assert "12 bijeenkomst" in (await cancelled.final(within=20)).text
    told = [m for m in sanne.dms() if "geannuleerd" in m.text.lower()]
    assert [len(m.attachments) for m in told] == [10, 2]
    assert "Meer geannuleerde data van **Wekelijks**" in told[1].text
    assert "Open het .ics-bestand van elke datum" in told[0].text
    entries = [calendar_entry(a) for m in told for a in m.attachments]
    assert [str(e["STATUS"]) for e in entries] == ["CANCELLED"] * 12
    assert [str(e["UID"]) for e in entries] == [str(calendar_entry(a)["UID"]) for a in sent]
