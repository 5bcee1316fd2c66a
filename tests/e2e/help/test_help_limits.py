"""/help at its longest still fits Discord's embed limits, in Dutch and in English.

The emulator refuses an answer Discord would refuse (a field over 1024 characters, an
embed over 6000 in total), so an answer arriving at all is the proof; the tests also
check that what had to be shortened says so instead of being cut mid-word.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from discord_emulator import Emulator
from discord_emulator import permissions as perm
from discord_emulator.entities import User
from tests.e2e.escalation.steps import network_with, switch_member_route, vcp_channel
from tests.e2e.help.steps import DANGER, ask_help, set_contact
from vcpbot.services import network
from vcpbot_harness import BotHarness, NetworkWorld

LONGEST_TEXT = 600  # what config/help_resources.toml allows per text


def _longest_resource(n: int) -> str:
    text = ("Lang verhaal " * 60)[:LONGEST_TEXT]
    return (
        f'name = {{ nl = "{text}", en = "{text}" }}\n'
        f'detail = {{ nl = "{text}", en = "{text}" }}\n'
        f'hours = {{ nl = "{text}", en = "{text}" }}\n'
        f'phone = "+31 43 388 {n:04d} / +31 6 2468 {n:04d} / 9"\n'
        f'url = "https://www.hulp-{n}.nl/{"a" * 250}"\n'
    )


@pytest.fixture(autouse=True)
def longest_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The deployment's help file with every list full and every text at its longest."""
    parts = ["[um_team]\n" + _longest_resource(0)]
    parts += ["[[um_contacts]]\n" + _longest_resource(i) for i in range(1, 9)]
    parts += ["[[external]]\n" + _longest_resource(i) for i in range(10, 20)]
    path = tmp_path / "help_resources.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    # Read by the bot's settings when the harness starts it.
    monkeypatch.setenv("VCPBOT_HELP_RESOURCES_FILE", str(path))
    return path


async def many_named_vcps(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, count: int
) -> None:
    """``count`` VCPs with the longest names, all named in /help (put in place directly:
    registering them one by one is what the registry tests do)."""
    tragos = world.association("tragos")
    async with harness.db.sessions.begin() as session:
        for i in range(count):
            user = emulator.create_user(f"vcp{i}", locale="nl")
            emulator.add_member(tragos.guild, user)
            name = f"{i:02d} " + "Maximiliaan van der Heijden-Vlaskamp " * 3
            await network.add_vcp(
                session,
                guild_id=tragos.guild.id,
                user_id=user.id,
                display_name=name[: network.NAME_MAX],
                actor_id=tragos.admin.id,
                now=harness.clock(),
            )
            await network.set_listed(
                session,
                guild_id=tragos.guild.id,
                user_id=user.id,
                listed=True,
                display_name=name[: network.NAME_MAX],
                now=harness.clock(),
            )


async def everything_at_once(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, *, locale: str
) -> User:
    """An administrator of the server who is also a registered VCP holding the role: the
    longest command list an association's server can show."""
    tragos = world.association("tragos")
    user = emulator.create_user(f"admin-vcp-{locale}", locale=locale)
    emulator.add_member(tragos.guild, user, roles=[tragos.vcp_role], permissions=perm.ADMINISTRATOR)
    async with harness.db.sessions.begin() as session:
        await network.add_vcp(
            session,
            guild_id=tragos.guild.id,
            user_id=user.id,
            display_name=user.username,
            actor_id=tragos.admin.id,
            now=harness.clock(),
        )
    return user


@pytest.mark.parametrize("locale", ["nl", "en-US"])
async def test_many_vcps_and_the_longest_contact_fit_in_both_languages(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    await switch_member_route(emulator, world, "tragos", vcp_channel(emulator, world, "tragos"))
    await many_named_vcps(emulator, world, harness, 60)
    longest = "Schrijf ons & vraag *alles* " * 20
    await set_contact(
        emulator,
        tragos.admin,
        tragos.guild,
        nl=longest[:400],
        en=longest[:400],
        link="https://www.tragos.nl/" + "v" * 178,
    )
    asker = await everything_at_once(emulator, world, harness, locale=locale)

    reply = await ask_help(emulator, asker, tragos.guild)

    lang = "nl" if locale == "nl" else "en"
    assert DANGER[lang] in reply.text.splitlines()[0]
    # Not every one of the 60 names fits; the list says how many more there are.
    more = r"en nog \d+\." if lang == "nl" else r"and \d+ more\."
    assert re.search(more, reply.text), reply.text
    assert "59 Maximiliaan" not in reply.text
    assert "Schrijf ons" in reply.text and "Lang verhaal" in reply.text


@pytest.mark.parametrize("locale", ["nl", "en-US"])
async def test_the_longest_list_of_commands_in_the_hub_fits_in_both_languages(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str
) -> None:
    await network_with(emulator, world, "tragos")
    everyone = emulator.create_user(f"hub-everything-{locale}", locale=locale)
    emulator.add_member(
        world.hub,
        everyone,
        roles=[world.team_role, world.coordinator_role],
        permissions=perm.ADMINISTRATOR,
    )

    reply = await ask_help(emulator, everyone, world.hub)

    lang = "nl" if locale == "nl" else "en"
    assert DANGER[lang] in reply.text.splitlines()[0]
    assert "/hub " in reply.text and "/kmtm " in reply.text and "Lang verhaal" in reply.text
