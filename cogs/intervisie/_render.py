"""What people read: invitations, changes and reminders for VCPs, overviews for the coordinator.

VCP messages never say who else is invited or coming; only the coordinator's
overviews do. Everything a coordinator typed is shown with Markdown escaped.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import discord

from cogs.intervisie._leads import add_menu
from cogs.intervisie._rsvp import answer_views
from vcpbot import limits
from vcpbot.i18n import Locale, bilingual, formats, t
from vcpbot.interactions import NO_MENTIONS
from vcpbot.services.intervisie import (
    CalendarFile,
    InvitationView,
    LocationKind,
    MovedSession,
    ReminderToSend,
    Rsvp,
    SeriesView,
    SessionDetails,
    SessionSummary,
    SessionView,
    VcpAttendance,
)
from vcpbot.services.when import Lead

# A direct message's reader: their language, or None when the bot has never seen them.
Reader = Locale | None

# Discord takes at most ten attachments on one message.


def escape(value: str) -> str:
    return discord.utils.escape_markdown(value)


def local_when(view: SessionView, locale: Locale) -> str:
    """``dinsdag 2 november 2027, 19:30``: the wall-clock time where the session takes place."""
    return formats.moment(view.local_start, locale)


def when_line(view: SessionView, locale: Locale) -> str:
    """The local time in words, and a Discord timestamp each reader sees in their own zone."""
    return t(
        "intervisie.when",
        locale,
        when=local_when(view, locale),
        timestamp=f"<t:{view.unix_start}:F>",
    )


def location_line(view: SessionView, locale: Locale) -> str:
    if view.location_kind == LocationKind.ONLINE:
        # A link stays clickable only unescaped; the service accepts https links only.
        return t("intervisie.location.online", locale, location=view.location)
    return t("intervisie.location.room", locale, location=escape(view.location))


def answer_name(answer: Rsvp, locale: Locale) -> str:
    return t(f"intervisie.rsvp.{answer.value}", locale)


def lead_text(code: str, locale: Locale) -> str:
    """``P7D`` -> "in 7 days", ``PT24H`` -> "tomorrow", ``PT1H`` -> "in one hour"."""
    lead = Lead.parse(code)
    minutes = lead.days * 24 * 60 + int(lead.exact.total_seconds() // 60)
    day, hour = 24 * 60, 60
    if minutes == day:
        return t("intervisie.lead.day", locale)
    if minutes % day == 0:
        return t("intervisie.lead.days", locale, count=minutes // day)
    if minutes % hour == 0:
        return t("intervisie.lead.hours", locale, count=minutes // hour)
    return t("intervisie.lead.minutes", locale, count=minutes)


def whole_lines(lines: Sequence[str], limit: int, locale: Locale) -> str:
    """Whole lines up to ``limit`` characters, then a count of what was left out."""
    return limits.clip_lines(lines, limit, lambda n: t("common.and_more", locale, count=n))


@dataclass(frozen=True)
class Part:
    """One DM message: text or an embed, answer buttons, calendar files."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    files: tuple[CalendarFile, ...] = ()

    def send_kwargs(self) -> dict[str, Any]:
        # A discord.File is consumed by sending, so every call makes a fresh one.
        kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if self.content is not None:
            kwargs["content"] = self.content
        if self.embed is not None:
            kwargs["embed"] = self.embed
        if self.view is not None:
            kwargs["view"] = self.view
        if self.files:
            kwargs["files"] = [
                discord.File(io.BytesIO(f.data), filename=f.name) for f in self.files
            ]
        return kwargs


def _chunks(items: Sequence[CalendarFile], size: int) -> list[tuple[CalendarFile, ...]]:
    return [tuple(items[first : first + size]) for first in range(0, len(items), size)]


def _with_buttons(
    head: Part,
    rows: Sequence[tuple[SessionView, str]],
    title: str,
    reader: Reader,
    files: Mapping[int, CalendarFile] | None = None,
    leads: Sequence[str] = (),
) -> list[Part]:
    """The first message carries the first five sessions' buttons; more follow in their own.

    Each session's calendar file goes in the message that holds its buttons; the menu
    of ``leads`` (the lead times a VCP may choose) on the last one with a free row.
    """
    views = answer_views(rows, reader, dated=len(rows) > 1)
    extra = add_menu(views, leads, reader)
    if not views:
        return [head]
    attached = (
        _chunks([files[s.id] for s, _ in rows], limits.MESSAGE_ACTION_ROWS_MAX) if files else []
    )
    attached += [()] * (len(views) - len(attached))
    first = Part(content=head.content, embed=head.embed, view=views[0], files=attached[0])
    key = "intervisie.invite.more_dates"
    more_dates = t(key, reader, title=title) if reader else bilingual(key, title=title)
    more = [
        Part(content=more_dates, view=view, files=fs)
        for view, fs in zip(views[1:], attached[1:], strict=True)
    ]
    menu = [] if extra is None else [Part(content=_menu_text(reader), view=extra)]
    return [first, *more, *menu]


def _menu_text(reader: Reader) -> str:
    key = "intervisie.leads.choose"
    return t(key, reader) if reader else bilingual(key)


def for_reader(reader: Reader, build: Callable[[Locale], discord.Embed]) -> discord.Embed:
    """The embed in the reader's language; for a reader whose language the bot has never
    seen, the Dutch one and the English one in a single embed."""
    if reader is not None:
        return build(reader)
    dutch, english = build("nl"), build("en")
    half = limits.EMBED_DESCRIPTION_MAX // 2 - 1
    both = discord.Embed(
        title=f"{dutch.title} · {english.title}"[: limits.EMBED_TITLE_MAX],
        description=f"{(dutch.description or '')[:half]}\n\n{(english.description or '')[:half]}",
        colour=dutch.colour,
    )
    footers = [e.footer.text for e in (dutch, english) if e.footer.text]
    if footers:
        both.set_footer(text="\n".join(footers))
    return both


def invitation(
    sessions: Sequence[SessionView],
    invitations: Sequence[InvitationView],
    series: SeriesView | None,
    reader: Reader,
    files: Mapping[int, CalendarFile],
    leads: Sequence[str] = (),
) -> list[Part]:
    """One person's invitation to a session, or to every date of a series, with the menu
    of the lead times they may choose (``leads``, when the coordinator offers any)."""
    embed = for_reader(
        reader, lambda locale: _invitation_embed(sessions, series, locale, menu=bool(leads))
    )
    by_session = {s.id: s for s in sessions}
    rows = [(by_session[i.session_id], i.token) for i in invitations]
    title = escape(sessions[0].title)
    return _with_buttons(Part(embed=embed), rows, title, reader, files, leads)


def _invitation_embed(
    sessions: Sequence[SessionView], series: SeriesView | None, locale: Locale, *, menu: bool
) -> discord.Embed:
    first = sessions[0]
    title = escape(first.title)
    paragraphs = [
        t(
            "intervisie.invite.body",
            locale,
            title=title,
            when=when_line(first, locale),
            duration=t("common.minutes", locale, count=first.duration_minutes),
            location=location_line(first, locale),
        )
    ]
    if first.agenda:
        paragraphs.append(t("intervisie.agenda", locale, agenda=escape(first.agenda)))
    if series is not None:
        paragraphs.append(
            t(
                "intervisie.invite.series",
                locale,
                count=series.interval_weeks,
                weekday=t(f"intervisie.weekday.{series.weekday}", locale),
                time=series.local_time,
                until=series.until,
            )
        )
    if len(sessions) > 1:
        dates = [s.local_start for s in sessions]
        paragraphs.append(t("intervisie.plan.series_dates", locale, dates=dates))
    paragraphs.append(t("intervisie.invite.answer", locale))
    if menu:
        paragraphs.append(t("intervisie.invite.reminders", locale))
    calendar = (
        "intervisie.invite.calendar_series" if len(sessions) > 1 else "intervisie.invite.calendar"
    )
    paragraphs.append(t(calendar, locale))
    embed = discord.Embed(
        title=t("intervisie.invite.title", locale, title=first.title)[: limits.EMBED_TITLE_MAX],
        description="\n\n".join(paragraphs)[: limits.EMBED_DESCRIPTION_MAX],
        colour=discord.Colour.blurple(),
    )
    embed.set_footer(text=t("intervisie.invite.footer", locale))
    return embed


def moved(
    changes: Sequence[tuple[MovedSession, InvitationView]],
    reader: Reader,
    files: Mapping[int, CalendarFile],
) -> list[Part]:
    """One person's notice that one or more of their sessions moved, with fresh buttons."""
    embed = for_reader(reader, lambda locale: _moved_embed(changes, locale))
    rows = [(change.after, invitation_.token) for change, invitation_ in changes]
    return _with_buttons(Part(embed=embed), rows, escape(changes[0][0].after.title), reader, files)


def _moved_embed(
    changes: Sequence[tuple[MovedSession, InvitationView]], locale: Locale
) -> discord.Embed:
    paragraphs = []
    for change, invitation_ in changes:
        after = change.after
        text = t(
            "intervisie.moved.body",
            locale,
            title=escape(after.title),
            old_when=local_when(change.before, locale),
            when=when_line(after, locale),
            location=location_line(after, locale),
        )
        if change.answers_reset:
            note = t("intervisie.moved.answer_reset", locale)
        else:
            note = t(
                "intervisie.moved.answer_kept",
                locale,
                answer=answer_name(invitation_.rsvp, locale),
            )
        paragraphs.append(f"{text}\n{note}")
    calendar = (
        "intervisie.moved.calendar_series" if len(changes) > 1 else "intervisie.moved.calendar"
    )
    paragraphs.append(t(calendar, locale))
    title = changes[0][0].after.title
    return discord.Embed(
        title=t("intervisie.moved.title", locale, title=title)[: limits.EMBED_TITLE_MAX],
        description="\n\n".join(paragraphs)[: limits.EMBED_DESCRIPTION_MAX],
        colour=discord.Colour.gold(),
    )


def cancelled(
    sessions: Sequence[SessionView],
    reason: str | None,
    reader: Reader,
    files: Mapping[int, CalendarFile],
) -> list[Part]:
    embed = for_reader(reader, lambda locale: _cancelled_embed(sessions, reason, locale))
    first, *rest = _chunks([files[s.id] for s in sessions], limits.MESSAGE_FILES_MAX)
    key = "intervisie.cancelled.more_files"
    title = escape(sessions[0].title)
    more = t(key, reader, title=title) if reader else bilingual(key, title=title)
    return [Part(embed=embed, files=first), *(Part(content=more, files=fs) for fs in rest)]


def _cancelled_embed(
    sessions: Sequence[SessionView], reason: str | None, locale: Locale
) -> discord.Embed:
    lines = [
        t("intervisie.cancelled.body", locale, title=escape(s.title), when=local_when(s, locale))
        for s in sessions
    ]
    if reason:
        lines.append(t("intervisie.cancelled.reason", locale, reason=escape(reason)))
    calendar = (
        "intervisie.cancelled.calendar_series"
        if len(sessions) > 1
        else "intervisie.cancelled.calendar"
    )
    lines.append(t(calendar, locale))
    return discord.Embed(
        title=t("intervisie.cancelled.title", locale, title=sessions[0].title)[
            : limits.EMBED_TITLE_MAX
        ],
        description="\n\n".join(lines)[: limits.EMBED_DESCRIPTION_MAX],
        colour=discord.Colour.dark_grey(),
    )


def reminder(item: ReminderToSend) -> list[Part]:
    """In the language the person last used, or in both when the bot never saw them."""
    embed = for_reader(item.locale, lambda locale: _reminder_embed(item, locale))
    session = item.session
    # The buttons carry the reminder's own token: they answer for its invitation, and
    # they are how a later process recognises this DM (``ReminderMessages.find``).
    return _with_buttons(
        Part(embed=embed), [(session, item.token)], escape(session.title), item.locale
    )


def _reminder_embed(item: ReminderToSend, locale: Locale) -> discord.Embed:
    session = item.session
    lines = [
        t(
            "intervisie.reminder.body",
            locale,
            title=escape(session.title),
            lead=lead_text(item.lead, locale),
            when=when_line(session, locale),
            location=location_line(session, locale),
        )
    ]
    if item.rsvp == Rsvp.NONE:
        lines.append(t("intervisie.reminder.unanswered", locale))
    if item.late:
        lines.append(t("intervisie.reminder.late", locale))
    return discord.Embed(
        title=t("intervisie.reminder.title", locale, title=session.title)[: limits.EMBED_TITLE_MAX],
        description="\n\n".join(lines)[: limits.EMBED_DESCRIPTION_MAX],
        colour=discord.Colour.blurple(),
    )


# --- what the coordinator sees ------------------------------------------------------


def session_label(view: SessionView, locale: Locale) -> str:
    """For autocomplete: ``do 24 sep, 19:30 · Intervisie (#4)``, at most 100 characters."""
    suffix = f" (#{view.id})"
    head = f"{formats.short_moment(view.local_start, locale)} · "
    return head + view.title[: limits.CHOICE_NAME_MAX - len(head) - len(suffix)] + suffix


def unreachable_text(names: Sequence[str], locale: Locale) -> str:
    return t("intervisie.unreachable", locale, count=len(names), people=list(names))


def list_embed(summaries: Sequence[SessionSummary], locale: Locale) -> discord.Embed:
    embed = discord.Embed(title=t("intervisie.list.title", locale))
    if not summaries:
        embed.description = t("intervisie.list.empty", locale)
        return embed
    lines = [
        t(
            "intervisie.list.row",
            locale,
            id=s.session.id,
            when=local_when(s.session, locale),
            title=escape(s.session.title),
            yes=s.yes,
            maybe=s.maybe,
            no=s.no,
            unanswered=s.unanswered,
        )
        for s in summaries
    ]
    embed.description = whole_lines(lines, limits.EMBED_DESCRIPTION_MAX, locale)
    return embed


def details_embed(details: SessionDetails, names: dict[int, str], locale: Locale) -> discord.Embed:
    session = details.session
    embed = discord.Embed(
        title=f"{session.title} (#{session.id})"[: limits.EMBED_TITLE_MAX],
        description="\n".join(
            [
                when_line(session, locale),
                t("common.minutes", locale, count=session.duration_minutes),
                location_line(session, locale),
                t(f"intervisie.status.{session.status.value}", locale),
            ]
        ),
    )
    if session.agenda:
        embed.description = (
            f"{embed.description}\n{t('intervisie.agenda', locale, agenda=escape(session.agenda))}"
        )[: limits.EMBED_DESCRIPTION_MAX]
    if details.series is not None and session.position is not None:
        embed.add_field(
            name="\u200b",
            value=t(
                "intervisie.show.series",
                locale,
                position=session.position + 1,
                count=details.series.interval_weeks,
                until=details.series.until,
            ),
            inline=False,
        )
    lines = [_invitee_line(i, names, locale) for i in details.invitations]
    embed.add_field(
        name=t("intervisie.show.invitees", locale, count=len(details.invitations)),
        value=whole_lines(lines, limits.FIELD_VALUE_MAX, locale) or "–",
        inline=False,
    )
    return embed


def _invitee_line(invitation_: InvitationView, names: dict[int, str], locale: Locale) -> str:
    if invitation_.user_id is None:
        who = t("intervisie.show.erased", locale)
    else:
        who = names.get(invitation_.user_id) or f"<@{invitation_.user_id}>"
    parts = [who, answer_name(invitation_.rsvp, locale)]
    if invitation_.attended is not None:
        key = "intervisie.show.present" if invitation_.attended else "intervisie.show.absent"
        parts.append(t(key, locale))
    if invitation_.dm_failed and invitation_.user_id is not None:
        parts.append(t("intervisie.show.dm_failed", locale))
    return " · ".join(parts)


def attendance_embed(
    rows: Sequence[VcpAttendance], start: date, end: date, locale: Locale
) -> discord.Embed:
    embed = discord.Embed(title=t("intervisie.attendance.title", locale, start=start, end=end))
    if not rows:
        embed.description = t("intervisie.attendance.empty", locale)
        return embed
    lines = [
        t(
            "intervisie.attendance.row",
            locale,
            name=escape(r.display_name) if r.display_name else f"<@{r.user_id}>",
            association=escape(r.association_name or "–"),
            attended=r.attended,
            invited=r.invited,
            absent=r.absent,
            unmarked=r.unmarked,
        )
        for r in rows
    ]
    embed.description = whole_lines(lines, limits.EMBED_DESCRIPTION_MAX, locale)
    return embed


def mine_embed(
    sessions: Sequence[tuple[SessionView, InvitationView]], locale: Locale
) -> discord.Embed:
    embed = discord.Embed(title=t("intervisie.mine.title", locale))
    if not sessions:
        embed.description = t("intervisie.mine.empty", locale)
        return embed
    lines = [
        t(
            "intervisie.mine.row",
            locale,
            when=f"{local_when(s, locale)} (<t:{s.unix_start}:R>)",
            title=escape(s.title),
            answer=answer_name(i.rsvp, locale),
        )
        for s, i in sessions
    ]
    lines.append("")
    lines.append(t("intervisie.mine.hint", locale))
    embed.description = whole_lines(lines, limits.EMBED_DESCRIPTION_MAX, locale)
    return embed
