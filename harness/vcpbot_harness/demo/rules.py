"""The rules tour: the board uploads its house rules in Dutch and English, asks members
to accept them, publishes; students read /rules in their language and one accepts."""

from __future__ import annotations

from discord_emulator import Emulator
from vcpbot.i18n import Locale, t
from vcpbot_harness import NetworkWorld
from vcpbot_harness.demo.narration import Narrator
from vcpbot_harness.steps import network
from vcpbot_harness.steps import rules as steps

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


async def rules_tour(emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale) -> None:
    """The board's side, then the members'."""
    await _board_publishes(emulator, world, say, lang)
    tragos = world.association("tragos")
    posts = [
        m for m in emulator.person(tragos.admin).sees(tragos.rules) if m.author is emulator.bot_user
    ]
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


async def _board_publishes(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    """The rules channel, both languages uploaded, acceptance on, published."""
    tragos = world.association("tragos")
    say.chapter(t("demo.chapter.rules", lang))
    say.does(tragos.admin, "/setup … rules_channel:#rules")
    await network.request_to_join(emulator, world, "tragos", rules_channel=True)
    for language, filename in (("nl", "huisregels.md"), ("en", "house-rules.md")):
        say.does(tragos.admin, f"/rules-admin upload document:house_rules language:{language}")
        data = DEMO_HOUSE_RULES[language].encode("utf-8")
        uploaded = await steps.upload(emulator, tragos, language, data, filename)
        say.sees(tragos.admin, uploaded, where=tragos.guild.name)
    say.does(tragos.admin, "/rules-admin ack document:house_rules enabled:True")
    await steps.rules_admin(emulator, tragos, "ack", {"document": "house_rules", "enabled": True})
    say.does(tragos.admin, "/rules-admin publish document:house_rules note:…")
    note = "Eerste versie / first version"
    published = await steps.rules_admin(
        emulator, tragos, "publish", {"document": "house_rules", "note": note}
    )
    say.sees(tragos.admin, published, where=tragos.guild.name)
