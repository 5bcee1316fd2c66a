"""Acting as a person and seeing what that person sees.

Every action goes through the same gateway and REST paths as on Discord, and
every wait fails with an AssertionError that names what was awaited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from discord_emulator import forms, messages
from discord_emulator import permissions as perm
from discord_emulator.entities import Channel, Message, ScheduledEvent, User
from discord_emulator.guild import Guild
from discord_emulator.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    Interaction,
    Modal,
    Response,
)
from discord_emulator.invoke import (
    Resolved,
    command_options,
    find_subcommand,
    free_text,
    nest,
    new_interaction,
)

if TYPE_CHECKING:
    from discord_emulator.entities import ApplicationCommand
    from discord_emulator.host import EmulatorHost

DEFAULT_TIMEOUT = 5.0

CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3
_KIND_NAMES = {
    CHAT_INPUT: "slash command",
    USER_COMMAND: "user command",
    MESSAGE_COMMAND: "message command",
}

T = TypeVar("T")


class InteractionResult:
    """What happened after a person acted: the bot's response, followups, the final message."""

    def __init__(self, emulator: EmulatorHost, interaction: Interaction, timeout: float) -> None:
        self._em = emulator
        self.interaction = interaction
        self.timeout = timeout
        self._failures_before = len(emulator.failures)

    @property
    def response(self) -> Response:
        if self.interaction.response is None:
            raise AssertionError(f"the bot has not answered {self.interaction.label}")
        return self.interaction.response

    @property
    def followups(self) -> list[Message]:
        return list(self.interaction.followups)

    @property
    def rejections(self) -> list[str]:
        """What Discord refused when the bot answered (e.g. "404 10062 Unknown interaction")."""
        return list(self.interaction.rejections)

    async def wait(self, within: float | None = None) -> Response:
        """The bot's first response; fails if Discord refused it or the deadline passed."""
        interaction, deadline = self.interaction, self._em.interaction_deadline

        def probe() -> Response | None:
            if interaction.response is not None:
                return interaction.response
            if interaction.rejections:
                raise AssertionError(
                    f"Discord refused the bot's answer to {interaction.label}: "
                    f"{interaction.rejections}" + self._failures_hint()
                )
            if interaction.age > deadline:
                raise AssertionError(
                    f"the bot did not answer {interaction.label} within the {deadline:g}s "
                    "interaction "
                    "deadline (Discord shows 'The application did not respond')"
                    + self._failures_hint()
                )
            return None

        return await self._wait(probe, within, f"the bot's response to {interaction.label}")

    async def followup(self, n: int = 1, within: float | None = None) -> Message:
        """The n-th followup message (1-based), once it has been sent."""
        await self.wait(within)
        interaction = self.interaction
        return await self._wait(
            lambda: interaction.followups[n - 1] if len(interaction.followups) >= n else None,
            within,
            f"followup #{n} to {interaction.label}",
        )

    async def final(self, within: float | None = None) -> Message:
        """The message the person ends up with: after a deferral, the filled-in one."""
        response = await self.wait(within)
        interaction = self.interaction

        def probe() -> Message | None:
            if response.kind in ("message", "update"):
                return response.message
            if response.kind == "deferred":
                original = interaction.original
                return original if original is not None and not original.loading else None
            if response.kind == "deferred_update":
                return interaction.original if interaction.original_edits else None
            raise AssertionError(
                f"the response to {interaction.label} was a {response.kind}, not a message"
            )

        return await self._wait(probe, within, f"the final message for {interaction.label}")

    async def _wait(self, probe: Callable[[], T | None], within: float | None, what: str) -> T:
        return await self._em.world.wait_for(probe, within=within or self.timeout, what=what)

    def _failures_hint(self) -> str:
        new = self._em.failures[self._failures_before :]
        return f"; emulator failures meanwhile: {new}" if new else ""


class Person:
    """A Discord user acting through the client: commands, buttons, selects, modals, messages."""

    def __init__(
        self, emulator: EmulatorHost, user: User, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self._em = emulator
        self.user = user
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<Person {self.user.username}>"

    # -- acting ---------------------------------------------------------------------------

    async def slash(
        self,
        guild: Guild | None,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: Channel | None = None,
        subcommand: str | None = None,
        wait: bool = True,
    ) -> InteractionResult:
        """Run ``/name`` (``guild=None``: in the DM with the bot); waits for the first response."""
        where = self._where(guild, channel)
        command = self._command(guild, name)
        resolved = Resolved(guild, where, self._em.world, self.user)
        data = self._command_data(command, options or {}, subcommand, resolved, focused=None)
        return await self._invoke(APPLICATION_COMMAND, guild, where, data, None, wait=wait)

    async def autocomplete(
        self,
        guild: Guild | None,
        name: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        channel: Channel | None = None,
        subcommand: str | None = None,
    ) -> list[dict[str, Any]]:
        """Type into option ``focused``; returns the choices the bot offers."""
        where = self._where(guild, channel)
        command = self._command(guild, name)
        resolved = Resolved(guild, where, self._em.world, self.user)
        data = self._command_data(command, options, subcommand, resolved, focused=focused)
        result = await self._invoke(AUTOCOMPLETE, guild, where, data, None, wait=True)
        return list(result.response.choices or [])

    async def context_menu(
        self,
        guild: Guild | None,
        name: str,
        target: User | Message,
        *,
        channel: Channel | None = None,
        wait: bool = True,
    ) -> InteractionResult:
        """Use an app's user command (on a User) or message command (on a Message)."""
        on_message = isinstance(target, Message)
        if isinstance(target, Message):
            self._check_sees(target)
            channel = target.channel
        where = self._where(guild, channel)
        command = self._command(guild, name, MESSAGE_COMMAND if on_message else USER_COMMAND)
        resolved = Resolved(guild, where, self._em.world, self.user)
        if isinstance(target, Message):
            resolved.messages[str(target.id)] = target.to_payload()
        else:
            resolved.add(target)
        data: dict[str, Any] = {
            "id": str(command.id),
            "name": command.name,
            "type": command.type,
            "target_id": str(target.id),
            "resolved": resolved.to_payload(),
        }
        if command.guild_id is not None:
            data["guild_id"] = str(command.guild_id)
        return await self._invoke(APPLICATION_COMMAND, guild, where, data, None, wait=wait)

    async def press(
        self,
        message: Message,
        *,
        custom_id: str | None = None,
        label: str | None = None,
        wait: bool = True,
    ) -> InteractionResult:
        """Press a button (found by custom_id or label) on a message the person can see."""
        self._check_sees(message)
        button = forms.find_button(message, custom_id=custom_id, label=label)
        data = {"custom_id": button["custom_id"], "component_type": forms.BUTTON}
        guild = self._em.world.guild_of(message.channel)
        return await self._invoke(
            MESSAGE_COMPONENT, guild, message.channel, data, message, wait=wait
        )

    async def select(
        self, message: Message, custom_id: str, values: list[Any], *, wait: bool = True
    ) -> InteractionResult:
        """Pick values in a select menu (strings, or Users/Roles/Channels for the other selects)."""
        self._check_sees(message)
        select = forms.find_select(message, custom_id)
        guild = self._em.world.guild_of(message.channel)
        resolved = Resolved(guild, message.channel, self._em.world, self.user)
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": select["type"],
            "values": forms.picked(select, values, resolved, required=True),
        }
        if resolved.to_payload():
            data["resolved"] = resolved.to_payload()
        return await self._invoke(
            MESSAGE_COMPONENT, guild, message.channel, data, message, wait=wait
        )

    async def submit(
        self, modal: Modal, values: Mapping[str, Any], *, wait: bool = True
    ) -> InteractionResult:
        """Fill in and submit a modal the bot showed this person."""
        opener = modal.opened_by
        if opener.user is not self.user:
            raise AssertionError(
                f"{self.user.username} cannot submit a modal shown to {opener.user.username}"
            )
        resolved = Resolved(opener.guild, opener.channel, self._em.world, self.user)
        data: dict[str, Any] = {
            "custom_id": modal.custom_id,
            "components": forms.modal_submission(modal, values, resolved),
        }
        self._em.world.typed += forms.typed(modal, values)
        if resolved.to_payload():
            data["resolved"] = resolved.to_payload()
        return await self._invoke(
            MODAL_SUBMIT, opener.guild, opener.channel, data, opener.source_message, wait=wait
        )

    def say(self, channel: Channel, content: str) -> Message:
        """Post a message in a channel (MESSAGE_CREATE reaches the bot as on Discord)."""
        guild = self._em.world.guild_of(channel)
        self._em.world.typed.append(content)
        if guild is not None:
            needed = perm.VIEW_CHANNEL | perm.SEND_MESSAGES
            if guild.permissions_for(self.user, channel) & needed != needed:
                raise AssertionError(f"{self.user.username} cannot write in #{channel.name}")
        return messages.create(
            self._em.world, channel=channel, author=self.user, body={"content": content}, files=[]
        )

    def mark_interested(self, event: ScheduledEvent) -> None:
        """Press "Interested" on a server's event: Discord tells bots with the
        scheduled-events intent who did (GUILD_SCHEDULED_EVENT_USER_ADD)."""
        guild = self._em.world.guilds[event.guild_id]
        if guild.member(self.user) is None:
            raise AssertionError(f"{self.user.username} is not in {guild.name}")
        event.user_count += 1
        guild.dispatch(
            "GUILD_SCHEDULED_EVENT_USER_ADD",
            {
                "guild_scheduled_event_id": str(event.id),
                "user_id": str(self.user.id),
                "guild_id": str(guild.id),
            },
        )

    def send_dm(self, content: str) -> Message:
        """Write to the bot in the DM channel."""
        return self.say(self._em.world.dm_channel(self.user), content)

    # -- seeing ---------------------------------------------------------------------------

    def sees(self, channel: Channel) -> list[Message]:
        return self._em.channel_messages(channel, viewer=self.user)

    def dms(self) -> list[Message]:
        """The messages in this person's DM with the bot, oldest first."""
        return self.sees(self._em.world.dm_channel(self.user))

    async def wait_for_message(
        self, channel: Channel, *, contains: str = "", within: float | None = None
    ) -> Message:
        """The first bot message in ``channel`` that this person sees with ``contains`` in it."""

        def probe() -> Message | None:
            return next(
                (
                    m
                    for m in self.sees(channel)
                    if m.author is self._em.world.bot_user and contains in m.text
                ),
                None,
            )

        where = f"#{channel.name}" if channel.name else "the DM"
        return await self._em.world.wait_for(
            probe,
            within=within or self.timeout,
            what=f"a message from the bot in {where} containing {contains!r}"
            f" (seen by {self.user.username})",
        )

    async def wait_for_dm(self, *, contains: str = "", within: float | None = None) -> Message:
        return await self.wait_for_message(
            self._em.world.dm_channel(self.user), contains=contains, within=within
        )

    # -- helpers --------------------------------------------------------------------------

    def _where(self, guild: Guild | None, channel: Channel | None) -> Channel:
        if guild is None:
            return channel or self._em.world.dm_channel(self.user)
        where = channel or (guild.text_channels[0] if guild.text_channels else None)
        if where is None:
            raise AssertionError(f"{guild.name} has no text channel to run a command in")
        needed = perm.VIEW_CHANNEL | perm.USE_APPLICATION_COMMANDS
        if guild.permissions_for(self.user, where) & needed != needed:
            raise AssertionError(f"{self.user.username} cannot use commands in #{where.name}")
        return where

    def _command(self, guild: Guild | None, name: str, kind: int = 1) -> ApplicationCommand:
        """The command as the client would offer it to this person, or a clear failure."""
        commands = self._em.world.commands.values()
        scopes = (guild.id, None) if guild is not None else (None,)
        candidates = [
            c for c in commands if c.name == name and c.type == kind and c.guild_id in scopes
        ]
        if guild is not None and not guild.has_bot:
            candidates = []
        if not candidates:
            known = sorted({c.name for c in commands if c.guild_id in scopes})
            raise AssertionError(
                f"no {_KIND_NAMES[kind]} {'/' if kind == CHAT_INPUT else ''}{name} here; "
                f"registered: {known} (did the bot sync?)"
            )
        command = min(candidates, key=lambda c: c.guild_id is None)  # a guild command wins
        self._check_may_use(command, guild)
        return command

    def _check_may_use(self, command: ApplicationCommand, guild: Guild | None) -> None:
        contexts = command.body.get("contexts")
        context = 0 if guild is not None else 1
        hidden = (contexts is not None and context not in contexts) or (
            guild is None and command.body.get("dm_permission") is False
        )
        required = command.body.get("default_member_permissions")
        overridden = guild is not None and command.name in guild.commands_open_to_everyone
        if guild is not None and required is not None and not overridden:
            granted = guild.permissions_for(self.user)
            needed = int(required)
            if not granted & perm.ADMINISTRATOR and (needed == 0 or granted & needed != needed):
                hidden = True
        if hidden:
            raise AssertionError(f"/{command.name} is not offered to {self.user.username} here")

    def _command_data(
        self,
        command: ApplicationCommand,
        options: Mapping[str, Any],
        subcommand: str | None,
        resolved: Resolved,
        *,
        focused: str | None,
    ) -> dict[str, Any]:
        chain, definitions = find_subcommand(
            command.options, subcommand.split() if subcommand else []
        )
        data: dict[str, Any] = {"id": str(command.id), "name": command.name, "type": command.type}
        self._em.world.typed += free_text(definitions, options)
        built = nest(chain, command_options(definitions, options, resolved, focused=focused))
        if built:
            data["options"] = built
        if resolved.to_payload():
            data["resolved"] = resolved.to_payload()
        if command.guild_id is not None:
            data["guild_id"] = str(command.guild_id)
        return data

    def _check_sees(self, message: Message) -> None:
        if message not in self.sees(message.channel):
            raise AssertionError(
                f"{self.user.username} cannot see message {message.id} ({message.text!r})"
            )

    async def _invoke(
        self,
        kind: int,
        guild: Guild | None,
        channel: Channel,
        data: dict[str, Any],
        source: Message | None,
        *,
        wait: bool,
    ) -> InteractionResult:
        if not self._em.gateway.live:
            raise AssertionError("no bot session on the gateway: start the bot before acting")
        interaction = new_interaction(
            self._em.world,
            kind=kind,
            user=self.user,
            guild=guild,
            channel=channel,
            data=data,
            source_message=source,
        )
        self._em.world.dispatch(
            "INTERACTION_CREATE", interaction.payload, guild.id if guild else None
        )
        result = InteractionResult(self._em, interaction, self.timeout)
        if wait:
            await result.wait()
        return result
