"""A desk's saved replies: added, changed, removed and listed, each checked before it is kept.

A desk is the UM team (``desk=None``) or one association's VCPs (``desk=association_id``);
the cog decides which desk the person acting belongs to, and every function here stays
inside that desk, so one desk never reads or changes another's. Names are unique per
desk regardless of case; both texts are required (a reply always starts in the
reporter's language, so there is no fallback to explain) and no longer than a reply.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.snippets import SNIPPET_NAME_MAX
from vcpbot.db.snippets import Snippet as SnippetRow
from vcpbot.errors import InvalidInput, NotFound
from vcpbot.services.escalation import TEXT_MAX, clean_text
from vcpbot.services.snippets._types import Snippet, SnippetList

SNIPPET_TEXT_MAX = TEXT_MAX  # a saved reply must fit the Reply form it starts


def _view(row: SnippetRow) -> Snippet:
    return Snippet(id=row.id, name=row.name, text_nl=row.text_nl, text_en=row.text_en)


def _desk(desk: int | None) -> ColumnElement[bool]:
    column = SnippetRow.association_id
    return column.is_(None) if desk is None else column == desk


def clean_name(value: str) -> str:
    """The name as shown: one line, trimmed, 1 to ``SNIPPET_NAME_MAX`` characters."""
    name = " ".join(unicodedata.normalize("NFC", value).split())
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    if not name:
        raise InvalidInput("snippets.error.name_empty")
    if len(name) > SNIPPET_NAME_MAX:
        raise InvalidInput("snippets.error.name_too_long", limit=SNIPPET_NAME_MAX)
    return name


def _clean_texts(text_nl: str, text_en: str) -> tuple[str, str]:
    cleaned = []
    for language, text in (("nl", text_nl), ("en", text_en)):
        try:
            cleaned.append(clean_text(text, limit=SNIPPET_TEXT_MAX))
        except InvalidInput as exc:
            why = "empty" if exc.key == "escalation.error.text_empty" else "too_long"
            raise InvalidInput(
                f"snippets.error.text_{why}_{language}", limit=SNIPPET_TEXT_MAX
            ) from None
    return cleaned[0], cleaned[1]


async def _row(session: AsyncSession, desk: int | None, name: str) -> SnippetRow | None:
    key = name.strip().casefold()
    query = select(SnippetRow).where(_desk(desk), SnippetRow.name_key == key)
    return (await session.scalars(query)).first()


async def _require(session: AsyncSession, desk: int | None, name: str) -> SnippetRow:
    row = await _row(session, desk, name)
    if row is None:
        raise NotFound("snippets.error.not_found", name=name.strip()[:SNIPPET_NAME_MAX])
    return row


async def add_snippet(
    session: AsyncSession, *, desk: int | None, name: str, text_nl: str, text_en: str
) -> Snippet:
    """Keep a new saved reply for ``desk``. Raises ``InvalidInput`` for an empty or too
    long name or text, or a name the desk already uses; nothing is kept then."""
    name = clean_name(name)
    nl, en = _clean_texts(text_nl, text_en)
    if await _row(session, desk, name) is not None:
        raise InvalidInput("snippets.error.duplicate", name=name)
    row = SnippetRow(
        association_id=desk, name=name, name_key=name.casefold(), text_nl=nl, text_en=en
    )
    session.add(row)
    await session.flush()
    return _view(row)


async def edit_snippet(
    session: AsyncSession,
    *,
    desk: int | None,
    snippet_id: int,
    name: str,
    text_nl: str,
    text_en: str,
) -> Snippet:
    """Change one of ``desk``'s saved replies (its name too). Raises ``NotFound`` when it
    is not the desk's (any more), ``InvalidInput`` as ``add_snippet`` does."""
    row = await session.get(SnippetRow, snippet_id)
    if row is None or row.association_id != desk:
        raise NotFound("snippets.error.gone")
    name = clean_name(name)
    nl, en = _clean_texts(text_nl, text_en)
    other = await _row(session, desk, name)
    if other is not None and other.id != row.id:
        raise InvalidInput("snippets.error.duplicate", name=name)
    row.name, row.name_key, row.text_nl, row.text_en = name, name.casefold(), nl, en
    await session.flush()
    return _view(row)


async def find_snippet(session: AsyncSession, *, desk: int | None, name: str) -> Snippet:
    """``desk``'s saved reply of this name (any case). Raises ``NotFound``."""
    return _view(await _require(session, desk, name))


async def snippet_by_id(session: AsyncSession, *, desk: int | None, snippet_id: int) -> Snippet:
    """One of ``desk``'s saved replies, as a picker chose it. Raises ``NotFound`` when it
    is another desk's or was removed meanwhile."""
    row = await session.get(SnippetRow, snippet_id)
    if row is None or row.association_id != desk:
        raise NotFound("snippets.error.gone")
    return _view(row)


async def remove_snippet(session: AsyncSession, *, desk: int | None, snippet_id: int) -> Snippet:
    """Remove one of ``desk``'s saved replies; returns what it was. Raises ``NotFound``."""
    row = await session.get(SnippetRow, snippet_id)
    if row is None or row.association_id != desk:
        raise NotFound("snippets.error.gone")
    removed = _view(row)
    await session.delete(row)
    await session.flush()
    return removed


async def list_snippets(
    session: AsyncSession, *, desk: int | None, limit: int | None = None, starting: str = ""
) -> SnippetList:
    """``desk``'s saved replies by name, the first ``limit`` of them (all when None);
    ``starting`` keeps those whose name contains it (any case)."""
    where = [_desk(desk)]
    if starting.strip():
        where.append(SnippetRow.name_key.contains(starting.strip().casefold(), autoescape=True))
    total = await session.scalar(select(func.count()).select_from(SnippetRow).where(*where))
    query = select(SnippetRow).where(*where).order_by(SnippetRow.name_key, SnippetRow.id)
    if limit is not None:
        query = query.limit(limit)
    rows = (await session.scalars(query)).all()
    return SnippetList(snippets=tuple(_view(r) for r in rows), total=total or 0)
