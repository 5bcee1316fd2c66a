"""What the report form tells a reporter about showing their association's name.

Pattern notices group cases whose reporters withheld the association with each
other, so learning one case's association gives it away for the others. And an
association with a single registered VCP is that VCP: its name on a case names
the reporter. The form says both, and in the second case withholding is chosen
already.
"""

from __future__ import annotations

from typing import Any

import pytest

from discord_emulator import Emulator
from discord_emulator.entities import User
from tests.e2e.escalation.steps import (
    CONTINUE,
    add_member,
    add_vcp,
    card_for,
    code_in,
    lang,
    network_with,
    switch_member_route,
    vcp_channel,
)
from vcpbot_harness import BotHarness, NetworkWorld

# In the hint of the choice, on both routes: withheld cases are grouped, one tells all.
GROUPED = {"nl": ("gegroepeerd", "weet het team"), "en": ("grouped", "if the team learns")}
ONLY_VCP = {
    "nl": "enige geregistreerde VCP van je vereniging",
    "en": "only registered VCP of your association",
}


async def open_form(emulator: Emulator, user: User, guild: Any) -> Any:
    person = emulator.person(user)
    intro = (await (await person.slash(guild, "report")).wait()).message
    assert intro is not None
    modal = (await person.press(intro, label=CONTINUE[lang(user)])).response.modal
    assert modal is not None
    return modal


def preset(modal: Any) -> list[str]:
    """The choices the form shows as chosen already."""
    return [o["value"] for o in modal.input("shown")["options"] if o.get("default")]


@pytest.mark.parametrize("locale", ["nl", "en-US"])
@pytest.mark.threat("T5")
async def test_the_form_says_that_withheld_cases_are_still_grouped(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await switch_member_route(emulator, world, "tragos", vcp_channel(emulator, world, "tragos"))
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    member = add_member(emulator, world, "tragos", "noor", locale=locale)
    for reporter in (vcp, member):
        modal = await open_form(emulator, reporter, tragos.guild)
        [label] = [
            c for c in modal.components if c.get("component", {}).get("custom_id") == "shown"
        ]
        for words in GROUPED[lang(reporter)]:
            assert words in label["description"], reporter.username


@pytest.mark.threat("T5")
async def test_the_only_registered_vcp_is_told_and_withholding_is_chosen_already(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")

    modal = await open_form(emulator, sanne, tragos.guild)
    assert ONLY_VCP["nl"] in modal.text and "weet het UM-team dat de melding van jou" in modal.text
    assert preset(modal) == ["no"]
    # Left as it is, the association stays withheld from the team.
    submitted = await emulator.person(sanne).submit(
        modal, {"category": "advice", "urgency": "routine", "text": "Een vraag."}
    )
    card = await card_for(emulator, world, code_in(await submitted.final()))
    assert "niet gedeeld" in card.text and tragos.guild.name not in card.text

    # With a second registered VCP the form is as before: no note, nothing chosen for her.
    await add_vcp(emulator, world, "tragos", "ahmed", locale="en-US")
    modal = await open_form(emulator, sanne, tragos.guild)
    assert ONLY_VCP["nl"] not in modal.text and preset(modal) == []
    with pytest.raises(AssertionError, match="'shown' is required"):
        await emulator.person(sanne).submit(
            modal, {"category": "advice", "urgency": "routine", "text": "Een vraag."}
        )
