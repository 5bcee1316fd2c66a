"""Small helpers every cog uses to answer people consistently.

Every reply that carries something a user wrote, or anything sensitive, is
ephemeral from the first response and is sent with mentions disabled.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from sqlalchemy import exc as db_errors

from vcpbot.errors import UserError
from vcpbot.i18n import Locale, pick_locale, t
from vcpbot.logs import safe_traceback

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()

# An error's catalog key -> the key the people on this path read instead. A command
# declares it with ``@worded(...)``; a view or form passes it to ``report_error``.
Wording = Callable[[str], str]
_WORDING = "vcpbot.error_wording"
CommandT = TypeVar("CommandT", bound="app_commands.Command[Any, ..., Any]")


def worded(wording: Wording) -> Callable[[CommandT], CommandT]:
    """Decorator, above ``@app_commands.command``: this command's errors are told to its
    people in their own words (the anonymous reporter's, for instance)."""

    def mark(command: CommandT) -> CommandT:
        command.extras[_WORDING] = wording
        return command

    return mark


def _wording_of(interaction: discord.Interaction) -> Wording | None:
    command = interaction.command
    found = command.extras.get(_WORDING) if command is not None else None
    return found if callable(found) else None


def locale_of(interaction: discord.Interaction, default: Locale | None = None) -> Locale:
    """The language to answer in: the user's, else the guild's, else the deployment's."""
    if default is None:
        settings = getattr(interaction.client, "settings", None)
        default = settings.default_locale if settings is not None else "en"
    guild_locale = interaction.guild_locale.value if interaction.guild_locale else None
    return pick_locale(interaction.locale.value, guild_locale, default)


def text(interaction: discord.Interaction, key: str, /, **params: Any) -> str:
    return t(key, locale_of(interaction), **params)


def keep_nothing(view: discord.ui.View) -> discord.ui.View:
    """A view for a private answer: when its only buttons are DynamicItems, it is
    finished before it is sent, so discord.py keeps nothing of it.

    discord.py keeps every view sent privately for 15 minutes, each with a timer task
    of its own. A DynamicItem needs none of that: the bot registers its class at start-up
    and finds it by custom_id. Kept anyway, at 50 interactions/s they held 37 MiB
    (issue 21's hour-long soak). A finished view is still sent as its components; a
    view with other interactive items is returned as it is, since they need keeping."""
    if all(
        isinstance(item, discord.ui.DynamicItem) or not item.is_dispatchable()
        for item in view.walk_children()
    ):
        view.stop()
    return view


async def send_private(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer only the person who acted: as the first response, or as a follow-up."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    kwargs["ephemeral"] = True
    if isinstance(kwargs.get("view"), discord.ui.View):
        keep_nothing(kwargs["view"])
    if content is not None:
        kwargs["content"] = content
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def _unwrap(error: BaseException) -> BaseException:
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    return error


def _busy(error: BaseException) -> bool:
    """The database is overloaded (no pooled connection in time, SQLite's lock held too
    long): load, not a bug; the transaction was rolled back."""
    if isinstance(error, db_errors.TimeoutError):
        return True
    return isinstance(error, db_errors.OperationalError) and "locked" in str(error.orig)


def describe_error(
    interaction: discord.Interaction, error: BaseException, wording: Wording | None = None
) -> str:
    """The text a person sees for ``error``; unexpected errors are logged with a reference.
    ``wording`` (or the command's, ``worded``) chooses the words for the people on this path."""
    error = _unwrap(error)
    params: dict[str, Any] = {}
    match error:
        case UserError():
            key, params = error.key, error.params
        case app_commands.TransformerError():
            key = "error.invalid_input"
        case app_commands.NoPrivateMessage():
            key = "error.dm_only_in_guild"
        case app_commands.CommandOnCooldown():
            key, params = "error.cooldown", {"count": max(1, round(error.retry_after))}
        case app_commands.BotMissingPermissions():
            key = "error.bot_missing_permissions"
            params = {"permissions": ", ".join(error.missing_permissions)}
        case app_commands.CheckFailure():
            key = "error.check_failed"
        case _ if _busy(error):
            command = interaction.command.qualified_name if interaction.command else "component"
            log.warning("%s: the database was too busy (%s)", command, type(error).__name__)
            key = "error.busy"
        case _:
            reference = secrets.token_hex(4)
            command = interaction.command.qualified_name if interaction.command else "component"
            log.error(
                "unexpected error in %s (reference %s)\n%s",
                command,
                reference,
                safe_traceback(error),
            )
            key, params = "error.internal", {"reference": reference}
    wording = wording or _wording_of(interaction)
    if wording is not None:
        key = wording(key)
    return t(key, locale_of(interaction), **params)


# Discord's "Unknown interaction": the answer came after its 3-second deadline.
UNKNOWN_INTERACTION = 10062


def _expired(error: BaseException) -> bool:
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


def outcome_of(error: BaseException) -> str:
    """For the metrics: the person was refused (told why), or something failed."""
    error = _unwrap(error)
    if _expired(error):
        return "late"
    refusals = (
        UserError,
        app_commands.TransformerError,
        app_commands.NoPrivateMessage,
        app_commands.CommandOnCooldown,
        app_commands.CheckFailure,
    )
    return "refused" if isinstance(error, refusals) else "error"


def _judge(interaction: discord.Interaction, error: BaseException) -> None:
    metrics = getattr(interaction.client, "metrics", None)
    if metrics is not None:
        metrics.judged(interaction, outcome_of(error))


async def report_error(
    interaction: discord.Interaction, error: BaseException, wording: Wording | None = None
) -> None:
    _judge(interaction, error)
    if _expired(_unwrap(error)):
        # Nobody can be told any more, and it is load, not a bug: a warning, no traceback.
        command = interaction.command.qualified_name if interaction.command else "component"
        log.warning("%s answered after Discord's 3-second deadline; nobody saw it", command)
        return
    message = describe_error(interaction, error, wording)
    try:
        await send_private(interaction, message)
    except discord.HTTPException as exc:
        # The interaction may have expired; there is nobody left to tell.
        log.warning("could not show an error to the user (HTTP %s)", exc.status)


class ReportingView(discord.ui.View):
    """A view whose failures reach the person who pressed, calmly, and the log only as
    ``report_error`` writes it (discord.py's own handler would log the exception whole)."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class ReportingModal(discord.ui.Modal):
    """A modal whose failures are answered as ``ReportingView``'s are."""

    async def on_error(  # type: ignore[override]  # discord.py's Modal drops View's item argument
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await report_error(interaction, error)
