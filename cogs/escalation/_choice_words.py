"""The reporter's choices put into words: in a conversation, and in the file they download.

A choice (who they are, a call, "rather anonymous", reopened) is stored as its
details, sealed like any message; here it becomes a sentence in the reader's
language, for the reporter ("You let them know who you are") or for a handler
("The reporter chose to tell you who they are"). The downloaded conversation is
built here too, in memory only, from what the reporter sees in /my-case.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from cogs.escalation._words import label
from vcpbot.i18n import Locale, t
from vcpbot.services.escalation import (
    Author,
    MessageKind,
    MessageView,
    ReporterView,
    Route,
)

REPORTER, HANDLER = "reporter", "handler"


def choice_text(message: MessageView, locale: Locale, reader: str, *, file: bool = False) -> str:
    """What the choice says, to ``reader`` (``REPORTER`` or ``HANDLER``)."""
    if message.kind is None:
        return message.text
    details = json.loads(message.text)
    values: dict[str, str] = {}
    if message.kind is MessageKind.IDENTITY:
        name = str(details["name"])
        # In a file a mention is only digits: the Discord name alone says who.
        if file:
            values = {"mention": f"@{name}", "name": "Discord"}
        else:
            values = {"mention": f"<@{details['user']}>", "name": name}
    elif message.kind is MessageKind.CONTACT:
        when = details.get("when") or t("choices.when_unsaid", locale)
        values = {"how": str(details["how"]), "when": str(when)}
    return t(f"choices.shown.{message.kind.value}_{reader}", locale, **values)


def in_words(
    messages: Sequence[MessageView], locale: Locale, reader: str
) -> tuple[MessageView, ...]:
    """The conversation with every choice put into words for ``reader``."""
    return tuple(
        m if m.kind is None else replace(m, text=choice_text(m, locale, reader)) for m in messages
    )


def who_sees(case: ReporterView, locale: Locale) -> str:
    """Who reads what the reporter adds now: the team, or their association's VCPs."""
    if case.route is Route.VCP:
        return t("choices.who.team", locale)
    if case.forwarded:
        return t("choices.who.forwarded", locale)
    return t("choices.who.vcps", locale)


def _author(message: MessageView, locale: Locale) -> str:
    if message.summary:
        return t("escalation.author.summary", locale)
    if message.urgent_reason:
        return t("escalation.author.urgent_reason", locale)
    return t(f"escalation.author.{_AUTHOR_KEYS[message.author]}", locale)


_AUTHOR_KEYS = {Author.REPORTER: "you", Author.VCP: "vcp", Author.TEAM: "team"}


def transcript(case: ReporterView, locale: Locale, today: date) -> str:
    """The reporter's conversation as plain text, in their language: the case code, days
    (never times), and who wrote as they see it ("you", "the team", "VCP")."""
    lines = [
        t("choices.file.title", locale, code=case.code),
        t(
            "choices.file.facts",
            locale,
            created=case.created_on,
            status=label("status", case.status, locale),
            today=today,
        ),
    ]
    if case.deleted_on is not None:
        lines.append(t("choices.file.deleted", locale, date=case.deleted_on))
    for message in case.messages:
        text = message.text
        if message.kind is not None:
            text = choice_text(message, locale, REPORTER, file=True)
        byline = t("choices.file.byline", locale, author=_author(message, locale), date=message.on)
        lines += ["", f"--- {byline} ---", text]
    return "\n".join(lines) + "\n"


def file_name(case: ReporterView, locale: Locale) -> str:
    return t("choices.file.name", locale, code=case.code)
