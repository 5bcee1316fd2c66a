"""Marking who came: the invitees in selects (25 a select), then Save."""

from __future__ import annotations

import secrets
from typing import Any

import discord

from cogs.intervisie._host import IntervisieHost
from cogs.intervisie._render import escape, local_when
from cogs.intervisie._rsvp import FEATURE
from vcpbot import access, custom_ids, limits
from vcpbot.bot_types import Interaction
from vcpbot.i18n import Locale, t
from vcpbot.interactions import report_error, text
from vcpbot.services import intervisie
from vcpbot.services.intervisie import InvitationView, Rsvp, SessionDetails

FORM_SECONDS = 30 * 60
# Four selects and a row for the button: Discord's five rows.
MAX_SELECTS = 4
MAX_MARKABLE = limits.SELECT_OPTIONS_MAX * MAX_SELECTS


def _present_at_first(invitation: InvitationView) -> bool:
    """What the form starts with: what was marked before, else who said Yes."""
    if invitation.attended is not None:
        return invitation.attended
    return invitation.rsvp == Rsvp.YES


class AttendanceForm(discord.ui.View):
    """Only the coordinator who opened it can use it; Save checks the role again."""

    def __init__(
        self,
        cog: IntervisieHost,
        details: SessionDetails,
        names: dict[int, str],
        user_id: int,
        locale: Locale,
    ) -> None:
        super().__init__(timeout=FORM_SECONDS)
        self.cog = cog
        self.session_id = details.session.id
        self.user_id = user_id
        token = secrets.token_urlsafe(9)
        invitees = sorted(
            (i for i in details.invitations if i.user_id is not None),
            key=lambda i: names.get(i.user_id or 0, "").casefold(),
        )
        self.truncated = len(invitees) > MAX_MARKABLE
        invitees = invitees[:MAX_MARKABLE]
        # What the form shows as chosen, per select; Save sends the union.
        self.present: dict[str, set[int]] = {}
        for index in range(0, len(invitees), limits.SELECT_OPTIONS_MAX):
            chunk = invitees[index : index + limits.SELECT_OPTIONS_MAX]
            select: discord.ui.Select[AttendanceForm] = discord.ui.Select(
                custom_id=custom_ids.build(
                    FEATURE, f"present{index // limits.SELECT_OPTIONS_MAX}", token
                ),
                placeholder=t(
                    "intervisie.attendance.placeholder",
                    locale,
                    first=index + 1,
                    last=index + len(chunk),
                ),
                min_values=0,
                max_values=len(chunk),
                options=[
                    discord.SelectOption(
                        label=names.get(i.user_id or 0, str(i.user_id))[
                            : limits.SELECT_OPTION_TEXT_MAX
                        ],
                        value=str(i.user_id),
                        default=_present_at_first(i),
                    )
                    for i in chunk
                ],
            )
            self.present[select.custom_id] = {
                i.user_id for i in chunk if i.user_id is not None and _present_at_first(i)
            }
            select.callback = self._chosen(select)  # type: ignore[method-assign]  # discord.py's way to set one item's callback
            self.add_item(select)
        save: discord.ui.Button[AttendanceForm] = discord.ui.Button(
            label=t("intervisie.attendance.save", locale),
            style=discord.ButtonStyle.success,
            custom_id=custom_ids.build(FEATURE, "save", token),
        )
        save.callback = self._save  # type: ignore[method-assign,assignment]  # discord.py's way to set one item's callback; it passes our bot
        self.add_item(save)

    def _chosen(self, select: discord.ui.Select[AttendanceForm]) -> Any:
        async def chosen(interaction: Interaction) -> None:
            self.present[select.custom_id] = {int(v) for v in select.values}
            await interaction.response.defer()

        return chosen

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    async def _save(self, interaction: Interaction) -> None:
        bot = self.cog.bot
        attended = set().union(*self.present.values()) if self.present else set()
        async with bot.db.sessions.begin() as session:
            await access.require_coordinator(interaction, session)
            details = await intervisie.mark_attendance(
                session,
                session_id=self.session_id,
                attended=sorted(attended),
                now=bot.clock(),
                policy=self.cog.policy,
            )
            topic = await intervisie.training_topic(session, session_id=self.session_id)
        self.stop()
        marked = [i for i in details.invitations if i.user_id is not None]
        present = sum(1 for i in marked if i.attended)
        lines = [
            text(interaction, "intervisie.attendance.saved", attended=present, invited=len(marked))
        ]
        if topic is not None:
            lines.append(text(interaction, "training.recorded", count=present, topic=escape(topic)))
        await interaction.response.edit_message(content="\n".join(lines), view=None)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


def form_text(details: SessionDetails, locale: Locale, *, truncated: bool) -> str:
    lines = [
        t(
            "intervisie.attendance.form",
            locale,
            title=discord.utils.escape_markdown(details.session.title),
            when=local_when(details.session, locale),
        )
    ]
    if truncated:
        lines.append(t("intervisie.attendance.first_only", locale, count=MAX_MARKABLE))
    return "\n".join(lines)
