"""The bot is added to a server: it says, once and in both languages, what it is and
what to do next, where the server can read it, or else to the server's owner."""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from discord_emulator.entities import Message
from vcpbot.i18n import t
from vcpbot_harness import BotHarness, NetworkWorld


async def bot_joins(emulator: Emulator, harness: BotHarness, guild) -> None:
    emulator.add_bot_to_guild(guild)
    await emulator.world.wait_for(
        lambda: harness.bot.get_guild(guild.id) is not None, within=5, what="the bot to join"
    )


async def note_in(emulator: Emulator, guild, reader) -> Message:
    general = guild.text_channels[0]
    return await emulator.person(reader).wait_for_message(
        general, contains=t("help.welcome.title", "en")
    )


async def test_a_dutch_association_reads_what_the_bot_is_and_to_run_setup_dutch_first(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    board = emulator.create_user("bestuur", locale="nl")
    guild = emulator.create_guild("Koko", owner=board, locale="nl", with_bot=False)
    await bot_joins(emulator, harness, guild)
    note = await note_in(emulator, guild, board)
    text = note.text
    assert text.index(t("help.welcome.title", "nl")) < text.index(t("help.welcome.title", "en"))
    for locale in ("nl", "en"):
        assert t("help.welcome.association", locale) in text
    # Each language names the commands as that language's Discord shows them.
    assert "/instellen" in text
    assert "/hulp" in text
    assert "/setup" in text
    assert "/help" in text
    assert note.allowed_mentions == {"parse": []}
    [only] = [m for m in emulator.channel_messages(guild.text_channels[0], viewer=board)]
    assert only.id == note.id


async def test_an_english_server_reads_english_first(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    owner = emulator.create_user("owner", locale="en-GB")
    guild = emulator.create_guild("Saurus II", owner=owner, locale="en-US", with_bot=False)
    await bot_joins(emulator, harness, guild)
    text = (await note_in(emulator, guild, owner)).text
    assert text.index(t("help.welcome.title", "en")) < text.index(t("help.welcome.title", "nl"))


async def test_where_the_bot_may_not_write_the_owner_gets_the_note_privately(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    owner = emulator.create_user("eigenaar", locale="nl")
    guild = emulator.create_guild("Stille vereniging", owner=owner, locale="nl", with_bot=False)
    for channel in guild.text_channels:  # read-only for the bot, everywhere
        guild.set_overwrite(channel, guild.bot_role, deny=perm.SEND_MESSAGES)
    await bot_joins(emulator, harness, guild)
    dm = await emulator.person(owner).wait_for_dm(contains=t("help.welcome.title", "nl"))
    assert "Stille vereniging" in dm.text
    assert emulator.channel_messages(guild.text_channels[0], viewer=owner) == []


async def test_the_hub_is_told_to_run_hub_setup(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    emulator.remove_bot_from_guild(world.hub)
    await emulator.world.wait_for(
        lambda: harness.bot.get_guild(world.hub.id) is None, within=5, what="the bot to leave"
    )
    await bot_joins(emulator, harness, world.hub)
    note = await note_in(emulator, world.hub, world.coordinator)
    for locale in ("nl", "en"):
        assert t("help.welcome.hub", locale) in note.text
    assert "/hub setup" in note.text
