"""The UM team's templates in the hub: seeding, listing and adopting them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.rules import (
    RulesKind,
)
from vcpbot.errors import Conflict, NotFound
from vcpbot.services.rules import _text as rules_text
from vcpbot.services.rules._authoring import publish
from vcpbot.services.rules._common import (
    document_info,
    ensure_row,
    find_document,
    languages_of,
    latest_version_of,
    set_draft_text,
)
from vcpbot.services.rules._text import LANGUAGES
from vcpbot.services.rules._types import (
    AdoptResult,
    TemplateInfo,
)

TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "config" / "templates"
TEMPLATE_CHANGE_NOTE = "Template of the UM Team Sociale Veiligheid Studenten"


async def list_templates(session: AsyncSession, *, hub_guild_id: int) -> tuple[TemplateInfo, ...]:
    """The UM team's published templates, code of conduct first."""
    templates = []
    for kind in RulesKind:
        document = await find_document(session, hub_guild_id, kind, True)
        latest = await latest_version_of(session, document.id) if document else None
        if latest is not None:
            templates.append(
                TemplateInfo(
                    kind=kind,
                    version=latest.number,
                    published_at=latest.published_at,
                    languages=languages_of(latest.text_nl, latest.text_en),
                )
            )
    return tuple(templates)


async def adopt_template(
    session: AsyncSession,
    *,
    hub_guild_id: int,
    guild_id: int,
    kind: RulesKind,
    now: datetime,
    replace: bool = False,
) -> AdoptResult:
    """Copy the latest published template into the association's draft, both languages.

    An existing draft is only replaced with ``replace=True`` (after the board confirms).
    """
    template = await find_document(session, hub_guild_id, kind, True)
    source = await latest_version_of(session, template.id) if template else None
    if source is None:
        raise NotFound("rules.error.no_template")
    existing = await find_document(session, guild_id, kind, False)
    if existing is not None and (existing.draft_nl or existing.draft_en) and not replace:
        raise Conflict("rules.error.adopt_would_replace")
    document = await ensure_row(session, guild_id, kind, False, now)
    document.draft_nl, document.draft_en = source.text_nl, source.text_en
    document.draft_updated_at = now
    await session.flush()
    found = rules_text.placeholders(f"{source.text_nl or ''}\n{source.text_en or ''}")
    return AdoptResult(
        document=await document_info(session, document),
        template_version=source.number,
        languages=languages_of(source.text_nl, source.text_en),
        placeholders=found,
    )


async def seed_um_templates(
    session: AsyncSession, *, hub_guild_id: int, now: datetime, directory: Path = TEMPLATES_DIR
) -> tuple[RulesKind, ...]:
    """Publish ``<kind>.<language>.md`` from ``directory`` as hub templates.

    Only kinds without a published template are seeded, so the UM team's own
    later edits are never overwritten. Returns the kinds seeded now.
    """
    seeded = []
    for kind in RulesKind:
        files = {lang: directory / f"{kind.value}.{lang}.md" for lang in LANGUAGES}
        texts = {lang: path.read_bytes() for lang, path in files.items() if path.exists()}
        if not texts:
            continue
        existing = await find_document(session, hub_guild_id, kind, True)
        if existing is not None and await latest_version_of(session, existing.id) is not None:
            continue
        document = await ensure_row(session, hub_guild_id, kind, True, now)
        for language, data in texts.items():
            parsed = rules_text.parse(rules_text.decode_upload(data))
            set_draft_text(document, language, rules_text.render(parsed))
        document.draft_updated_at = now
        await session.flush()
        await publish(
            session,
            guild_id=hub_guild_id,
            kind=kind,
            author_id=None,
            change_note=TEMPLATE_CHANGE_NOTE,
            requires_reack=False,
            now=now,
            template=True,
        )
        seeded.append(kind)
    return tuple(seeded)
