"""How the coordinator sees people: "Sanne (Tragos)" from the VCP registry, else a mention."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from cogs.intervisie._render import escape
from vcpbot.bot_types import Bot
from vcpbot.services import network


async def display_names(
    session: AsyncSession, user_ids: Iterable[int], *, plain: bool = False
) -> dict[int, str]:
    """A name for every id; ``plain`` for places without Markdown (select options)."""
    known: dict[int, str] = {}
    for vcp in await network.all_vcps(session):
        name = f"{vcp.display_name} ({vcp.association_short_name})"
        known.setdefault(vcp.user_id, name if plain else escape(name))
    return {u: known.get(u, str(u) if plain else f"<@{u}>") for u in user_ids}


class Names:
    """The same, in a transaction of its own, for after the work is committed."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def lookup(self, user_ids: Iterable[int], *, plain: bool = False) -> dict[int, str]:
        ids = list(user_ids)
        if not ids:
            return {}
        async with self.bot.db.sessions.begin() as session:
            return await display_names(session, ids, plain=plain)
