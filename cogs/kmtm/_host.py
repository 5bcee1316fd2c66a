"""What the KMTM buttons need of the cog: its in-memory undo and preview books.

The buttons outlive the form that made them, so they find the cog by name and see it
through this Protocol; no part imports ``KmtmCog``.
"""

from __future__ import annotations

from typing import Protocol, cast

from vcpbot.bot_types import Bot
from vcpbot.services.kmtm import PreviewBook, UndoBook

COG_NAME = "KMTM"  # the cog's name, as get_cog finds it


class KmtmHost(Protocol):
    """The cog, as the buttons that outlive a form see it: its in-memory books."""

    @property
    def undo(self) -> UndoBook: ...

    @property
    def previews(self) -> PreviewBook: ...


def _books(bot: Bot) -> KmtmHost:
    cog = bot.get_cog(COG_NAME)
    if cog is None:
        raise RuntimeError("the KMTM cog is not loaded")
    return cast(KmtmHost, cog)


def undo_book(bot: Bot) -> UndoBook:
    """The cog's in-memory undo window; a restart loads a new, empty one."""
    return _books(bot).undo


def preview_book(bot: Bot) -> PreviewBook:
    """The cog's in-memory report previews; a restart loads a new, empty one."""
    return _books(bot).previews
