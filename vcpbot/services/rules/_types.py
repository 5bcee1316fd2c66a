"""What the rules service returns: frozen dataclasses of plain values.

The parsed text (``RulesText``, ``Article``) and its diff (``TextDiff``) are here too,
with the two small functions they need (``other_language``, ``diff_text``), so this
module imports nothing else of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from vcpbot.db.rules import RulesKind


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    guild_id: int
    kind: RulesKind
    is_template: bool
    draft_languages: tuple[Language, ...]
    latest_version: int | None
    has_unpublished_changes: bool
    ack_enabled: bool
    ack_role_id: int | None
    draft_updated_at: datetime | None


@dataclass(frozen=True)
class DraftSaved:
    document: DocumentInfo
    language: Language
    text: RulesText
    changed: bool
    placeholders: tuple[str, ...]


@dataclass(frozen=True)
class DraftPreview:
    document: DocumentInfo
    requested: Language
    language: Language
    text: RulesText
    markdown: str
    placeholders: tuple[str, ...]
    # Against the latest published text in the same language; None before the first.
    changes: TextDiff | None

    @property
    def fell_back(self) -> bool:
        return self.language != self.requested


@dataclass(frozen=True)
class VersionInfo:
    number: int
    author_id: int | None
    published_at: datetime
    change_note: str
    requires_reack: bool
    languages: tuple[Language, ...]


@dataclass(frozen=True)
class PublishedMessages:
    channel_id: int
    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class PublishedDocument:
    """A published version in full, for posting to the rules channel."""

    document: DocumentInfo
    version: VersionInfo
    nl: RulesText | None
    en: RulesText | None
    messages: PublishedMessages | None

    def text(self, language: Language) -> tuple[RulesText, Language]:
        """The text in ``language``, or in the other language when it has none."""
        wanted = self.nl if language == "nl" else self.en
        if wanted is not None:
            return wanted, language
        other = self.en if language == "nl" else self.nl
        if other is None:
            raise ValueError("a published version has text in at least one language")
        return other, other_language(language)


@dataclass(frozen=True)
class PublishPlan:
    """A version checked but not yet saved (``plan_publish``): shown first, then saved."""

    document: PublishedDocument  # as the rules channel will show it
    draft_nl: str | None = field(repr=False)
    draft_en: str | None = field(repr=False)

    def still(self, number: int, draft_nl: str | None, draft_en: str | None) -> bool:
        """Would saving now save what was shown?"""
        return (number, draft_nl, draft_en) == (
            self.document.version.number,
            self.draft_nl,
            self.draft_en,
        )


@dataclass(frozen=True)
class VersionDiff:
    """Two versions compared per language; a language missing in both is None."""

    kind: RulesKind
    old: VersionInfo
    new: VersionInfo
    nl: TextDiff | None
    en: TextDiff | None


@dataclass(frozen=True)
class TocEntry:
    number: int
    title: str


@dataclass(frozen=True)
class AckStatus:
    kind: RulesKind
    enabled: bool
    role_id: int | None
    current_version: int | None
    required_version: int | None
    acknowledged_version: int | None
    acknowledged_at: datetime | None

    @property
    def needs_ack(self) -> bool:
        if not self.enabled or self.required_version is None:
            return False
        return self.acknowledged_version is None or (
            self.acknowledged_version < self.required_version
        )


@dataclass(frozen=True)
class Contents:
    """A published document's table of contents, as a reader sees it."""

    kind: RulesKind
    version: int
    published_at: datetime
    requested: Language
    language: Language
    intro: str
    articles: tuple[TocEntry, ...]
    ack: AckStatus | None

    @property
    def fell_back(self) -> bool:
        return self.language != self.requested


@dataclass(frozen=True)
class ArticleView:
    kind: RulesKind
    version: int
    requested: Language
    language: Language
    number: int
    title: str
    body: str
    numbers: tuple[int, ...]

    @property
    def fell_back(self) -> bool:
        return self.language != self.requested


@dataclass(frozen=True)
class SearchResult:
    kind: RulesKind
    version: int
    requested: Language
    language: Language
    hits: tuple[SearchHit, ...]

    @property
    def fell_back(self) -> bool:
        return self.language != self.requested


@dataclass(frozen=True)
class AckResult:
    kind: RulesKind
    version: int
    recorded: bool
    acknowledged_at: datetime
    role_id: int | None


@dataclass(frozen=True)
class VersionCount:
    version: int
    count: int


@dataclass(frozen=True)
class AckStats:
    kind: RulesKind
    enabled: bool
    current_version: int | None
    required_version: int | None
    up_to_date: int
    counts: tuple[VersionCount, ...]


@dataclass(frozen=True)
class TemplateInfo:
    kind: RulesKind
    version: int
    published_at: datetime
    languages: tuple[Language, ...]


@dataclass(frozen=True)
class AdoptResult:
    document: DocumentInfo
    template_version: int
    languages: tuple[Language, ...]
    placeholders: tuple[str, ...]


Language = Literal["nl", "en"]


def other_language(language: Language) -> Language:
    """The language a text falls back to when it has none in ``language``."""
    return "en" if language == "nl" else "nl"


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    body: str


@dataclass(frozen=True)
class RulesText:
    """One language of a document: the introduction and the articles, in order."""

    intro: str
    articles: tuple[Article, ...]

    def article(self, number: int) -> Article | None:
        return next((a for a in self.articles if a.number == number), None)

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(a.number for a in self.articles)


@dataclass(frozen=True)
class SearchHit:
    """One matching article. ``title`` and ``snippet`` are Markdown-safe, matches in bold."""

    number: int
    title: str
    snippet: str
    matches: int


DiffOp = Literal["+", "-", " ", "@"]


ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class DiffLine:
    """``+`` added, ``-`` removed, `` `` context, ``@`` lines left out between hunks."""

    op: DiffOp
    text: str


@dataclass(frozen=True)
class ArticleChange:
    number: int
    kind: ChangeKind
    old_title: str | None
    new_title: str | None
    lines: tuple[DiffLine, ...]

    def as_text(self) -> str:
        """For a ```diff code block; fences in the text cannot close the block."""
        return diff_text(self.lines)


@dataclass(frozen=True)
class TextDiff:
    """What changed between two texts of one language, article by article."""

    intro: tuple[DiffLine, ...]
    changes: tuple[ArticleChange, ...]
    unchanged: tuple[int, ...]

    @property
    def is_empty(self) -> bool:
        return not self.intro and not self.changes


def diff_text(lines: tuple[DiffLine, ...]) -> str:
    """Diff lines as the text of a ```diff block; a fence in the rules cannot close it."""
    rendered = ("…" if line.op == "@" else f"{line.op} {line.text}" for line in lines)
    return "\n".join(rendered).replace("```", "`\u200b``")


@dataclass(frozen=True)
class Published:
    """One document's latest published version: everything a reader is shown.

    Plain values, so the cog can keep it between interactions (``vcpbot.readcache``)."""

    document_id: int
    kind: RulesKind
    number: int
    published_at: datetime
    text_nl: str | None
    text_en: str | None
    ack_enabled: bool
    ack_role_id: int | None
    required_version: int  # the newest version a member must have acknowledged
    # Each language's text parsed once for this kept copy (``_reading._text_of``): every
    # /rules of the guild reads the same texts, and parsing a 20-article code of conduct
    # takes about 2 ms, twice a bare discord.py bot's CPU for a whole interaction.
    parsed: dict[Language, RulesText] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
