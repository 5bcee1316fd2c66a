"""What the reminder jobs need from Discord: delivering one reminder by DM, finding one
an earlier attempt delivered, and telling the coordinator (in the hub's log channel)
what was missed or could not be delivered."""

from __future__ import annotations

import logging
from typing import Any

import discord

from cogs.intervisie import _render as render
from cogs.intervisie._delivery import HubReports, Outbox
from cogs.intervisie._names import Names
from vcpbot import custom_ids
from vcpbot.i18n import t
from vcpbot.services.intervisie import CoordinatorReport, ReminderToSend

log = logging.getLogger(__name__)

# How far back the bot's DMs with a person are searched for an earlier attempt. The
# attempt was made at most a lease or a downtime ago; a handful of messages at most
# have followed it.
HISTORY_LOOKBACK = 50


class ReminderMessages:
    def __init__(self, outbox: Outbox, reports: HubReports, names: Names) -> None:
        self.outbox = outbox
        self.reports = reports
        self.names = names

    async def send(self, reminder: ReminderToSend) -> bool:
        """True once Discord accepted the DM; False when it refused it for good (DMs
        closed, the person gone). Raises when it is not known whether it arrived."""
        try:
            channel = await self._channel(reminder.user_id)
            for part in render.reminder(reminder):
                await channel.send(**part.send_kwargs())
        except discord.HTTPException as exc:
            if exc.status >= 500 or exc.status == 429:
                raise  # Discord may have taken it, or will later: the reminder is in doubt
            log.info("intervisie: a reminder DM could not be delivered (HTTP %s)", exc.status)
            return False
        return True

    async def find(self, reminder: ReminderToSend) -> bool:
        """Whether the bot's recent DMs with the person hold this reminder: a message
        of the bot's whose buttons carry the reminder's token."""
        try:
            channel = await self._channel(reminder.user_id)
        except (discord.Forbidden, discord.NotFound):
            return False  # no DM channel to have sent it in
        me = self.outbox.bot.user.id if self.outbox.bot.user else None
        async for message in channel.history(limit=HISTORY_LOOKBACK):
            if message.author.id == me and _carries(message, reminder.token):
                return True
        return False

    async def _channel(self, user_id: int) -> Any:
        return await self.outbox.bot.create_dm(discord.Object(id=user_id))

    async def report(self, report: CoordinatorReport) -> None:
        locale = self.reports.locale
        people = [m.user_id for m in report.missed] + [u.user_id for u in report.unreachable]
        names = await self.names.lookup(people)
        lines: list[str] = []
        if report.missed:
            lines.append(t("intervisie.report.missed", locale))
            lines += [
                t(
                    "intervisie.report.missed_item",
                    locale,
                    person=names[m.user_id],
                    title=render.escape(m.session.title),
                    when=render.local_when(m.session, locale),
                    due=m.due_at.astimezone(m.session.local_start.tzinfo),
                )
                for m in report.missed
            ]
        lines += [
            t(
                "intervisie.report.unreachable",
                locale,
                title=render.escape(u.session.title),
                when=render.local_when(u.session, locale),
                person=names[u.user_id],
            )
            for u in report.unreachable
        ]
        if lines:
            await self.reports.post(lines)


def _carries(message: discord.Message, token: str) -> bool:
    return any(
        custom_ids.opaque(getattr(child, "custom_id", None) or "") == token
        for row in message.components
        for child in getattr(row, "children", ())
    )
