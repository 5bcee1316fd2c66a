"""``/procedure``: the reporting procedure in the reader's language, one embed per
section, as the UM keeps it in ``procedure_file``; 112 first, the complaints page as a
link button, and a section the UM has not filled in yet left out."""

from __future__ import annotations

from typing import Any

import discord

from vcpbot.i18n import Locale, t
from vcpbot.services.help import Procedure

COLOUR = discord.Colour.blurple()


def procedure_message(procedure: Procedure, locale: Locale) -> dict[str, Any]:
    """What ``send_private`` sends: the first line, the embeds, and the link if there is one."""
    shown = procedure.shown()
    embeds = [
        discord.Embed(title=section.title(locale), description=section.text(locale), colour=COLOUR)
        for section in shown
    ]
    footer = t("procedure.version", locale, date=procedure.version)
    if len(shown) < len(procedure.sections):
        footer = t("procedure.ask_team", locale) + "\n" + footer
    embeds[-1].set_footer(text=footer)
    message: dict[str, Any] = {"content": t("help.danger", locale), "embeds": embeds}
    if url := procedure.links.shown_complaint:
        view = discord.ui.View(timeout=None)
        view.add_item(discord.ui.Button(label=t("procedure.complaint", locale), url=url))
        message["view"] = view
    return message
