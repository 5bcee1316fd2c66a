"""Discord's REST API, emulated: the front door and one module per kind of route.

``_front`` routes a request, checks credentials, validates the body against Discord's
OpenAPI description, applies rate limits and then acts; ``_app`` (commands),
``_channels`` (messages, threads, DMs), ``_guilds`` (members, roles, events) and
``_interactions`` (responses and follow-ups) hold the handlers, which register
themselves in ``discord_emulator.routing.ROUTES`` when imported (below).
"""

# Importing the handler modules registers their routes in ROUTES.
from discord_emulator.rest import _app, _channels, _guilds, _interactions  # noqa: F401
from discord_emulator.rest._front import (
    RequestRecord,
    error_reply,
    handle,
    reply,
    serve_attachment,
)
from discord_emulator.routing import ROUTES

__all__ = ["ROUTES", "RequestRecord", "error_reply", "handle", "reply", "serve_attachment"]
