"""Telling invitees that sessions were moved or cancelled: one DM per person,
in the language the bot last saw them use (both Dutch and English for someone it
has never seen), with a calendar file; and remembering who could not be reached
so the coordinator sees it. Invitations to new sessions go through the leader's
outbox instead (``_fanout``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from cogs.intervisie import _render as render
from cogs.intervisie._delivery import Outbox
from cogs.intervisie._render import Part, Reader
from vcpbot.bot_types import Bot
from vcpbot.services import intervisie, languages
from vcpbot.services.intervisie import (
    CalendarFile,
    Cancelled,
    InvitationView,
    Moved,
    MovedSession,
    SessionView,
)


class Notifier:
    def __init__(self, bot: Bot, outbox: Outbox) -> None:
        self.bot = bot
        self.outbox = outbox

    def _calendar(self) -> Callable[[Sequence[SessionView]], dict[int, CalendarFile]]:
        """One .ics per session, made once: every invitee gets the same file."""
        made: dict[int, CalendarFile] = {}
        now = self.bot.clock()

        def files_for(sessions: Sequence[SessionView]) -> dict[int, CalendarFile]:
            for view in sessions:
                if view.id not in made:
                    made[view.id] = intervisie.calendar_file(view, now=now)
            return {view.id: made[view.id] for view in sessions}

        return files_for

    async def moved(self, moved: Moved) -> list[int]:
        by_session = {m.after.id: m for m in moved.moves}
        calendar = self._calendar()

        def parts(invitations: list[InvitationView], reader: Reader) -> list[Part]:
            changes: list[tuple[MovedSession, InvitationView]] = [
                (by_session[i.session_id], i) for i in invitations
            ]
            return render.moved(changes, reader, calendar([change.after for change, _ in changes]))

        return await self._fan_out(_by_user(moved.invitations), parts)

    async def cancelled(self, cancelled: Cancelled) -> list[int]:
        by_session = {s.id: s for s in cancelled.sessions}
        calendar = self._calendar()

        def parts(invitations: list[InvitationView], reader: Reader) -> list[Part]:
            sessions = [by_session[i.session_id] for i in invitations]
            return render.cancelled(sessions, cancelled.reason, reader, calendar(sessions))

        return await self._fan_out(_by_user(cancelled.invitations), parts)

    async def _fan_out(
        self,
        people: dict[int, list[InvitationView]],
        parts: Callable[[list[InvitationView], Reader], list[Part]],
    ) -> list[int]:
        async with self.bot.db.reading.begin() as session:
            readers = await languages.remembered_for(session, user_ids=people)
        delivered: list[int] = []
        failed: list[int] = []
        unreachable: list[int] = []
        for user_id, invitations in people.items():
            if await self.outbox.send(user_id, parts(invitations, readers.get(user_id))):
                delivered.extend(i.id for i in invitations)
            else:
                failed.extend(i.id for i in invitations)
                unreachable.append(user_id)
        # After the DMs, in its own transaction: the plan itself was committed before
        # anyone got buttons for it.
        async with self.bot.db.sessions.begin() as session:
            await intervisie.record_delivery(session, invitation_ids=delivered, delivered=True)
            await intervisie.record_delivery(session, invitation_ids=failed, delivered=False)
        return unreachable


def _by_user(invitations: Sequence[InvitationView]) -> dict[int, list[InvitationView]]:
    grouped: dict[int, list[InvitationView]] = defaultdict(list)
    for invitation in invitations:
        if invitation.user_id is not None:
            grouped[invitation.user_id].append(invitation)
    return dict(grouped)
