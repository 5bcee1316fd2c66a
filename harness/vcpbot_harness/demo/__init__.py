"""``vcpbot demo``: the product shown offline, as the people who use it see it.

The in-repo Discord emulator and the real bot run in this process with a
temporary SQLite database; a scripted tour acts as each person and prints what
they do and what they see. No token, no network.
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from discord_emulator import Emulator, Guild, Modal
from discord_emulator import permissions as perm
from discord_emulator.entities import Channel, Message, User
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.i18n import Locale, category_label, formats, t
from vcpbot_harness import (
    AssociationGuild,
    BotHarness,
    NetworkWorld,
    add_student,
    seed_network_world,
    settings_for,
)

Out = Callable[[str], None]
MENTION = re.compile(r"<@!?(\d+)>|<#(\d+)>|<@&(\d+)>")
# Sanne's Discord speaks the tour's language; the second VCP's the other one.
SECOND_VCP = {"nl": ("Ahmed", "en-US"), "en": ("Bram", "nl")}


@dataclass
class Narrator:
    """Prints who acts and what they see, with mentions shown as names."""

    emulator: Emulator
    out: Out
    lang: Locale
    step_mode: bool = False
    steps: int = 0

    def _names(self, text: str) -> str:
        world = self.emulator.world

        def name(match: re.Match[str]) -> str:
            user_id, channel_id, role_id = match.groups()
            if user_id:
                user = world.users.get(int(user_id))
                return "@" + (user.global_name or user.username) if user else "@someone"
            if channel_id:
                channel = world.channels.get(int(channel_id))
                return "#" + (channel.name if channel else "channel")
            for guild in world.guilds.values():
                if int(role_id) in guild.roles:
                    return "@" + guild.roles[int(role_id)].name
            return "@role"

        return MENTION.sub(name, text)

    def chapter(self, title: str) -> None:
        self.steps += 1
        self.out("")
        self.out(f"=== {self.steps}. {title}")
        if self.step_mode:
            sys.stdin.readline()

    def does(self, user: User, action: str) -> None:
        self.out(f"> {user.global_name or user.username}: {action}")

    def sees(self, user: User, message: Message, *, where: str) -> None:
        private = t("demo.private", self.lang) if message.ephemeral else ""
        who = user.global_name or user.username
        self.out("  " + t("demo.sees", self.lang, who=who, where=where, private=private))
        for line in self._names(message.text).splitlines():
            self.out(f"    | {line}")
        buttons = [b.get("label") for b in message.buttons if b.get("label")]
        if buttons:
            self.out(f"    | [{'] ['.join(buttons)}]")


def _team_only(emulator: Emulator, world: NetworkWorld) -> None:
    """As a careful hub admin sets it up: only the UM team (and the bot) read the cards."""
    hub, channel = world.hub, world.escalations
    seen = perm.VIEW_CHANNEL | perm.SEND_MESSAGES | perm.READ_MESSAGE_HISTORY
    hub.set_overwrite(channel, hub.everyone, deny=perm.VIEW_CHANNEL)
    for who in (world.team_role, world.coordinator_role, emulator.bot_user):
        hub.set_overwrite(channel, who, allow=seen)


async def _network_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    tragos = world.association("tragos")
    admin = emulator.person(world.hub_admin)
    _team_only(emulator, world)
    say.chapter(t("demo.chapter.hub", lang))
    say.does(world.hub_admin, "/hub setup")
    result = await admin.slash(
        world.hub,
        "hub",
        {
            "escalations": world.escalations,
            "team_role": world.team_role,
            "coordinator_role": world.coordinator_role,
            "log_channel": world.network_log,
        },
        subcommand="setup",
    )
    say.sees(world.hub_admin, (await result.wait()).message, where="#general")

    say.chapter(t("demo.chapter.join", lang))
    board = emulator.person(tragos.admin)
    say.does(tragos.admin, f"/setup name:{tragos.guild.name} short_name:Tragos language:nl")
    result = await board.slash(
        tragos.guild,
        "setup",
        {
            "name": tragos.guild.name,
            "short_name": "Tragos",
            "language": "nl",
            "vcp_role": tragos.vcp_role,
        },
    )
    say.sees(tragos.admin, await result.final(), where=tragos.guild.name)
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains=tragos.guild.name)
    say.sees(world.coordinator, card, where="#network-log")
    approve = next(b for b in card.buttons if b["custom_id"].startswith("vcp:net:approve"))
    say.does(world.coordinator, t("demo.presses", lang, label=approve["label"]))
    await (await coordinator.press(card, custom_id=approve["custom_id"])).wait()
    dm = await board.wait_for_dm()
    say.sees(tragos.admin, dm, where=t("demo.dm", lang))

    say.chapter(t("demo.chapter.vcps", lang))
    sanne = add_student(
        emulator, world, "tragos", "Sanne", locale="nl" if lang == "nl" else "en-US"
    )
    say.does(tragos.admin, "/vcp add member:@Sanne")
    await (await board.slash(tragos.guild, "vcp", {"member": sanne}, subcommand="add")).wait()
    say.does(sanne, "/vcp listing listed:True")
    listing = await emulator.person(sanne).slash(
        tragos.guild, "vcp", {"listed": True}, subcommand="listing"
    )
    say.sees(sanne, (await listing.wait()).message, where=tragos.guild.name)
    # A second VCP whose Discord speaks the other language: each gets the bot's direct
    # messages in their own, whatever the association chose.
    name, locale = SECOND_VCP[lang]
    second = add_student(emulator, world, "tragos", name, locale=locale)
    say.does(tragos.admin, f"/vcp add member:@{name}")
    await (await board.slash(tragos.guild, "vcp", {"member": second}, subcommand="add")).wait()
    say.does(second, "/vcp listing listed:False")
    listing = await emulator.person(second).slash(
        tragos.guild, "vcp", {"listed": False}, subcommand="listing"
    )
    say.sees(second, (await listing.wait()).message, where=tragos.guild.name)

    say.chapter(t("demo.chapter.help", lang))
    for name, locale in (("Lotte", "nl"), ("Maria", "en-US")):
        student = add_student(emulator, world, "tragos", name, locale=locale)
        say.does(student, f"/help (Discord in {'Dutch' if locale == 'nl' else 'English'})")
        reply = await emulator.person(student).slash(tragos.guild, "help")
        say.sees(student, (await reply.wait()).message, where=tragos.guild.name)


async def _escalation_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    """A VCP escalates anonymously, the UM team replies, the VCP reads it with the receipt."""
    tragos = world.association("tragos")
    sanne = world.users["Sanne"]
    vcp = emulator.person(sanne)
    say.chapter(t("demo.chapter.escalation", lang))
    say.does(sanne, "/" + t("cmd.report.name", lang))
    intro = (await (await vcp.slash(tragos.guild, "report")).wait()).message
    if intro is None:
        raise RuntimeError("/report did not answer with its explanation")
    say.sees(sanne, intro, where=tragos.guild.name)
    go = intro.buttons[0]
    say.does(sanne, t("demo.presses", lang, label=go["label"]))
    form = (await vcp.press(intro, custom_id=go["custom_id"])).response.modal
    if form is None:
        raise RuntimeError("the escalation form did not open")
    story = t("demo.escalation.story", lang)
    values = {"category": "intimidation", "urgency": "soon", "text": story, "shown": "yes"}
    say.does(sanne, t("demo.fills_in", lang, fields=" · ".join(values.values())))
    confirmation = await (await vcp.submit(form, values)).final()
    say.sees(sanne, confirmation, where=tragos.guild.name)
    receipt = re.search(r"```\n(\S+)\n```", confirmation.text)
    code = re.search(r"C-[0-9A-Z]{4}", confirmation.text)
    if receipt is None or code is None:
        raise RuntimeError("no receipt was shown")

    team = emulator.person(world.team_member)
    card = await team.wait_for_message(world.escalations, contains=code.group(0))
    say.sees(world.team_member, card, where="#escalations")
    open_button, reply_button = card.buttons[1], card.buttons[2]
    say.does(world.team_member, t("demo.presses", lang, label=open_button["label"]))
    opened = await (await team.press(card, custom_id=open_button["custom_id"])).final()
    say.sees(world.team_member, opened, where="#escalations")
    say.does(world.team_member, t("demo.presses", lang, label=reply_button["label"]))
    reply_form = (await team.press(card, custom_id=reply_button["custom_id"])).response.modal
    if reply_form is None:
        raise RuntimeError("the reply form did not open")
    answer = t("demo.escalation.reply", lang)
    say.does(world.team_member, t("demo.fills_in", lang, fields=answer))
    replied = await (await team.submit(reply_form, {"text": answer})).final()
    say.sees(world.team_member, replied, where="#escalations")

    say.does(
        sanne,
        f"/{t('cmd.my_case.name', lang)} {t('cmd.my_case.opt.receipt', lang)}:{receipt.group(1)}",
    )
    seen = await (await vcp.slash(None, "my-case", {"receipt": receipt.group(1)})).final()
    say.sees(sanne, seen, where=t("demo.dm", lang))


def _vcp_channel(emulator: Emulator, association: AssociationGuild) -> Channel:
    """As a careful board sets it up: only the VCPs (and the bot) read members' cases."""
    guild = association.guild
    channel = guild.create_text_channel("vcp-cases")
    seen = perm.VIEW_CHANNEL | perm.SEND_MESSAGES | perm.READ_MESSAGE_HISTORY
    guild.set_overwrite(channel, guild.everyone, deny=perm.VIEW_CHANNEL)
    for who in (association.vcp_role, emulator.bot_user):
        guild.set_overwrite(channel, who, allow=seen)
    return channel


async def _member_reports(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> tuple[Channel, str, str]:
    """The board opens the member route; Noor reports to her VCPs. Where her case arrives,
    her receipt and its code."""
    tragos = world.association("tragos")
    channel = _vcp_channel(emulator, tragos)
    say.does(tragos.admin, "/anonymous-contact member-route enabled:True channel:#vcp-cases")
    switched = await emulator.person(tragos.admin).slash(
        tragos.guild,
        "anonymous-contact",
        {"enabled": True, "channel": channel},
        subcommand="member-route",
    )
    say.sees(tragos.admin, await switched.final(), where=tragos.guild.name)
    noor = add_student(emulator, world, "tragos", "Noor", locale="nl" if lang == "nl" else "en-US")
    member = emulator.person(noor)
    say.does(noor, "/" + t("cmd.report.name", lang))
    intro = (await (await member.slash(tragos.guild, "report")).wait()).message
    if intro is None:
        raise RuntimeError("/report did not answer with its explanation")
    say.sees(noor, intro, where=tragos.guild.name)
    go = intro.buttons[0]
    say.does(noor, t("demo.presses", lang, label=go["label"]))
    form = (await member.press(intro, custom_id=go["custom_id"])).response.modal
    if form is None:
        raise RuntimeError("the form did not open")
    story = t("demo.consent.story", lang)
    values = {"category": "bullying", "urgency": "soon", "text": story, "shown": "yes"}
    say.does(noor, t("demo.fills_in", lang, fields=" · ".join(values.values())))
    confirmation = await (await member.submit(form, values)).final()
    say.sees(noor, confirmation, where=tragos.guild.name)
    receipt = re.search(r"```\n(\S+)\n```", confirmation.text)
    code = re.search(r"C-[0-9A-Z]{4}", confirmation.text)
    if receipt is None or code is None:
        raise RuntimeError("no receipt was shown")
    return channel, receipt.group(1), code.group(0)


async def _consent_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    """A member's case goes to the UM team only after she says yes in /my-case."""
    say.chapter(t("demo.chapter.consent", lang))
    channel, receipt, code = await _member_reports(emulator, world, say, lang)
    sanne, noor = world.users["Sanne"], world.users["Noor"]
    vcp, member = emulator.person(sanne), emulator.person(noor)
    card = await vcp.wait_for_message(channel, contains=code)
    say.sees(sanne, card, where="#vcp-cases")
    ask = next(b for b in card.buttons if ":fwd:" in b["custom_id"])
    say.does(sanne, t("demo.presses", lang, label=ask["label"]))
    form = (await vcp.press(card, custom_id=ask["custom_id"])).response.modal
    if form is None:
        raise RuntimeError("the question form did not open")
    summary = t("demo.consent.summary", lang)
    say.does(sanne, t("demo.fills_in", lang, fields=summary))
    say.sees(sanne, await (await vcp.submit(form, {"text": summary})).final(), where="#vcp-cases")

    say.does(noor, f"/{t('cmd.my_case.name', lang)} {t('cmd.my_case.opt.receipt', lang)}:…")
    seen = await (await member.slash(None, "my-case", {"receipt": receipt})).final()
    say.sees(noor, seen, where=t("demo.dm", lang))
    for key in ("escalation.case.answer_yes", "escalation.case.confirm_go"):
        label = t(key, lang)
        say.does(noor, t("demo.presses", lang, label=label))
        seen = await (await member.press(seen, label=label)).final()
        say.sees(noor, seen, where=t("demo.dm", lang))
    hub_card = await emulator.person(world.team_member).wait_for_message(
        world.escalations, contains=code
    )
    say.sees(world.team_member, hub_card, where="#escalations")


DEMO_HOUSE_RULES = {
    "nl": (
        "Welkom! Deze huisregels gelden op elke activiteit.\n\n"
        "## 1. Respect\n\nWe behandelen elkaar met respect.\n\n"
        "## 2. Alcohol\n\nDrink met mate; de bar schenkt niet aan wie te veel op heeft.\n\n"
        "## 3. Hulp\n\nZit iets je niet lekker? Praat met een van onze VCP's (/help).\n"
    ),
    "en": (
        "Welcome! These house rules apply at every activity.\n\n"
        "## 1. Respect\n\nWe treat each other with respect.\n\n"
        "## 2. Alcohol\n\nDrink in moderation; the bar stops serving anyone who had too much.\n\n"
        "## 3. Help\n\nSomething bothering you? Talk to one of our VCPs (/help).\n"
    ),
}


async def _rules_tour(emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale) -> None:
    tragos = world.association("tragos")
    board = emulator.person(tragos.admin)
    say.chapter(t("demo.chapter.rules", lang))
    say.does(tragos.admin, "/setup … rules_channel:#rules")
    setup = await board.slash(
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
    await setup.final()
    for language, filename in (("nl", "huisregels.md"), ("en", "house-rules.md")):
        say.does(tragos.admin, f"/rules-admin upload document:house_rules language:{language}")
        attachment = emulator.upload(filename, DEMO_HOUSE_RULES[language].encode("utf-8"))
        uploaded = await board.slash(
            tragos.guild,
            "rules-admin",
            {"document": "house_rules", "language": language, "file": attachment},
            subcommand="upload",
        )
        say.sees(tragos.admin, await uploaded.final(), where=tragos.guild.name)
    say.does(tragos.admin, "/rules-admin ack document:house_rules enabled:True")
    await (
        await board.slash(
            tragos.guild,
            "rules-admin",
            {"document": "house_rules", "enabled": True},
            subcommand="ack",
        )
    ).final()
    say.does(tragos.admin, "/rules-admin publish document:house_rules note:…")
    published = await board.slash(
        tragos.guild,
        "rules-admin",
        {"document": "house_rules", "note": "Eerste versie / first version"},
        subcommand="publish",
    )
    say.sees(tragos.admin, await published.final(), where=tragos.guild.name)
    posts = [m for m in board.sees(tragos.rules) if m.author is emulator.bot_user]
    for post in posts:
        say.sees(tragos.admin, post, where="#rules")
    for name in ("Lotte", "Maria"):
        student = world.users[name]
        say.does(student, f"/rules (Discord in {'Dutch' if student.locale == 'nl' else 'English'})")
        reply = await emulator.person(student).slash(tragos.guild, "rules")
        say.sees(student, (await reply.wait()).message, where=tragos.guild.name)
    lotte = world.users["Lotte"]
    button = posts[-1].buttons[0]
    say.does(lotte, t("demo.presses", lang, label=button["label"]))
    pressed = await emulator.person(lotte).press(posts[-1], custom_id=button["custom_id"])
    say.sees(lotte, (await pressed.wait()).message, where="#rules")


class DemoClock:
    """Real time, plus however far the tour has jumped ahead (to show a reminder arrive)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump_to(self, moment: datetime) -> None:
        self.offset += max(moment - self(), timedelta(0))


async def _intervisie_tour(
    emulator: Emulator,
    world: NetworkWorld,
    say: Narrator,
    lang: Locale,
    *,
    harness: BotHarness,
    clock: DemoClock,
) -> None:
    sanne = world.users["Sanne"]
    coordinator = emulator.person(world.coordinator)
    say.chapter(t("demo.chapter.intervisie", lang))
    zone = ZoneInfo(harness.settings.timezone)
    day = (clock() + timedelta(days=3)).astimezone(zone).date()
    start = datetime.combine(day, time(19, 30), tzinfo=zone)
    say.does(world.coordinator, "/intervisie plan invitees:associations associations:Tragos")
    opened = await coordinator.slash(
        world.hub,
        "intervisie",
        {"invitees": "associations", "associations": "Tragos"},
        channel=world.hub_general,
        subcommand="plan",
    )
    modal = (await opened.wait()).modal
    if modal is None:
        raise RuntimeError("/intervisie plan did not open its form")
    values = {
        "title": t("demo.intervisie.title", lang),
        # Typed as the bot writes dates: "donderdag 24 september 2026, 19:30".
        "when": formats.moment(start.astimezone(zone), lang),
        "duration": "1:30",
        "location": "Tapijnkazerne, zaal 2",
        "agenda": t("demo.intervisie.agenda", lang),
    }
    say.does(world.coordinator, t("demo.fills_in", lang, fields=" · ".join(values.values())))
    planned = await coordinator.submit(modal, values)
    say.sees(world.coordinator, await planned.final(within=30), where="#general")
    for event in emulator.scheduled_events(world.hub):
        say.out(
            "  "
            + t(
                "demo.intervisie.event",
                lang,
                name=event.name,
                location=(event.entity_metadata or {}).get("location", ""),
            )
        )
    vcp = emulator.person(sanne)
    invitation = await vcp.wait_for_dm(contains=values["title"])
    say.sees(sanne, invitation, where=t("demo.dm", lang))
    for attachment in invitation.attachments:
        say.out(f"    | 📎 {attachment.filename}")
    second = world.users[SECOND_VCP[lang][0]]
    other = await emulator.person(second).wait_for_dm(contains=values["title"])
    say.sees(second, other, where=t("demo.dm", lang))
    yes = invitation.buttons[0]
    say.does(sanne, t("demo.presses", lang, label=yes["label"]))
    answered = await vcp.press(invitation, custom_id=yes["custom_id"])
    say.sees(sanne, (await answered.wait()).message, where=t("demo.dm", lang))
    say.does(world.coordinator, "/intervisie list")
    listing = await coordinator.slash(
        world.hub, "intervisie", channel=world.hub_general, subcommand="list"
    )
    say.sees(world.coordinator, (await listing.wait()).message, where="#general")

    day_before = start - timedelta(hours=24)
    clock.jump_to(day_before + timedelta(minutes=1))
    say.out("")
    say.out(t("demo.intervisie.clock", lang, when=clock().astimezone(zone)))
    # The scheduler's job would run at that moment; the tour runs it now, the same code path.
    before = len(vcp.dms())
    await harness.bot.get_cog("IntervisieCog").runner.run_due()  # type: ignore[union-attr]
    reminder = await emulator.world.wait_for(
        lambda: vcp.dms()[before] if len(vcp.dms()) > before else None,
        within=5,
        what="the reminder",
    )
    say.sees(sanne, reminder, where=t("demo.dm", lang))


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


async def _kmtm_join(  # noqa: PLR0917 - who joins, and as what
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
    key: str,
    name: str,
    language: str,
) -> User:
    """An association joins as in the network chapter (/setup, Approve) and registers a VCP."""
    if key not in world.associations:
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
    association = world.association(key)
    board = emulator.person(association.admin)
    options = {"name": name, "short_name": key.capitalize(), "language": language}
    setup = await board.slash(
        association.guild, "setup", {**options, "vcp_role": association.vcp_role}
    )
    await setup.final()
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains=name)
    approve = next(b for b in card.buttons if b["custom_id"].startswith("vcp:net:approve"))
    await (await coordinator.press(card, custom_id=approve["custom_id"])).wait()
    vcp = add_student(emulator, world, key, f"VCP {key.capitalize()}", locale="nl")
    added = await board.slash(association.guild, "vcp", {"member": vcp}, subcommand="add")
    await added.wait()
    return vcp


async def _kmtm_log(
    emulator: Emulator, vcp: User, guild: Guild, choice: dict[str, str], panel: Message | None
) -> tuple[Modal, Message]:
    """The form, from the panel's button or /kmtm log: what it showed, and the confirmation."""
    person = emulator.person(vcp)
    if panel is not None:
        opened = await person.press(panel, custom_id=panel.buttons[0]["custom_id"])
    else:
        opened = await person.slash(guild, "kmtm", subcommand="log")
    modal = (await opened.wait()).modal
    if modal is None:
        raise RuntimeError("the KMTM form did not open")
    return modal, await (await person.submit(modal, choice)).final()


def _kmtm_choices(choice: dict[str, str], lang: Locale) -> str:
    return " · ".join(
        category_label(value, lang) if field == "category" else t(f"kmtm.{field}.{value}", lang)
        for field, value in choice.items()
    )


async def _kmtm_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, *, harness: BotHarness
) -> None:
    say.chapter(t("demo.chapter.kmtm", lang))
    tragos = world.association("tragos")
    vcps = {
        "tragos": world.users["Sanne"],
        "saurus": await _kmtm_join(emulator, world, harness, "saurus", "Saurus Maastricht", "en"),
        "circumflex": await _kmtm_join(emulator, world, harness, "circumflex", "Circumflex", "nl"),
    }
    say.out(t("demo.kmtm.joined", lang, names=["Saurus Maastricht", "Circumflex"]))

    if harness.bot is None:
        raise RuntimeError("the bot is not running")
    today = harness.bot.clock().astimezone(harness.settings.zone).date()
    start = formats.day(today - timedelta(days=2), lang)
    end = formats.day(today + timedelta(days=12), lang)
    name = f"KMTM {today.year}"
    say.does(world.coordinator, f"/kmtm period create name:{name} start:{start} end:{end}")
    created = await emulator.person(world.coordinator).slash(
        world.hub,
        "kmtm",
        {"name": name, "start": start, "end": end},
        channel=world.hub_general,
        subcommand="period create",
    )
    say.sees(world.coordinator, (await created.wait()).message, where="#general")

    say.does(tragos.admin, "/kmtm panel")
    posted = await emulator.person(tragos.admin).slash(
        tragos.guild, "kmtm", channel=tragos.general, subcommand="panel"
    )
    await posted.wait()
    panel = await emulator.person(vcps["tragos"]).wait_for_message(tragos.general, contains="KMTM")
    say.sees(vcps["tragos"], panel, where="#general")
    await _kmtm_vcp(emulator, world, say, lang, panel)

    # The rest of the period in one line: every contact goes through the same form.
    more = 0
    for key, contacts in DEMO_KMTM.items():
        guild = world.association(key).guild
        for category, relation, follow_up, count in contacts:
            choice = {"category": category, "relation": relation, "follow_up": follow_up}
            for _ in range(count):
                await _kmtm_log(emulator, vcps[key], guild, choice, None)
                more += 1
    say.out(
        t(
            "demo.kmtm.more",
            lang,
            contacts=t("demo.kmtm.contacts", lang, count=more),
            associations=t("demo.kmtm.associations", lang, count=len(DEMO_KMTM)),
        )
    )
    await _kmtm_report(emulator, world, say, lang, name)


async def _kmtm_vcp(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, panel: Message
) -> None:
    """Sanne logs a contact from the panel, then takes a slip back with Undo."""
    sanne, guild = world.users["Sanne"], world.association("tragos").guild
    first = {"category": "intimidation", "relation": "student", "follow_up": "listening_ear"}
    say.does(sanne, t("demo.presses", lang, label=panel.buttons[0]["label"]))
    form, logged = await _kmtm_log(emulator, sanne, guild, first, panel)
    questions = " / ".join(c["label"] for c in form.components if c.get("label"))
    who = sanne.global_name or sanne.username
    say.out("  " + t("demo.kmtm.form", lang, who=who, title=form.title, questions=questions))
    say.does(sanne, t("demo.kmtm.chooses", lang, choices=_kmtm_choices(first, lang)))
    say.sees(sanne, logged, where="#general")
    slip = {"category": "stalking", "relation": "civilian", "follow_up": "nothing_yet"}
    chooses = t("demo.kmtm.chooses", lang, choices=_kmtm_choices(slip, lang))
    say.does(sanne, f"/kmtm log · {chooses}")
    _, mistaken = await _kmtm_log(emulator, sanne, guild, slip, None)
    say.sees(sanne, mistaken, where="#general")
    undo = mistaken.buttons[0]
    say.does(sanne, t("demo.presses", lang, label=undo["label"]))
    undone = await emulator.person(sanne).press(mistaken, custom_id=undo["custom_id"])
    say.sees(sanne, (await undone.wait()).message, where="#general")


async def _kmtm_report(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, name: str
) -> None:
    """The coordinator closes the period, previews the report privately, posts it in the
    hub and exports the files."""
    coordinator = emulator.person(world.coordinator)
    messages = []
    for subcommand, options in (
        ("period close", {"name": name}),
        ("report", {"period": name, "by": "category"}),
        ("export", {"period": name, "by": "category"}),
    ):
        shown = " ".join(f"{k}:{v}" for k, v in options.items())
        say.does(world.coordinator, f"/kmtm {subcommand} {shown}")
        result = await coordinator.slash(
            world.hub, "kmtm", options, channel=world.hub_general, subcommand=subcommand
        )
        messages.append(await result.final(within=30))
        say.sees(world.coordinator, messages[-1], where="#general")
        for attachment in messages[-1].attachments:
            say.out(f"    | 📎 {attachment.filename}")
        if subcommand == "report":
            await _kmtm_post(emulator, world, say, lang, messages[-1])
    for attachment in messages[1].attachments:
        # Kept after the demo (the database's folder is not), so the chart can be opened.
        path = Path(tempfile.gettempdir()) / f"vcpbot-demo-{lang}-{attachment.filename}"
        path.write_bytes(attachment.data)
        say.out(t("demo.kmtm.chart", lang, path=str(path)))


async def _kmtm_post(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale, preview: Message
) -> None:
    """The coordinator presses Post on the private preview; the team sees the report."""
    post = next(b for b in preview.buttons if b["custom_id"].startswith("vcp:kmtm:post:"))
    say.does(world.coordinator, t("demo.presses", lang, label=post["label"]))
    pressed = await emulator.person(world.coordinator).press(preview, custom_id=post["custom_id"])
    posted = await pressed.followup(within=30)
    say.sees(world.team_member, posted, where="#general")


async def run_demo(*, lang: str, step: bool, out: Out) -> int:
    locale: Locale = "nl" if lang == "nl" else "en"
    # The tour's output is the story; discord.py's start-up notes (no voice support) are not.
    logging.getLogger("discord").setLevel(logging.ERROR)
    say_locale = "nl" if locale == "nl" else "en-US"
    with tempfile.TemporaryDirectory(prefix="vcpbot-demo-") as tmp:
        db = create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}")
        await upgrade(db)
        async with Emulator() as emulator:
            world = seed_network_world(emulator, staff_locale=say_locale)
            settings = settings_for(
                emulator,
                hub_guild_id=world.hub.id,
                default_locale=locale,
                # Keys made for this run only: the demo's cases vanish with its database.
                master_keys=generate_master_key(1),
                index_key=generate_index_key(),
                runtime_dir=Path(tmp) / "run",
                # The tour shows a card right after the form; a deployment batches them.
                escalation={"batch_min_minutes": 0, "batch_max_minutes": 0},
            )
            clock = DemoClock()
            harness = BotHarness(emulator, settings, db, clock=clock)
            narrator = Narrator(emulator, out, locale, step_mode=step)
            out(t("demo.intro", locale))
            await harness.start()
            out(t("demo.ready", locale, count=len(emulator.world.commands)))
            try:
                await _network_tour(emulator, world, narrator, locale)
                await _rules_tour(emulator, world, narrator, locale)
                await _escalation_tour(emulator, world, narrator, locale)
                await _consent_tour(emulator, world, narrator, locale)
                await _intervisie_tour(
                    emulator, world, narrator, locale, harness=harness, clock=clock
                )
                await _kmtm_tour(emulator, world, narrator, locale, harness=harness)
            finally:
                await harness.stop()
            failures = list(emulator.failures)
        await db.dispose()
    if failures:
        out("The emulator recorded requests Discord would refuse:")
        for failure in failures:
            out(f"  - {failure}")
        return 1
    out("")
    out(t("demo.done", locale))
    return 0
