"""A JSON Schema validator that judges requests the way Discord's API does.

Discord's OpenAPI description is stricter than Discord itself in two ways
that discord.py trips over: it types some bitfields as integers while
discord.py sends them as digit strings (``permissions``), and it types
snowflakes as digit strings while discord.py sometimes sends plain ints
(``recipient_id``).  Discord parses both forms, so a validator that rejects
them would fail tests for requests the real API accepts.  The tolerance is
decided per schema (its ``type``, ``format`` and ``pattern``), never by a
list of field names, so it keeps working when the description changes.

This module also turns jsonschema's errors into short, readable sentences:
the default messages repeat the whole offending instance and, for the many
``oneOf``/``anyOf`` unions in the description, say only that *no*
alternative matched.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

__all__ = ["TolerantValidator", "describe", "json_path", "readable_errors"]

_INT_STRING = re.compile(r"-?[0-9]{1,20}")
_UNIONS = frozenset({"oneOf", "anyOf"})
_TAG_KEYWORDS = frozenset({"enum", "const"})
_SHORT = 60

# Set while counting which alternatives of a ``oneOf`` match *without* the
# coercions, so a value that only fits two branches because of a coercion
# (a digit string is both "a string" and "an integer") is not rejected as
# ambiguous.
_STRICT: ContextVar[bool] = ContextVar("_STRICT", default=False)


def _types(schema: Mapping[str, Any]) -> tuple[str, ...]:
    declared = schema.get("type", ())
    return (declared,) if isinstance(declared, str) else tuple(declared)


def _is_plain_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _snowflake_like(schema: Mapping[str, Any], text: str) -> bool:
    """Whether the schema describes a numeric id that Discord would also take as an int."""
    if schema.get("format") == "snowflake":
        return True
    pattern = schema.get("pattern")
    return isinstance(pattern, str) and re.search(pattern, text) is not None


def coerce(instance: Any, schema: Mapping[str, Any]) -> Any:
    """Return the form of ``instance`` Discord would parse it into under ``schema``.

    Only the two conversions Discord itself performs are applied: a digit
    string where only an integer is allowed, and an int where only a
    snowflake string is allowed.  Everything else is returned unchanged.
    """
    if _STRICT.get() or not isinstance(schema, Mapping):
        return instance
    types = _types(schema)
    if (
        isinstance(instance, str)
        and "integer" in types
        and "string" not in types
        and _INT_STRING.fullmatch(instance)
    ):
        return int(instance)
    if (
        _is_plain_int(instance)
        and "string" in types
        and not {"integer", "number"} & set(types)
        and _snowflake_like(schema, str(instance))
    ):
        return str(instance)
    return instance


def _coercing(keyword: str) -> Any:
    """Wrap a Draft 2020-12 keyword so it judges the coerced instance."""
    original = Draft202012Validator.VALIDATORS[keyword]

    def check(
        validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        yield from original(validator, value, coerce(instance, schema), schema)

    return check


def _one_of(
    validator: Any, one_of: list[Any], instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """``oneOf`` that forgives ambiguity created only by the coercions."""
    original = Draft202012Validator.VALIDATORS["oneOf"]
    errors = list(original(validator, one_of, instance, schema))
    ambiguous = [error for error in errors if not error.context]
    if _STRICT.get() or not ambiguous:
        yield from errors
        return
    token = _STRICT.set(True)
    try:
        strict_matches = sum(validator.evolve(schema=each).is_valid(instance) for each in one_of)
    finally:
        _STRICT.reset(token)
    if strict_matches > 1:
        yield from errors


_COERCED_KEYWORDS = (
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "pattern",
    "minLength",
    "maxLength",
)

TolerantValidator = validators.extend(
    Draft202012Validator,
    {**{keyword: _coercing(keyword) for keyword in _COERCED_KEYWORDS}, "oneOf": _one_of},
)
"""Draft 2020-12 validator class with Discord's int/snowflake tolerance."""


# -- readable errors ---------------------------------------------------------


def json_path(root: str, error: ValidationError) -> str:
    """Render an error's location as ``body.embeds[0].fields``."""
    parts = [root]
    for key in error.absolute_path:
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(parts)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHORT else f"{text[: _SHORT - 3]}..."


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    names |= {list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _branches(error: ValidationError) -> dict[Any, list[ValidationError]]:
    grouped: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context or ():
        grouped[sub.relative_schema_path[0]].append(sub)
    return grouped


def _is_tag_error(error: ValidationError) -> bool:
    """A failed discriminator such as ``type`` or ``entity_type`` one level down."""
    path = list(error.relative_path)
    return (
        error.validator in _TAG_KEYWORDS
        and len(path) == 1
        and isinstance(path[0], str)
        and (path[0] == "type" or path[0].endswith("_type"))
    )


def _ruled_out(errors: Iterable[ValidationError]) -> bool:
    """Whether an alternative is clearly not the one the sender meant."""
    return any(
        _is_tag_error(error) or (error.validator == "type" and not error.relative_path)
        for error in errors
    )


def _only_consts(error: ValidationError) -> bool:
    return bool(error.context) and all(
        sub.validator == "const" and not sub.relative_path for sub in error.context or ()
    )


def _leaves(error: ValidationError) -> list[ValidationError]:
    """Descend a union error into the errors of the alternative that was meant.

    Alternatives whose discriminator (``type``, ``entity_type``) or JSON type
    does not fit are dropped; of the rest, the one with the fewest errors is
    taken (``best_match`` breaks ties) and all of its errors are reported.
    """
    if error.validator not in _UNIONS or not error.context or _only_consts(error):
        return [error]
    plausible = [errs for errs in _branches(error).values() if not _ruled_out(errs)]
    if not plausible:
        return [error]
    fewest = min(len(errs) for errs in plausible)
    tied = [errs for errs in plausible if len(errs) == fewest]
    chosen = tied[0] if len(tied) == 1 else _branch_of_best(tied)
    return [leaf for sub in chosen for leaf in _leaves(sub)]


def _branch_of_best(tied: list[list[ValidationError]]) -> list[ValidationError]:
    """The alternative holding ``best_match``'s pick (which may sit deeper down)."""
    node = best_match(sub for errs in tied for sub in errs)
    while node is not None:
        for errs in tied:
            if any(node is sub for sub in errs):
                return errs
        node = node.parent
    return tied[0]


def _sorted_unique(values: Iterable[Any]) -> list[Any]:
    unique = {json.dumps(value, default=str): value for value in values}
    return sorted(unique.values(), key=lambda value: (type(value).__name__, str(value).zfill(20)))


def _describe_union(error: ValidationError) -> str:
    instance = error.instance
    if _only_consts(error):
        allowed = [sub.validator_value for sub in error.context or ()]
        return f"{_short(instance)} is not one of {allowed}"
    if error.validator == "oneOf" and not error.context:
        return f"{_short(instance)} matches more than one alternative"
    tags: dict[str, list[Any]] = defaultdict(list)
    expected_types: set[str] = set()
    for sub in error.context or ():
        if _is_tag_error(sub):
            values = sub.validator_value if sub.validator == "enum" else [sub.validator_value]
            tags[str(sub.relative_path[0])].extend(values)
        elif sub.validator == "type" and not sub.relative_path:
            expected_types.update(_types(sub.schema))
    if tags and isinstance(instance, Mapping):
        return "; ".join(
            f"{tag} {_short(instance.get(tag))} is not one of {_sorted_unique(values)}"
            for tag, values in sorted(tags.items())
        )
    if expected_types:
        wanted = " or ".join(sorted(expected_types))
        return f"{_json_type(instance)} {_short(instance)} given, expected {wanted}"
    return f"{_short(instance)} matches none of the allowed alternatives"


_SIZED = {
    "maxItems": ("items", "at most", "allowed"),
    "minItems": ("items", "at least", "required"),
    "maxLength": ("characters", "at most", "allowed"),
    "minLength": ("characters", "at least", "required"),
    "maxProperties": ("keys", "at most", "allowed"),
    "minProperties": ("keys", "at least", "required"),
}
_BOUNDS = {
    "minimum": "below the minimum",
    "maximum": "above the maximum",
    "exclusiveMinimum": "not above",
    "exclusiveMaximum": "not below",
}


def _describe_sized(error: ValidationError) -> str:
    unit, bound, verdict = _SIZED[str(error.validator)]
    return f"{len(error.instance)} {unit}, {bound} {error.validator_value} {verdict}"


def _describe_type(error: ValidationError) -> str:
    wanted = " or ".join(_types(error.schema))
    return f"{_json_type(error.instance)} {_short(error.instance)} given, expected {wanted}"


def _describe_default(error: ValidationError) -> str:
    message = error.message
    return message if len(message) <= 200 else f"{message[:197]}..."


_DESCRIBERS: dict[str, Callable[[ValidationError], str]] = {
    **dict.fromkeys(_SIZED, _describe_sized),
    **dict.fromkeys(_UNIONS, _describe_union),
    **dict.fromkeys(
        _BOUNDS,
        lambda e: f"{_short(e.instance)} is {_BOUNDS[e.validator]} {e.validator_value}",
    ),
    "type": _describe_type,
    "required": lambda e: e.message.replace(" is a required property", "") + " is required",
    "enum": lambda e: f"{_short(e.instance)} is not one of {_short(e.validator_value)}",
    "const": lambda e: f"{_short(e.instance)} given, must be {_short(e.validator_value)}",
    "pattern": lambda e: f"{_short(e.instance)} does not match {e.validator_value}",
    "uniqueItems": lambda e: "items are not unique",
}


def describe(error: ValidationError) -> str:
    """One short sentence for a single (leaf) error, without its location."""
    return _DESCRIBERS.get(str(error.validator), _describe_default)(error)


def readable_errors(root: str, errors: Iterable[ValidationError]) -> list[str]:
    """Flatten and phrase validation errors as ``location: problem`` lines.

    A wrong JSON type makes every other complaint about the same value
    noise, so only the type error is kept for that location.
    """
    leaves = [leaf for error in errors for leaf in _leaves(error)]
    mistyped = {json_path(root, leaf) for leaf in leaves if leaf.validator == "type"}
    lines: list[str] = []
    for leaf in leaves:
        where = json_path(root, leaf)
        if where in mistyped and leaf.validator != "type":
            continue
        line = f"{where}: {describe(leaf)}"
        if line not in lines:
            lines.append(line)
    return lines
