"""The intervisie tour: the coordinator plans a session for Tragos's VCPs (a Discord
event, invitations with a calendar file), a VCP answers, and the day before, the
reminder arrives."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from discord_emulator import Emulator
from vcpbot.i18n import Locale, formats, t
from vcpbot_harness import BotHarness, NetworkWorld
from vcpbot_harness.demo.clock import DemoClock
from vcpbot_harness.demo.narration import Narrator
from vcpbot_harness.demo.network import SECOND_VCP
from vcpbot_harness.steps import intervisie as steps


async def intervisie_tour(  # noqa: PLR0917 - the tour's world, and the bot and its clock
    emulator: Emulator,
    world: NetworkWorld,
    say: Narrator,
    lang: Locale,
    harness: BotHarness,
    clock: DemoClock,
) -> None:
    """Planned in three days' time, answered, and reminded of the day before."""
    say.chapter(t("demo.chapter.intervisie", lang))
    zone = ZoneInfo(harness.settings.timezone)
    day = (clock() + timedelta(days=3)).astimezone(zone).date()
    start = datetime.combine(day, time(19, 30), tzinfo=zone)
    title = await _plan(emulator, world, say, lang, start.astimezone(zone))
    await _invited(emulator, world, say, lang, title)
    clock.jump_to(start - timedelta(hours=24) + timedelta(minutes=1))
    say.out("")
    say.out(t("demo.intervisie.clock", lang, when=clock().astimezone(zone)))
    # The scheduler's job would run at that moment; the tour runs it now, the same code path.
    vcp = emulator.person(world.users["Sanne"])
    before = len(vcp.dms())
    await steps.reminder_runner(harness).run_due()
    reminder = await emulator.world.wait_for(
        lambda: vcp.dms()[before] if len(vcp.dms()) > before else None,
        within=5,
        what="the reminder",
    )
    say.sees(world.users["Sanne"], reminder, where=t("demo.dm", lang))


async def _plan(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, start: datetime
) -> str:
    """The coordinator plans the session; what Discord shows of its event. Its title."""
    say.does(world.coordinator, "/intervisie plan invitees:associations associations:Tragos")
    options = {"invitees": "associations", "associations": "Tragos"}
    modal = await steps.open_plan_form(emulator, world, options, channel=world.hub_general)
    if modal is None:
        raise RuntimeError("/intervisie plan did not open its form")
    values = {
        "title": t("demo.intervisie.title", lang),
        # Typed as the bot writes dates: "donderdag 24 september 2026, 19:30".
        "when": formats.moment(start, lang),
        "duration": "1:30",
        "location": "Tapijnkazerne, zaal 2",
        "agenda": t("demo.intervisie.agenda", lang),
    }
    say.does(world.coordinator, t("demo.fills_in", lang, fields=" · ".join(values.values())))
    planned = await steps.send_plan(emulator, world, modal, values, within=30)
    say.sees(world.coordinator, planned, where="#general")
    for event in emulator.scheduled_events(world.hub):
        location = (event.entity_metadata or {}).get("location", "")
        say.out("  " + t("demo.intervisie.event", lang, name=event.name, location=location))
    return values["title"]


async def _invited(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, title: str
) -> None:
    """Both VCPs get the invitation; Sanne answers; the coordinator lists the sessions."""
    sanne = world.users["Sanne"]
    vcp = emulator.person(sanne)
    invitation = await vcp.wait_for_dm(contains=title)
    say.sees(sanne, invitation, where=t("demo.dm", lang))
    for attachment in invitation.attachments:
        say.out(f"    | 📎 {attachment.filename}")
    second = world.users[SECOND_VCP[lang][0]]
    other = await emulator.person(second).wait_for_dm(contains=title)
    say.sees(second, other, where=t("demo.dm", lang))
    yes = invitation.buttons[0]
    say.does(sanne, t("demo.presses", lang, label=yes["label"]))
    answered = await vcp.press(invitation, custom_id=yes["custom_id"])
    say.sees(sanne, (await answered.wait()).message, where=t("demo.dm", lang))
    say.does(world.coordinator, "/intervisie list")
    listing = await emulator.person(world.coordinator).slash(
        world.hub, "intervisie", channel=world.hub_general, subcommand="list"
    )
    say.sees(world.coordinator, (await listing.wait()).message, where="#general")
