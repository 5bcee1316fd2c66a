"""``vcpbot demo``: the product shown offline, as the people who use it see it.

The in-repo Discord emulator and the real bot run in this process with a
temporary SQLite database; a scripted tour acts as each person and prints what
they do and what they see. No token, no network. One module per feature's tour
(network and its readiness, rules, escalation, intervisie, kmtm), told through one Narrator
(narration.py); the acting is the harness's shared steps (vcpbot_harness.steps),
the same the end-to-end tests take.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from discord_emulator import Emulator
from vcpbot.crypto import generate_index_key, generate_master_key
from vcpbot.db import create_database
from vcpbot.db.migrate import upgrade
from vcpbot.i18n import Locale, t
from vcpbot.settings import Settings
from vcpbot_harness import BotHarness, NetworkWorld, seed_network_world, settings_for
from vcpbot_harness.demo.clock import DemoClock
from vcpbot_harness.demo.escalation import consent_tour, escalation_tour
from vcpbot_harness.demo.intervisie import intervisie_tour
from vcpbot_harness.demo.kmtm import kmtm_tour
from vcpbot_harness.demo.narration import Narrator, Out
from vcpbot_harness.demo.network import network_tour, readiness_tour
from vcpbot_harness.demo.rules import rules_tour

__all__ = ["run_demo"]


async def run_demo(*, lang: str, step: bool, out: Out) -> int:
    """The whole tour in ``lang`` (pausing for Enter after each chapter with ``step``):
    0, or 1 when the emulator recorded requests Discord would refuse."""
    locale: Locale = "nl" if lang == "nl" else "en"
    # The tour's output is the story; discord.py's start-up notes (no voice support) are not.
    logging.getLogger("discord").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="vcpbot-demo-") as tmp:
        db = create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}")
        await upgrade(db)
        async with Emulator() as emulator:
            world = seed_network_world(emulator, staff_locale="nl" if locale == "nl" else "en-US")
            clock = DemoClock()
            harness = BotHarness(emulator, _settings(emulator, world, locale, tmp), db, clock=clock)
            out(t("demo.intro", locale))
            await harness.start()
            out(t("demo.ready", locale, count=len(emulator.world.commands)))
            try:
                narrator = Narrator(emulator, out, locale, step_mode=step)
                await _tours(emulator, world, narrator, harness, clock)
            finally:
                await harness.stop()
            failures = list(emulator.failures)
        await db.dispose()
    if failures:
        out("The emulator recorded requests Discord would refuse:")
        for failure in failures:
            out(f"  - {failure}")
        return 1
    out("")
    out(t("demo.done", locale))
    return 0


def _settings(emulator: Emulator, world: NetworkWorld, locale: Locale, tmp: str) -> Settings:
    return settings_for(
        emulator,
        hub_guild_id=world.hub.id,
        default_locale=locale,
        # Keys made for this run only: the demo's cases vanish with its database.
        master_keys=generate_master_key(1),
        index_key=generate_index_key(),
        runtime_dir=Path(tmp) / "run",
        # The tour shows a card right after the form; a deployment batches them.
        escalation={"batch_min_minutes": 0, "batch_max_minutes": 0},
    )


async def _tours(
    emulator: Emulator, world: NetworkWorld, say: Narrator, harness: BotHarness, clock: DemoClock
) -> None:
    """Every feature's tour, in the order a new network meets them."""
    lang = say.lang
    await network_tour(emulator, world, say, lang)
    await rules_tour(emulator, world, say, lang)
    await escalation_tour(emulator, world, say, lang)
    await consent_tour(emulator, world, say, lang)
    await intervisie_tour(emulator, world, say, lang, harness, clock)
    await kmtm_tour(emulator, world, say, lang, harness=harness)
    await readiness_tour(emulator, world, say, lang)
