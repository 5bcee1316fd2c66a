"""Saved replies ("snippets"): short texts a desk keeps to start a reply from.

A desk is the UM team (``association_id`` NULL) or one association's VCPs. A snippet is
the desk's own wording, in Dutch and in English, not case data: it names no case and no
person, and keeps no Discord id, so it is plain text and delete-my-data leaves it.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import Base

SNIPPET_NAME_MAX = 40


class Snippet(Base):
    __tablename__ = "snippets"
    # The team's names are kept apart by the service (NULL is never equal in SQL).
    __table_args__ = (UniqueConstraint("association_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None: the UM team's set; else that association's VCPs' set, gone with it.
    association_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(SNIPPET_NAME_MAX))
    # The name as compared ("Intake" and "intake" are one name).
    name_key: Mapped[str] = mapped_column(String(SNIPPET_NAME_MAX))
    text_nl: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
