"""Rules documents as text: parse, render, check limits, search, paginate, diff.

Pure functions over strings; no database and no discord. A document is Markdown
with an optional introduction followed by numbered articles, each starting on
a line of its own as ``## 1. Title``. Every problem is an ``InvalidInput`` whose
catalog key (``rules.error.*``) and parameters say what to fix and where.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from vcpbot.errors import InvalidInput
from vcpbot.services.rules._types import (
    Article,
    ArticleChange,
    DiffLine,
    Language,
    RulesText,
    SearchHit,
    TextDiff,
)

LANGUAGES: tuple[Language, ...] = ("nl", "en")


# An article is shown as one embed: its title as the embed title and its body
# as the description (4096). Bodies stop at 4000 so that every article also
# fits the edit modal's text input (4000) and can be edited there.
BODY_MAX = 4000
TITLE_MAX = 200
ARTICLES_MAX = 99
ARTICLE_NUMBER_MAX = 999
DOCUMENT_MAX_BYTES = 200 * 1024
UPLOAD_MAX_BYTES = 200 * 1024
UPLOAD_SUFFIXES = (".md", ".markdown", ".txt")
SEARCH_MIN, SEARCH_MAX = 2, 100

# ``## 1. Title`` or ``## 1) Title``; up to three leading spaces, as in CommonMark.
_LEVEL2 = re.compile(r"^ {0,3}##(?:[ \t]+(?P<rest>.*))?$")
_NUMBERED = re.compile(r"^(?P<number>\d{1,3})[.)](?:[ \t]+(?P<title>.*))?$")
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
# A heading of another level that looks like an article (``# 1. x``, ``### 2) y``).
_OTHER_LEVEL = re.compile(r"^ {0,3}(?:#|#{3,6})[ \t]+(?P<number>\d{1,3})[.)]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Template text to replace before publishing: ``[[association name]]``.
_PLACEHOLDER = re.compile(r"\[\[[^\[\]\n]+\]\]")


EMPTY = RulesText(intro="", articles=())


# -- normalising and decoding -------------------------------------------------


def normalise(text: str) -> str:
    """One newline style, no byte-order mark, no trailing spaces on a line."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def decode_upload(data: bytes, *, filename: str | None = None) -> str:
    """An uploaded ``.md`` file as text, or an ``InvalidInput`` saying what to fix."""
    if filename is not None and not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise InvalidInput("rules.error.upload_not_markdown")
    if len(data) > UPLOAD_MAX_BYTES:
        raise InvalidInput(
            "rules.error.upload_too_large",
            size_kb=-(-len(data) // 1024),
            max_kb=UPLOAD_MAX_BYTES // 1024,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput("rules.error.upload_not_utf8", line=line) from None
    text = normalise(text)
    if not text.strip():
        raise InvalidInput("rules.error.upload_empty")
    return text


def _check_characters(text: str, first_line: int = 1) -> None:
    for offset, line in enumerate(text.split("\n")):
        if any(unicodedata.category(ch) == "Cc" and ch != "\t" for ch in line):
            raise InvalidInput("rules.error.control_characters", line=first_line + offset)


# -- parsing and rendering ----------------------------------------------------


@dataclass
class _Heading:
    line: int
    number: int
    title: str


def _heading(line: str, line_no: int) -> _Heading | None:
    match = _LEVEL2.match(line)
    if match is None:
        return None
    rest = _CLOSING_HASHES.sub("", match["rest"] or "").strip()
    numbered = _NUMBERED.match(rest)
    if numbered is None:
        raise InvalidInput("rules.error.heading_unparsable", line=line_no)
    number = int(numbered["number"])
    title = (numbered["title"] or "").strip()
    if not 1 <= number <= ARTICLE_NUMBER_MAX:
        raise InvalidInput("rules.error.heading_number_range", line=line_no, max=ARTICLE_NUMBER_MAX)
    if not title:
        raise InvalidInput("rules.error.heading_no_title", line=line_no, number=number)
    return _Heading(line_no, number, title)


def _split(text: str) -> tuple[list[str], list[tuple[_Heading, list[str]]]]:
    """Lines of the intro, then each heading with the lines under it (fences respected)."""
    intro: list[str] = []
    sections: list[tuple[_Heading, list[str]]] = []
    fence: str | None = None
    for line_no, line in enumerate(text.split("\n"), start=1):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
        heading = None if fence is not None or fence_match else _heading(line, line_no)
        if heading is not None:
            sections.append((heading, []))
        elif sections:
            sections[-1][1].append(line)
        else:
            intro.append(line)
    return intro, sections


def _strip_block(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def parse(text: str, *, require_articles: bool = True) -> RulesText:
    """Parse and validate one language of a document; raises ``InvalidInput``."""
    text = normalise(text)
    if not text.strip():
        raise InvalidInput("rules.error.empty_document")
    size = len(text.encode("utf-8"))
    if size > DOCUMENT_MAX_BYTES:
        raise InvalidInput(
            "rules.error.document_too_large",
            size_kb=-(-size // 1024),
            max_kb=DOCUMENT_MAX_BYTES // 1024,
        )
    _check_characters(text)
    intro_lines, sections = _split(text)
    if not sections and require_articles:
        for line_no, line in enumerate(text.split("\n"), start=1):
            wrong = _OTHER_LEVEL.match(line)
            if wrong:
                raise InvalidInput(
                    "rules.error.heading_wrong_level", line=line_no, number=int(wrong["number"])
                )
        raise InvalidInput("rules.error.no_articles")
    seen: dict[int, int] = {}
    articles: list[Article] = []
    for heading, lines in sections:
        if heading.number in seen:
            raise InvalidInput(
                "rules.error.duplicate_article",
                number=heading.number,
                line=heading.line,
                first_line=seen[heading.number],
            )
        if articles and heading.number < articles[-1].number:
            raise InvalidInput(
                "rules.error.article_order",
                number=heading.number,
                line=heading.line,
                previous=articles[-1].number,
            )
        seen[heading.number] = heading.line
        body = _strip_block(lines)
        if not body.strip():
            raise InvalidInput("rules.error.empty_article", number=heading.number)
        articles.append(Article(heading.number, heading.title, body))
    document = RulesText(intro=_strip_block(intro_lines), articles=tuple(articles))
    check_limits(document)
    return document


def check_limits(document: RulesText) -> None:
    """Every article fits one embed, and the document its maximum number of articles."""
    if len(document.intro) > BODY_MAX:
        raise InvalidInput("rules.error.intro_too_long", length=len(document.intro), max=BODY_MAX)
    if len(document.articles) > ARTICLES_MAX:
        raise InvalidInput(
            "rules.error.too_many_articles", count=len(document.articles), max=ARTICLES_MAX
        )
    for article in document.articles:
        if len(article.title) > TITLE_MAX:
            raise InvalidInput(
                "rules.error.title_too_long",
                number=article.number,
                length=len(article.title),
                max=TITLE_MAX,
            )
        if len(article.body) > BODY_MAX:
            raise InvalidInput(
                "rules.error.article_too_long",
                number=article.number,
                length=len(article.body),
                max=BODY_MAX,
            )


def render(document: RulesText) -> str:
    """Canonical Markdown: what is stored, and what ``parse`` reads back unchanged."""
    parts = [document.intro] if document.intro else []
    parts.extend(f"## {a.number}. {a.title}\n\n{a.body}" for a in document.articles)
    return "\n\n".join(parts) + "\n" if parts else ""


def heading(article: Article) -> str:
    """An article's heading as members see it: ``3. Title``."""
    return f"{article.number}. {article.title}"


def _check_part(text: str) -> None:
    """Text edited on its own must not start a new article or hide one in a fence."""
    _check_characters(text)
    _, sections = _split(text)
    if sections:
        raise InvalidInput("rules.error.heading_in_text", line=sections[0][0].line)


def with_article(document: RulesText, *, number: int, title: str, body: str) -> RulesText:
    """The document with article ``number`` replaced, or added in numeric order."""
    title, body = normalise(title).strip(), normalise(body).strip("\n")
    if "\n" in title:
        raise InvalidInput("rules.error.title_multiline")
    if not 1 <= number <= ARTICLE_NUMBER_MAX:
        raise InvalidInput("rules.error.article_number_range", max=ARTICLE_NUMBER_MAX)
    if not title:
        raise InvalidInput("rules.error.title_required", number=number)
    if not body.strip():
        raise InvalidInput("rules.error.empty_article", number=number)
    _check_part(body)
    new = Article(number, title, body)
    kept = [a for a in document.articles if a.number != number]
    articles = sorted([*kept, new], key=lambda a: a.number)
    return _revalidated(RulesText(document.intro, tuple(articles)))


def without_article(document: RulesText, number: int) -> RulesText:
    if document.article(number) is None:
        raise unknown_article(document, number)
    articles = tuple(a for a in document.articles if a.number != number)
    return RulesText(document.intro, articles)


def with_intro(document: RulesText, intro: str) -> RulesText:
    intro = normalise(intro).strip("\n")
    _check_part(intro)
    return _revalidated(RulesText(intro, document.articles))


def _revalidated(document: RulesText) -> RulesText:
    """Check the whole result as if it had been uploaded, so edits obey the same rules."""
    check_limits(document)
    text = render(document)
    size = len(text.encode("utf-8"))
    if size > DOCUMENT_MAX_BYTES:
        raise InvalidInput(
            "rules.error.document_too_large",
            size_kb=-(-size // 1024),
            max_kb=DOCUMENT_MAX_BYTES // 1024,
        )
    return document


def unknown_article(document: RulesText, number: int) -> InvalidInput:
    return InvalidInput(
        "rules.error.unknown_article", number=number, available=number_ranges(document.numbers)
    )


def number_ranges(numbers: tuple[int, ...]) -> str:
    """``1–5, 7, 9–10``: the article numbers in a few characters."""
    if not numbers:
        return "–"
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def placeholders(text: str) -> tuple[str, ...]:
    """Template fields such as ``[[association name]]`` still waiting to be filled in."""
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(text)))


# -- search -------------------------------------------------------------------


_MARKDOWN_SPECIAL = re.compile(r"([\\*_~`|<>\[\]#])")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_LINE_MARKER = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+|\d{1,3}[.)]\s+)?")
_EMPHASIS = re.compile(r"\*\*|__|~~|\|\||`|\*")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Discord would read as formatting, links or headings."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plain_text(markdown: str) -> str:
    """The words of a Markdown fragment on one line, without formatting characters."""
    lines = [ln for ln in markdown.split("\n") if not _FENCE.match(ln)]
    text = " ".join(_LINE_MARKER.sub("", ln) for ln in lines)
    text = _EMPHASIS.sub("", _LINK.sub(r"\1", text))
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Runs of characters that need folding one by one; ASCII (nearly all of a Dutch or
# English text) folds exactly as str.lower() does, at C speed: a search through a
# 20-article code of conduct took 3-7 ms when every character went through _fold_char.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: ``Één`` and ``een`` fold alike."""
    return _folded_with_positions(text)[0]


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index it came from."""
    folded: list[str] = []
    positions: list[int] = []
    cursor = 0
    for run in _NON_ASCII.finditer(text):
        folded.append(text[cursor : run.start()].lower())
        positions.extend(range(cursor, run.start()))
        for index in range(run.start(), run.end()):
            part = _fold_char(text[index])
            folded.append(part)
            positions.extend([index] * len(part))
        cursor = run.end()
    folded.append(text[cursor:].lower())
    positions.extend(range(cursor, len(text)))
    return "".join(folded), positions


def search_terms(query: str) -> tuple[str, ...]:
    """The folded words of a query; every one must occur in a matching article."""
    query = " ".join(query.split())
    if len(query) < SEARCH_MIN:
        raise InvalidInput("rules.error.search_too_short", min=SEARCH_MIN)
    if len(query) > SEARCH_MAX:
        raise InvalidInput("rules.error.search_too_long", max=SEARCH_MAX)
    terms = tuple(dict.fromkeys(t for t in fold(query).split() if t))
    if not terms:
        raise InvalidInput("rules.error.search_too_short", min=SEARCH_MIN)
    return terms


def _spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the terms occur in ``text`` (original indices), merged and in order."""
    folded, positions = _folded_with_positions(text)
    found: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            first, last = positions[start], positions[start + len(term) - 1] + 1
            while last < len(text) and unicodedata.combining(text[last]):
                last += 1
            found.append((first, last))
            start = folded.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for first, last in sorted(found):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    cursor = 0
    for first, last in spans:
        out.append(escape_markdown(text[cursor:first]))
        out.append(f"**{escape_markdown(text[first:last])}**")
        cursor = last
    out.append(escape_markdown(text[cursor:]))
    return "".join(out)


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """About ``size`` characters around the first match, cut between words."""
    if len(text) <= size:
        return 0, len(text)
    first, first_end = spans[0] if spans else (0, 0)
    start = max(0, min(first - size // 3, len(text) - size))
    end = min(len(text), max(start + size, first_end))
    if start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else first
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", first_end, end)
        if space == -1:
            space = text.find(" ", end)
        end = space if space != -1 else len(text)
    return start, end


def search(document: RulesText, query: str, *, snippet_size: int = 160) -> tuple[SearchHit, ...]:
    """Articles in which every word of ``query`` occurs (title or text), in document order."""
    terms = search_terms(query)
    hits: list[SearchHit] = []
    for article in document.articles:
        title, body = plain_text(article.title), plain_text(article.body)
        combined = fold(f"{title} {body}")
        if not all(term in combined for term in terms):
            continue
        title_spans, body_spans = _spans(title, terms), _spans(body, terms)
        start, end = _window(body, body_spans, snippet_size)
        shown = [(max(a, start) - start, min(b, end) - start) for a, b in body_spans]
        shown = [(a, b) for a, b in shown if a < b]
        snippet = _highlight(body[start:end], shown)
        snippet = ("…" if start > 0 else "") + snippet + ("…" if end < len(body) else "")
        hits.append(
            SearchHit(
                number=article.number,
                title=_highlight(title, title_spans),
                snippet=snippet,
                matches=len(title_spans) + len(body_spans),
            )
        )
    return tuple(hits)


# -- pages --------------------------------------------------------------------

_SEPARATORS = ("\n\n", "\n")


def paginate(text: str, size: int) -> list[str]:
    """Split ``text`` into pages of at most ``size`` characters.

    Cuts at a paragraph break, else a line break, else a space, preferring one in
    the second half of the page; a word is cut only when it alone is longer than a
    page. The whitespace at a cut is dropped, so the pages are the text's pieces in
    order, separated in the original only by whitespace.
    """
    if size < 1:
        raise ValueError("page size must be positive")
    pages: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        cut = _cut(rest, size)
        pages.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pages.append(rest)
    return pages


def _cut(text: str, size: int) -> int:
    half = size // 2
    for separator in _SEPARATORS:
        at = text.rfind(separator, 0, size + len(separator))
        if at >= max(half, 1):
            return at
    space = _last_space(text, size)
    if space >= max(half, 1):
        return space
    for separator in _SEPARATORS:
        at = text.rfind(separator, 0, size + len(separator))
        if at >= 1:
            return at
    if space >= 1:
        return space
    cut = size
    while cut > 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut


def _last_space(text: str, size: int) -> int:
    for index in range(min(size, len(text) - 1), 0, -1):
        if text[index].isspace():
            return index
    return -1


# -- diff ---------------------------------------------------------------------


def _line_diff(old: list[str], new: list[str], context: int = 1) -> tuple[DiffLine, ...]:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    out: list[DiffLine] = []
    position = 0
    for group in matcher.get_grouped_opcodes(context):
        if group[0][1] > position:
            out.append(DiffLine("@", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(DiffLine(" ", line) for line in old[i1:i2])
                continue
            out.extend(DiffLine("-", line) for line in old[i1:i2])
            out.extend(DiffLine("+", line) for line in new[j1:j2])
        position = group[-1][2]
    if out and position < len(old):
        out.append(DiffLine("@", ""))
    return tuple(out)


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _article_lines(article: Article) -> list[str]:
    return [f"## {heading(article)}", *article.body.split("\n")]


def diff(old: RulesText, new: RulesText) -> TextDiff:
    """Added, removed and changed articles (matched by number), each with a line diff."""
    changes: list[ArticleChange] = []
    unchanged: list[int] = []
    old_by_number = {a.number: a for a in old.articles}
    new_by_number = {a.number: a for a in new.articles}
    for number in sorted(old_by_number.keys() | new_by_number.keys()):
        before, after = old_by_number.get(number), new_by_number.get(number)
        if before == after:
            unchanged.append(number)
        elif before is None and after is not None:
            lines = tuple(DiffLine("+", ln) for ln in _article_lines(after))
            changes.append(ArticleChange(number, "added", None, after.title, lines))
        elif after is None and before is not None:
            lines = tuple(DiffLine("-", ln) for ln in _article_lines(before))
            changes.append(ArticleChange(number, "removed", before.title, None, lines))
        elif before is not None and after is not None:
            lines = _line_diff(_article_lines(before), _article_lines(after))
            changes.append(ArticleChange(number, "changed", before.title, after.title, lines))
    intro: tuple[DiffLine, ...] = ()
    if old.intro != new.intro:
        intro = _line_diff(_lines(old.intro), _lines(new.intro))
    return TextDiff(intro=intro, changes=tuple(changes), unchanged=tuple(unchanged))
