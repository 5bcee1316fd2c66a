"""What an invitee of a date poll gets by DM: the dates, and per date Yes / If need be /
No buttons (one row a date, five dates a message, so ten dates fit in two); the
reminder before the deadline; and the note that a date was chosen.

An invitee sees only their own answers: never names, never counts. The buttons
are persistent and keyed by the invitee's random token; the service checks on
every press that the presser is that invitee.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Protocol, cast

import discord

from cogs.intervisie._delivery import Outbox
from cogs.intervisie._render import Part, Reader, escape, for_reader, location_line
from cogs.intervisie._rsvp import COG_NAME, FEATURE
from vcpbot import custom_ids, limits
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.i18n import Locale, bilingual, formats, t
from vcpbot.interactions import report_error
from vcpbot.services.intervisie import (
    PollAnswer,
    PollAnswered,
    PollOptionView,
    PollReminderToSend,
    PollView,
    SessionStatus,
    SessionView,
)

log = logging.getLogger(__name__)

_STYLES = {
    PollAnswer.YES: discord.ButtonStyle.success,
    PollAnswer.MAYBE: discord.ButtonStyle.primary,
    PollAnswer.NO: discord.ButtonStyle.secondary,
}
# "poll" on the poll's own message, "pollr" on the reminder: how a later process tells
# the reminder apart from the poll in the person's DMs.
_ACTION = re.compile(r"(?P<kind>pollr?)-(?P<answer>yes|maybe|no)-(?P<position>\d{1,2})")
HISTORY_LOOKBACK = 50


class PollAnswering(Protocol):
    """The cog, as a poll button needs it (the cog imports this module)."""

    async def answer_poll(
        self, interaction: Interaction, *, token: str, position: int, answer: PollAnswer
    ) -> None: ...


class PollButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=custom_ids.template(FEATURE, r"pollr?-(?:yes|maybe|no)-\d{1,2}"),
):
    """One answer to one date of a poll, for the invitee whose token it carries."""

    def __init__(self, action: str, token: str, *, label: str, row: int | None = None) -> None:
        match = _ACTION.fullmatch(action)
        if match is None:
            raise ValueError(f"not a poll action: {action!r}")
        self.answer = PollAnswer(match["answer"])
        self.position = int(match["position"])
        self.token = token
        super().__init__(
            discord.ui.Button(
                label=label[: limits.BUTTON_LABEL_MAX],
                style=_STYLES[self.answer],
                custom_id=custom_ids.build(FEATURE, action, token),
                row=row,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],  # type: ignore[override]  # discord.py hands back the button it matched
        match: re.Match[str],
    ) -> PollButton:
        return cls(match["action"], match["token"], label=item.label or match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            cog = cast("PollAnswering | None", bot_of(interaction).get_cog(COG_NAME))
            if cog is None:
                raise RuntimeError("the intervisie cog is not loaded")
            await cog.answer_poll(
                interaction, token=self.token, position=self.position, answer=self.answer
            )
        except Exception as exc:  # shown to the presser, calmly; logged when unexpected
            await report_error(interaction, exc)


def answer_word(answer: PollAnswer, locale: Reader) -> str:
    key = f"intervisie.poll.answer.{answer.value}"
    return t(key, locale) if locale else f"{t(key, 'nl')} / {t(key, 'en')}"


def option_line(option: PollOptionView, locale: Locale) -> str:
    return t(
        "intervisie.poll.option",
        locale,
        number=option.position,
        when=formats.moment(option.local_start, locale),
        timestamp=f"<t:{option.unix_start}:F>",
    )


def _views(poll: PollView, token: str, reader: Reader, *, kind: str) -> list[discord.ui.View]:
    views = []
    rows = limits.MESSAGE_ACTION_ROWS_MAX
    for first in range(0, len(poll.options), rows):
        view = discord.ui.View(timeout=None)
        for row, option in enumerate(poll.options[first : first + rows]):
            day = formats.short_moment(option.local_start, reader or "nl")
            for answer in PollAnswer:
                label = f"{option.position}. {day} · {answer_word(answer, reader)}"
                action = f"{kind}-{answer.value}-{option.position}"
                view.add_item(PollButton(action, token, label=label, row=row))
        views.append(view)
    return views


def _poll_embed(poll: PollView, locale: Locale, *, reminder: bool) -> discord.Embed:
    title = escape(poll.title)
    head = "intervisie.poll.reminder.body" if reminder else "intervisie.poll.dm.body"
    lines = [
        t(head, locale, title=title, deadline=formats.moment(poll.local_deadline, locale)),
        "\n".join(option_line(o, locale) for o in poll.options),
        t("intervisie.poll.dm.details", locale, count=poll.duration_minutes)
        + "\n"
        + location_line(_as_session(poll), locale),
        t("intervisie.poll.dm.privacy", locale),
    ]
    key = "intervisie.poll.reminder.title" if reminder else "intervisie.poll.dm.title"
    return discord.Embed(
        title=t(key, locale, title=poll.title)[: limits.EMBED_TITLE_MAX],
        description="\n\n".join(lines)[: limits.EMBED_DESCRIPTION_MAX],
        colour=discord.Colour.blurple(),
    )


def _as_session(poll: PollView) -> SessionView:
    """Enough of a session for ``location_line``: the place is all it reads."""
    first = poll.options[0]
    return SessionView(
        id=0,
        token="",
        series_id=None,
        position=None,
        title=poll.title,
        starts_at=first.starts_at,
        zone=poll.zone,
        duration_minutes=poll.duration_minutes,
        location_kind=poll.location_kind,
        location=poll.location,
        agenda=poll.agenda,
        status=SessionStatus.PLANNED,
        cancel_reason=None,
        discord_event_id=None,
        sequence=0,
    )


def poll_parts(poll: PollView, token: str, reader: Reader, *, reminder: bool = False) -> list[Part]:
    """The poll (or its reminder) for one invitee: the dates, then the buttons."""
    embed = for_reader(reader, lambda locale: _poll_embed(poll, locale, reminder=reminder))
    views = _views(poll, token, reader, kind="pollr" if reminder else "poll")
    key = "intervisie.poll.dm.more"
    more = t(key, reader) if reader else bilingual(key)
    return [
        Part(embed=embed, view=views[0]),
        *(Part(content=more, view=view) for view in views[1:]),
    ]


def poll_answered(answered: PollAnswered, locale: Locale) -> str:
    """What the invitee sees after a press: their answer, how far they are, until when."""
    poll = answered.poll
    return t(
        "intervisie.poll.answered",
        locale,
        when=formats.moment(answered.option.local_start, locale),
        answer=answer_word(answered.answer, locale),
        done=len(answered.mine),
        total=len(poll.options),
        deadline=formats.moment(poll.local_deadline, locale),
    )


def poll_label(poll: PollView, locale: Locale) -> str:
    """For autocomplete: ``Intervisie najaar · do 10 sep, 12:00 (#3)``, at most 100."""
    suffix = f" (#{poll.id})"
    head = f"{poll.title} · {formats.short_moment(poll.local_deadline, locale)}"
    return head[: limits.CHOICE_NAME_MAX - len(suffix)] + suffix


def chosen_text(poll: PollView, chosen: PollOptionView, reader: Reader) -> str:
    """The poll is closed: the date it became (the invitation follows)."""

    def one(locale: Locale) -> str:
        return t(
            "intervisie.poll.closed.dm",
            locale,
            title=escape(poll.title),
            when=formats.moment(chosen.local_start, locale),
        )

    return one(reader) if reader else f"{one('nl')}\n\n{one('en')}"


class PollReminders:
    """Delivering a poll's reminder by DM, and finding one an earlier attempt sent."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def send(self, item: PollReminderToSend) -> bool:
        """True once delivered; False when refused for good; raises when unknown."""
        try:
            channel = await self.outbox.bot.create_dm(discord.Object(id=item.user_id))
            for part in poll_parts(item.poll, item.token, item.locale, reminder=True):
                await channel.send(**part.send_kwargs())
        except discord.HTTPException as exc:
            if exc.status >= 500 or exc.status == 429:
                raise  # Discord may have taken it: the reminder is in doubt
            log.info("intervisie: a poll reminder could not be delivered (HTTP %s)", exc.status)
            return False
        return True

    async def find(self, item: PollReminderToSend) -> bool:
        """Whether the person's recent DMs hold a reminder (not the poll) with their token."""
        try:
            channel = await self.outbox.bot.create_dm(discord.Object(id=item.user_id))
        except (discord.Forbidden, discord.NotFound):
            return False
        me = self.outbox.bot.user.id if self.outbox.bot.user else None
        async for message in channel.history(limit=HISTORY_LOOKBACK):
            if message.author.id == me and _is_reminder(message.components, item.token):
                return True
        return False


def _is_reminder(rows: Sequence[Any], token: str) -> bool:
    prefix = f"{custom_ids.PREFIX}:{FEATURE}:pollr-"
    return any(
        (getattr(child, "custom_id", None) or "").startswith(prefix)
        and custom_ids.opaque(child.custom_id) == token
        for row in rows
        for child in getattr(row, "children", ())
    )
