"""Steps the /help tests share: asking for help, reading what it offers, the board's contact."""

from __future__ import annotations

import re
from typing import Any

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from vcpbot.i18n import t

COMMAND_LINE = re.compile(r"^`(/[^`]+)` · ", re.MULTILINE)
DANGER = {"nl": "Direct in gevaar? Bel 112.", "en": "In danger right now? Call 112."}
UM_TEAM = {"nl": "UM Team Sociale Veiligheid Studenten", "en": "UM Student Social Safety Team"}
OUTSIDE = "Centrum Seksueel Geweld"

CONTACT_NL = (
    "Onze VCP's hebben elke dinsdag spreekuur in de bestuurskamer; je mag ook zomaar langskomen."
)
CONTACT_EN = (
    "Our VCPs hold office hours every Tuesday in the board room; you can also just drop by."
)
CONTACT_LINK = "https://www.tragos.nl/vertrouwenscontactpersonen"

# What every student can use in an association's server (the names are paths to the
# commands' catalog keys: "privacy delete" is cmd.privacy.name + cmd.privacy.delete.name).
STUDENT = ("help", "procedure", "privacy info", "privacy delete", "rules", "my_case")
# What works in a direct message with the bot, for anyone.
IN_A_DM = ("help", "procedure", "privacy info", "privacy delete", "my_case")
# Who handles cases keeps saved replies (/snippets): the UM team, and registered VCPs.
HANDLER_EXTRAS = ("snippets add", "snippets edit", "snippets remove", "snippets list")
VCP_EXTRAS = (
    "report",
    "open_cases",
    *HANDLER_EXTRAS,
    "kmtm log",
    "vcp listing",
    "intervisie mine",
    "intervisie reminders",
)
BOARD_EXTRAS = (
    "setup",
    "setup_status",
    "setup_announcements",
    "vcp add",
    "vcp remove",
    "vcp list",
    "rules_admin edit",
    "rules_admin upload",
    "rules_admin adopt",
    "rules_admin preview",
    "rules_admin publish",
    "rules_admin history",
    "rules_admin diff",
    "rules_admin ack",
    "rules_admin ack_stats",
    "anonymous panel",
    "anonymous member_route",
    "kmtm members",
    "kmtm panel",
    "help_admin contact",
)
COORDINATOR_EXTRAS = (
    "open_cases",
    *HANDLER_EXTRAS,
    "cases report",
    "network list",
    "network vcps",
    "network audit",
    "network readiness",
    "network year",
    "network announce",
    "network announcements",
    "network suspend",
    "network reinstate",
    "intervisie plan",
    "intervisie poll",
    "intervisie poll_results",
    "intervisie poll_choose",
    "intervisie move",
    "intervisie invite",
    "intervisie cancel",
    "intervisie list",
    "intervisie progress",
    "intervisie show",
    "intervisie attendance",
    "intervisie export",
    "intervisie template save",
    "intervisie template list",
    "intervisie template remove",
    "intervisie template use",
    "kmtm period create",
    "kmtm period close",
    "kmtm period list",
    "kmtm report",
    "kmtm export",
)


def command_name(path: str, locale: str) -> str:
    """``"privacy delete"`` -> ``/privacy delete-my-data`` (or the Dutch name)."""
    parts = path.split()
    words = [t("cmd." + ".".join(parts[: i + 1]) + ".name", locale) for i in range(len(parts))]
    return "/" + " ".join(words)


def menu(locale: str, *paths: str) -> list[str]:
    """The commands as /help should list them: by their name in that language."""
    return sorted((command_name(p, locale) for p in paths), key=str.casefold)


def commands_in(reply: Message) -> list[str]:
    """The commands /help offers, in the order it shows them."""
    return COMMAND_LINE.findall(reply.text)


def language_of(reply: Message) -> str:
    """The language /help answered in, told by its first line."""
    first = reply.text.splitlines()[0]
    return next(lang for lang, line in DANGER.items() if line in first)


async def ask_help(emulator: Emulator, user: User, guild: Any) -> Message:
    """The person types /help (in a server, or in a DM with the bot when guild is None)."""
    reply = (await (await emulator.person(user).slash(guild, "help")).wait()).message
    assert reply is not None and reply.ephemeral
    assert reply.allowed_mentions == {"parse": []}
    return reply


def in_order(text: str, *fragments: str) -> bool:
    """Every fragment appears, each after the one before."""
    positions = [text.find(f) for f in fragments]
    return -1 not in positions and positions == sorted(positions)


async def open_contact_form(emulator: Emulator, board: User, guild: Any) -> Any:
    opened = await emulator.person(board).slash(guild, "help-admin", subcommand="contact")
    modal = (await opened.wait()).modal
    assert modal is not None, "the contact command opens a form"
    return modal


async def set_contact(
    emulator: Emulator,
    board: User,
    guild: Any,
    *,
    nl: str = CONTACT_NL,
    en: str = CONTACT_EN,
    link: str = CONTACT_LINK,
) -> Message:
    """The board fills in what /help shows about their association, and saves it."""
    modal = await open_contact_form(emulator, board, guild)
    submitted = await emulator.person(board).submit(
        modal, {"text_nl": nl, "text_en": en, "link": link}
    )
    reply = await submitted.final()
    assert reply.ephemeral
    return reply
