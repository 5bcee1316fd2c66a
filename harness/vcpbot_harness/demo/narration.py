"""How the tour is told: who acts, and what they see, with mentions shown as names.

Every tour prints through one Narrator, so ``vcpbot demo`` reads the same in every
chapter: ``=== n. title``, ``> who: action`` and ``  who sees in where:`` with the
message quoted below it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from vcpbot.i18n import Locale, t

Out = Callable[[str], None]
MENTION = re.compile(r"<@!?(\d+)>|<#(\d+)>|<@&(\d+)>")


def shown_name(user: User) -> str:
    """The name Discord shows for a person."""
    return user.global_name or user.username


@dataclass
class Narrator:
    """Prints who acts and what they see, with mentions shown as names."""

    emulator: Emulator
    out: Out
    lang: Locale
    step_mode: bool = False
    steps: int = 0

    def _names(self, text: str) -> str:
        world = self.emulator.world

        def name(match: re.Match[str]) -> str:
            user_id, channel_id, role_id = match.groups()
            if user_id:
                user = world.users.get(int(user_id))
                return "@" + shown_name(user) if user else "@someone"
            if channel_id:
                channel = world.channels.get(int(channel_id))
                return "#" + ((channel.name or "") if channel else "channel")
            for guild in world.guilds.values():
                if int(role_id) in guild.roles:
                    return "@" + guild.roles[int(role_id)].name
            return "@role"

        return MENTION.sub(name, text)

    def chapter(self, title: str) -> None:
        self.steps += 1
        self.out("")
        self.out(f"=== {self.steps}. {title}")
        if self.step_mode:
            sys.stdin.readline()

    def does(self, user: User, action: str) -> None:
        self.out(f"> {shown_name(user)}: {action}")

    def sees(self, user: User, message: Message | None, *, where: str) -> None:
        if message is None:
            raise RuntimeError(f"{shown_name(user)} was shown nothing in {where}")
        private = t("demo.private", self.lang) if message.ephemeral else ""
        who = shown_name(user)
        self.out("  " + t("demo.sees", self.lang, who=who, where=where, private=private))
        for line in self._names(message.text).splitlines():
            self.out(f"    | {line}")
        buttons = [str(b["label"]) for b in message.buttons if b.get("label")]
        if buttons:
            self.out(f"    | [{'] ['.join(buttons)}]")
