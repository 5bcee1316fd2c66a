"""A minimal discord.py bot, and fixtures that run it against the Discord emulator.

The bot is deliberately small but uses the features the real bot relies on:
app commands (global and per guild), ephemeral replies, deferral and
followups, a persistent view and a DynamicItem, a modal with Label-wrapped
fields, option types that need ``resolved`` data, autocomplete, DMs, roles
and scheduled events (the last ones driven from the tests through the bot).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from discord_emulator import Emulator
from vcpbot_harness import point_discord_py


class EscalateForm(discord.ui.Modal, title="Escalate"):
    what: discord.ui.Label[Any] = discord.ui.Label(
        text="What happened",
        component=discord.ui.TextInput(
            custom_id="what", style=discord.TextStyle.paragraph, max_length=500
        ),
    )
    urgency: discord.ui.Label[Any] = discord.ui.Label(
        text="Urgency",
        component=discord.ui.Select(
            custom_id="urgency",
            options=[
                discord.SelectOption(label="Low", value="low"),
                discord.SelectOption(label="High", value="high"),
            ],
        ),
    )
    share: discord.ui.Label[Any] = discord.ui.Label(
        text="Show the association's name?",
        description="Only the UM team sees it.",
        component=discord.ui.RadioGroup(
            custom_id="share",
            options=[
                discord.RadioGroupOption(label="Yes", value="yes"),
                discord.RadioGroupOption(label="No", value="no", default=True),
            ],
        ),
    )

    def __init__(self) -> None:
        super().__init__(custom_id="vcp:test:escalate-form")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        what = self.what.component
        urgency = self.urgency.component
        share = self.share.component
        assert isinstance(what, discord.ui.TextInput)
        assert isinstance(urgency, discord.ui.Select)
        assert isinstance(share, discord.ui.RadioGroup)
        await interaction.response.send_message(
            f"Case noted: {what.value} ({urgency.values[0]}, share={share.value})", ephemeral=True
        )


class CounterButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"vcp:test:count:(?P<n>\d+)"
):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=f"Count {n}", custom_id=f"vcp:test:count:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CounterButton:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(CounterButton(self.n + 1))
        await interaction.response.edit_message(content=f"Counted {self.n + 1}", view=view)


class PanelView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.add_item(CounterButton(0))

    @discord.ui.button(label="Escalate", custom_id="vcp:test:escalate")
    async def escalate(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(EscalateForm())


class FruitView(discord.ui.View):
    @discord.ui.select(
        custom_id="fruit",
        options=[discord.SelectOption(label=f, value=f) for f in ("apple", "pear", "plum")],
        max_values=2,
    )
    async def fruit(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.edit_message(
            content=f"picked {', '.join(select.values)}", view=None
        )


class MiniTree(app_commands.CommandTree["MiniBot"]):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        assert isinstance(self.client, MiniBot)
        self.client.errors.append(getattr(error, "original", error))


class MiniBot(commands.Bot):
    def __init__(self, *, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.05,
            chunk_guilds_at_startup=False,
            tree_cls=MiniTree,
        )
        self.errors: list[BaseException] = []
        self.events: list[tuple[str, Any]] = []
        self.slow_delay = 0.0

    async def setup_hook(self) -> None:
        self.add_view(PanelView())
        self.add_dynamic_items(CounterButton)
        _install_commands(self)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py sleeps 5 s before a re-IDENTIFY (Discord's identify rate limit),
        # which the emulator does not model; skipping it keeps reconnect tests fast.
        return

    def record(self, name: str, value: Any) -> None:
        self.events.append((name, value))

    async def on_message(self, message: discord.Message) -> None:
        self.record("message", message)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.record("guild_join", guild.id)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.record("guild_remove", guild.id)

    async def on_member_join(self, member: discord.Member) -> None:
        self.record("member_join", member.id)

    async def on_scheduled_event_create(self, event: discord.ScheduledEvent) -> None:
        self.record("event_create", event.name)

    async def on_scheduled_event_update(
        self, before: discord.ScheduledEvent, after: discord.ScheduledEvent
    ) -> None:
        self.record("event_update", after.name)

    async def on_scheduled_event_delete(self, event: discord.ScheduledEvent) -> None:
        self.record("event_delete", event.name)

    async def on_resumed(self) -> None:
        self.record("resumed", None)


def _install_commands(bot: MiniBot) -> None:
    tree = bot.tree

    @tree.command(description="Say hello")
    async def hello(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"Hello, {interaction.user.display_name}! ({interaction.locale.value}, "
            f"{interaction.guild_locale.value if interaction.guild_locale else '-'})",
            ephemeral=True,
        )

    @tree.command(description="A report that takes a while")
    async def report(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content=f"Report on {topic}")
        await interaction.followup.send("details for you", ephemeral=True)

    @tree.command(description="Post the help panel")
    async def panel(interaction: discord.Interaction) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        await interaction.channel.send("Need help?", view=PanelView())
        await interaction.response.send_message("posted", ephemeral=True)

    @tree.command(description="Pick fruit")
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Pick fruit", view=FruitView())

    @tree.command(description="Describe things")
    async def describe(
        interaction: discord.Interaction,
        who: discord.Member,
        role: discord.Role,
        where: discord.TextChannel,
        file: discord.Attachment,
    ) -> None:
        data = await file.read()
        await interaction.response.send_message(
            f"{who.display_name}|{role.name}|{where.name}|{file.filename}:{data.decode()}"
        )

    @tree.command(description="Answers late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(bot.slow_delay)
        await interaction.response.send_message("finally")

    async def fruit_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["apple", "apricot", "banana"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @tree.command(description="Choose a fruit")
    @app_commands.autocomplete(name=fruit_names)
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"you chose {name}")

    @tree.command(name="board-only", description="For the board")
    @app_commands.default_permissions(manage_guild=True)
    async def board_only(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("welcome, board", ephemeral=True)


BotStarter = Callable[..., Awaitable[MiniBot]]


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A running emulator that discord.py points at; its failures fail the test."""
    em = Emulator()
    await em.start()
    try:
        with point_discord_py(em):
            yield em
    finally:
        await em.stop()
    em.assert_no_failures()


@pytest.fixture
async def start_bot(emulator: Emulator) -> AsyncIterator[BotStarter]:
    """Start MiniBots against the emulator (login, connect, wait for ready); closed at teardown."""
    running: list[tuple[MiniBot, asyncio.Task[None]]] = []

    async def start(
        bot: MiniBot | None = None, *, sync: bool = True, intents: discord.Intents | None = None
    ) -> MiniBot:
        bot = bot or MiniBot(intents=intents)
        await bot.login(emulator.token)
        task = asyncio.create_task(bot.connect())
        running.append((bot, task))
        await asyncio.wait_for(bot.wait_until_ready(), timeout=5)
        if sync:
            await bot.tree.sync()
        return bot

    yield start
    for bot, task in running:
        await bot.close()
        await asyncio.wait_for(task, timeout=5)


@pytest.fixture
def world(emulator: Emulator) -> dict[str, Any]:
    """A guild with an owner, a member and a channel; the bot is in it with its managed role."""
    owner = emulator.create_user("owner")
    alice = emulator.create_user("alice", locale="nl")
    bob = emulator.create_user("bob")
    guild = emulator.create_guild("Association", owner=owner, locale="nl")
    emulator.add_member(guild, alice)
    emulator.add_member(guild, bob)
    return {
        "emulator": emulator,
        "owner": owner,
        "alice": alice,
        "bob": bob,
        "guild": guild,
        "channel": guild.text_channels[0],
    }
