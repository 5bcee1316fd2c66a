"""The network tour: the UM team sets up its hub, an association joins and is approved,
its board registers two VCPs, and students ask /help in either language."""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator.entities import User
from vcpbot.i18n import Locale, t
from vcpbot_harness import NetworkWorld, add_student
from vcpbot_harness.demo.narration import Narrator
from vcpbot_harness.steps import network as steps

# Sanne's Discord speaks the tour's language; the second VCP's the other one.
SECOND_VCP = {"nl": ("Ahmed", "en-US"), "en": ("Bram", "nl")}


async def network_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    """The hub, Tragos joining, its VCPs, and /help."""
    # As a careful hub admin sets it up: only the UM team (and the bot) read the cards.
    steps.only_for(emulator, world.hub, world.escalations, world.team_role, world.coordinator_role)
    say.chapter(t("demo.chapter.hub", lang))
    say.does(world.hub_admin, "/hub setup")
    say.sees(world.hub_admin, await steps.set_up_hub(emulator, world), where="#general")
    await _join(emulator, world, say, lang)
    await _vcps(emulator, world, say, lang)
    say.chapter(t("demo.chapter.help", lang))
    tragos = world.association("tragos")
    for name, locale in (("Lotte", "nl"), ("Maria", "en-US")):
        student = add_student(emulator, world, "tragos", name, locale=locale)
        say.does(student, f"/help (Discord in {'Dutch' if locale == 'nl' else 'English'})")
        reply = await emulator.person(student).slash(tragos.guild, "help")
        say.sees(student, (await reply.wait()).message, where=tragos.guild.name)


async def _join(emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale) -> None:
    """Tragos asks to join; the coordinator approves; the board hears it in a DM."""
    tragos = world.association("tragos")
    say.chapter(t("demo.chapter.join", lang))
    say.does(tragos.admin, f"/setup name:{tragos.guild.name} short_name:Tragos language:nl")
    asked = await steps.request_to_join(emulator, world, "tragos")
    say.sees(tragos.admin, asked, where=tragos.guild.name)
    card = await steps.join_card(emulator, world, "tragos")
    say.sees(world.coordinator, card, where="#network-log")
    approve = steps.approve_button(card)
    say.does(world.coordinator, t("demo.presses", lang, label=approve["label"]))
    await steps.approve(emulator, world, card)
    dm = await emulator.person(tragos.admin).wait_for_dm()
    say.sees(tragos.admin, dm, where=t("demo.dm", lang))


async def _vcps(emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale) -> None:
    """The board registers Sanne, listed, and a second VCP, not listed."""
    say.chapter(t("demo.chapter.vcps", lang))
    sanne = add_student(
        emulator, world, "tragos", "Sanne", locale="nl" if lang == "nl" else "en-US"
    )
    await _register(emulator, world, say, sanne, listed=True)
    # A second VCP whose Discord speaks the other language: each gets the bot's direct
    # messages in their own, whatever the association chose.
    name, locale = SECOND_VCP[lang]
    second = add_student(emulator, world, "tragos", name, locale=locale)
    await _register(emulator, world, say, second, listed=False)


async def _register(
    emulator: Emulator, world: NetworkWorld, say: Narrator, vcp: User, *, listed: bool
) -> None:
    """``/vcp add`` by the board, then the VCP chooses whether /help lists them."""
    tragos = world.association("tragos")
    say.does(tragos.admin, f"/vcp add member:@{vcp.username}")
    await (await steps.register_vcp(emulator, world, "tragos", vcp)).wait()
    say.does(vcp, f"/vcp listing listed:{listed}")
    listing = await emulator.person(vcp).slash(
        tragos.guild, "vcp", {"listed": listed}, subcommand="listing"
    )
    say.sees(vcp, (await listing.wait()).message, where=tragos.guild.name)


async def readiness_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    """The coordinator sees what each association has in place; Tragos's board sees its own
    line and what to do next. No case or KMTM figure appears in either."""
    say.chapter(t("demo.chapter.readiness", lang))
    say.does(world.coordinator, "/network readiness")
    overview = await emulator.person(world.coordinator).slash(
        world.hub, "network", subcommand="readiness"
    )
    say.sees(world.coordinator, await overview.final(), where="#general")
    tragos = world.association("tragos")
    say.does(tragos.admin, "/setup-status")
    own = await emulator.person(tragos.admin).slash(tragos.guild, "setup-status")
    say.sees(tragos.admin, await own.final(), where=tragos.guild.name)
