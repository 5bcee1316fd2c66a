"""What an association's board adds to /help: a short contact text and a link.

Read by a student in a difficult moment, so it is checked before it is saved: short,
plain text (shown as typed, never as formatting), no mentions that could point at or
notify someone, no web address hidden in the text, and a link that is a full https
address, shown in full. It belongs to the association: no person's id is kept with it,
and only the board changes or removes it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.dml import execute_dml
from vcpbot.db.help import CONTACT_LINK_MAX, CONTACT_TEXT_MAX, HelpContact
from vcpbot.db.network import AuditEntry
from vcpbot.errors import InvalidInput
from vcpbot.services.help._types import Contact
from vcpbot.services.network import require_in_network

__all__ = [
    "CONTACT_LINES_MAX",
    "CONTACT_LINK_MAX",
    "CONTACT_TEXT_MAX",
    "Contact",
    "contact_of",
    "set_contact",
]

CONTACT_LINES_MAX = 6
# Discord's mention and tag syntax (<@id>, <@&role>, <#channel>, </command:id>,
# <t:...>, custom emoji) and the two mass mentions.
_MENTION = re.compile(r"<(?:@[!&]?|#|/|a?:|t:|id:)|@(?:everyone|here)\b", re.IGNORECASE)
# A web address in the text: Discord would make it a link nobody checked.
_ADDRESS = re.compile(r"\b[a-z][a-z0-9+.-]*://|\bwww\.[a-z0-9-]+\.", re.IGNORECASE)
# What a link may hold (RFC 3986's characters): no spaces, quotes, angle brackets, backticks.
_LINK_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# Characters that change how the text around them reads without being seen: control
# characters and the bidirectional overrides and isolates.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}


def _hidden(char: str) -> bool:
    return char in _BIDI or (unicodedata.category(char) == "Cc" and char != "\n")


def clean_text(value: str) -> str:
    """The text as it will be shown, or InvalidInput saying what to change."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\t", " "))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if any(_hidden(c) for c in text):
        raise InvalidInput("help.contact.error.characters")
    if len(text) > CONTACT_TEXT_MAX:
        raise InvalidInput("help.contact.error.too_long", limit=CONTACT_TEXT_MAX, length=len(text))
    if text.count("\n") >= CONTACT_LINES_MAX:
        raise InvalidInput("help.contact.error.too_many_lines", limit=CONTACT_LINES_MAX)
    if _MENTION.search(text):
        raise InvalidInput("help.contact.error.mention")
    if _ADDRESS.search(text):
        raise InvalidInput("help.contact.error.link_in_text")
    return text


def clean_link(value: str) -> str | None:
    """A full https address, or None when left empty."""
    link = value.strip()
    if not link:
        return None
    try:
        parts = urlsplit(link)
        host = parts.hostname or ""
    except ValueError:
        host, parts = "", None
    if (
        parts is None
        or parts.scheme != "https"
        or "." not in host
        or "@" in parts.netloc
        or len(link) > CONTACT_LINK_MAX
        or not _LINK_CHARS.fullmatch(link)
    ):
        raise InvalidInput("help.contact.error.link", limit=CONTACT_LINK_MAX)
    return link


def _view(row: HelpContact) -> Contact:
    return Contact(text_nl=row.text_nl, text_en=row.text_en, link=row.link)


async def contact_of(session: AsyncSession, *, association_id: int) -> Contact | None:
    """The contact text and link the association's board added to /help, or None."""
    row = await session.get(HelpContact, association_id)
    return None if row is None else _view(row)


async def set_contact(
    session: AsyncSession,
    *,
    guild_id: int,
    text_nl: str,
    text_en: str,
    link: str,
    actor_id: int,
    now: datetime,
) -> Contact | None:
    """Save what /help shows about the association; both texts empty removes it (None)."""
    association = await require_in_network(session, guild_id=guild_id)
    nl, en, shown_link = clean_text(text_nl), clean_text(text_en), clean_link(link)
    if not nl and not en:
        if shown_link is not None:
            raise InvalidInput("help.contact.error.link_without_text")
        result = await execute_dml(
            session, delete(HelpContact).where(HelpContact.association_id == association.id)
        )
        if result.rowcount:
            _audit(session, association.id, actor_id, "association.help_contact_removed", now)
        return None
    row = await session.get(HelpContact, association.id)
    if row is None:
        row = HelpContact(association_id=association.id)
        session.add(row)
    row.text_nl, row.text_en, row.link, row.updated_at = nl, en, shown_link, now
    _audit(session, association.id, actor_id, "association.help_contact", now)
    await session.flush()
    return _view(row)


def _audit(
    session: AsyncSession, association_id: int, actor_id: int, action: str, now: datetime
) -> None:
    """In the network's log, as every change to an association is (delete-my-data
    anonymises who did it there; the text itself stays)."""
    session.add(AuditEntry(at=now, actor_id=actor_id, action=action, association_id=association_id))
