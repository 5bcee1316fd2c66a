"""The floor of our stack: a bare discord.py bot answering with a fixed ephemeral message.

It has the commands the benchmark uses (``/help``, ``/rules``, ``/kmtm log``,
``/kmtm report``, ``/report``, ``/my-case``) with the same names and options as ours, so
the emulator sends it the same payloads, but it touches no database and renders
nothing. Where our flow shows a form, so does the baseline, with the same fields
and choices, so the person submits the same values:

- ``/kmtm log`` opens a form with category, relation and follow-up;
- ``/report`` answers with a Continue button, which opens a form with
  category, urgency, the text and whether the association is shown.

Every other button press (an acknowledgement, an RSVP) and every form submit is
answered ``ok``. It imports nothing of vcpbot, so its memory is discord.py's own.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

ANSWER = "ok"
CONTINUE_ID = "bench:escalate:continue"

# The choices of our forms (vcpbot.db.kmtm and vcpbot.db.escalation), written out so
# that importing them does not load vcpbot's database layer into this process.
KMTM_CATEGORIES = (
    "sexual_physical",
    "sexual_nonphysical",
    "stalking",
    "unfair_treatment",
    "unprofessional",
    "aggression_physical",
    "aggression_nonphysical",
    "bullying",
    "discrimination",
    "intimidation",
    "improper",
    "advice",
)
KMTM_RELATIONS = (
    "student",
    "staff_academic",
    "staff_support",
    "staff_unknown",
    "civilian",
    "unknown",
)
KMTM_FOLLOW_UPS = (
    "listening_ear",
    "referred_um_team",
    "referred_inside_um",
    "referred_outside_um",
    "nothing_yet",
)
KMTM_DIMENSIONS = ("category", "relation", "follow_up", "association", "year")
URGENCIES = ("routine", "soon", "urgent")


def create_baseline_bot(**discord_options: Any) -> commands.Bot:
    bot = commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=_intents(),
        help_command=None,
        **discord_options,
    )

    @bot.tree.command(name="help", description="Fixed answer")
    async def help_command(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(ANSWER, ephemeral=True)

    @bot.tree.command(name="rules", description="Fixed answer")
    async def rules_command(
        interaction: discord.Interaction,
        article: app_commands.Range[int, 1, 99] | None = None,
        search: str | None = None,
    ) -> None:
        await interaction.response.send_message(ANSWER, ephemeral=True)

    kmtm = app_commands.Group(name="kmtm", description="Fixed answer", guild_only=True)

    @kmtm.command(name="log", description="A form")
    async def kmtm_log(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(_kmtm_form())

    @kmtm.command(name="report", description="Fixed answer")
    @app_commands.choices(by=[app_commands.Choice(name=d, value=d) for d in KMTM_DIMENSIONS])
    async def kmtm_report(
        interaction: discord.Interaction, period: str, by: app_commands.Choice[str]
    ) -> None:
        await interaction.response.send_message(ANSWER, ephemeral=True)

    bot.tree.add_command(kmtm)

    @bot.tree.command(name="my-case", description="Fixed answer")
    async def case_command(interaction: discord.Interaction, receipt: str) -> None:
        await interaction.response.send_message(ANSWER, ephemeral=True)

    @bot.tree.command(name="report", description="A button, then a form")
    @app_commands.guild_only()
    async def escalate(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(ANSWER, view=_continue_view(), ephemeral=True)

    @bot.listen("on_interaction")
    async def on_press_or_submit(interaction: discord.Interaction) -> None:
        # Buttons and forms no view claims (the views here have no callbacks).
        if interaction.type is discord.InteractionType.component:
            if (interaction.data or {}).get("custom_id") == CONTINUE_ID:
                await interaction.response.send_modal(_escalation_form())
            else:
                await interaction.response.send_message(ANSWER, ephemeral=True)
        elif interaction.type is discord.InteractionType.modal_submit:
            await interaction.response.send_message(ANSWER, ephemeral=True)

    return bot


def _continue_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Continue", custom_id=CONTINUE_ID))
    return view


def _select(custom_id: str, values: tuple[str, ...]) -> discord.ui.Select[Any]:
    return discord.ui.Select(
        custom_id=custom_id, options=[discord.SelectOption(label=v, value=v) for v in values]
    )


def _radio(custom_id: str, values: tuple[str, ...]) -> discord.ui.RadioGroup[Any]:
    return discord.ui.RadioGroup(
        custom_id=custom_id, options=[discord.RadioGroupOption(label=v, value=v) for v in values]
    )


def _form(title: str, fields: list[tuple[str, discord.ui.Item[Any]]]) -> discord.ui.Modal:
    # No timeout: the form waits like ours do, and no timer runs per open form.
    form = discord.ui.Modal(title=title, timeout=None)
    for label, component in fields:
        form.add_item(discord.ui.Label(text=label, component=component))
    return form


def _kmtm_form() -> discord.ui.Modal:
    return _form(
        "Log a contact",
        [
            ("Category", _select("category", KMTM_CATEGORIES)),
            ("Relation", _radio("relation", KMTM_RELATIONS)),
            ("Follow-up", _radio("follow_up", KMTM_FOLLOW_UPS)),
        ],
    )


def _escalation_form() -> discord.ui.Modal:
    text: discord.ui.TextInput[Any] = discord.ui.TextInput(
        custom_id="text", style=discord.TextStyle.paragraph, max_length=4000
    )
    return _form(
        "Escalate",
        [
            ("Category", _select("category", KMTM_CATEGORIES)),
            ("Urgency", _select("urgency", URGENCIES)),
            ("Text", text),
            ("Shown", _radio("shown", ("yes", "no"))),
        ],
    )


def _intents() -> discord.Intents:
    # No privileged intents, as the emulated application has none.
    intents = discord.Intents.default()
    intents.message_content = False
    intents.members = False
    intents.presences = False
    return intents
