"""UPDATE, DELETE and upserts through a session, typed so their row count can be read.

``AsyncSession.execute`` is typed to return a ``Result`` for every statement; what a
DML statement returns is a ``CursorResult``, the one that says how many rows it touched
(a claim that won, a row that was there to delete). Services read that count through
this one function instead of an attribute the type checker cannot see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable


async def execute_dml(session: AsyncSession, statement: Executable) -> CursorResult[Any]:
    """Run ``statement`` in the caller's transaction and return its cursor result.

    Raises TypeError when the statement returns rows rather than a row count (a SELECT).
    """
    result = await session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(statement).__name__} has no row count")
    return result
