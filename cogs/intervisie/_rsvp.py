"""The Yes / No / Maybe buttons: persistent, keyed by a random token, the invitation's
or (on a reminder DM) the reminder's."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol, cast

import discord

from vcpbot import custom_ids, limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import Locale, formats, t
from vcpbot.interactions import report_error
from vcpbot.services.intervisie import Rsvp, SessionView

# The custom_id feature part of every intervisie component.
FEATURE = "intervisie"
COG_NAME = "IntervisieCog"
ANSWERS = (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE)
# Discord allows five rows of buttons on a message: one session per row.
_STYLES = {
    Rsvp.YES: discord.ButtonStyle.success,
    Rsvp.NO: discord.ButtonStyle.secondary,
    Rsvp.MAYBE: discord.ButtonStyle.primary,
}


class Answering(Protocol):
    """The cog, as a Yes / No / Maybe button needs it (the cog imports this module)."""

    async def answer(self, interaction: Interaction, *, token: str, answer: Rsvp) -> None: ...


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, "yes|no|maybe"),
):
    """One answer to one invitation. The token says which invitation (directly, or
    through one of its reminders), never who may press: the service checks on every
    press that the presser is the invitee."""

    def __init__(self, answer: Rsvp, token: str, *, label: str, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[: limits.BUTTON_LABEL_MAX],
                style=_STYLES[answer],
                custom_id=custom_ids.build(FEATURE, answer.value, token),
                row=row,
            )
        )
        self.answer = answer
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],  # type: ignore[override]  # discord.py hands back the button it matched
        match: re.Match[str],
    ) -> RsvpButton:
        return cls(Rsvp(match["action"]), match["token"], label=item.label or match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            cog = cast("Answering | None", bot_of(interaction).get_cog(COG_NAME))
            if cog is None:
                raise RuntimeError("the intervisie cog is not loaded")
            await cog.answer(interaction, token=self.token, answer=self.answer)
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)


def answer_label(answer: Rsvp, locale: Locale | None) -> str:
    """``Ja, ik kom``; for a reader whose language is unknown, ``Ja, ik kom / Yes, I'll come``."""
    key = f"intervisie.rsvp.{answer.value}"
    if locale is None:
        return f"{t(key, 'nl')} / {t(key, 'en')}"
    return t(key, locale)


def answer_views(
    rows: Sequence[tuple[SessionView, str]], locale: Locale | None, *, dated: bool
) -> list[discord.ui.View]:
    """Buttons for (session, token) pairs, one row each, five rows a message.

    ``dated`` puts the session's date on each button, for messages about several dates.
    ``locale`` None labels them in Dutch and English.
    """
    views = []
    for first in range(0, len(rows), limits.MESSAGE_ACTION_ROWS_MAX):
        view = discord.ui.View(timeout=None)
        for row, (session, token) in enumerate(
            rows[first : first + limits.MESSAGE_ACTION_ROWS_MAX]
        ):
            day = formats.short_moment(session.local_start, locale or "nl")
            prefix = f"{day} · " if dated else ""
            for answer in ANSWERS:
                label = prefix + answer_label(answer, locale)
                view.add_item(RsvpButton(answer, token, label=label, row=row))
        views.append(view)
    return views
