"""Members read: contents, one article, search; in their language or the other one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.rules import (
    RulesDocument,
    RulesKind,
    RulesVersion,
)
from vcpbot.errors import InvalidInput, NotFound
from vcpbot.services import rules_text
from vcpbot.services.rules._common import (
    ack_status_of,
    latest_version_of,
    version_text,
)
from vcpbot.services.rules.results import (
    ArticleView,
    Contents,
    SearchResult,
    TocEntry,
)
from vcpbot.services.rules_text import Language, RulesText, other_language


async def _readable(
    session: AsyncSession, guild_id: int, kind: RulesKind | None
) -> list[tuple[RulesDocument, RulesVersion]]:
    """The guild's published documents (of ``kind``), code of conduct first."""
    query = select(RulesDocument).where(
        RulesDocument.guild_id == guild_id, RulesDocument.is_template.is_(False)
    )
    if kind is not None:
        query = query.where(RulesDocument.kind == RulesKind(kind).value)
    order = list(RulesKind)
    documents = sorted(
        (await session.execute(query)).scalars(), key=lambda d: order.index(RulesKind(d.kind))
    )
    found = []
    for document in documents:
        latest = await latest_version_of(session, document.id)
        if latest is not None:
            found.append((document, latest))
    return found


def _reader_text(version: RulesVersion, language: Language) -> tuple[RulesText, Language]:
    for candidate in (language, other_language(language)):
        text = version_text(version, candidate)
        if text:
            return rules_text.parse(text, require_articles=False), candidate
    raise AssertionError("a version has at least one language")


async def table_of_contents(
    session: AsyncSession, *, guild_id: int, language: Language, user_id: int | None = None
) -> tuple[Contents, ...]:
    """The published documents' contents; with ``user_id``, the member's acknowledgement."""
    contents = []
    for document, version in await _readable(session, guild_id, None):
        text, shown = _reader_text(version, language)
        ack = None
        if user_id is not None and document.ack_enabled:
            ack = await ack_status_of(session, document, version, user_id)
        contents.append(
            Contents(
                kind=RulesKind(document.kind),
                version=version.number,
                published_at=version.published_at,
                requested=language,
                language=shown,
                intro=text.intro,
                articles=tuple(TocEntry(a.number, a.title) for a in text.articles),
                ack=ack,
            )
        )
    return tuple(contents)


async def read_article(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind | None,
    number: int,
    language: Language,
) -> ArticleView:
    """One article in full. Without ``kind`` the guild must have one published document."""
    found = await _readable(session, guild_id, kind)
    if not found:
        raise NotFound("rules.error.nothing_published")
    if len(found) > 1:
        raise InvalidInput("rules.error.choose_document")
    document, version = found[0]
    text, shown = _reader_text(version, language)
    article = text.article(number)
    if article is None:
        raise rules_text.unknown_article(text, number)
    return ArticleView(
        kind=RulesKind(document.kind),
        version=version.number,
        requested=language,
        language=shown,
        number=article.number,
        title=article.title,
        body=article.body,
        numbers=text.numbers,
    )


async def search(
    session: AsyncSession,
    *,
    guild_id: int,
    query: str,
    language: Language,
    kind: RulesKind | None = None,
) -> tuple[SearchResult, ...]:
    """Matching articles per published document; documents without a match are left out."""
    rules_text.search_terms(query)  # a bad query is reported before anything is read
    found = await _readable(session, guild_id, kind)
    if not found:
        raise NotFound("rules.error.nothing_published")
    results = []
    for document, version in found:
        text, shown = _reader_text(version, language)
        hits = rules_text.search(text, query)
        if hits:
            results.append(
                SearchResult(
                    kind=RulesKind(document.kind),
                    version=version.number,
                    requested=language,
                    language=shown,
                    hits=hits,
                )
            )
    return tuple(results)
