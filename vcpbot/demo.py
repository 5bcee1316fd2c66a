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
from pathlib import Path

from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.emulator import Emulator
from vcpbot.emulator.entities import Message, User
from vcpbot.harness import BotHarness, NetworkWorld, add_student, seed_network_world, settings_for
from vcpbot.i18n import Locale, t

Out = Callable[[str], None]
MENTION = re.compile(r"<@!?(\d+)>|<#(\d+)>|<@&(\d+)>")


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


async def _network_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    tragos = world.association("tragos")
    admin = emulator.person(world.hub_admin)
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

    say.chapter(t("demo.chapter.help", lang))
    for name, locale in (("Lotte", "nl"), ("Maria", "en-US")):
        student = add_student(emulator, world, "tragos", name, locale=locale)
        say.does(student, f"/help (Discord in {'Dutch' if locale == 'nl' else 'English'})")
        reply = await emulator.person(student).slash(tragos.guild, "help")
        say.sees(student, (await reply.wait()).message, where=tragos.guild.name)


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
            settings = settings_for(emulator, hub_guild_id=world.hub.id, default_locale=locale)
            harness = BotHarness(emulator, settings, db)
            narrator = Narrator(emulator, out, locale, step_mode=step)
            out(t("demo.intro", locale))
            await harness.start()
            out(t("demo.ready", locale, commands=len(emulator.world.commands)))
            try:
                await _network_tour(emulator, world, narrator, locale)
                await _rules_tour(emulator, world, narrator, locale)
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
