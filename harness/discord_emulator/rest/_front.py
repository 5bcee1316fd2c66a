"""The REST front door: route, check credentials, validate, rate-limit, then act.

Anything the emulator does not model, and any body Discord would reject, is
recorded in ``Emulator.failures`` so the test fails, never silently answered.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
from aiohttp import web

from discord_emulator import errors
from discord_emulator.host import EmulatorHost
from discord_emulator.limits import check_operation
from discord_emulator.routing import ROUTES, Call, Created, Route, Upload
from discord_emulator.spec import API_PREFIX, SpecValidator

log = logging.getLogger(__name__)

_MAJOR_PARAMS = (
    "channel_id",
    "guild_id",
    "webhook_id",
    "webhook_token",
    "interaction_id",
    "interaction_token",
)


@dataclass(frozen=True)
class RequestRecord:
    """One request the bot made, for tests that count calls (e.g. "sent exactly once")."""

    method: str
    route: str
    path: str
    status: int


def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON reply, ``Content-Type`` exactly ``application/json`` (discord.py tests equality)."""
    if body is None:
        return web.Response(status=status, headers=headers or {})
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers=(headers or {}) | {"Content-Type": "application/json"},
    )


def error_reply(error: errors.DiscordError, headers: dict[str, str] | None = None) -> web.Response:
    return reply(error.status, error.body(), headers)


class FrontHost(EmulatorHost, Protocol):
    """The emulator as the front door sees it: it also keeps the log of requests."""

    @property
    def requests(self) -> list[RequestRecord]: ...


async def handle(em: FrontHost, request: web.Request) -> web.Response:
    path = request.path[len(API_PREFIX) :]
    found = ROUTES.find(request.method, path)
    if found is None:
        response = _unmodelled(em, request.method, path)
    else:
        response = await _handle(em, request, path, *found)
    template = found[0].template if found else "(unmodelled)"
    em.requests.append(RequestRecord(request.method, template, path, response.status))
    em.world.notify()
    return response


async def _handle(
    em: EmulatorHost, request: web.Request, path: str, route: Route, params: dict[str, str]
) -> web.Response:
    method = request.method
    if not route.token_auth and request.headers.get("Authorization") != f"Bot {em.token}":
        return error_reply(errors.unauthorized())
    try:
        body, files, multipart = await _read_body(request)
    except ValueError as exc:
        return _bot_error(em, f"{method} {path}", errors.invalid_form([str(exc)]))
    problems = _validate(method, path, body, dict(request.query), multipart=multipart)
    if problems:
        return _bot_error(em, f"{method} {path}", errors.invalid_form(problems))
    major = "+".join(params[k] for k in _MAJOR_PARAMS if k in params)
    verdict = em.rate_limits.check(route.key, major, global_exempt=route.token_auth)
    if verdict.status is not None:
        return reply(verdict.status, verdict.body, verdict.headers)
    call = Call(method, route.template, params, dict(request.query), body, files)
    return await _act(em, route, call, path, verdict.headers)


async def _act(
    em: EmulatorHost, route: Route, call: Call, path: str, headers: dict[str, str]
) -> web.Response:
    try:
        result = await route.handler(em, call)
    except errors.DiscordError as exc:
        if exc.bot_error:
            return _bot_error(em, f"{call.method} {path}", exc, headers)
        return error_reply(exc, headers)
    except Exception as exc:
        # An emulator bug must fail the test, not look like a Discord outage to the bot.
        log.exception("emulator error handling %s %s", call.method, path)
        em.failures.append(f"{call.method} {path}: emulator error: {exc!r}")
        return reply(400, {"code": 0, "message": f"emulator error: {exc!r}"}, headers)
    if isinstance(result, Created):
        return reply(201, result.body, headers)
    return reply(200 if result is not None else 204, result, headers)


def _unmodelled(em: EmulatorHost, method: str, path: str) -> web.Response:
    operation = SpecValidator.load().match(method, path)
    if operation is None:
        why = f"{method} {path} is not an endpoint of Discord's API"
    else:
        why = (
            f"{method} {operation.template} ({operation.operation_id})"
            " is not modelled by the emulator"
        )
    em.failures.append(why)
    return reply(404, {"code": 0, "message": f"404: Not Found ({why})"})


def _bot_error(
    em: EmulatorHost, what: str, error: errors.DiscordError, headers: dict[str, str] | None = None
) -> web.Response:
    details = "; ".join(e["message"] for e in error.errors.get("_errors", [])) or error.message
    em.failures.append(f"{what}: Discord would answer {error.status} {error.code}: {details}")
    return error_reply(error, headers)


def _validate(
    method: str, path: str, body: Any, query: dict[str, str], *, multipart: bool
) -> list[str]:
    problems = SpecValidator.load().validate(method, path, body, query, multipart=multipart)
    operation = SpecValidator.load().match(method, path)
    if operation is not None:
        label = f"{operation.method} {operation.template}"
        problems += [f"{label}: {p}" for p in check_operation(operation.operation_id, body)]
    return problems


async def _read_body(request: web.Request) -> tuple[Any, list[Upload], bool]:
    """The JSON body (or multipart ``payload_json``) and any ``files[n]`` uploads."""
    if request.content_type == "multipart/form-data":
        return (*await _read_multipart(request), True)
    if not request.can_read_body:
        return None, [], False
    raw = await request.read()
    if not raw:
        return None, [], False
    try:
        return json.loads(raw), [], False
    except json.JSONDecodeError as exc:
        raise ValueError(f"body is not valid JSON: {exc}") from None


async def _read_multipart(request: web.Request) -> tuple[Any, list[Upload]]:
    payload: Any = None
    files: list[Upload] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
            continue
        if part.name == "payload_json":
            payload = json.loads(await part.text())
        elif part.name.startswith("files[") and part.name.endswith("]"):
            index = _file_index(part.name, {f.index for f in files})
            content_type = part.headers.get("Content-Type")
            data = bytes(await part.read())
            files.append(Upload(index, part.filename or "file", content_type, data))
        else:
            raise ValueError(f"unexpected multipart part {part.name!r}")
    return payload, files


# Discord's description of a message upload has the parts files[0] to files[9].
MAX_FILES = 10


def _file_index(name: str, taken: set[int]) -> int:
    """The n of a ``files[n]`` part: 0 to 9, each once, as the OpenAPI description has them."""
    index = name[len("files[") : -1]
    if not index.isdigit():
        raise ValueError(f"multipart part {name!r} is not files[n]")
    if int(index) >= MAX_FILES:
        raise ValueError(f"{name}: a message takes at most {MAX_FILES} files, files[0] to files[9]")
    if int(index) in taken:
        raise ValueError(f"{name}: this part appears twice")
    return int(index)


async def serve_attachment(em: EmulatorHost, request: web.Request) -> web.Response:
    """The CDN: ``Attachment.read()`` downloads from here."""
    attachment = em.world.attachments.get(int(request.match_info["attachment_id"]))
    if attachment is None or attachment.filename != request.match_info["filename"]:
        return web.Response(status=404)
    return web.Response(
        body=attachment.data, content_type=attachment.content_type or "application/octet-stream"
    )
