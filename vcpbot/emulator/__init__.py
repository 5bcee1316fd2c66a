"""An in-process Discord emulator (REST v10 + gateway) for testing the unmodified bot offline.

The bot under test is the real bot on real discord.py code paths; only the URLs differ.
A test builds a world, starts the bot, acts as people and asserts on what they see::

    async with Emulator() as emulator:
        with point_discord_py(emulator):
            alice = emulator.create_user("alice", locale="nl")
            guild = emulator.create_guild("Association", owner=alice, locale="nl")
            await bot.login(emulator.token)
            task = asyncio.create_task(bot.connect())
            await bot.wait_until_ready()
            await bot.tree.sync()

            result = await emulator.person(alice).slash(guild, "help")
            assert result.response.message.ephemeral
            ...
        await bot.close()
        await task
    emulator.assert_no_failures()

Unmodelled endpoints and request bodies Discord would reject land in
``emulator.failures``; Discord's rules (3 s to answer an interaction, one
answer, size limits, permissions, rate limits) are enforced as Discord does.
"""

from vcpbot.emulator.driver import InteractionResult, Person
from vcpbot.emulator.entities import (
    Attachment,
    Channel,
    Member,
    Message,
    Overwrite,
    Role,
    ScheduledEvent,
    User,
)
from vcpbot.emulator.guild import Guild
from vcpbot.emulator.interactions import Interaction, Modal, Response
from vcpbot.emulator.server import Emulator, point_discord_py
from vcpbot.emulator.world import World

__all__ = [
    "Attachment",
    "Channel",
    "Emulator",
    "Guild",
    "Interaction",
    "InteractionResult",
    "Member",
    "Message",
    "Modal",
    "Overwrite",
    "Person",
    "Response",
    "Role",
    "ScheduledEvent",
    "User",
    "World",
    "point_discord_py",
]
