"""Steps the rules-library end-to-end tests share: an association with a rules channel,
house rules in Dutch and English, uploading and publishing them as the board does."""

from __future__ import annotations

from typing import Any

from discord_emulator import Emulator
from discord_emulator.entities import Message, Role
from tests.e2e.network.steps import set_up_hub
from vcpbot_harness import AssociationGuild, BotHarness, NetworkWorld
from vcpbot_harness.steps import network, rules

HOUSE_RULES_NL = """\
Welkom bij Tragos. Deze huisregels gelden voor iedereen in onze sociëteit.

## 1. Respect

We behandelen elkaar met respect, welk jaar, welke rol of welke achtergrond iemand ook heeft.

## 2. Alcohol

Drink met mate. De bar schenkt niet meer aan wie te veel heeft gedronken.

## 3. Sluitingstijd

De sociëteit sluit om 02:00 uur. Iedereen helpt mee met opruimen voordat we naar huis gaan.

## 4. Vertrouwenspersonen

Zit iets je niet lekker? Praat met een van onze VCP's; zij luisteren en houden het vertrouwelijk.
"""

HOUSE_RULES_EN = """\
Welcome to Tragos. These house rules apply to everyone in our society building.

## 1. Respect

We treat each other with respect, whatever someone's year, role or background.

## 2. Alcohol

Drink in moderation. The bar stops serving anyone who has had too much to drink.

## 3. Closing time

The society closes at 02:00. Everyone helps with tidying up before we go home.

## 4. Confidential contact persons

Something bothering you? Talk to one of our VCPs; they listen and keep it confidential.
"""

ACK_ID = "vcp:rules:ack:house_rules"


async def register_with_rules_channel(
    emulator: Emulator, world: NetworkWorld, key: str = "tragos"
) -> AssociationGuild:
    """The hub exists and the association ran /setup with its rules channel (no approval)."""
    await set_up_hub(emulator, world)
    language = "nl" if key == "tragos" else "en"
    await network.request_to_join(emulator, world, key, language=language, rules_channel=True)
    return world.association(key)


async def admin(
    emulator: Emulator,
    association: AssociationGuild,
    subcommand: str,
    options: dict[str, Any] | None = None,
    *,
    within: float | None = None,
) -> Message:
    """The board runs /rules-admin <subcommand> and gets its private answer."""
    return private(
        await rules.rules_admin(emulator, association, subcommand, options, within=within)
    )


def private(message: Message) -> Message:
    """A board's answer: only they see it, and it mentions no one."""
    assert message.ephemeral
    assert message.allowed_mentions == {"parse": []}
    return message


async def upload(
    emulator: Emulator,
    association: AssociationGuild,
    language: str,
    data: bytes | str,
    *,
    filename: str = "huisregels.md",
    document: str = "house_rules",
) -> Message:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    uploaded = await rules.upload(
        emulator, association, language, raw, filename, document, content_type="text/markdown"
    )
    return private(uploaded)


async def publish(
    emulator: Emulator,
    association: AssociationGuild,
    note: str,
    *,
    reacknowledge: bool = False,
    document: str = "house_rules",
    within: float | None = None,
) -> Message:
    options: dict[str, Any] = {"document": document, "note": note}
    if reacknowledge:
        options["reacknowledge"] = True
    return await admin(emulator, association, "publish", options, within=within)


async def edit_article(
    emulator: Emulator,
    association: AssociationGuild,
    *,
    language: str,
    number: int,
    title: str,
    body: str,
) -> Message:
    """The board opens the edit form for one article, changes it and submits."""
    board = emulator.person(association.admin)
    opened = await board.slash(
        association.guild,
        "rules-admin",
        {"document": "house_rules", "language": language, "article": number},
        subcommand="edit",
    )
    modal = (await opened.wait()).modal
    assert modal is not None, "the edit command opens a form"
    submitted = await board.submit(modal, {"title": title, "body": body})
    return await submitted.final()


async def ack_role(
    emulator: Emulator, harness: BotHarness, association: AssociationGuild, name: str
) -> Role:
    """A role the board hands out for accepting; the bot must have seen it before it is used."""
    role = association.guild.create_role(name)
    await emulator.world.wait_for(
        lambda: harness.bot.get_guild(association.guild.id).get_role(role.id),
        within=5,
        what=f"the bot to learn about the {name} role",
    )
    return role


def rules_posts(emulator: Emulator, association: AssociationGuild) -> list[Message]:
    """The bot's public messages in the rules channel, as a member sees them."""
    return [
        m
        for m in emulator.channel_messages(association.rules, viewer=association.admin)
        if m.author is emulator.bot_user and not m.ephemeral
    ]
