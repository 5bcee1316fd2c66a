"""The language the bot last saw a person use, for the direct messages it sends them.

Only the people the bot may write to are kept (the UM team in the hub, board
members, VCPs), one row each, with no time: a row must not say when someone
used the bot, so it can never be set beside the moment a report was made.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import USER_ID_INFO, Base


class UserLanguage(Base):
    __tablename__ = "user_languages"
    __table_args__ = (CheckConstraint("locale IN ('nl', 'en')", name="locale"),)

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, info=USER_ID_INFO)
    locale: Mapped[str] = mapped_column(String(2))
