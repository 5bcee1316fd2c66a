"""Steps of the KMTM count: ``/kmtm`` commands, a contact logged through the form (from
the panel's button or ``/kmtm log``), and the report's preview posted for the team."""

from __future__ import annotations

from typing import Any

from discord_emulator import Channel, Emulator, Guild, Message, Modal, Response, User
from vcpbot_harness import NetworkWorld

LOG_ID = "vcp:kmtm:log"
POST_ID = "vcp:kmtm:post:"
# A report is drawn after a deferral, which Discord allows 15 minutes; a busy machine
# may need more than the emulator's default few seconds.
REPORT_WITHIN_S = 30


async def kmtm(
    emulator: Emulator,
    user: User,
    guild: Guild,
    subcommand: str,
    options: dict[str, Any] | None = None,
    *,
    channel: Channel | None = None,
) -> Message:
    """Run ``/kmtm <subcommand>`` and return what the person ends up seeing."""
    result = await emulator.person(user).slash(
        guild, "kmtm", options, subcommand=subcommand, channel=channel
    )
    return await result.final(within=REPORT_WITHIN_S)


async def open_log_form(
    emulator: Emulator, vcp: User, guild: Guild, *, panel: Message | None = None
) -> Response:
    """``/kmtm log``, or the panel's button: the form, or the reason it is refused."""
    person = emulator.person(vcp)
    if panel is None:
        opened = await person.slash(guild, "kmtm", subcommand="log")
    else:
        opened = await person.press(panel, custom_id=LOG_ID)
    return await opened.wait()


async def send_contact(
    emulator: Emulator, vcp: User, form: Modal, choice: dict[str, str]
) -> Message:
    """The VCP submits the three choices: the confirmation."""
    return await (await emulator.person(vcp).submit(form, choice)).final()


def post_buttons(preview: Message) -> list[dict[str, Any]]:
    """The preview's "Post in #channel" buttons."""
    return [b for b in preview.buttons if b["custom_id"].startswith(POST_ID)]


async def press_post(emulator: Emulator, world: NetworkWorld, preview: Message) -> Message:
    """The coordinator presses "Post in #channel" on the preview: the message the team sees."""
    post = post_buttons(preview)[0]
    pressed = await emulator.person(world.coordinator).press(preview, custom_id=post["custom_id"])
    posted = await pressed.followup(within=REPORT_WITHIN_S)
    await pressed.final(within=REPORT_WITHIN_S)  # the preview, updated to say where it went
    return posted
