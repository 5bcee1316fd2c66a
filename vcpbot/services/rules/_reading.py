"""Members read: contents, one article, search; in their language or the other one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.rules import (
    RulesAcknowledgement,
    RulesDocument,
    RulesKind,
    RulesVersion,
)
from vcpbot.errors import InvalidInput, NotFound
from vcpbot.services.rules import _text as rules_text
from vcpbot.services.rules._types import (
    AckStatus,
    ArticleView,
    Contents,
    Language,
    Published,
    RulesText,
    SearchResult,
    TocEntry,
    other_language,
)


def _text_of(document: Published, language: Language) -> tuple[RulesText, Language]:
    """The document's text in ``language``, or in the other one when it has none."""
    for candidate in (language, other_language(language)):
        text = document.text_nl if candidate == "nl" else document.text_en
        if text:
            if candidate not in document.parsed:
                document.parsed[candidate] = rules_text.parse(text, require_articles=False)
            return document.parsed[candidate], candidate
    raise AssertionError("a version has at least one language")


# The tables ``published`` reads: a commit to any of them makes a kept copy stale.
PUBLISHED_TABLES = ("rules_documents", "rules_versions")

OwnAcks = dict[int, tuple[int, datetime]]  # document id -> (version, when), a member's latest


async def published(session: AsyncSession, *, guild_id: int) -> tuple[Published, ...]:
    """The guild's published documents, code of conduct first, in two queries."""
    latest = (
        select(RulesVersion.document_id, func.max(RulesVersion.number).label("number"))
        .group_by(RulesVersion.document_id)
        .subquery()
    )
    required = (
        select(RulesVersion.document_id, func.max(RulesVersion.number).label("number"))
        .where(RulesVersion.requires_reack.is_(True))
        .group_by(RulesVersion.document_id)
        .subquery()
    )
    query = (
        select(RulesDocument, RulesVersion, required.c.number)
        .join(latest, latest.c.document_id == RulesDocument.id)
        .join(
            RulesVersion,
            (RulesVersion.document_id == RulesDocument.id)
            & (RulesVersion.number == latest.c.number),
        )
        .outerjoin(required, required.c.document_id == RulesDocument.id)
        .where(RulesDocument.guild_id == guild_id, RulesDocument.is_template.is_(False))
    )
    order = list(RulesKind)
    found = [
        Published(
            document_id=document.id,
            kind=RulesKind(document.kind),
            number=version.number,
            published_at=version.published_at,
            text_nl=version.text_nl,
            text_en=version.text_en,
            ack_enabled=document.ack_enabled,
            ack_role_id=document.ack_role_id,
            required_version=required_number or 1,
        )
        for document, version, required_number in (await session.execute(query)).all()
    ]
    return tuple(sorted(found, key=lambda p: order.index(p.kind)))


async def own_acknowledgements(
    session: AsyncSession, *, documents: tuple[Published, ...], user_id: int
) -> OwnAcks:
    """A member's latest acknowledgement of each document that asks for one, in one query."""
    asking = [p.document_id for p in documents if p.ack_enabled]
    if not asking:
        return {}
    query = select(
        RulesAcknowledgement.document_id,
        RulesAcknowledgement.version_number,
        RulesAcknowledgement.acknowledged_at,
    ).where(RulesAcknowledgement.document_id.in_(asking), RulesAcknowledgement.user_id == user_id)
    own: OwnAcks = {}
    for document_id, number, at in (await session.execute(query)).all():
        if document_id not in own or own[document_id][0] < number:
            own[document_id] = (number, at)
    return own


def _of_kind(documents: tuple[Published, ...], kind: RulesKind | None) -> tuple[Published, ...]:
    return tuple(p for p in documents if kind is None or p.kind == RulesKind(kind))


def _ack(document: Published, own: OwnAcks | None) -> AckStatus | None:
    if own is None or not document.ack_enabled:
        return None
    version, at = own.get(document.document_id, (None, None))
    return AckStatus(
        kind=document.kind,
        enabled=True,
        role_id=document.ack_role_id,
        current_version=document.number,
        required_version=document.required_version,
        acknowledged_version=version,
        acknowledged_at=at,
    )


def contents_of(
    documents: tuple[Published, ...], *, language: Language, own: OwnAcks | None = None
) -> tuple[Contents, ...]:
    """The contents of each document; with ``own``, the member's acknowledgement status."""
    contents = []
    for document in documents:
        text, shown = _text_of(document, language)
        contents.append(
            Contents(
                kind=document.kind,
                version=document.number,
                published_at=document.published_at,
                requested=language,
                language=shown,
                intro=text.intro,
                articles=tuple(TocEntry(a.number, a.title) for a in text.articles),
                ack=_ack(document, own),
            )
        )
    return tuple(contents)


def article_of(
    documents: tuple[Published, ...], *, kind: RulesKind | None, number: int, language: Language
) -> ArticleView:
    """One article in full. Without ``kind`` the guild must have one published document."""
    found = _of_kind(documents, kind)
    if not found:
        raise NotFound("rules.error.nothing_published")
    if len(found) > 1:
        raise InvalidInput("rules.error.choose_document")
    document = found[0]
    text, shown = _text_of(document, language)
    article = text.article(number)
    if article is None:
        raise rules_text.unknown_article(text, number)
    return ArticleView(
        kind=document.kind,
        version=document.number,
        requested=language,
        language=shown,
        number=article.number,
        title=article.title,
        body=article.body,
        numbers=text.numbers,
    )


def search_in(
    documents: tuple[Published, ...],
    *,
    query: str,
    language: Language,
    kind: RulesKind | None = None,
) -> tuple[SearchResult, ...]:
    """Matching articles per published document; documents without a match are left out."""
    rules_text.search_terms(query)  # a bad query is reported before anything is read
    found = _of_kind(documents, kind)
    if not found:
        raise NotFound("rules.error.nothing_published")
    results = []
    for document in found:
        text, shown = _text_of(document, language)
        hits = rules_text.search(text, query)
        if hits:
            results.append(
                SearchResult(
                    kind=document.kind,
                    version=document.number,
                    requested=language,
                    language=shown,
                    hits=hits,
                )
            )
    return tuple(results)


# The same, straight from a session (admin paths and tests).


async def table_of_contents(
    session: AsyncSession, *, guild_id: int, language: Language, user_id: int | None = None
) -> tuple[Contents, ...]:
    """The published documents' contents; with ``user_id``, the member's acknowledgement."""
    documents = await published(session, guild_id=guild_id)
    own = None
    if user_id is not None:
        own = await own_acknowledgements(session, documents=documents, user_id=user_id)
    return contents_of(documents, language=language, own=own)


async def read_article(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind | None,
    number: int,
    language: Language,
) -> ArticleView:
    """One published article in full, in ``language`` or else the other language.

    Raises NotFound when the guild has published nothing, InvalidInput when ``kind`` is
    needed to choose between documents or the article does not exist.
    """
    documents = await published(session, guild_id=guild_id)
    return article_of(documents, kind=kind, number=number, language=language)


async def search(
    session: AsyncSession,
    *,
    guild_id: int,
    query: str,
    language: Language,
    kind: RulesKind | None = None,
) -> tuple[SearchResult, ...]:
    """Published articles that match ``query``, per document, in ``language`` or else
    the other one.

    Raises InvalidInput when the query is too short or too long, NotFound when the guild
    has published nothing (of ``kind``).
    """
    rules_text.search_terms(query)  # a bad query is reported before anything is read
    documents = await published(session, guild_id=guild_id)
    return search_in(documents, query=query, language=language, kind=kind)
