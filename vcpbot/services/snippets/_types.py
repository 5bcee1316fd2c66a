"""What the snippets service hands back: frozen dataclasses of plain values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    """One saved reply of a desk, in both languages."""

    id: int
    name: str
    text_nl: str
    text_en: str

    def text(self, language: str) -> str:
        """The text in ``language`` ("nl" or "en"; anything else reads English)."""
        return self.text_nl if language == "nl" else self.text_en


@dataclass(frozen=True)
class SnippetList:
    """A desk's saved replies by name, at most ``limit`` of them, and how many there are."""

    snippets: tuple[Snippet, ...]
    total: int

    @property
    def cut(self) -> bool:
        """More exist than are listed here."""
        return self.total > len(self.snippets)
