"""An announcement to 30 associations, 3 of which opted out and 2 of which cannot receive it
(one deleted its channel, one took the bot's right to post away), while the bot is killed
half-way: the restarted bot finishes the rest, every association gets it exactly once, and
the coordinator's report says what happened to each, in words.

The bot runs in a separate process (``announce_crash_bot.py``) against this test's emulator
and database, as in tests/e2e/escalation/test_escalation_crash.py, whose fixtures this uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from discord_emulator import Emulator
from tests.e2e.escalation import test_escalation_crash as crash
from tests.e2e.escalation.test_escalation_crash import (  # noqa: F401  (fixtures)
    BotProcess,
    bot_process,
    database,
)
from tests.e2e.network.announce_steps import (
    TEXT_EN,
    TEXT_NL,
    announcement_channel,
    choose,
    copies,
    delete_channel,
    fields,
    forbid_posting,
    report,
    send,
    with_channels,
    write,
)
from tests.e2e.network.steps import request_to_join
from vcpbot.db import Database
from vcpbot_harness import NetworkWorld, seed_network_world
from vcpbot_harness.steps import network as network_steps

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).parent / "announce_crash_bot.py"
KEYS = [f"v{n:02d}" for n in range(1, 31)]
OPTED_OUT = ("v05", "v15", "v25")
GONE, CLOSED = "v10", "v20"
DELIVERED_BEFORE_THE_CRASH = 8


def _name(key: str) -> str:
    return f"Vereniging {key[1:]}"


@pytest.fixture
def world(emulator: Emulator) -> NetworkWorld:
    # Odd ones Dutch, even ones English.
    thirty = tuple((key, _name(key), "nl" if int(key[1:]) % 2 else "en-US") for key in KEYS)
    return with_channels(seed_network_world(emulator, associations=thirty))


@pytest.fixture(autouse=True)
def announcing_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot processes of this module run ``announce_crash_bot.py``."""
    monkeypatch.setattr(crash, "SCRIPT", SCRIPT)


async def _thirty_in_the_network(emulator: Emulator, world: NetworkWorld) -> None:
    await network_steps.set_up_hub(emulator, world)
    for key in KEYS:
        language = "nl" if int(key[1:]) % 2 else "en"
        await request_to_join(emulator, world, key, language=language)
        card = await network_steps.join_card(emulator, world, key)
        await network_steps.approve(emulator, world, card)
        if key in OPTED_OUT:
            await choose(emulator, world, key, receive=False)
        else:
            await choose(emulator, world, key, channel=announcement_channel(world, key))


async def _count(db: Database, state: str) -> int:
    async with db.sessions.begin() as session:
        query = text("SELECT count(*) FROM announcement_deliveries WHERE state = :state")
        return int(await session.scalar(query, {"state": state}) or 0)


async def test_thirty_associations_each_get_it_once_through_a_crash_half_way(
    emulator: Emulator,
    world: NetworkWorld,
    database: tuple[str, Database],  # noqa: F811
    bot_process: BotProcess,  # noqa: F811
) -> None:
    _, db = database
    await bot_process.start(
        VCPBOT_TEST_SYNC="1", VCPBOT_TEST_DIE_AFTER_ANNOUNCED=str(DELIVERED_BEFORE_THE_CRASH)
    )
    await _thirty_in_the_network(emulator, world)
    delete_channel(emulator, world, announcement_channel(world, GONE))
    forbid_posting(emulator, world, CLOSED, announcement_channel(world, CLOSED))
    receiving = [k for k in KEYS if k not in OPTED_OUT and k not in (GONE, CLOSED)]
    channels = {key: announcement_channel(world, key) for key in receiving}

    preview = await write(emulator, world)
    assert "12 verenigingen krijgen de Nederlandse tekst" in preview.text
    assert "15 verenigingen krijgen de Engelse tekst" in preview.text
    await send(emulator, world, preview, "Versturen")

    # The bot dies right after Discord took a copy it had not yet marked as delivered.
    assert await bot_process.exited(within=30) == 137
    posted = [key for key, channel in channels.items() if copies(emulator, channel)]
    assert len(posted) == DELIVERED_BEFORE_THE_CRASH + 1
    # One copy is in its channel but not known to be: the restarted bot must find it.
    assert await _count(db, "delivered") == DELIVERED_BEFORE_THE_CRASH
    assert await _count(db, "pending") > 0

    await bot_process.start()
    seen = fields(await report(emulator, world))

    for key, channel in channels.items():
        [copy] = copies(emulator, channel)  # exactly one each, the crashed one included
        expected = TEXT_NL if int(key[1:]) % 2 else TEXT_EN
        assert copy.embeds[0]["description"] == expected, key
        assert copy.content == "" and copy.mention_roles == []
    for key in OPTED_OUT:
        assert copies(emulator, announcement_channel(world, key)) == []
    assert copies(emulator, announcement_channel(world, CLOSED)) == []
    assert await _count(db, "pending") == 0
    assert seen["Aangekomen bij 25 verenigingen"].split("\n") == [_name(k) for k in receiving]
    assert seen["Niet gelukt bij 2 verenigingen"] == (
        "Vereniging 10: het kanaal bestaat niet meer; het bestuur kan een nieuw kiezen "
        "met /instellen-aankondigingen\n"
        "Vereniging 20: de bot mag daar geen berichten versturen; het bestuur kan de bot "
        "die rechten geven"
    )
    assert seen["Niet verstuurd naar 3 verenigingen"] == (
        "Vereniging 05: afgemeld voor aankondigingen\n"
        "Vereniging 15: afgemeld voor aankondigingen\n"
        "Vereniging 25: afgemeld voor aankondigingen"
    )
