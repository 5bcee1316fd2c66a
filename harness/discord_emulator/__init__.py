"""An in-process Discord emulator (REST v10 + gateway) for testing the unmodified bot offline.

The bot under test is the real bot on real discord.py code paths; only the URLs differ.
A test builds a world, starts the bot, acts as people and asserts on what they see::

    async with Emulator() as emulator:
        with point_discord_py(emulator):  # vcpbot_harness, or set discord.py's URLs yourself
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

from discord_emulator.driver import InteractionResult, Person
from discord_emulator.entities import (
    Attachment,
    Channel,
    Member,
    Message,
    Overwrite,
    Role,
    ScheduledEvent,
    User,
)
from discord_emulator.guild import Guild
from discord_emulator.interactions import Interaction, Modal, Response
from discord_emulator.server import Emulator
from discord_emulator.world import World

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
]
