"""The KMTM tour: two more associations join, the coordinator opens a period, a VCP logs
contacts from the panel and takes a slip back, the rest of the period is filled in,
and the coordinator closes it, previews the report, posts it and exports the files."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from discord_emulator import Emulator, Guild, Modal
from discord_emulator import permissions as perm
from discord_emulator.entities import Message, User
from vcpbot.i18n import Locale, category_label, formats, t
from vcpbot_harness import AssociationGuild, BotHarness, NetworkWorld, add_student
from vcpbot_harness.demo.narration import Narrator, shown_name
from vcpbot_harness.steps import kmtm as steps
from vcpbot_harness.steps import network

# The rest of the demo's KMTM, per association: (category, relation, follow-up, how many).
DEMO_KMTM = {
    "tragos": [
        ("sexual_physical", "student", "referred_um_team", 3),
        ("unprofessional", "staff_academic", "referred_inside_um", 3),
        ("advice", "unknown", "listening_ear", 3),
        ("intimidation", "student", "listening_ear", 1),
        ("sexual_nonphysical", "student", "listening_ear", 1),
        ("discrimination", "civilian", "referred_outside_um", 2),
    ],
    "saurus": [
        ("sexual_physical", "civilian", "referred_outside_um", 3),
        ("unprofessional", "staff_support", "referred_um_team", 3),
        ("advice", "unknown", "listening_ear", 2),
        ("intimidation", "student", "referred_um_team", 2),
        ("sexual_nonphysical", "student", "nothing_yet", 1),
        ("bullying", "student", "listening_ear", 1),
    ],
    "circumflex": [
        ("sexual_physical", "student", "referred_um_team", 3),
        ("unprofessional", "staff_academic", "referred_um_team", 2),
        ("advice", "student", "listening_ear", 2),
        ("intimidation", "staff_unknown", "referred_inside_um", 1),
        ("discrimination", "student", "referred_um_team", 1),
    ],
}


async def kmtm_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, *, harness: BotHarness
) -> None:
    """A period from opening to the exported report."""
    say.chapter(t("demo.chapter.kmtm", lang))
    tragos = world.association("tragos")
    vcps = {
        "tragos": world.users["Sanne"],
        "saurus": await _join(emulator, world, harness, "saurus", "Saurus Maastricht", "en"),
        "circumflex": await _join(emulator, world, harness, "circumflex", "Circumflex", "nl"),
    }
    say.out(t("demo.kmtm.joined", lang, names=["Saurus Maastricht", "Circumflex"]))
    name = await _open_period(emulator, world, say, harness)

    say.does(tragos.admin, "/kmtm panel")
    posted = await emulator.person(tragos.admin).slash(
        tragos.guild, "kmtm", channel=tragos.general, subcommand="panel"
    )
    await posted.wait()
    panel = await emulator.person(vcps["tragos"]).wait_for_message(tragos.general, contains="KMTM")
    say.sees(vcps["tragos"], panel, where="#general")
    await _vcp_logs(emulator, world, say, lang, panel)

    # The rest of the period in one line: every contact goes through the same form.
    more = 0
    for key, contacts in DEMO_KMTM.items():
        guild = world.association(key).guild
        for category, relation, follow_up, count in contacts:
            choice = {"category": category, "relation": relation, "follow_up": follow_up}
            for _ in range(count):
                await _log(emulator, vcps[key], guild, choice, None)
                more += 1
    say.out(
        t(
            "demo.kmtm.more",
            lang,
            contacts=t("demo.kmtm.contacts", lang, count=more),
            associations=t("demo.kmtm.associations", lang, count=len(DEMO_KMTM)),
        )
    )
    await _report(emulator, world, say, lang, name)


async def _open_period(
    emulator: Emulator, world: NetworkWorld, say: Narrator, harness: BotHarness
) -> str:
    """The coordinator opens a period around today: its name."""
    if harness.bot is None:
        raise RuntimeError("the bot is not running")
    lang = say.lang
    today = harness.bot.clock().astimezone(harness.settings.zone).date()
    start = formats.day(today - timedelta(days=2), lang)
    end = formats.day(today + timedelta(days=12), lang)
    name = f"KMTM {today.year}"
    say.does(world.coordinator, f"/kmtm period create name:{name} start:{start} end:{end}")
    created = await steps.kmtm(
        emulator,
        world.coordinator,
        world.hub,
        "period create",
        {"name": name, "start": start, "end": end},
        channel=world.hub_general,
    )
    say.sees(world.coordinator, created, where="#general")
    return name


async def _join(  # noqa: PLR0917 - who joins, and as what
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    key: str,
    name: str,
    language: str,
) -> User:
    """An association joins as in the network chapter (/setup, Approve) and registers a VCP."""
    if key not in world.associations:
        await _new_server(emulator, world, harness, key, name)
    await network.request_to_join(emulator, world, key, language=language)
    await network.approve(emulator, world, await network.join_card(emulator, world, key))
    vcp = add_student(emulator, world, key, f"VCP {key.capitalize()}", locale="nl")
    await (await network.register_vcp(emulator, world, key, vcp)).wait()
    return vcp


async def _new_server(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, key: str, name: str
) -> None:
    """A server the tour's world did not have yet, with the bot in it."""
    admin = emulator.create_user(f"{key}-board", locale="nl")
    guild = emulator.create_guild(name, owner=admin, locale="nl")
    emulator.add_member(guild, admin, permissions=perm.MANAGE_GUILD)
    world.associations[key] = AssociationGuild(
        guild=guild,
        admin=admin,
        vcp_role=guild.create_role("VCP"),
        general=guild.create_text_channel("general"),
        rules=guild.create_text_channel("rules"),
    )
    bot = harness.bot
    await emulator.world.wait_for(
        lambda: bot is not None and bot.get_guild(guild.id) is not None,
        within=5,
        what=f"the bot to see {name}",
    )


async def _log(
    emulator: Emulator, vcp: User, guild: Guild, choice: dict[str, str], panel: Message | None
) -> tuple[Modal, Message]:
    """The form, from the panel's button or /kmtm log: what it showed, and the confirmation."""
    form = (await steps.open_log_form(emulator, vcp, guild, panel=panel)).modal
    if form is None:
        raise RuntimeError("the KMTM form did not open")
    return form, await steps.send_contact(emulator, vcp, form, choice)


def _choices(choice: dict[str, str], lang: Locale) -> str:
    return " · ".join(
        category_label(value, lang) if field == "category" else t(f"kmtm.{field}.{value}", lang)
        for field, value in choice.items()
    )


async def _vcp_logs(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, panel: Message
) -> None:
    """Sanne logs a contact from the panel, then takes a slip back with Undo."""
    sanne, guild = world.users["Sanne"], world.association("tragos").guild
    first = {"category": "intimidation", "relation": "student", "follow_up": "listening_ear"}
    say.does(sanne, t("demo.presses", lang, label=panel.buttons[0]["label"]))
    form, logged = await _log(emulator, sanne, guild, first, panel)
    questions = " / ".join(c["label"] for c in form.components if c.get("label"))
    who = shown_name(sanne)
    say.out("  " + t("demo.kmtm.form", lang, who=who, title=form.title, questions=questions))
    say.does(sanne, t("demo.kmtm.chooses", lang, choices=_choices(first, lang)))
    say.sees(sanne, logged, where="#general")
    slip = {"category": "stalking", "relation": "civilian", "follow_up": "nothing_yet"}
    chooses = t("demo.kmtm.chooses", lang, choices=_choices(slip, lang))
    say.does(sanne, f"/kmtm log · {chooses}")
    _, mistaken = await _log(emulator, sanne, guild, slip, None)
    say.sees(sanne, mistaken, where="#general")
    undo = mistaken.buttons[0]
    say.does(sanne, t("demo.presses", lang, label=undo["label"]))
    undone = await emulator.person(sanne).press(mistaken, custom_id=undo["custom_id"])
    say.sees(sanne, (await undone.wait()).message, where="#general")


async def _report(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, name: str
) -> None:
    """The coordinator closes the period, previews the report privately, posts it in the
    hub and exports the files."""
    messages = []
    for subcommand, options in (
        ("period close", {"name": name}),
        ("report", {"period": name, "by": "category"}),
        ("export", {"period": name, "by": "category"}),
    ):
        shown = " ".join(f"{k}:{v}" for k, v in options.items())
        say.does(world.coordinator, f"/kmtm {subcommand} {shown}")
        messages.append(
            await steps.kmtm(
                emulator,
                world.coordinator,
                world.hub,
                subcommand,
                options,
                channel=world.hub_general,
            )
        )
        say.sees(world.coordinator, messages[-1], where="#general")
        for attachment in messages[-1].attachments:
            say.out(f"    | 📎 {attachment.filename}")
        if subcommand == "report":
            await _post(emulator, world, say, lang, messages[-1])
    for attachment in messages[1].attachments:
        # Kept after the demo (the database's folder is not), so the chart can be opened.
        path = Path(tempfile.gettempdir()) / f"vcpbot-demo-{lang}-{attachment.filename}"
        path.write_bytes(attachment.data)
        say.out(t("demo.kmtm.chart", lang, path=str(path)))


async def _post(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, preview: Message
) -> None:
    """The coordinator presses Post on the private preview; the team sees the report."""
    post = steps.post_buttons(preview)[0]
    say.does(world.coordinator, t("demo.presses", lang, label=post["label"]))
    posted = await steps.press_post(emulator, world, preview)
    say.sees(world.team_member, posted, where="#general")
