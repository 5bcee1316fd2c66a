"""Files the bot uploads: multipart requests as Discord's OpenAPI description has them
(``payload_json`` and ``files[0]`` to ``files[9]``), each file's description (the alt
text a screen reader reads) kept as the bot gave it, and refused where Discord would."""

from __future__ import annotations

import io
import json
from typing import Any

import aiohttp
import discord
import pytest

from discord_emulator import Emulator

CHART = b"\x89PNG\r\n\x1a\n fake chart"


def _file(name: str, description: str | None) -> discord.File:
    return discord.File(io.BytesIO(CHART), filename=name, description=description)


async def test_each_file_keeps_the_description_the_bot_gave_it(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    channel = bot.get_channel(world["channel"].id)
    assert isinstance(channel, discord.TextChannel)

    sent = await channel.send(
        "the report",
        files=[_file("chart.png", "Bar chart: contacts by category"), _file("data.csv", None)],
    )

    [seen] = [m for m in emulator.person(world["alice"]).sees(world["channel"]) if m.id == sent.id]
    assert [(a.filename, a.description) for a in seen.attachments] == [
        ("chart.png", "Bar chart: contacts by category"),
        ("data.csv", None),
    ]
    # And back to the bot as Discord returns it.
    assert [a.description for a in sent.attachments] == ["Bar chart: contacts by category", None]
    assert await sent.attachments[0].read() == CHART


async def test_a_description_longer_than_discord_allows_is_refused(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    bot = await start_bot()
    channel = bot.get_channel(world["channel"].id)
    assert isinstance(channel, discord.TextChannel)

    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(file=_file("chart.png", "x" * 1025))

    assert raised.value.code == 50035
    assert "attachments[0].description" in emulator.failures[0]
    emulator.failures.clear()


async def _post_files(emulator: Emulator, channel_id: int, parts: list[str]) -> tuple[int, Any]:
    """A multipart message as a client other than discord.py could send it."""
    form = aiohttp.FormData()
    ids = dict.fromkeys(int(name[len("files[") : -1]) for name in parts)
    listed = [{"id": n, "filename": f"f{n}.txt"} for n in ids]
    form.add_field(
        "payload_json",
        json.dumps({"content": "files", "attachments": listed}),
        content_type="application/json",
    )
    for n, name in enumerate(parts):
        form.add_field(name, io.BytesIO(b"x"), filename=f"f{n}.txt")
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{emulator.api_base}/channels/{channel_id}/messages",
            data=form,
            headers={"Authorization": f"Bot {emulator.token}"},
        ) as response,
    ):
        return response.status, await response.json()


async def test_more_files_than_discord_describes_are_refused(
    emulator: Emulator, world: dict[str, Any]
) -> None:
    """The description has files[0] to files[9], each once: files[10] or a second
    files[0] is a bad form, even when the attachments list itself is fine."""
    channel_id = world["channel"].id
    for parts in (["files[10]"], ["files[0]", "files[0]"]):
        status, body = await _post_files(emulator, channel_id, parts)
        assert (status, body.get("code")) == (400, 50035), parts
    failures, emulator.failures[:] = list(emulator.failures), []
    assert len(failures) == 2
    assert "files[10]" in failures[0] and "files[0]" in failures[1]
    status, _ = await _post_files(emulator, channel_id, [f"files[{n}]" for n in range(10)])
    assert status == 200
