"""What an association's board adds to /help: a short contact text, in Dutch and English,
and a link.

It is the association's, not a person's: no Discord id is kept here (the audit log
says who changed it), so delete-my-data leaves it in place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import Base

CONTACT_TEXT_MAX = 400
CONTACT_LINK_MAX = 200


class HelpContact(Base):
    __tablename__ = "help_contacts"

    association_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True
    )
    # Either text may be empty (never both): /help then shows the other language.
    text_nl: Mapped[str] = mapped_column(String(CONTACT_TEXT_MAX))
    text_en: Mapped[str] = mapped_column(String(CONTACT_TEXT_MAX))
    link: Mapped[str | None] = mapped_column(String(CONTACT_LINK_MAX))
    updated_at: Mapped[datetime]
