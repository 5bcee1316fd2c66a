"""The language the bot last saw a person use, for what it sends them unasked.

An answer to an interaction follows Discord's language of that moment
(``vcpbot.i18n.reader_locale``). A direct message has no interaction: it goes
in the language remembered here, or in both Dutch and English when the bot has
never seen the person. Only the people the bot may write to are remembered
(``vcpbot.languages`` decides who), and a row is written only when the
language changes. ``/privacy delete-my-data`` removes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.dml import execute_dml
from vcpbot.db.languages import UserLanguage
from vcpbot.db.network import Association, Vcp
from vcpbot.i18n import Locale
from vcpbot.services.privacy import eraser

TABLES = ("user_languages",)


async def remember(session: AsyncSession, *, user_id: int, locale: Locale) -> bool:
    """Keep ``locale`` as the person's language; True when that changed anything (a row
    already holding it is not written)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(UserLanguage).values(user_id=user_id, locale=locale)
    result = await execute_dml(
        session,
        statement.on_conflict_do_update(
            index_elements=[UserLanguage.user_id],
            set_={"locale": statement.excluded.locale},
            where=UserLanguage.locale != statement.excluded.locale,
        ),
    )
    return bool(result.rowcount)


async def remembered(session: AsyncSession, *, user_id: int) -> Locale | None:
    """The person's language, or None when the bot has never seen them."""
    value = await session.scalar(select(UserLanguage.locale).where(UserLanguage.user_id == user_id))
    return _spoken(value)


async def remembered_for(session: AsyncSession, *, user_ids: Iterable[int]) -> dict[int, Locale]:
    """The languages of those of ``user_ids`` the bot has seen."""
    wanted = list(set(user_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(UserLanguage.user_id, UserLanguage.locale).where(UserLanguage.user_id.in_(wanted))
    )
    spoken = ((user_id, _spoken(locale)) for user_id, locale in rows.all())
    return {user_id: locale for user_id, locale in spoken if locale is not None}


def _spoken(value: str | None) -> Locale | None:
    """A stored language the bot speaks, or None (a value from before, or none)."""
    if value == "nl":
        return "nl"
    if value == "en":
        return "en"
    return None


@eraser("languages", "user_languages")
async def erase_language(session: AsyncSession, user_id: int) -> list[str]:
    """Forget the language remembered for ``user_id`` (/privacy delete-my-data)."""
    result = await execute_dml(session, delete(UserLanguage).where(UserLanguage.user_id == user_id))
    return ["privacy.removed.language"] if result.rowcount else []


@dataclass(frozen=True)
class Roster:
    """Who counts as a VCP anywhere: the registered people, and each association's VCP
    role (members holding it use the VCP side of the bot, such as escalating)."""

    user_ids: frozenset[int]
    roles: dict[int, int]  # guild id -> VCP role id


ROSTER_TABLES = ("vcps", "associations")


async def vcp_roster(session: AsyncSession) -> Roster:
    """Everyone registered as a VCP, and each association's VCP role, in two queries."""
    user_ids = (await session.scalars(select(Vcp.user_id))).all()
    roles = (await session.execute(select(Association.guild_id, Association.vcp_role_id))).all()
    return Roster(
        user_ids=frozenset(user_ids),
        roles={guild_id: role_id for guild_id, role_id in roles if role_id is not None},
    )
