"""Files with a case: the reporter adds them through a form, and sees them again; the
handlers see them from Open. Only ever in ephemeral answers.

The form is a modal with Discord's file-upload component, so the upload is tied to this
interaction and to no channel; it says first what Discord itself keeps of an upload. It
is a form of its own, opened from the receipt and from /my-case, rather than a field of
the report form: that form already holds five rows when the reporter is their
association's only VCP, and the note needs room to be read before anything is sent.
The bytes are downloaded before the transaction (no Discord call inside one), checked
and sealed by the service; the files are shown again from the decrypted bytes, behind
a spoiler, never by Discord's link. No file's name is ever logged.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import discord

from cogs.escalation._access import acting_handler, unlock
from cogs.escalation._host import EscalationHost
from cogs.escalation._reporter import for_reporter
from cogs.escalation._sessions import SessionForm, SessionView
from cogs.escalation._words import receipt_not_found
from vcpbot.bot_types import Interaction, bot_of
from vcpbot.errors import InvalidInput
from vcpbot.i18n import Locale, t
from vcpbot.interactions import NO_MENTIONS, locale_of, report_error, send_private
from vcpbot.limits import FILE_UPLOAD_MAX, MESSAGE_FILES_MAX
from vcpbot.services import escalation
from vcpbot.services.escalation import FileView


class EvidenceForm(SessionForm):
    """The note on what Discord keeps, then the upload field."""

    wording = staticmethod(for_reporter)

    def __init__(self, cog: EscalationHost, *, receipt: str, locale: Locale) -> None:
        super().__init__(cog, title=t("evidence.form.title", locale), action="files")
        self.receipt = receipt
        policy = cog.require_config().policy
        size = escalation.size_text(policy.evidence_file_max_kib * 1024)
        self.files: Any = discord.ui.FileUpload(
            custom_id="files",
            min_values=1,
            max_values=max(1, min(FILE_UPLOAD_MAX, policy.evidence_case_max_files)),
            required=True,
        )
        self.add_item(discord.ui.TextDisplay(t("evidence.form.discord_note", locale)))
        self.add_item(
            discord.ui.Label(
                text=t("evidence.form.files", locale),
                description=t("evidence.form.files_hint", locale, size=size),
                component=self.files,
            )
        )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = bot_of(interaction)
        locale = locale_of(interaction)
        try:
            config = self.cog.require_config()
            uploads: list[discord.Attachment] = list(self.files.values)
            escalation.check_sizes(config, [a.size for a in uploads])
            files = [(a.filename, await _download(a)) for a in uploads]
            unlocked = await unlock(interaction, config, self.receipt)
            async with bot.db.sessions.begin() as session:
                added = await escalation.add_evidence(
                    session,
                    config=config,
                    unlocked=unlocked,
                    files=files,
                    line=lambda names: t("evidence.line", locale, names=names),
                    now=bot.clock(),
                )
        except Exception as exc:  # nothing was stored: say why, calmly
            await report_error(interaction, exc, for_reporter)
            return
        if added is None:
            await send_private(interaction, receipt_not_found(config, locale))
            return
        self.cog.kick()
        done = t("evidence.added", locale, count=added)
        await send_private(interaction, done + "\n\n" + t("evidence.added_next", locale))


async def _download(attachment: discord.Attachment) -> bytes:
    """The upload's bytes from Discord; a failure says so without naming the file."""
    try:
        return await attachment.read()
    except (discord.HTTPException, OSError):
        raise InvalidInput("evidence.error.download") from None


class ReporterFiles(SessionView):
    """The reporter's own files, and "Add a file" while the case is open."""

    wording = staticmethod(for_reporter)

    def __init__(self, cog: EscalationHost, *, receipt: str, closed: bool, locale: Locale) -> None:
        super().__init__(cog)
        self.receipt = receipt
        if not closed:
            self.button(t("evidence.add", locale), "add-file", self._add)

    async def _add(self, interaction: Interaction) -> None:
        await interaction.response.send_modal(
            EvidenceForm(self.cog, receipt=self.receipt, locale=locale_of(interaction))
        )


def add_file_button(view: SessionView, receipt: str, locale: Locale) -> None:
    """ "Add a file" on a reporter's private message (the receipt)."""

    async def add(interaction: Interaction) -> None:
        view.cog.require_config()
        await interaction.response.send_modal(
            EvidenceForm(view.cog, receipt=receipt, locale=locale_of(interaction))
        )

    view.button(t("evidence.add", locale), "add-file", add)


async def show_reporter_files(
    interaction: Interaction, cog: EscalationHost, *, receipt: str, code: str, closed: bool
) -> None:
    """/my-case's Files: the receipt checked again, the files shown only to its holder."""
    config = cog.require_config()
    locale = locale_of(interaction)
    await interaction.response.defer(ephemeral=True, thinking=True)
    unlocked = await unlock(interaction, config, receipt)
    async with bot_of(interaction).db.sessions.begin() as session:
        files = await escalation.reporter_files(session, config=config, unlocked=unlocked)
    if files is None:
        await send_private(interaction, receipt_not_found(config, locale))
        return
    view = ReporterFiles(cog, receipt=receipt, closed=closed, locale=locale)
    if not files:
        await send_private(interaction, t("evidence.none", locale), view=view)
        return
    await send_files(interaction, t("evidence.yours", locale, code=code), files, view=view)


async def show_case_files(
    interaction: Interaction, cog: EscalationHost, *, token: str, code: str
) -> None:
    """Open's "Files (n)": who is acting is asked again; the files only to them."""
    config = cog.require_config()
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with bot_of(interaction).db.sessions.begin() as session:
        handler = await acting_handler(interaction, session)
        files = await escalation.case_files(session, config=config, handler=handler, case_ref=token)
    locale = locale_of(interaction)
    await send_files(interaction, t("evidence.shown", locale, code=code), files)


async def send_files(
    interaction: Interaction,
    header: str,
    files: Sequence[FileView],
    *,
    view: discord.ui.View | None = None,
) -> None:
    """The files re-uploaded from their bytes, behind a spoiler, in as many ephemeral
    messages as Discord's limits need (files per message, bytes per upload)."""
    batches = _batches(files, interaction.filesize_limit)
    for n, batch in enumerate(batches):
        kwargs: dict[str, Any] = {
            "files": [
                discord.File(io.BytesIO(f.data), filename=f.name, spoiler=True) for f in batch
            ]
        }
        if n == 0:
            kwargs["content"] = header
        if view is not None and n == len(batches) - 1:
            kwargs["view"] = view
        await interaction.followup.send(ephemeral=True, allowed_mentions=NO_MENTIONS, **kwargs)


def _batches(files: Sequence[FileView], limit: int) -> list[list[FileView]]:
    batches: list[list[FileView]] = []
    size = 0
    for file in files:
        if not batches or len(batches[-1]) >= MESSAGE_FILES_MAX or size + len(file.data) > limit:
            batches.append([])
            size = 0
        batches[-1].append(file)
        size += len(file.data)
    return batches
