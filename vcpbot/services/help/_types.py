"""What the help service hands back from the database: frozen dataclasses of plain values.

The deployment files' schemas (pydantic models) stay beside their loaders.
"""

from __future__ import annotations

from dataclasses import dataclass

from vcpbot.i18n import Locale


@dataclass(frozen=True)
class Contact:
    text_nl: str
    text_en: str
    link: str | None

    def text(self, locale: Locale) -> str:
        """In the reader's language, else in the one the board wrote."""
        own = self.text_nl if locale == "nl" else self.text_en
        return own or self.text_nl or self.text_en
