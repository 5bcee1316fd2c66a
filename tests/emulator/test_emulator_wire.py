"""The wire format: headers, errors, and payloads that match Discord's own description."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from discord_emulator import Emulator
from discord_emulator.spec import SPEC_PATH, SpecValidator

_URI = "urn:test:discord-openapi"


@cache
def _spec() -> tuple[dict[str, Any], Registry[Any]]:
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec, Registry().with_resource(_URI, DRAFT202012.create_resource(spec))


def response_problems(method: str, path: str, body: Any, status: str = "200") -> list[str]:
    """Where an emulator response differs from the response schema Discord publishes."""
    operation = SpecValidator.load().match(method, path)
    assert operation is not None, f"{method} {path} is not in the description"
    spec, registry = _spec()
    content = spec["paths"][operation.template][method.lower()]["responses"][status]["content"]
    escaped = operation.template.replace("~", "~0").replace("/", "~1")
    where = f"paths/{escaped}/{method.lower()}/responses/{status}/content/application~1json/schema"
    ref = f"{_URI}#/{where}"
    assert "application/json" in content
    validator = Draft202012Validator({"$ref": ref}, registry=registry)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator.iter_errors(body)
    ]


class Raw:
    """Plain HTTP against the emulator, with the bot's token."""

    def __init__(self, emulator: Emulator, session: aiohttp.ClientSession) -> None:
        self.emulator, self.session = emulator, session

    async def call(
        self, method: str, path: str, body: Any = None, *, auth: bool = True
    ) -> tuple[int, Any, Any]:
        headers = {"Authorization": f"Bot {self.emulator.token}"} if auth else {}
        async with self.session.request(
            method, self.emulator.api_base + path, json=body, headers=headers
        ) as r:
            text = await r.text()
            return r.status, r.headers, json.loads(text) if text else None


@pytest.fixture
async def raw(emulator: Emulator) -> Any:
    async with aiohttp.ClientSession() as session:
        yield Raw(emulator, session)


async def test_json_replies_have_exactly_the_content_type_discord_py_expects(raw: Raw) -> None:
    status, headers, _ = await raw.call("GET", "/users/@me")

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert "X-RateLimit-Bucket" in headers


async def test_requests_without_the_bot_token_are_unauthorized(raw: Raw) -> None:
    status, _, body = await raw.call("GET", "/users/@me", auth=False)

    assert (status, body) == (401, {"code": 0, "message": "401: Unauthorized"})


async def test_unknown_objects_get_discords_error_codes(raw: Raw, world: dict[str, Any]) -> None:
    guild, channel = world["guild"], world["channel"]

    assert (await raw.call("GET", "/channels/1"))[2]["code"] == 10003
    assert (await raw.call("GET", f"/channels/{channel.id}/messages/1"))[2]["code"] == 10008
    assert (await raw.call("GET", "/users/1"))[2]["code"] == 10013
    assert (await raw.call("GET", "/guilds/1"))[2]["code"] == 10004
    assert (await raw.call("PUT", f"/guilds/{guild.id}/members/{world['alice'].id}/roles/1"))[2][
        "code"
    ] == 10011
    assert (await raw.call("GET", f"/guilds/{guild.id}/scheduled-events/1"))[2]["code"] == 10070
    assert (await raw.call("POST", "/interactions/1/abc/callback", {"type": 6}))[2]["code"] == 10062


async def test_responses_match_discords_published_schemas(
    emulator: Emulator, raw: Raw, world: dict[str, Any]
) -> None:
    guild, channel, alice = world["guild"], world["channel"], world["alice"]
    app = emulator.application_id
    start = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    event_body = {
        "name": "Intervisie",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": start,
        "scheduled_end_time": (datetime.now(UTC) + timedelta(days=1, hours=2)).isoformat(),
        "entity_metadata": {"location": "Room 1"},
    }
    calls = [
        ("GET", "/users/@me", None),
        ("GET", f"/users/{alice.id}", None),
        ("GET", "/oauth2/applications/@me", None),
        ("GET", "/gateway/bot", None),
        ("GET", f"/channels/{channel.id}", None),
        (
            "POST",
            f"/channels/{channel.id}/messages",
            {
                "content": "hi",
                "components": [
                    {
                        "type": 1,
                        "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}],
                    }
                ],
            },
        ),
        ("GET", f"/channels/{channel.id}/messages", None),
        ("POST", "/users/@me/channels", {"recipient_id": str(alice.id)}),
        ("GET", f"/guilds/{guild.id}/members/{alice.id}", None),
        ("GET", f"/guilds/{guild.id}/roles", None),
        ("POST", f"/guilds/{guild.id}/roles", {"name": "VCP"}),
        ("POST", f"/guilds/{guild.id}/scheduled-events", event_body),
        ("GET", f"/guilds/{guild.id}/scheduled-events", None),
        (
            "PUT",
            f"/applications/{app}/commands",
            [{"name": "help", "description": "Help", "type": 1}],
        ),
        ("POST", f"/channels/{channel.id}/threads", {"name": "case", "type": 12}),
    ]
    problems = {}
    for method, path, body in calls:
        status, _, reply = await raw.call(method, path, body)
        assert status in (200, 201), (method, path, reply)
        found = response_problems(method, path, reply, str(status))
        if found:
            problems[f"{method} {path}"] = found
    assert problems == {}
