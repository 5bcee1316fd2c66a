"""A modal's file-upload field as Discord has it: only inside a Label (the OpenAPI
description's modal components), the picked files in ``data.resolved.attachments`` and
their ids in the field's ``values``, their bytes at their URL; and a file over the
upload limit or something that is not a file is refused by the client, before any
request."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from discord_emulator import Emulator
from discord_emulator.forms import UPLOAD_LIMIT
from tests.emulator.conftest import MiniBot


class UploadForm(discord.ui.Modal, title="Add a file"):
    files: discord.ui.Label[Any] = discord.ui.Label(
        text="Files",
        component=discord.ui.FileUpload(custom_id="files", min_values=1, max_values=2),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        upload = self.files.component
        assert isinstance(upload, discord.ui.FileUpload)
        read = [f"{a.filename}:{(await a.read()).decode()}" for a in upload.values]
        await interaction.response.send_message(" ".join(read), ephemeral=True)


class BareUploadForm(discord.ui.Modal, title="Bare"):
    """A file-upload field outside a Label: Discord's description has no such modal."""

    files: discord.ui.FileUpload[Any] = discord.ui.FileUpload(custom_id="files")


class UploadBot(MiniBot):
    async def setup_hook(self) -> None:
        await super().setup_hook()

        @self.tree.command(description="Upload a file")
        async def upload(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(UploadForm())

        @self.tree.command(description="A form Discord refuses")
        async def bare(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_modal(BareUploadForm())
            except discord.HTTPException as exc:
                await interaction.response.send_message(f"refused {exc.code}", ephemeral=True)


async def _form(emulator: Emulator, start_bot: Any, world: dict[str, Any]) -> Any:
    await start_bot(UploadBot())
    shown = await emulator.person(world["alice"]).slash(world["guild"], "upload")
    assert shown.response.modal is not None
    return shown.response.modal


async def test_uploaded_files_reach_the_bot_resolved_and_downloadable(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    form = await _form(emulator, start_bot, world)
    notes = [emulator.upload(f"n{n}.txt", f"note {n}".encode()) for n in (1, 2)]

    submitted = await emulator.person(world["alice"]).submit(form, {"files": notes})

    reply = submitted.response.message
    assert reply is not None and reply.content == "n1.txt:note 1 n2.txt:note 2"
    data = submitted.interaction.data
    [label] = data["components"]
    assert label["type"] == 18 and label["component"]["type"] == 19
    assert label["component"]["values"] == [str(n.id) for n in notes]
    assert set(data["resolved"]["attachments"]) == {str(n.id) for n in notes}


async def test_the_client_refuses_a_file_over_the_limit_or_something_else(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    form = await _form(emulator, start_bot, world)
    alice = emulator.person(world["alice"])
    big = emulator.upload("big.pdf", b"x" * (UPLOAD_LIMIT + 1))

    with pytest.raises(AssertionError, match="upload limit"):
        await alice.submit(form, {"files": [big]})
    with pytest.raises(AssertionError, match="takes files"):
        await alice.submit(form, {"files": [world["bob"]]})
    with pytest.raises(AssertionError, match="between 1 and 2"):
        await alice.submit(form, {"files": []})


async def test_a_file_upload_outside_a_label_is_refused_as_discord_would(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot(UploadBot())
    shown = await emulator.person(world["alice"]).slash(world["guild"], "bare")
    reply = await shown.final()
    assert reply.content == "refused 50035"
    assert emulator.failures, "the emulator records the request Discord would reject"
    emulator.failures.clear()
