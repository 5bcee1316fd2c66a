"""Discord's size and layout limits, which its OpenAPI description leaves out.

The description lets a 4000-character message content, 7000 characters of
embeds or a six-row modal through, while Discord answers 400 (50035 Invalid
Form Body).  A bot that only ever talks to a lenient emulator would ship such
messages, so the emulator applies these checks next to the schema.  Every
function is pure and returns readable ``location: problem`` lines, empty
when the payload is within the limits.  Locations are relative to the JSON
body (``data.embeds[0].title`` in an interaction callback).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "IS_COMPONENTS_V2",
    "check_interaction_callback",
    "check_message",
    "check_modal",
    "check_operation",
]

IS_COMPONENTS_V2 = 1 << 15

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_TEXT_MAX = {"title": 256, "description": 4096}
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX, FIELD_VALUE_MAX = 256, 1024
FOOTER_TEXT_MAX, AUTHOR_NAME_MAX = 2048, 256
ACTION_ROWS_MAX, ROW_BUTTONS_MAX = 5, 5
V2_COMPONENTS_MAX, V2_TEXT_MAX = 40, 4000
CUSTOM_ID_MAX, BUTTON_LABEL_MAX = 100, 80
SELECT_OPTIONS_MAX, OPTION_TEXT_MAX, PLACEHOLDER_MAX = 25, 100, 150
MODAL_TITLE_MAX, MODAL_COMPONENTS_MAX = 45, 5
TEXT_INPUT_MAX, TEXT_INPUT_LABEL_MAX, TEXT_INPUT_PLACEHOLDER_MAX = 4000, 45, 100
LABEL_TEXT_MAX, LABEL_DESCRIPTION_MAX = 45, 100

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
TEXT_DISPLAY, LABEL = 10, 18
MODAL_TOP_LEVEL = frozenset({ACTION_ROW, TEXT_DISPLAY, LABEL})
LINK_STYLE, PREMIUM_STYLE = 5, 6

_MESSAGE_OPERATIONS = frozenset(
    {
        "create_message",
        "update_message",
        "execute_webhook",
        "update_webhook_message",
        "update_original_webhook_message",
    }
)


def _length(where: str, value: Any, limit: int, unit: str = "characters") -> list[str]:
    if value is None or len(value) <= limit:
        return []
    return [f"{where}: {len(value)} {unit}, at most {limit} allowed"]


def _join(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


def _items(value: Any) -> list[Any]:
    """A list field that may be absent or null (edits send ``null`` to clear)."""
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


# -- embeds -------------------------------------------------------------------


def _embed_text(embed: Mapping[str, Any]) -> int:
    """The characters Discord counts towards the 6000 embed total."""
    parts = [embed.get("title"), embed.get("description")]
    for field in _items(embed.get("fields")):
        parts += [field.get("name"), field.get("value")]
    parts.append((embed.get("footer") or {}).get("text"))
    parts.append((embed.get("author") or {}).get("name"))
    return sum(len(part) for part in parts if isinstance(part, str))


def _check_embed(where: str, embed: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for key, limit in EMBED_TEXT_MAX.items():
        problems += _length(_join(where, key), embed.get(key), limit)
    fields = _items(embed.get("fields"))
    problems += _length(_join(where, "fields"), fields, EMBED_FIELDS_MAX, "fields")
    for index, field in enumerate(fields):
        at = _join(_join(where, "fields"), index)
        problems += _length(_join(at, "name"), field.get("name"), FIELD_NAME_MAX)
        problems += _length(_join(at, "value"), field.get("value"), FIELD_VALUE_MAX)
    footer, author = embed.get("footer") or {}, embed.get("author") or {}
    problems += _length(_join(where, "footer.text"), footer.get("text"), FOOTER_TEXT_MAX)
    problems += _length(_join(where, "author.name"), author.get("name"), AUTHOR_NAME_MAX)
    return problems


def check_embeds(embeds: Any, where: str = "embeds") -> list[str]:
    """Per-embed limits plus the 6000-character total across all embeds."""
    embeds = _items(embeds)
    problems = _length(where, embeds, EMBEDS_MAX, "embeds")
    for index, embed in enumerate(embeds):
        problems += _check_embed(_join(where, index), embed)
    total = sum(_embed_text(embed) for embed in embeds)
    if total > EMBED_TOTAL_MAX:
        problems.append(f"{where}: {total} characters in total, at most {EMBED_TOTAL_MAX} allowed")
    return problems


# -- components ----------------------------------------------------------------


def _walk(components: Any, where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every component with its location, through rows, Labels and Sections."""
    for index, component in enumerate(_items(components)):
        if not isinstance(component, Mapping):
            continue
        at = _join(where, index)
        yield at, component
        yield from _walk(component.get("components"), _join(at, "components"))
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, Mapping):
                yield _join(at, key), child
                yield from _walk(child.get("components"), _join(_join(at, key), "components"))


def _check_select(where: str, select: Mapping[str, Any]) -> list[str]:
    options = _items(select.get("options"))
    problems = _length(_join(where, "placeholder"), select.get("placeholder"), PLACEHOLDER_MAX)
    problems += _length(_join(where, "options"), options, SELECT_OPTIONS_MAX, "options")
    for index, option in enumerate(options):
        at = _join(_join(where, "options"), index)
        for key in ("label", "value", "description"):
            problems += _length(_join(at, key), option.get(key), OPTION_TEXT_MAX)
    return problems


def _check_button(where: str, button: Mapping[str, Any]) -> list[str]:
    problems = _length(_join(where, "label"), button.get("label"), BUTTON_LABEL_MAX)
    style = button.get("style")
    if style == LINK_STYLE and (not button.get("url") or button.get("custom_id")):
        problems.append(f"{where}: a link button needs a url and no custom_id")
    elif style not in (LINK_STYLE, PREMIUM_STYLE) and not button.get("custom_id"):
        problems.append(f"{where}: a non-link button needs a custom_id")
    return problems


def _check_row(where: str, row: Mapping[str, Any]) -> list[str]:
    children = [c for c in _items(row.get("components")) if isinstance(c, Mapping)]
    kinds = [child.get("type") for child in children]
    if any(kind in SELECT_TYPES for kind in kinds) and len(children) > 1:
        return [f"{where}: a select menu must be the only component of its action row"]
    if kinds.count(BUTTON) > ROW_BUTTONS_MAX:
        return [f"{where}: {kinds.count(BUTTON)} buttons, at most {ROW_BUTTONS_MAX} allowed"]
    return []


def _check_tree(components: Any, where: str) -> list[str]:
    """Limits that hold for every component wherever it sits, plus unique custom_ids."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for at, component in _walk(components, where):
        kind = component.get("type")
        custom_id = component.get("custom_id")
        problems += _length(_join(at, "custom_id"), custom_id, CUSTOM_ID_MAX)
        if isinstance(custom_id, str):
            if custom_id in seen:
                problems.append(
                    f"{at}.custom_id: {custom_id!r} is already used at {seen[custom_id]}"
                )
            seen.setdefault(custom_id, at)
        if kind == ACTION_ROW:
            problems += _check_row(at, component)
        elif kind == BUTTON:
            problems += _check_button(at, component)
        elif kind in SELECT_TYPES:
            problems += _check_select(at, component)
    return problems


def check_components(components: Any, *, flags: int = 0, where: str = "components") -> list[str]:
    """Message component limits, for the classic layout or Components V2."""
    top = [c for c in _items(components) if isinstance(c, Mapping)]
    problems = _check_tree(top, where)
    if flags & IS_COMPONENTS_V2:
        everything = list(_walk(top, where))
        problems += _length(where, everything, V2_COMPONENTS_MAX, "components in total")
        text = sum(
            len(c.get("content") or "") for _, c in everything if c.get("type") == TEXT_DISPLAY
        )
        if text > V2_TEXT_MAX:
            problems.append(f"{where}: {text} characters of text displays, at most {V2_TEXT_MAX}")
        return problems
    if any(component.get("type") != ACTION_ROW for component in top):
        problems.append(f"{where}: without the IS_COMPONENTS_V2 flag only action rows may be used")
    problems += _length(where, top, ACTION_ROWS_MAX, "action rows")
    return problems


# -- public checks --------------------------------------------------------------


def check_message(body: Mapping[str, Any] | None, where: str = "") -> list[str]:
    """Limits of a message body: create/edit message, webhook execute/edit, callbacks 4 and 7."""
    if not body:
        return []
    flags = body.get("flags") or 0
    flags = int(flags) if isinstance(flags, int | str) and str(flags).isdigit() else 0
    problems = _length(_join(where, "content"), body.get("content"), CONTENT_MAX)
    problems += check_embeds(body.get("embeds"), _join(where, "embeds"))
    problems += check_components(
        body.get("components"), flags=flags, where=_join(where, "components")
    )
    if flags & IS_COMPONENTS_V2:
        for key in ("content", "embeds", "poll", "sticker_ids"):
            if body.get(key):
                problems.append(f"{_join(where, key)}: not allowed with the IS_COMPONENTS_V2 flag")
    return problems


def _check_modal_item(at: str, component: Mapping[str, Any]) -> list[str]:
    kind = component.get("type")
    if kind == TEXT_INPUT:
        problems = _length(_join(at, "value"), component.get("value"), TEXT_INPUT_MAX)
        problems += _length(_join(at, "label"), component.get("label"), TEXT_INPUT_LABEL_MAX)
        problems += _length(
            _join(at, "placeholder"), component.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX
        )
        for key in ("min_length", "max_length"):
            size = component.get(key)
            if isinstance(size, int) and size > TEXT_INPUT_MAX:
                problems.append(f"{_join(at, key)}: {size}, at most {TEXT_INPUT_MAX} allowed")
        return problems
    if kind == LABEL:
        problems = _length(_join(at, "label"), component.get("label"), LABEL_TEXT_MAX)
        return problems + _length(
            _join(at, "description"), component.get("description"), LABEL_DESCRIPTION_MAX
        )
    if kind == ACTION_ROW and len(_items(component.get("components"))) != 1:
        return [f"{at}: an action row in a modal holds exactly one text input"]
    return []


def check_modal(data: Mapping[str, Any] | None, where: str = "") -> list[str]:
    """Limits of a modal (interaction callback type 9 ``data``)."""
    if not data:
        return [f"{where or 'data'}: a modal needs data"]
    components = _items(data.get("components"))
    at = _join(where, "components")
    problems = _length(_join(where, "title"), data.get("title"), MODAL_TITLE_MAX)
    problems += _length(_join(where, "custom_id"), data.get("custom_id"), CUSTOM_ID_MAX)
    problems += _length(at, components, MODAL_COMPONENTS_MAX, "top-level components")
    for index, component in enumerate(components):
        if isinstance(component, Mapping) and component.get("type") not in MODAL_TOP_LEVEL:
            problems.append(
                f"{_join(at, index)}: type {component.get('type')!r} cannot be "
                "a top-level modal component (action row, label or text display)"
            )
    problems += _check_tree(components, at)
    for location, component in _walk(components, at):
        problems += _check_modal_item(location, component)
    return problems


def check_interaction_callback(body: Mapping[str, Any] | None) -> list[str]:
    """Limits of ``POST /interactions/{id}/{token}/callback``, by callback type."""
    if not body:
        return []
    kind, data = body.get("type"), body.get("data")
    if kind in (4, 7):
        return check_message(data, "data")
    if kind == 9:
        return check_modal(data, "data")
    if kind in (5, 6) and isinstance(data, Mapping):
        extra = sorted(set(data) - {"flags"})
        return [f"data.{key}: a deferred response may only set flags" for key in extra]
    return []


def check_operation(operation_id: str, body: Any) -> list[str]:
    """The limits that apply to a request, chosen by the spec's operationId."""
    if not isinstance(body, Mapping):
        return []
    if operation_id in _MESSAGE_OPERATIONS:
        return check_message(body)
    if operation_id == "create_interaction_response":
        return check_interaction_callback(body)
    if operation_id == "create_thread" and isinstance(body.get("message"), Mapping):
        return check_message(body["message"], "message")
    return []
