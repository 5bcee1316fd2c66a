"""What /rules shows: the contents, one article, search results; and the member's own acceptance."""

from __future__ import annotations

import discord

from cogs.rules._pages import PAGER_MARGIN, Page, pack, text_embeds
from cogs.rules._words import kind_name
from vcpbot.i18n import Locale, t
from vcpbot.services.rules import (
    AckStatus,
    ArticleView,
    Contents,
    SearchResult,
    escape_markdown,
    number_ranges,
)


def _fallback(kind_title: str, shown: str, locale: Locale) -> str:
    return f"**{kind_title}**: " + t(f"rules.notice.shown_in_{shown}", locale)


def ack_line(status: AckStatus, locale: Locale) -> str | None:
    """The member's own acceptance of one document, in a sentence."""
    kind = kind_name(status.kind, locale)
    if status.needs_ack and status.acknowledged_version is None:
        return t("rules.ack.status.needed", locale, kind=kind, version=status.current_version)
    if status.needs_ack:
        return t(
            "rules.ack.status.again",
            locale,
            kind=kind,
            old=status.acknowledged_version,
            version=status.current_version,
        )
    if status.acknowledged_version is not None and status.acknowledged_at is not None:
        return t(
            "rules.ack.status.accepted",
            locale,
            kind=kind,
            version=status.acknowledged_version,
            date=discord.utils.format_dt(status.acknowledged_at, "D"),
        )
    return None


def contents_pages(contents: tuple[Contents, ...], locale: Locale) -> tuple[str | None, list[Page]]:
    """The intro and article list of each document; notices and acceptance go in the content."""
    notices: list[str] = []
    embeds: list[discord.Embed] = []
    for document in contents:
        kind = kind_name(document.kind, locale)
        if document.fell_back:
            notices.append(_fallback(kind, document.language, locale))
        lines = [f"**{a.number}.** {escape_markdown(a.title)}" for a in document.articles]
        body = "\n".join(lines)
        if document.intro:
            body = f"{document.intro}\n\n**{t('rules.toc.articles', locale)}**\n{body}"
        title = t("rules.toc.title", locale, kind=kind, version=document.version)
        part = text_embeds(
            title,
            body,
            continued=t("rules.page.continued", locale, title=title),
            colour=discord.Colour.blurple(),
        )
        part[0].timestamp = document.published_at
        embeds += part
        if document.ack is not None:
            line = ack_line(document.ack, locale)
            if line:
                notices.append(line)
    embeds[-1].set_footer(text=t("rules.toc.hint", locale))
    return "\n".join(notices) or None, pack(embeds, margin=PAGER_MARGIN)


def article_page(article: ArticleView, locale: Locale) -> tuple[str | None, Page]:
    kind = kind_name(article.kind, locale)
    notice = _fallback(kind, article.language, locale) if article.fell_back else None
    embeds = text_embeds(
        f"{article.number}. {article.title}",
        article.body,
        continued=t("rules.page.continued", locale, title=f"{article.number}. {article.title}"),
    )
    embeds[-1].set_footer(
        text=t(
            "rules.article.footer",
            locale,
            kind=kind,
            version=article.version,
            numbers=number_ranges(article.numbers),
        )
    )
    return notice, embeds


def search_pages(
    results: tuple[SearchResult, ...], query: str, locale: Locale
) -> tuple[str | None, list[Page]]:
    shown_query = escape_markdown(" ".join(query.split()))
    if not results:
        return t("rules.search.none", locale, query=shown_query), []
    notices: list[str] = []
    embeds: list[discord.Embed] = []
    for result in results:
        kind = kind_name(result.kind, locale)
        if result.fell_back:
            notices.append(_fallback(kind, result.language, locale))
        body = "\n\n".join(f"**{hit.number}.** {hit.title}\n{hit.snippet}" for hit in result.hits)
        title = t("rules.search.title", locale, kind=kind, count=len(result.hits))
        embeds += text_embeds(title, body, continued=t("rules.page.continued", locale, title=title))
    embeds[-1].set_footer(text=t("rules.search.footer", locale, query=" ".join(query.split())))
    return "\n".join(notices) or None, pack(embeds, margin=PAGER_MARGIN)
