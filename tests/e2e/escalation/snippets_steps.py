"""Steps the saved-replies stories share: /snippets add, edit, list, remove, and Reply
started from a saved reply."""

from __future__ import annotations

from typing import Any

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from discord_emulator.interactions import Modal

PICKER = "vcp:esc-s:snip-pick:"


async def add_snippet(
    emulator: Emulator, user: User, guild: Any, *, name: str, nl: str, en: str
) -> Message:
    """/snippets add, the form filled in: the answer."""
    form = await snippet_form(emulator, user, guild, "add")
    values = {"name": name, "text_nl": nl, "text_en": en}
    return await (await emulator.person(user).submit(form, values)).final()


async def snippet_form(
    emulator: Emulator, user: User, guild: Any, subcommand: str, name: str | None = None
) -> Modal:
    options = {} if name is None else {"name": name}
    result = await emulator.person(user).slash(guild, "snippets", options, subcommand=subcommand)
    form = (await result.wait()).modal
    assert form is not None, (await result.final()).text
    return form


async def snippets_command(
    emulator: Emulator, user: User, guild: Any, subcommand: str, name: str | None = None
) -> Message:
    """/snippets list (or remove name:…): the private answer."""
    options = {} if name is None else {"name": name}
    result = await emulator.person(user).slash(guild, "snippets", options, subcommand=subcommand)
    return await result.final()


def picker_id(message: Message) -> str:
    for component in message.walk_components():
        if str(component.get("custom_id") or "").startswith(PICKER):
            return str(component["custom_id"])
    raise AssertionError(f"no saved-reply picker on {message.text!r}")


def picker_options(message: Message) -> list[dict[str, Any]]:
    custom_id = picker_id(message)
    select = next(c for c in message.walk_components() if c.get("custom_id") == custom_id)
    return list(select["options"])


def option_value(message: Message, label: str) -> str:
    for option in picker_options(message):
        if option["label"] == label:
            return str(option["value"])
    raise AssertionError(f"no option {label!r} in {[o['label'] for o in picker_options(message)]}")


async def reply_from(
    emulator: Emulator, user: User, card: Message, *, button: str, option: str
) -> tuple[Message, Modal]:
    """Press Reply on a card, pick ``option`` in the picker: the picker and the Reply form."""
    person = emulator.person(user)
    picker = await (await person.press(card, label=button)).final()
    assert picker.ephemeral, picker.text
    chosen = await person.select(picker, picker_id(picker), [option_value(picker, option)])
    form = (await chosen.wait()).modal
    assert form is not None
    return picker, form
