"""Judge the bot's REST requests against Discord's own OpenAPI description.

The emulator must reject what the real API would reject, or a test passes
for a request that fails in production.  Hand-written checks would drift from
Discord; its published description (``openapi.json`` beside this module, MIT,
see ``OPENAPI-LICENSE``) does not.  This module maps a concrete request path
to the description's operation and validates path parameters, query string
and body.  Size limits the description does not model live in ``limits``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from discord_emulator.schema_rules import TolerantValidator, readable_errors

__all__ = ["API_PREFIX", "SPEC_PATH", "Operation", "SpecValidator"]

SPEC_PATH = Path(__file__).with_name("openapi.json")
API_PREFIX = "/api/v10"
_SPEC_URI = "urn:discord:openapi:v10"
_HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})
_MULTIPART = "multipart/form-data"
_JSON = "application/json"
# Remembered body verdicts, at most; enough for every distinct body of a test run.
_MAX_VERDICTS = 4096
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_INT = re.compile(r"-?[0-9]+")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the description, matched to a concrete request."""

    method: str
    template: str
    operation_id: str
    path_params: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True)
class _Route:
    template: str
    segments: tuple[str | None, ...]  # None marks a ``{parameter}`` segment
    names: tuple[str, ...]
    methods: frozenset[str]

    def bind(self, parts: list[str]) -> dict[str, str] | None:
        """The path parameters if ``parts`` fits this route, else None."""
        values: list[str] = []
        for literal, part in zip(self.segments, parts, strict=True):
            if literal is None:
                if not part:
                    return None
                values.append(part)
            elif literal != part:
                return None
        return dict(zip(self.names, values, strict=True))


def _shape(value: Any) -> Any:
    """``value`` with every string custom_id replaced by as many ``x`` characters."""
    if isinstance(value, dict):
        return {
            key: "x" * len(item) if key == "custom_id" and isinstance(item, str) else _shape(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return value


def _pointer(*keys: str | int) -> str:
    """A ``$ref`` into the registered description (RFC 6901 escaping)."""
    escaped = (str(key).replace("~", "~0").replace("/", "~1") for key in keys)
    return f"{_SPEC_URI}#/" + "/".join(escaped)


def _split(path: str) -> list[str]:
    path = path.split("?", 1)[0]
    if path.startswith(API_PREFIX + "/"):
        path = path[len(API_PREFIX) :]
    return path.strip("/").split("/")


def _index_routes(paths: Mapping[str, Any]) -> dict[int, list[_Route]]:
    """Routes by segment count, literal segments first, as Discord's router prefers."""
    index: dict[int, list[_Route]] = {}
    for template, item in paths.items():
        parts = template.strip("/").split("/")
        segments = tuple(None if p.startswith("{") else p for p in parts)
        names = tuple(p[1:-1] for p in parts if p.startswith("{"))
        methods = frozenset(m for m in item if m in _HTTP_METHODS)
        index.setdefault(len(parts), []).append(_Route(template, segments, names, methods))
    for routes in index.values():
        routes.sort(key=lambda route: tuple(s is None for s in route.segments))
    return index


def _coerce_query_value(raw: str, types: frozenset[str]) -> Any:
    """Parse a query string value the way Discord reads it for the declared type."""
    lowered = raw.lower()
    if "boolean" in types and lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    if "integer" in types and _INT.fullmatch(raw):
        return int(raw)
    if "number" in types:
        try:
            return float(raw)
        except ValueError:
            return raw
    if "array" in types and "string" not in types:
        return [raw]
    return raw


class SpecValidator:
    """Operations of Discord's OpenAPI description, with cached validators."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self._spec = spec
        resource: Resource[Any] = DRAFT202012.create_resource(spec)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._resolver = self._registry.resolver(_SPEC_URI)
        self._routes = _index_routes(spec["paths"])
        self._validators: dict[str, Any] = {}
        self._verdicts: dict[tuple[str, str], tuple[str, ...]] = {}

    @classmethod
    @functools.cache
    def load(cls) -> SpecValidator:
        """The validator for the bundled description, parsed once per process."""
        with SPEC_PATH.open(encoding="utf-8") as handle:
            return cls(json.load(handle))

    # -- routing -------------------------------------------------------------

    def match(self, method: str, path: str) -> Operation | None:
        """Map ``POST /channels/1/messages`` to its template and operation.

        ``path`` may carry the ``/api/v10`` prefix and a query string.  Like
        Discord's router, the most literal template wins (``@original`` over
        ``{message_id}``); if that template lacks the method, there is no
        match, as Discord answers 405 there rather than trying another route.
        """
        parts = _split(path)
        for route in self._routes.get(len(parts), ()):
            params = route.bind(parts)
            if params is None:
                continue
            verb = method.lower()
            if verb not in route.methods:
                return None
            operation = self._spec["paths"][route.template][verb]
            return Operation(
                method=method.upper(),
                template=route.template,
                operation_id=operation.get("operationId", ""),
                path_params=MappingProxyType(params),
            )
        return None

    # -- validation ----------------------------------------------------------

    def validate(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | list[Any] | None,
        query: Mapping[str, str] | None = None,
        *,
        multipart: bool = False,
    ) -> list[str]:
        """Everything Discord's description says is wrong with this request.

        ``body`` is the parsed JSON body, or for a multipart request the
        parsed ``payload_json`` part (then pass ``multipart=True``).  Returns
        readable lines, empty when the request is valid.
        """
        operation = self.match(method, path)
        if operation is None:
            return [f"{method.upper()} {path}: no such endpoint in the Discord API description"]
        problems = [
            *self._check_path_params(operation),
            *self._check_query(operation, query or {}),
            *self._check_body(operation, body, multipart=multipart),
        ]
        label = f"{operation.method} {operation.template}"
        return [f"{label}: {problem}" for problem in problems]

    def _parameters(
        self, operation: Operation, location: str
    ) -> dict[str, tuple[str, dict[str, Any]]]:
        """Declared parameters by name, with a ``$ref`` to each one's schema.

        Operation-level declarations override path-level ones, as in OpenAPI.
        """
        item = self._spec["paths"][operation.template]
        verb = operation.method.lower()
        declared: dict[str, tuple[str, dict[str, Any]]] = {}
        for owner, params in (
            ((), item.get("parameters", [])),
            ((verb,), item[verb].get("parameters", [])),
        ):
            for position, param in enumerate(params):
                if param.get("in") == location:
                    ref = _pointer(
                        "paths", operation.template, *owner, "parameters", position, "schema"
                    )
                    declared[param["name"]] = (ref, param)
        return declared

    def _check_path_params(self, operation: Operation) -> list[str]:
        declared = self._parameters(operation, "path")
        properties = {name: {"$ref": ref} for name, (ref, _) in declared.items()}
        schema = {"type": "object", "properties": properties}
        return self._run(
            f"path:{operation.method}:{operation.template}",
            schema,
            dict(operation.path_params),
            root="path",
        )

    def _check_query(self, operation: Operation, query: Mapping[str, str]) -> list[str]:
        declared = self._parameters(operation, "query")
        if not declared:
            return []
        values = {
            name: _coerce_query_value(query[name], self._declared_types(ref))
            for name, (ref, _) in declared.items()
            if name in query
        }
        schema = {
            "type": "object",
            "properties": {name: {"$ref": ref} for name, (ref, _) in declared.items()},
            "required": [name for name, (_, p) in declared.items() if p.get("required")],
        }
        key = f"query:{operation.method}:{operation.template}"
        return self._run(key, schema, values, root="query")

    def _declared_types(self, ref: str) -> frozenset[str]:
        """JSON types a parameter schema allows, following ``$ref`` and unions."""
        found: set[str] = set()
        pending = [self._resolver.lookup(ref).contents]
        while pending:
            schema = pending.pop()
            if "$ref" in schema:
                pending.append(self._resolver.lookup(schema["$ref"]).contents)
            declared = schema.get("type", [])
            found.update([declared] if isinstance(declared, str) else declared)
            for union in ("oneOf", "anyOf", "allOf"):
                pending.extend(schema.get(union, []))
        return frozenset(found)

    def _check_body(
        self, operation: Operation, body: dict[str, Any] | list[Any] | None, *, multipart: bool
    ) -> list[str]:
        verb = operation.method.lower()
        request_body = self._spec["paths"][operation.template][verb].get("requestBody")
        if request_body is None:
            return [] if not body else ["body: this endpoint takes no request body"]
        if body is None:
            return ["body: a request body is required"] if request_body.get("required") else []
        content = request_body.get("content", {})
        preferred = (_MULTIPART, _JSON) if multipart else (_JSON,)
        media = next((m for m in preferred if m in content), next(iter(content), None))
        if media is None:
            return []
        ref = _pointer("paths", operation.template, verb, "requestBody", "content", media, "schema")
        # Validation is a pure function of schema and body, and large bodies (the command
        # tree a bot registers on every start) cost tenths of a second; judge each once.
        # The description limits a custom_id only by type and length, and bots put random
        # tokens in them (every form, every conversation's buttons), so a valid body is
        # remembered by its shape: each custom_id replaced by as many placeholder characters.
        remembered = (ref, json.dumps(_shape(body), sort_keys=True, default=str))
        verdict = self._verdicts.get(remembered)
        if verdict is None:
            verdict = tuple(self._run(ref, {"$ref": ref}, body, root="body"))
            if len(self._verdicts) >= _MAX_VERDICTS:
                self._verdicts.clear()
            if not verdict:  # a refusal quotes the body's own values: never reused
                self._verdicts[remembered] = verdict
        return list(verdict)

    def _run(self, key: str, schema: dict[str, Any], instance: Any, *, root: str) -> list[str]:
        """Validate with a validator built once per schema and reused afterwards."""
        validator = self._validators.get(key)
        if validator is None:
            validator = TolerantValidator(schema, registry=self._registry)
            self._validators[key] = validator
        errors: list[ValidationError] = list(validator.iter_errors(instance))
        return readable_errors(root, errors)
