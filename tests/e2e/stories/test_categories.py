"""A category is the same words in every feature: the VCP who reports a case to the UM
team and who logs a KMTM contact reads the same label and the same short hint for it."""

from __future__ import annotations

from typing import Any

import pytest

from discord_emulator import Emulator, Modal
from tests.e2e.escalation.steps import CONTINUE, add_vcp, lang, network_with
from tests.e2e.kmtm.steps import create_period
from vcpbot_harness import BotHarness, NetworkWorld


def category_options(modal: Modal) -> dict[str, tuple[str, str]]:
    """What the category list offers: value -> (label, hint), as the person reads them."""
    select: dict[str, Any] = modal.input("category")
    return {o["value"]: (o["label"], o.get("description") or "") for o in select["options"]}


@pytest.mark.parametrize("locale", ["nl", "en-US"])
async def test_a_vcp_reads_every_category_alike_when_reporting_and_when_logging(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale=locale)
    await create_period(emulator, world)
    person = emulator.person(sanne)

    intro = (await (await person.slash(tragos.guild, "report")).wait()).message
    assert intro is not None
    report_form = (await person.press(intro, label=CONTINUE[lang(sanne)])).response.modal
    log_form = (await (await person.slash(tragos.guild, "kmtm", subcommand="log")).wait()).modal
    assert report_form is not None and log_form is not None

    reporting, logging = category_options(report_form), category_options(log_form)
    assert reporting == logging
    # Every category carries its short hint, in the reporting form too.
    assert len(reporting) == 12 and all(hint for _, hint in reporting.values())
    expected = {"nl": "Geen incident", "en": "No incident"}[lang(sanne)]
    assert reporting["advice"][1].startswith(expected)
