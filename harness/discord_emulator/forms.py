"""What a person can click and fill in, checked the way Discord's client checks it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from discord_emulator.entities import Attachment, Message, walk_components
from discord_emulator.interactions import MODAL_VALUE_KEYS, Modal
from discord_emulator.invoke import ATTACHMENT_SIZE_LIMIT, Resolved

BUTTON = 2
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
STRING_SELECT, TEXT_INPUT, FILE_UPLOAD, RADIO_GROUP, CHECKBOX_GROUP, CHECKBOX = 3, 4, 19, 21, 22, 23
ACTION_ROW, TEXT_DISPLAY, LABEL = 1, 10, 18
# What a person may upload (the client refuses more before anything is sent).
UPLOAD_LIMIT = ATTACHMENT_SIZE_LIMIT
_NO_INTERACTION_STYLES = frozenset({5, 6})  # link and premium buttons open something else


def find_button(message: Message, *, custom_id: str | None, label: str | None) -> dict[str, Any]:
    buttons = message.buttons
    for button in buttons:
        if (custom_id is not None and button.get("custom_id") == custom_id) or (
            label is not None and button.get("label") == label
        ):
            if button.get("disabled"):
                raise AssertionError(f"button {label or custom_id!r} is disabled")
            if button.get("style") in _NO_INTERACTION_STYLES:
                raise AssertionError(f"button {label or custom_id!r} is a link, not an interaction")
            return button
    shown = [(b.get("label"), b.get("custom_id")) for b in buttons]
    raise AssertionError(f"no button {label or custom_id!r} on the message; it has {shown}")


def find_select(message: Message, custom_id: str) -> dict[str, Any]:
    selects = [c for c in walk_components(message.components) if c.get("type") in SELECT_TYPES]
    for select in selects:
        if select.get("custom_id") == custom_id:
            if select.get("disabled"):
                raise AssertionError(f"select {custom_id!r} is disabled")
            return select
    raise AssertionError(
        f"no select {custom_id!r}; the message has {[s.get('custom_id') for s in selects]}"
    )


def picked(
    component: dict[str, Any], values: list[Any], resolved: Resolved, *, required: bool
) -> list[str]:
    """Values of a select (or checkbox group, file upload), checked against options and bounds."""
    where = f"{component.get('custom_id')!r}"
    low = component.get("min_values", 1 if required else 0)
    high = component.get("max_values", 1)
    if not low <= len(values) <= high:
        raise AssertionError(f"{where}: pick between {low} and {high} values, not {len(values)}")
    if component["type"] in (STRING_SELECT, CHECKBOX_GROUP):
        offered = [o["value"] for o in component.get("options", [])]
        wrong = [v for v in values if v not in offered]
        if wrong:
            raise AssertionError(f"{where}: {wrong} not among the options {offered}")
        return [str(v) for v in values]
    if component["type"] == FILE_UPLOAD:
        return [_uploaded(where, v, resolved) for v in values]
    return [resolved.add(v) for v in values]


def _uploaded(where: str, value: Any, resolved: Resolved) -> str:
    """A file a person picks in a file-upload field: a file from their device, within the
    upload limit the client enforces (Discord's 10 MiB for an account without Nitro)."""
    if not isinstance(value, Attachment):
        raise AssertionError(f"{where}: a file-upload field takes files, not {value!r}")
    if len(value.data) > UPLOAD_LIMIT:
        raise AssertionError(
            f"{where}: the client refuses {value.filename!r} ({len(value.data)} bytes): "
            f"over the {UPLOAD_LIMIT}-byte upload limit"
        )
    return resolved.add(value)


def modal_submission(
    modal: Modal, values: Mapping[str, Any], resolved: Resolved
) -> list[dict[str, Any]]:
    """The submitted components, mirroring the modal's structure (rows or Labels)."""
    known = {str(c["custom_id"]) for c in modal.inputs}
    unknown = set(values) - known
    if unknown:
        raise AssertionError(
            f"modal {modal.custom_id!r} has no field(s) {sorted(unknown)}; it has {sorted(known)}"
        )
    submitted = []
    for component in modal.components:
        kind = component.get("type")
        entry: dict[str, Any] = {"type": kind, "id": component.get("id")}
        if kind == ACTION_ROW:
            entry["components"] = [
                _field(c, values, resolved) for c in component.get("components", [])
            ]
        elif kind == LABEL:
            entry["component"] = _field(component["component"], values, resolved)
        submitted.append({k: v for k, v in entry.items() if v is not None})
    return submitted


def typed(modal: Modal, values: Mapping[str, Any]) -> list[str]:
    """What a person typed into the modal's text inputs (not what they picked)."""
    return [
        str(values[c["custom_id"]])
        for c in modal.inputs
        if c.get("type") == TEXT_INPUT and c.get("custom_id") in values
    ]


def _field(
    component: dict[str, Any], values: Mapping[str, Any], resolved: Resolved
) -> dict[str, Any]:
    kind = component["type"]
    if kind not in MODAL_VALUE_KEYS:
        return {"type": kind, "id": component.get("id")}
    custom_id: str = component["custom_id"]  # every field that carries a value has one
    required = component.get("required", True)
    entry: dict[str, Any] = {"type": kind, "id": component.get("id"), "custom_id": custom_id}
    if kind == TEXT_INPUT:
        entry["value"] = _text(
            component, values.get(custom_id, component.get("value") or ""), required
        )
    elif kind == RADIO_GROUP:
        offered = [o["value"] for o in component.get("options", [])]
        # The client shows a default option chosen; leaving it so submits it.
        preset = next((o["value"] for o in component.get("options", []) if o.get("default")), None)
        choice = values.get(custom_id, preset)
        if choice is None and required:
            raise AssertionError(f"{custom_id!r} is required: pick one of {offered}")
        if choice is not None and choice not in offered:
            raise AssertionError(f"{custom_id!r}: {choice!r} is not one of {offered}")
        entry["value"] = choice
    elif kind == CHECKBOX:
        entry["value"] = bool(values.get(custom_id, component.get("default", False)))
    else:
        chosen = values.get(custom_id, [])
        chosen = chosen if isinstance(chosen, list) else [chosen]
        entry["values"] = picked(component, chosen, resolved, required=required)
    return entry


def _text(component: dict[str, Any], text: str, required: bool) -> str:
    custom_id = component.get("custom_id")
    if required and not text:
        raise AssertionError(f"text input {custom_id!r} is required")
    low, high = component.get("min_length", 0), component.get("max_length", 4000)
    if text and not low <= len(text) <= high:
        raise AssertionError(
            f"text input {custom_id!r}: {len(text)} characters, allowed {low}..{high}"
        )
    return text
