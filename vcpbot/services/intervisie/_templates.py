"""Templates: a session's title, length, place and agenda kept under a name, so the
coordinator plans the next one from it instead of typing it all again.

A template is the coordinator's own text and nothing else: no date, no invitees, no
answers. It is stored as plain text like a session's title and agenda, and it lives
until the coordinator removes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.intervisie import IntervisieSession, IntervisieTemplate, LocationKind
from vcpbot.errors import Conflict, InvalidInput, NotFound
from vcpbot.services.intervisie._types import Location, TemplateView

TEMPLATE_NAME_MAX = 50
# Enough for every kind of session a coordinator runs, and all of them fit in the list
# of names offered while typing.
TEMPLATES_MAX = 25


def _view(row: IntervisieTemplate) -> TemplateView:
    return TemplateView(
        id=row.id,
        name=row.name,
        title=row.title,
        duration_minutes=row.duration_minutes,
        location=Location(LocationKind(row.location_kind), row.location),
        agenda=row.agenda,
    )


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > TEMPLATE_NAME_MAX:
        raise InvalidInput("intervisie.template.error.bad_name", limit=TEMPLATE_NAME_MAX)
    return cleaned


async def _row_named(session: AsyncSession, name: str) -> IntervisieTemplate | None:
    key = " ".join(name.split()).casefold()
    return await session.scalar(
        select(IntervisieTemplate).where(IntervisieTemplate.name_key == key)
    )


async def save_template(
    session: AsyncSession, *, name: str, session_id: int, now: datetime
) -> TemplateView:
    """Keep the title, length, place and agenda of session ``session_id`` under ``name``.

    Raises InvalidInput for an empty or too long name, Conflict when the name is taken
    (ignoring case) or ``TEMPLATES_MAX`` templates exist, NotFound for an unknown session.
    """
    cleaned = _clean_name(name)
    source = await session.get(IntervisieSession, session_id)
    if source is None:
        raise NotFound("intervisie.error.unknown_session")
    if await _row_named(session, cleaned) is not None:
        raise Conflict("intervisie.template.error.duplicate", name=cleaned)
    count = await session.scalar(select(func.count()).select_from(IntervisieTemplate))
    if (count or 0) >= TEMPLATES_MAX:
        raise Conflict("intervisie.template.error.full", count=TEMPLATES_MAX)
    row = IntervisieTemplate(
        name=cleaned,
        name_key=cleaned.casefold(),
        title=source.title,
        duration_minutes=source.duration_minutes,
        location_kind=source.location_kind,
        location=source.location,
        agenda=source.agenda,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return _view(row)


async def list_templates(session: AsyncSession) -> list[TemplateView]:
    """Every template, by name."""
    rows = await session.scalars(select(IntervisieTemplate).order_by(IntervisieTemplate.name_key))
    return [_view(r) for r in rows.all()]


async def template_named(session: AsyncSession, *, name: str) -> TemplateView:
    """The template called ``name`` (ignoring case and extra spaces).

    Raises NotFound when there is none.
    """
    row = await _row_named(session, name)
    if row is None:
        raise NotFound("intervisie.template.error.unknown", name=" ".join(name.split())[:60])
    return _view(row)


async def remove_template(session: AsyncSession, *, name: str) -> TemplateView:
    """Delete the template called ``name``; sessions planned from it stay as they are.

    Raises NotFound when there is none.
    """
    row = await _row_named(session, name)
    if row is None:
        raise NotFound("intervisie.template.error.unknown", name=" ".join(name.split())[:60])
    removed = _view(row)
    await session.delete(row)
    await session.flush()
    return removed
