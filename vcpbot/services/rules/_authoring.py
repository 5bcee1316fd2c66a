"""Boards write: drafts, preview, publishing, history, diff and the rules-channel messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.rules import (
    CHANGE_NOTE_MAX,
    RulesDocument,
    RulesKind,
    RulesMessage,
    RulesVersion,
)
from vcpbot.errors import Conflict, InvalidInput, NotFound
from vcpbot.services.rules import _text as rules_text
from vcpbot.services.rules._common import (
    document_info,
    draft_text,
    ensure_row,
    find_document,
    find_version,
    latest_version_of,
    log,
    messages_of,
    parsed,
    set_draft_text,
    version_info,
    version_text,
)
from vcpbot.services.rules._text import EMPTY, LANGUAGES
from vcpbot.services.rules._types import (
    DocumentInfo,
    DraftPreview,
    DraftSaved,
    Language,
    PublishedDocument,
    PublishedMessages,
    PublishPlan,
    RulesText,
    TextDiff,
    VersionDiff,
    VersionInfo,
    other_language,
)


async def get_document(
    session: AsyncSession, *, guild_id: int, kind: RulesKind, template: bool = False
) -> DocumentInfo | None:
    """The guild's document of ``kind`` (or its template), or None when there is none."""
    document = await find_document(session, guild_id, kind, template)
    return await document_info(session, document) if document else None


MESSAGES_MAX = 50


async def ensure_document(
    session: AsyncSession, *, guild_id: int, kind: RulesKind, now: datetime, template: bool = False
) -> DocumentInfo:
    """The guild's document of ``kind`` (or its template), created empty when it has none."""
    return await document_info(session, await ensure_row(session, guild_id, kind, template, now))


async def _working_text(
    session: AsyncSession, guild_id: int, kind: RulesKind, template: bool, language: Language
) -> RulesText:
    document = await find_document(session, guild_id, kind, template)
    return (parsed(draft_text(document, language)) if document else None) or EMPTY


async def _store(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    template: bool,
    language: Language,
    text: RulesText,
    now: datetime,
) -> DraftSaved:
    """Write an already validated text as the draft of one language."""
    document = await ensure_row(session, guild_id, kind, template, now)
    markdown = rules_text.render(text) or None
    changed = markdown != draft_text(document, language)
    if changed:
        set_draft_text(document, language, markdown)
        document.draft_updated_at = now
        await session.flush()
    return DraftSaved(
        document=await document_info(session, document),
        language=language,
        text=text,
        changed=changed,
        placeholders=rules_text.placeholders(markdown or ""),
    )


async def save_draft(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    language: Language,
    text: str,
    now: datetime,
    template: bool = False,
) -> DraftSaved:
    """Replace one language's draft with a whole document; validated before anything is written."""
    parsed = rules_text.parse(text)
    return await _store(
        session,
        guild_id=guild_id,
        kind=kind,
        template=template,
        language=language,
        text=parsed,
        now=now,
    )


async def upload_draft(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    language: Language,
    data: bytes,
    filename: str | None,
    now: datetime,
    template: bool = False,
) -> DraftSaved:
    """``save_draft`` from an uploaded file (``.md``, UTF-8, at most 200 KB)."""
    text = rules_text.decode_upload(data, filename=filename)
    return await save_draft(
        session,
        guild_id=guild_id,
        kind=kind,
        language=language,
        text=text,
        now=now,
        template=template,
    )


async def edit_article(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    language: Language,
    number: int,
    title: str,
    body: str,
    now: datetime,
    template: bool = False,
) -> DraftSaved:
    """Replace article ``number`` in the draft, or add it when it is new."""
    base = await _working_text(session, guild_id, kind, template, language)
    text = rules_text.with_article(base, number=number, title=title, body=body)
    return await _store(
        session,
        guild_id=guild_id,
        kind=kind,
        template=template,
        language=language,
        text=text,
        now=now,
    )


async def remove_article(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    language: Language,
    number: int,
    now: datetime,
    template: bool = False,
) -> DraftSaved:
    """Take article ``number`` out of the draft in ``language``; the others keep their numbers.

    Raises InvalidInput when the draft has no article with that number.
    """
    base = await _working_text(session, guild_id, kind, template, language)
    text = rules_text.without_article(base, number)
    return await _store(
        session,
        guild_id=guild_id,
        kind=kind,
        template=template,
        language=language,
        text=text,
        now=now,
    )


async def edit_intro(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    language: Language,
    text: str,
    now: datetime,
    template: bool = False,
) -> DraftSaved:
    """Replace the short introduction above the articles (empty text removes it)."""
    base = await _working_text(session, guild_id, kind, template, language)
    return await _store(
        session,
        guild_id=guild_id,
        kind=kind,
        template=template,
        language=language,
        text=rules_text.with_intro(base, text),
        now=now,
    )


async def clear_draft(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    language: Language,
    now: datetime,
    template: bool = False,
) -> DraftSaved:
    """Drop one language from the draft; the next version is published without it."""
    return await _store(
        session,
        guild_id=guild_id,
        kind=kind,
        template=template,
        language=language,
        text=EMPTY,
        now=now,
    )


async def preview(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    language: Language,
    template: bool = False,
) -> DraftPreview:
    """The draft as it would be published, and what changed since the last version."""
    document = await find_document(session, guild_id, kind, template)
    if document is None or not (document.draft_nl or document.draft_en):
        raise NotFound("rules.error.no_draft")
    shown = language if draft_text(document, language) else other_language(language)
    markdown = draft_text(document, shown) or ""
    text = rules_text.parse(markdown, require_articles=False)
    latest = await latest_version_of(session, document.id)
    changes = None
    if latest is not None:
        before = parsed(version_text(latest, shown)) or EMPTY
        changes = rules_text.diff(before, text)
    return DraftPreview(
        document=await document_info(session, document),
        requested=language,
        language=shown,
        text=text,
        markdown=markdown,
        placeholders=rules_text.placeholders(markdown),
        changes=changes,
    )


def _checked_note(change_note: str) -> str:
    note = " ".join(change_note.split())
    if not note:
        raise InvalidInput("rules.error.change_note_required")
    if len(note) > CHANGE_NOTE_MAX:
        raise InvalidInput(
            "rules.error.change_note_too_long", length=len(note), max=CHANGE_NOTE_MAX
        )
    return note


def _check_publishable(document: RulesDocument) -> None:
    if not (document.draft_nl or document.draft_en):
        raise Conflict("rules.error.nothing_to_publish")
    for language in LANGUAGES:
        draft = draft_text(document, language)
        if draft is None:
            continue
        if not rules_text.parse(draft, require_articles=False).articles:
            raise InvalidInput(f"rules.error.publish_no_articles_{language}")
        left = rules_text.placeholders(draft)
        if left and not document.is_template:
            raise InvalidInput("rules.error.placeholders_left", example=left[0], count=len(left))


async def _next_version(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    author_id: int | None,
    change_note: str,
    requires_reack: bool,
    now: datetime,
    template: bool,
    lock: bool,
    plan: PublishPlan | None = None,
) -> tuple[RulesDocument, RulesVersion]:
    """The draft as version N+1 (not added to the session); refuses when nothing changed,
    or when the draft is no longer the one ``plan`` showed."""
    note = _checked_note(change_note)
    document = await find_document(session, guild_id, kind, template, lock=lock)
    if document is None:
        raise Conflict("rules.error.nothing_to_publish")
    latest = await latest_version_of(session, document.id)
    number = latest.number + 1 if latest else 1
    if plan is not None and not plan.still(number, document.draft_nl, document.draft_en):
        raise Conflict("rules.error.changed_while_publishing")
    if plan is None:  # a plan's texts were checked when it was made
        _check_publishable(document)
    if latest is not None and (latest.text_nl, latest.text_en) == (
        document.draft_nl,
        document.draft_en,
    ):
        raise Conflict("rules.error.nothing_changed", version=latest.number)
    version = RulesVersion(
        document_id=document.id,
        number=number,
        text_nl=document.draft_nl,
        text_en=document.draft_en,
        author_id=author_id,
        published_at=now,
        change_note=note,
        # The first version has nothing to re-acknowledge.
        requires_reack=requires_reack and latest is not None,
    )
    return document, version


async def plan_publish(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    author_id: int | None,
    change_note: str,
    requires_reack: bool,
    now: datetime,
    template: bool = False,
) -> PublishPlan:
    """What publishing would post, checked and not saved: a read transaction is enough.

    The rules channel shows it before ``publish(plan=...)`` saves it, so no write
    transaction waits for Discord. Its ``document`` still describes the stored state
    (``latest_version`` is the one before); its ``messages`` are where it is posted now.
    """
    document, version = await _next_version(
        session,
        guild_id=guild_id,
        kind=kind,
        author_id=author_id,
        change_note=change_note,
        requires_reack=requires_reack,
        now=now,
        template=template,
        lock=False,
    )
    shown = await _published(session, document, version)
    return PublishPlan(shown, document.draft_nl, document.draft_en)


async def publish(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    author_id: int | None,
    change_note: str,
    requires_reack: bool,
    now: datetime,
    template: bool = False,
    plan: PublishPlan | None = None,
) -> PublishedDocument:
    """Freeze the draft into the next version; refuses when nothing changed.

    With ``plan`` (made with the same arguments), refuses unless the draft and the
    version number are still what the plan showed.
    """
    document, version = await _next_version(
        session,
        guild_id=guild_id,
        kind=kind,
        author_id=author_id,
        change_note=change_note,
        requires_reack=requires_reack,
        now=now,
        template=template,
        lock=True,
        plan=plan,
    )
    session.add(version)
    await session.flush()
    log.info("rules: published version %d of a %s document", version.number, document.kind)
    return await _published(session, document, version)


async def _published(
    session: AsyncSession, document: RulesDocument, version: RulesVersion
) -> PublishedDocument:
    return PublishedDocument(
        document=await document_info(session, document),
        version=version_info(version),
        nl=parsed(version.text_nl),
        en=parsed(version.text_en),
        messages=await messages_of(session, document.id),
    )


async def published_document(
    session: AsyncSession, *, guild_id: int, kind: RulesKind, template: bool = False
) -> PublishedDocument:
    """The latest published version in full, both languages, for the rules channel.

    Raises NotFound when the document has never been published.
    """
    document = await find_document(session, guild_id, kind, template)
    latest = await latest_version_of(session, document.id) if document else None
    if document is None or latest is None:
        raise NotFound("rules.error.not_published")
    return await _published(session, document, latest)


async def history(
    session: AsyncSession, *, guild_id: int, kind: RulesKind, template: bool = False
) -> tuple[VersionInfo, ...]:
    """Every published version, newest first."""
    document = await find_document(session, guild_id, kind, template)
    if document is None:
        return ()
    query = (
        select(RulesVersion)
        .where(RulesVersion.document_id == document.id)
        .order_by(RulesVersion.number.desc())
    )
    return tuple(version_info(v) for v in (await session.execute(query)).scalars())


async def diff_versions(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    old: int,
    new: int,
    template: bool = False,
) -> VersionDiff:
    """Article-level differences between two versions, in both languages."""
    if old == new:
        raise InvalidInput("rules.error.same_version")
    old, new = min(old, new), max(old, new)
    document = await find_document(session, guild_id, kind, template)
    latest = await latest_version_of(session, document.id) if document else None
    if document is None or latest is None:
        raise NotFound("rules.error.not_published")
    versions = []
    for number in (old, new):
        version = await find_version(session, document.id, number)
        if version is None:
            raise NotFound("rules.error.unknown_version", number=number, latest=latest.number)
        versions.append(version)
    before, after = versions
    diffs: dict[Language, TextDiff | None] = {}
    for language in LANGUAGES:
        a, b = version_text(before, language), version_text(after, language)
        diffs[language] = (
            rules_text.diff(parsed(a) or EMPTY, parsed(b) or EMPTY) if a or b else None
        )
    return VersionDiff(
        kind=RulesKind(document.kind),
        old=version_info(before),
        new=version_info(after),
        nl=diffs["nl"],
        en=diffs["en"],
    )


async def record_messages(
    session: AsyncSession,
    *,
    guild_id: int,
    kind: RulesKind,
    channel_id: int,
    message_ids: Sequence[int],
    template: bool = False,
) -> PublishedMessages | None:
    """Remember where the document is posted, in order; an empty list forgets it."""
    if len(message_ids) > MESSAGES_MAX:
        raise ValueError(f"at most {MESSAGES_MAX} messages per document")
    document = await find_document(session, guild_id, kind, template, lock=True)
    if document is None:
        raise NotFound("rules.error.not_published")
    await session.execute(delete(RulesMessage).where(RulesMessage.document_id == document.id))
    session.add_all(
        RulesMessage(document_id=document.id, position=i, channel_id=channel_id, message_id=m)
        for i, m in enumerate(message_ids)
    )
    await session.flush()
    return await messages_of(session, document.id)


async def published_messages(
    session: AsyncSession, *, guild_id: int, kind: RulesKind, template: bool = False
) -> PublishedMessages | None:
    """Where the published version was posted (channel and messages), or None."""
    document = await find_document(session, guild_id, kind, template)
    return await messages_of(session, document.id) if document else None
