"""The emulator's request validation against Discord's OpenAPI description.

Payloads are built with discord.py itself where possible, so these tests show
that the validator accepts what the bot really sends, not what we think it
sends.
"""

from __future__ import annotations

import datetime as dt

import discord
import pytest
from discord import app_commands

from discord_emulator import limits
from discord_emulator.spec import Operation, SpecValidator

CREATE_MESSAGE = "POST /channels/{channel_id}/messages"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


@pytest.fixture(scope="module")
def spec() -> SpecValidator:
    return SpecValidator.load()


def _embed(fields: int = 1) -> discord.Embed:
    embed = discord.Embed(
        title="Intervisie",
        description="Maandelijkse intervisie voor VCP's",
        colour=discord.Colour.blurple(),
        url="https://example.org/intervisie",
        timestamp=dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC),
    )
    for index in range(fields):
        embed.add_field(name=f"Veld {index}", value="waarde", inline=False)
    embed.set_footer(text="vcpbot").set_author(name="VCP-netwerk")
    return embed


def _view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Aanmelden", custom_id="event:join:42", emoji="✅"))
    view.add_item(discord.ui.Button(label="Meer info", url="https://example.org"))
    view.add_item(
        discord.ui.Select(
            custom_id="event:pick",
            placeholder="Kies een vereniging",
            options=[discord.SelectOption(label="Vereniging A", value="a")],
        )
    )
    return view


class ReportModal(discord.ui.Modal, title="Melding"):
    """A modal in the newer layout: Label (type 18) wrapping a text input."""

    details = discord.ui.Label(
        text="Wat is er gebeurd?",
        description="Alleen het VCP-team leest dit.",
        component=discord.ui.TextInput(
            style=discord.TextStyle.paragraph, custom_id="report:details", max_length=4000
        ),
    )


def _message_body() -> dict:
    return {
        "content": "Nieuwe intervisie gepland.",
        "embeds": [_embed().to_dict()],
        "components": _view().to_components(),
        "allowed_mentions": discord.AllowedMentions.none().to_dict(),
    }


def test_load_parses_the_file_once() -> None:
    assert SpecValidator.load() is SpecValidator.load()


def test_valid_create_message_from_discord_py_passes(spec: SpecValidator) -> None:
    body = _message_body()
    assert spec.validate("POST", "/channels/123/messages", body, {}) == []
    assert spec.validate("POST", "/api/v10/channels/123/messages", body, {}) == []


def test_multipart_payload_json_is_validated_against_the_multipart_schema(
    spec: SpecValidator,
) -> None:
    body = {**_message_body(), "attachments": [{"id": 0, "filename": "verslag.pdf"}]}
    assert spec.validate("POST", "/channels/1/messages", body, {}, multipart=True) == []
    broken = {**body, "attachments": "verslag.pdf"}
    errors = spec.validate("POST", "/channels/1/messages", broken, {}, multipart=True)
    assert errors == [
        f'{CREATE_MESSAGE}: body.attachments: string "verslag.pdf" given, expected array or null'
    ]


def test_thirty_embed_fields_fail_with_a_readable_count(spec: SpecValidator) -> None:
    body = {"embeds": [_embed(fields=30).to_dict()]}
    errors = spec.validate("POST", "/channels/123/messages", body, {})
    assert errors == [f"{CREATE_MESSAGE}: body.embeds[0].fields: 30 items, at most 25 allowed"]


def test_wrong_types_are_reported_per_field(spec: SpecValidator) -> None:
    errors = spec.validate("POST", "/channels/1/messages", {"content": 5, "tts": "yes"}, {})
    assert errors == [
        f"{CREATE_MESSAGE}: body.content: integer 5 given, expected string or null",
        f'{CREATE_MESSAGE}: body.tts: string "yes" given, expected boolean or null',
    ]


def test_unknown_component_type_names_the_allowed_types(spec: SpecValidator) -> None:
    errors = spec.validate("POST", "/channels/1/messages", {"components": [{"type": 99}]}, {})
    assert len(errors) == 1
    assert errors[0].startswith(f"{CREATE_MESSAGE}: body.components[0]: type 99 is not one of [1,")


def test_union_errors_point_into_the_intended_alternative(spec: SpecValidator) -> None:
    row = {"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "x" * 101}]}
    errors = spec.validate("POST", "/channels/1/messages", {"components": [row]}, {})
    assert errors == [
        f"{CREATE_MESSAGE}: body.components[0].components[0].custom_id: "
        "101 characters, at most 100 allowed"
    ]


def test_bodies_that_differ_only_in_custom_ids_are_judged_alike(spec: SpecValidator) -> None:
    # Bots put a fresh random token in the custom_id of every form and conversation; the
    # description limits a custom_id only by length, so one verdict serves every token.
    def row(custom_id: str) -> dict[str, object]:
        button = {"type": 2, "style": 1, "label": "Ja", "custom_id": custom_id}
        return {"components": [{"type": 1, "components": [button]}]}

    assert spec.validate("POST", "/channels/1/messages", row("vcp:x:go:" + "a" * 12), {}) == []
    assert spec.validate("POST", "/channels/1/messages", row("vcp:x:go:" + "b" * 12), {}) == []
    assert spec.validate("POST", "/channels/1/messages", row("b" * 101), {}) == [
        f"{CREATE_MESSAGE}: body.components[0].components[0].custom_id: "
        "101 characters, at most 100 allowed"
    ]
    assert spec.validate("POST", "/channels/1/messages", row(""), {}) != []


def test_role_permissions_as_digit_string_pass(spec: SpecValidator) -> None:
    # discord.py's Guild.create_role sends str(permissions.value).
    permissions = str(discord.Permissions(manage_roles=True, view_channel=True).value)
    body = {"name": "VCP", "permissions": permissions, "color": 0x2ECC71, "mentionable": True}
    assert spec.validate("POST", "/guilds/1/roles", body, {}) == []


def test_role_permissions_that_are_not_digits_fail(spec: SpecValidator) -> None:
    errors = spec.validate("POST", "/guilds/1/roles", {"permissions": "all"}, {})
    assert errors == [
        'POST /guilds/{guild_id}/roles: body.permissions: string "all" given, '
        "expected integer or null"
    ]


def test_int_recipient_id_passes_but_a_negative_one_does_not(spec: SpecValidator) -> None:
    assert spec.validate("POST", "/users/@me/channels", {"recipient_id": 1234567890}, {}) == []
    errors = spec.validate("POST", "/users/@me/channels", {"recipient_id": -5}, {})
    assert len(errors) == 1
    assert "body.recipient_id: -5 does not match" in errors[0]


def test_coercion_does_not_make_a_one_of_ambiguous(spec: SpecValidator) -> None:
    # nonce is oneOf [integer, string, null]: "12345" must not count as both.
    assert spec.validate("POST", "/channels/1/messages", {"nonce": "12345"}, {}) == []
    assert spec.validate("POST", "/channels/1/messages", {"nonce": 12345}, {}) == []


def test_modal_with_label_wrapping_a_text_input_passes_spec_and_limits(
    spec: SpecValidator,
) -> None:
    body = {"type": 9, "data": ReportModal(custom_id="report:modal").to_dict()}
    assert body["data"]["components"][0]["type"] == 18
    assert body["data"]["components"][0]["component"]["type"] == 4
    path = "/interactions/111/aW50ZXJhY3Rpb24.token/callback"
    assert spec.validate("POST", path, body, {"with_response": "1"}) == []
    assert limits.check_interaction_callback(body) == []


def test_modal_with_a_text_display_and_a_preset_radio_choice_passes_spec_and_limits(
    spec: SpecValidator,
) -> None:
    modal = discord.ui.Modal(title="Melding", custom_id="report:modal")
    modal.add_item(discord.ui.TextDisplay("Je vereniging heeft één VCP."))
    modal.add_item(
        discord.ui.Label(
            text="Mag het UM-team je vereniging zien?",
            component=discord.ui.RadioGroup(
                custom_id="shown",
                options=[
                    discord.RadioGroupOption(label="Ja", value="yes"),
                    discord.RadioGroupOption(label="Nee", value="no", default=True),
                ],
            ),
        )
    )
    body = {"type": 9, "data": modal.to_dict()}
    assert [c["type"] for c in body["data"]["components"]] == [10, 18]
    assert body["data"]["components"][1]["component"]["options"][1]["default"] is True
    path = "/interactions/111/aW50ZXJhY3Rpb24.token/callback"
    assert spec.validate("POST", path, body, {"with_response": "1"}) == []
    assert limits.check_interaction_callback(body) == []


@pytest.mark.parametrize(
    "body",
    [
        {"type": 4, "data": {"content": "Gelukt.", "flags": 64}},
        {"type": 5, "data": {"flags": 64}},
        {"type": 6},
        {"type": 7, "data": {"content": "Bijgewerkt", "components": []}},
    ],
)
def test_interaction_callbacks_the_bot_sends_pass(spec: SpecValidator, body: dict) -> None:
    assert spec.validate("POST", "/interactions/1/tok/callback", body, {"with_response": "1"}) == []


@pytest.mark.parametrize(
    ("raw", "ok"), [("1", True), ("true", True), ("0", True), ("maybe", False)]
)
def test_query_booleans_are_coerced_before_judging(spec: SpecValidator, raw: str, ok: bool) -> None:
    errors = spec.validate(
        "POST", "/interactions/1/tok/callback", {"type": 6}, {"with_response": raw}
    )
    if ok:
        assert errors == []
    else:
        assert errors == [
            f'POST {CALLBACK}: query.with_response: string "maybe" given, expected boolean'
        ]


def test_query_integers_are_range_checked(spec: SpecValidator) -> None:
    errors = spec.validate("GET", "/channels/1/messages", None, {"limit": "500"})
    assert errors == [
        "GET /channels/{channel_id}/messages: query.limit: 500 is above the maximum 100"
    ]


def test_path_parameters_must_be_snowflakes(spec: SpecValidator) -> None:
    errors = spec.validate("GET", "/channels/general/messages", None, {})
    assert errors == [
        'GET /channels/{channel_id}/messages: path.channel_id: "general" does not match '
        "^(0|[1-9][0-9]*)$"
    ]


def test_body_presence_is_checked(spec: SpecValidator) -> None:
    assert spec.validate("POST", "/channels/1/messages", None, {}) == [
        f"{CREATE_MESSAGE}: body: a request body is required"
    ]
    assert spec.validate("PUT", "/channels/1/messages/pins/2", {"x": 1}, {}) == [
        "PUT /channels/{channel_id}/messages/pins/{message_id}: body: "
        "this endpoint takes no request body"
    ]
    assert spec.validate("PUT", "/guilds/1/members/2/roles/3", None, {}) == []


def test_scheduled_event_without_entity_type_lists_every_missing_field(
    spec: SpecValidator,
) -> None:
    event = {
        "name": "Intervisie",
        "scheduled_start_time": "2026-03-01T18:00:00+00:00",
        "scheduled_end_time": "2026-03-01T20:00:00+00:00",
        "entity_metadata": {"location": "Zaal 1"},
    }
    path = "/guilds/1/scheduled-events"
    assert spec.validate("POST", path, {**event, "entity_type": 3, "privacy_level": 2}, {}) == []
    assert spec.validate("POST", path, event, {}) == [
        "POST /guilds/{guild_id}/scheduled-events: body: 'privacy_level' is required",
        "POST /guilds/{guild_id}/scheduled-events: body: 'entity_type' is required",
    ]


async def test_discord_py_command_tree_payload_passes(spec: SpecValidator) -> None:
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)

    @tree.command(name="melding", description="Doe een melding")
    @app_commands.describe(wie="Over wie gaat het?")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def melding(
        interaction: discord.Interaction,
        wie: discord.Member,
        rol: discord.Role,
        bijlage: discord.Attachment,
        ernst: app_commands.Range[int, 1, 5] = 3,
    ) -> None: ...

    @tree.context_menu(name="Meld bericht")
    async def meld_bericht(interaction: discord.Interaction, message: discord.Message) -> None: ...

    payload = [command.to_dict(tree) for command in tree.get_commands()]
    try:
        assert spec.validate("PUT", "/applications/1/commands", payload, {}) == []
        assert spec.validate("PUT", "/applications/1/guilds/2/commands", payload, {}) == []
    finally:
        await client.close()


def test_unknown_path_does_not_match(spec: SpecValidator) -> None:
    assert spec.match("GET", "/channels/1/nonsense") is None
    assert spec.match("POST", "/does/not/exist") is None
    assert spec.validate("GET", "/does/not/exist", None, {}) == [
        "GET /does/not/exist: no such endpoint in the Discord API description"
    ]


def test_a_template_without_the_method_does_not_fall_through(spec: SpecValidator) -> None:
    # Discord answers 405 here; "pins" must not be taken as a {message_id}.
    assert spec.match("PATCH", "/channels/1/messages/pins") is None


def test_match_returns_template_operation_and_params(spec: SpecValidator) -> None:
    operation = spec.match("patch", "/api/v10/webhooks/11/tok-en_1/messages/@original?x=1")
    assert operation == Operation(
        method="PATCH",
        template="/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        operation_id="update_original_webhook_message",
        path_params={"webhook_id": "11", "webhook_token": "tok-en_1"},
    )


SURFACE = [
    ("GET", "/users/@me", "/users/@me"),
    ("GET", "/oauth2/applications/@me", "/oauth2/applications/@me"),
    ("GET", "/gateway/bot", "/gateway/bot"),
    ("PUT", "/applications/1/commands", "/applications/{application_id}/commands"),
    ("GET", "/applications/1/commands", "/applications/{application_id}/commands"),
    (
        "PUT",
        "/applications/1/guilds/2/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    (
        "GET",
        "/applications/1/guilds/2/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    ("POST", "/interactions/1/tok/callback", CALLBACK),
    ("POST", "/webhooks/1/tok", "/webhooks/{webhook_id}/{webhook_token}"),
    *[
        (
            method,
            f"/webhooks/1/tok/messages/{which}",
            f"/webhooks/{{webhook_id}}/{{webhook_token}}/messages/{template}",
        )
        for method in ("GET", "PATCH", "DELETE")
        for which, template in (("@original", "@original"), ("5", "{message_id}"))
    ],
    ("POST", "/channels/1/messages", "/channels/{channel_id}/messages"),
    ("GET", "/channels/1/messages", "/channels/{channel_id}/messages"),
    *[
        (method, "/channels/1/messages/2", "/channels/{channel_id}/messages/{message_id}")
        for method in ("GET", "PATCH", "DELETE")
    ],
    # EMULATOR.md lists the old pin route; discord.py 2.7.1 uses the newer one.
    *[
        (method, path, template)
        for method in ("PUT", "DELETE")
        for path, template in (
            ("/channels/1/pins/2", "/channels/{channel_id}/pins/{message_id}"),
            ("/channels/1/messages/pins/2", "/channels/{channel_id}/messages/pins/{message_id}"),
        )
    ],
    ("POST", "/users/@me/channels", "/users/@me/channels"),
    ("POST", "/guilds/1/roles", "/guilds/{guild_id}/roles"),
    *[
        (
            method,
            "/guilds/1/members/2/roles/3",
            "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        )
        for method in ("PUT", "DELETE")
    ],
    ("GET", "/guilds/1/members/2", "/guilds/{guild_id}/members/{user_id}"),
    ("GET", "/users/2", "/users/{user_id}"),
    *[
        (method, "/guilds/1/scheduled-events", "/guilds/{guild_id}/scheduled-events")
        for method in ("POST", "GET")
    ],
    *[
        (
            method,
            "/guilds/1/scheduled-events/5",
            "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}",
        )
        for method in ("GET", "PATCH", "DELETE")
    ],
    ("POST", "/channels/1/threads", "/channels/{channel_id}/threads"),
]


@pytest.mark.parametrize(("method", "path", "template"), SURFACE)
def test_the_bots_surface_resolves(
    spec: SpecValidator, method: str, path: str, template: str
) -> None:
    operation = spec.match(method, f"/api/v10{path}")
    assert operation is not None
    assert operation.template == template
    assert operation.method == method
    assert operation.operation_id
