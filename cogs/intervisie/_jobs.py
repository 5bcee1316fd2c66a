"""What the reminder jobs need from Discord: delivering one reminder by DM, and telling
the coordinator (in the hub's log channel) what was missed or could not be delivered."""

from __future__ import annotations

from datetime import datetime

from cogs.intervisie import _render as render
from cogs.intervisie._delivery import HubReports, Outbox
from cogs.intervisie._names import Names
from vcpbot.i18n import t
from vcpbot.services.intervisie import ReminderToSend, SessionView
from vcpbot.services.intervisie.jobs import CoordinatorReport


class ReminderMessages:
    def __init__(self, outbox: Outbox, reports: HubReports, names: Names) -> None:
        self.outbox = outbox
        self.reports = reports
        self.names = names

    async def send(self, reminder: ReminderToSend) -> bool:
        return await self.outbox.send(reminder.user_id, render.reminder(reminder))

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
                    due=_local(m.due_at, m.session),
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


def _local(moment: datetime, session: SessionView) -> str:
    """The due time on the wall clock where the session takes place."""
    return f"{moment.astimezone(session.local_start.tzinfo):%d-%m-%Y %H:%M}"
