"""What boards see: the draft's preview, the version history, a diff and acknowledgement counts."""

from __future__ import annotations

import discord

from cogs.rules._document import document_embeds
from cogs.rules._pages import DESCRIPTION_PAGE, PAGER_MARGIN, Page, pack, text_embeds
from cogs.rules._words import kind_inline, kind_name
from vcpbot import limits
from vcpbot.i18n import Locale, t
from vcpbot.services import rules
from vcpbot.services.rules import (
    AckStats,
    DraftPreview,
    DraftSaved,
    TextDiff,
    VersionDiff,
    VersionInfo,
    escape_markdown,
    number_ranges,
)

# A fenced block's header and fences fit in what is left of a description page.
FENCE_PAGE = DESCRIPTION_PAGE - 300


def saved_message(saved: DraftSaved, key: str, locale: Locale, **params: object) -> str:
    """What a board member hears after changing a draft, and what to do next."""
    draft = t(f"rules.draft.{saved.language}", locale)
    kind = kind_inline(saved.document.kind, locale)
    if not saved.changed:
        message = t("rules.admin.unchanged", locale, draft=draft, kind_inline=kind)
    else:
        message = t(key, locale, draft=draft, kind_inline=kind, **params)
        message += " " + t("rules.admin.next_steps", locale)
    if saved.placeholders:
        message += "\n" + t("rules.notice.placeholders", locale, example=saved.placeholders[0])
    return message


def change_summary(changes: TextDiff, locale: Locale) -> str:
    """``articles changed: 2, 4–5; added: 9``: a whole document's changes in one line."""
    parts = [t("rules.change.intro", locale)] if changes.intro else []
    for kind in ("changed", "added", "removed"):
        numbers = tuple(c.number for c in changes.changes if c.kind == kind)
        if numbers:
            parts.append(t(f"rules.change.{kind}", locale, numbers=number_ranges(numbers)))
    return "; ".join(parts)


def preview_pages(draft: DraftPreview, locale: Locale) -> tuple[str, list[Page]]:
    notices = []
    if draft.fell_back:
        notices.append(t(f"rules.notice.preview_only_{draft.language}", locale))
    latest = draft.document.latest_version
    if draft.changes is None:
        notices.append(t("rules.preview.first", locale, count=len(draft.text.articles)))
    elif draft.changes.is_empty:
        notices.append(t("rules.preview.same", locale, version=latest))
    else:
        summary = change_summary(draft.changes, locale)
        notices.append(t("rules.preview.changes", locale, version=latest, changes=summary))
    if draft.placeholders:
        notices.append(t("rules.notice.placeholders", locale, example=draft.placeholders[0]))
    embeds = document_embeds(draft.document.kind, draft.text, draft.language)
    language = t(f"rules.language.{draft.language}", locale)
    embeds[0].set_footer(text=t("rules.preview.footer", locale, language=language))
    return limits.clip("\n".join(notices), limits.MESSAGE_CONTENT_MAX, at_space=True), pack(
        embeds, margin=PAGER_MARGIN
    )


def history_pages(versions: tuple[VersionInfo, ...], kind_title: str, locale: Locale) -> list[Page]:
    lines = []
    for version in versions:
        author = (
            f"<@{version.author_id}>"
            if version.author_id is not None
            else t("rules.history.no_author", locale)
        )
        languages = [t(f"rules.language.{lang}", locale) for lang in version.languages]
        line = t(
            "rules.history.row",
            locale,
            version=version.number,
            date=discord.utils.format_dt(version.published_at, "f"),
            author=author,
            languages=languages,
        )
        if version.requires_reack:
            line += " · " + t("rules.history.reack", locale)
        lines.append(f"{line}\n> {version.change_note}")
    title = t("rules.history.title", locale, kind=kind_title)
    embeds = text_embeds(
        title, "\n\n".join(lines), continued=t("rules.page.continued", locale, title=title)
    )
    return pack(embeds, margin=PAGER_MARGIN)


def _fenced(head: str, body: str) -> list[str]:
    """A heading and a ```diff block, split into blocks that each close their fence."""
    chunks = rules.paginate(body, FENCE_PAGE) or [""]
    return [
        (f"{head}\n" if index == 0 else "") + f"```diff\n{chunk}\n```"
        for index, chunk in enumerate(chunks)
    ]


def _blocks_to_embeds(title: str, blocks: list[str], locale: Locale) -> list[discord.Embed]:
    """Whole blocks per description: a code block is never cut between two embeds."""
    descriptions: list[str] = []
    for block in blocks:
        if descriptions and len(descriptions[-1]) + 2 + len(block) <= DESCRIPTION_PAGE:
            descriptions[-1] += "\n\n" + block
        else:
            descriptions.append(block)
    continued = t("rules.page.continued", locale, title=title)
    return [
        discord.Embed(
            title=limits.clip(
                title if index == 0 else continued, limits.EMBED_TITLE_MAX, at_space=True
            ),
            description=text,
        )
        for index, text in enumerate(descriptions)
    ]


def diff_pages(diff: VersionDiff, locale: Locale) -> list[Page]:
    embeds: list[discord.Embed] = []
    for language, changes in (("nl", diff.nl), ("en", diff.en)):
        if changes is None:
            continue
        title = t(
            "rules.diff.title",
            locale,
            kind=kind_name(diff.kind, locale),
            old=diff.old.number,
            new=diff.new.number,
            language=t(f"rules.language.{language}", locale),
        )
        blocks = [t("rules.diff.none", locale)] if changes.is_empty else []
        if changes.intro:
            blocks += _fenced(t("rules.diff.intro", locale), rules.diff_text(changes.intro))
        for change in changes.changes:
            name = change.new_title if change.new_title is not None else change.old_title
            head = t(
                f"rules.diff.{change.kind}",
                locale,
                number=change.number,
                title=escape_markdown(name or ""),
            )
            blocks += _fenced(head, change.as_text())
        if changes.unchanged:
            blocks.append(
                t("rules.diff.unchanged", locale, numbers=number_ranges(changes.unchanged))
            )
        embeds += _blocks_to_embeds(title, blocks, locale)
    return pack(embeds, margin=PAGER_MARGIN)


def stats_embeds(stats: AckStats, locale: Locale) -> list[discord.Embed]:
    lines = [t("rules.stats.on" if stats.enabled else "rules.stats.off", locale)]
    if stats.current_version is not None and stats.required_version is not None:
        lines.append(
            t(
                "rules.stats.required",
                locale,
                version=stats.required_version,
                current=stats.current_version,
            )
        )
        lines.append(t("rules.stats.up_to_date", locale, count=stats.up_to_date))
        lines += [
            t("rules.stats.row", locale, version=c.version, count=c.count) for c in stats.counts
        ]
    else:
        lines.append(t("rules.error.not_published", locale))
    title = t("rules.stats.title", locale, kind=kind_name(stats.kind, locale))
    return text_embeds(title, "\n".join(lines))
