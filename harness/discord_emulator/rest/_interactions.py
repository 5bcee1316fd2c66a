"""Interaction callbacks and the interaction webhook (followups, ``@original``).

Discord's rules are enforced as Discord enforces them: one initial response,
within the deadline, else the token is dead (10062); a second one is 40060;
followups and ``@original`` work for the token's lifetime (15 minutes).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from discord_emulator import errors, messages
from discord_emulator.entities import EPHEMERAL, LOADING, Message
from discord_emulator.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    MODAL,
    UPDATE_MESSAGE,
    VALID_CALLBACKS,
    Interaction,
    Modal,
    Response,
)
from discord_emulator.routing import ROUTES, Call

if TYPE_CHECKING:
    from discord_emulator.host import EmulatorHost

_CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
_WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"


def _refuse(interaction: Interaction, error: errors.DiscordError) -> errors.DiscordError:
    interaction.rejections.append(str(error))
    return error


@ROUTES.route("POST", _CALLBACK, token_auth=True)
async def create_callback(em: EmulatorHost, call: Call) -> Any:
    interaction = em.world.interactions.get(call.snowflake("interaction_id"))
    if interaction is None or interaction.token != call.params["interaction_token"]:
        raise errors.unknown("interaction")
    if interaction.response is not None:
        raise _refuse(interaction, errors.already_acknowledged())
    if interaction.age > em.interaction_deadline:
        # The token died unanswered; Discord has already shown "The application did not respond".
        raise _refuse(interaction, errors.unknown("interaction"))
    kind = int(call.json["type"])
    if kind not in VALID_CALLBACKS.get(interaction.type, frozenset()):
        raise _refuse(
            interaction,
            errors.invalid_form(
                [f"type: callback type {kind} is not valid for {interaction.label}"]
            ),
        )
    data = call.json.get("data") or {}
    interaction.response = _respond(em, interaction, kind, data, call)
    em.world.notify()
    if not call.flag("with_response"):
        return None
    return _callback_body(interaction, interaction.response)


def _respond(
    em: EmulatorHost, interaction: Interaction, kind: int, data: dict[str, Any], call: Call
) -> Response:
    if kind in (CHANNEL_MESSAGE, DEFERRED_MESSAGE):
        message = _response_message(
            em, interaction, data, call, placeholder=kind == DEFERRED_MESSAGE
        )
        interaction.original = message
        return Response(type=kind, message=message)
    if kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
        source = interaction.source_message
        if source is None and kind == UPDATE_MESSAGE:
            raise _refuse(
                interaction,
                errors.invalid_form(
                    [f"type: {interaction.label} has no message to update (callback type 7)"]
                ),
            )
        if source is not None and kind == UPDATE_MESSAGE:
            messages.edit(em.world, source, data, call.files)
        interaction.original = source
        return Response(type=kind, message=source)
    if kind == AUTOCOMPLETE_RESULT:
        return Response(type=kind, choices=list(data.get("choices") or []))
    modal = Modal(
        custom_id=data["custom_id"],
        title=data["title"],
        components=messages.number_components(copy.deepcopy(data["components"])),
        opened_by=interaction,
    )
    return Response(type=MODAL, modal=modal)


def _response_message(
    em: EmulatorHost,
    interaction: Interaction,
    data: dict[str, Any],
    call: Call,
    *,
    placeholder: bool,
) -> Message:
    body = {"flags": int(data.get("flags") or 0) & EPHEMERAL} if placeholder else data
    return messages.create(
        em.world,
        channel=interaction.channel,
        author=em.world.bot_user,
        body=body,
        files=[] if placeholder else call.files,
        ephemeral_allowed=True,
        visible_to=interaction.user.id,
        message_type=_message_type(interaction),
        placeholder=placeholder,
        interaction_metadata=_metadata(interaction),
        webhook_id=em.world.application_id,
    )


def _message_type(interaction: Interaction) -> int:
    """CHAT_INPUT_COMMAND (20) or CONTEXT_MENU_COMMAND (23) replies; DEFAULT otherwise."""
    if interaction.type != APPLICATION_COMMAND:
        return 0
    return 20 if interaction.data.get("type", 1) == 1 else 23


def _metadata(interaction: Interaction) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "id": str(interaction.id),
        "type": interaction.type,
        "user": interaction.user.to_payload(),
        "authorizing_integration_owners": interaction.payload.get(
            "authorizing_integration_owners", {}
        ),
    }
    if interaction.type == APPLICATION_COMMAND:
        metadata["name"] = interaction.data.get("name")
        metadata["command_type"] = interaction.data.get("type", 1)
    elif interaction.source_message is not None:
        metadata["interacted_message_id"] = str(interaction.source_message.id)
    return metadata


def _callback_body(interaction: Interaction, response: Response) -> dict[str, Any]:
    """An InteractionCallbackResponse, as ``?with_response=1`` returns it."""
    summary: dict[str, Any] = {"id": str(interaction.id), "type": interaction.type}
    message = response.message
    if response.type in (CHANNEL_MESSAGE, DEFERRED_MESSAGE, UPDATE_MESSAGE) and message is not None:
        summary |= {
            "response_message_id": str(message.id),
            "response_message_loading": message.loading,
            "response_message_ephemeral": message.ephemeral,
        }
        body: dict[str, Any] = {
            "interaction": summary,
            "resource": {"type": response.type, "message": message.to_payload()},
        }
    else:
        body = {"interaction": summary}
    summary["channel_id"] = str(interaction.channel.id)
    if interaction.guild is not None:
        summary["guild_id"] = str(interaction.guild.id)
    return body


# -- the interaction webhook ------------------------------------------------------------


def _webhook_interaction(em: EmulatorHost, call: Call) -> Interaction:
    if call.snowflake("webhook_id") != em.world.application_id:
        raise errors.DiscordError(
            404,
            10015,
            "Unknown Webhook (channel webhooks are not modelled by the emulator)",
            bot_error=True,
        )
    token = call.params["webhook_token"]
    interaction = next((i for i in em.world.interactions.values() if i.token == token), None)
    if interaction is None:
        raise errors.unknown("webhook")
    if interaction.age > em.interaction_token_lifetime:
        raise _refuse(interaction, errors.invalid_webhook_token())
    if interaction.response is None:
        # Until the first callback there is no webhook behind the token.
        raise _refuse(interaction, errors.unknown("webhook"))
    return interaction


def _target(interaction: Interaction, message_ref: str) -> Message:
    if message_ref == "@original":
        message = interaction.original
    else:
        wanted = int(message_ref) if message_ref.isdigit() else -1
        candidates = [interaction.original, *interaction.followups]
        message = next((m for m in candidates if m is not None and m.id == wanted), None)
    if message is None or message.deleted:
        raise _refuse(interaction, errors.unknown("message"))
    return message


@ROUTES.route("POST", _WEBHOOK, token_auth=True)
async def execute_webhook(em: EmulatorHost, call: Call) -> Any:
    interaction = _webhook_interaction(em, call)
    original = interaction.original
    if (
        original is not None
        and original.loading
        and interaction.response is not None
        and interaction.response.type == DEFERRED_MESSAGE
    ):
        # The first followup after "thinking..." replaces the placeholder (keeping its visibility).
        message = _fill_placeholder(em, original, call)
        interaction.original_edits += 1
    else:
        message = messages.create(
            em.world,
            channel=interaction.channel,
            author=em.world.bot_user,
            body=call.json,
            files=call.files,
            ephemeral_allowed=True,
            visible_to=interaction.user.id,
            interaction_metadata=_metadata(interaction),
            webhook_id=em.world.application_id,
        )
    interaction.followups.append(message)
    return message.to_payload() if call.flag("wait") else None


def _fill_placeholder(em: EmulatorHost, message: Message, call: Call) -> Message:
    message.flags &= ~LOADING
    body = {k: v for k, v in call.json.items() if k != "flags"}
    return messages.edit(em.world, message, body, call.files)


async def get_webhook_message(em: EmulatorHost, call: Call) -> Any:
    interaction = _webhook_interaction(em, call)
    return _target(interaction, call.params.get("message_id", "@original")).to_payload()


async def edit_webhook_message(em: EmulatorHost, call: Call) -> Any:
    interaction = _webhook_interaction(em, call)
    message = _target(interaction, call.params.get("message_id", "@original"))
    if message is interaction.original:
        interaction.original_edits += 1
    if message.loading:
        return _fill_placeholder(em, message, call).to_payload()
    return messages.edit(em.world, message, call.json, call.files).to_payload()


async def delete_webhook_message(em: EmulatorHost, call: Call) -> Any:
    interaction = _webhook_interaction(em, call)
    messages.delete(em.world, _target(interaction, call.params.get("message_id", "@original")))


for _ref in ("@original", "{message_id}"):
    ROUTES.route("GET", f"{_WEBHOOK}/messages/{_ref}", token_auth=True)(get_webhook_message)
    ROUTES.route("PATCH", f"{_WEBHOOK}/messages/{_ref}", token_auth=True)(edit_webhook_message)
    ROUTES.route("DELETE", f"{_WEBHOOK}/messages/{_ref}", token_auth=True)(delete_webhook_message)
