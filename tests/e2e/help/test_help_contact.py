"""The board writes what /help shows about their association: a short contact text in
Dutch and English and a link; checked before it is saved, shown calmly, and kept when a
person deletes their own data, because it is the association's."""

from __future__ import annotations

from discord_emulator import Emulator
from tests.e2e.escalation.steps import add_member, network_with
from tests.e2e.help.steps import (
    CONTACT_EN,
    CONTACT_LINK,
    CONTACT_NL,
    ask_help,
    open_contact_form,
    set_contact,
)
from vcpbot_harness import BotHarness, NetworkWorld


async def test_the_board_writes_the_contact_and_members_read_it_in_their_language(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")
    maria = add_member(emulator, world, "tragos", "maria", locale="en-US")

    saved = await set_contact(emulator, tragos.admin, tragos.guild)

    # The board sees what members will see (the board's Discord is in Dutch).
    assert "Opgeslagen" in saved.text and CONTACT_NL in saved.text and CONTACT_LINK in saved.text
    dutch = await ask_help(emulator, lotte, tragos.guild)
    english = await ask_help(emulator, maria, tragos.guild)
    assert CONTACT_NL in dutch.text and CONTACT_EN not in dutch.text
    assert CONTACT_EN in english.text and CONTACT_NL not in english.text
    assert CONTACT_LINK in dutch.text and CONTACT_LINK in english.text
    assert f"Contact bij {tragos.guild.name}" in dutch.text
    assert f"Contact at {tragos.guild.name}" in english.text

    # Opening the form again starts from what is there; emptying both texts removes it.
    modal = await open_contact_form(emulator, tragos.admin, tragos.guild)
    assert modal.input("text_nl")["value"] == CONTACT_NL
    assert modal.input("link")["value"] == CONTACT_LINK
    cleared = await set_contact(emulator, tragos.admin, tragos.guild, nl="", en="", link="")
    assert "Verwijderd" in cleared.text
    again = await ask_help(emulator, lotte, tragos.guild)
    assert CONTACT_NL not in again.text and "Contact bij" not in again.text


async def test_a_text_in_one_language_is_shown_to_everyone(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    maria = add_member(emulator, world, "tragos", "maria", locale="en-US")

    await set_contact(emulator, tragos.admin, tragos.guild, en="", link="")

    assert CONTACT_NL in (await ask_help(emulator, maria, tragos.guild)).text


async def test_what_could_mislead_or_notify_is_refused_and_nothing_is_saved(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")
    await set_contact(emulator, tragos.admin, tragos.guild)

    refusals = {
        "http://www.tragos.nl": {"link": "http://www.tragos.nl"},
        "javascript": {"link": "javascript:alert(1)"},
        "a login in the link": {"link": "https://bestuur:geheim@www.tragos.nl"},
        "a mention": {"nl": f"Stuur <@{lotte.id}> een bericht."},
        "everyone": {"en": "Ask @everyone in the board."},
        "a link in the text": {"nl": "Zie [onze pagina](https://nep.example/tragos)."},
        "too many lines": {"en": "\n".join(["line"] * 9)},
        "a hidden direction change": {"nl": "Bel ons \u202eof niet."},
    }
    for why, change in refusals.items():
        values = {"nl": CONTACT_NL, "en": CONTACT_EN, "link": CONTACT_LINK} | change
        reply = await set_contact(emulator, tragos.admin, tragos.guild, **values)
        assert "Opgeslagen" not in reply.text, why
        assert reply.allowed_mentions == {"parse": []}, why

    # Each refusal says what to do instead.
    https = await set_contact(emulator, tragos.admin, tragos.guild, link="http://www.tragos.nl")
    assert "https://" in https.text
    mention = await set_contact(emulator, tragos.admin, tragos.guild, nl="Vraag @here.")
    assert "gewone tekst" in mention.text
    # The contact saved first is what members still read.
    shown = (await ask_help(emulator, lotte, tragos.guild)).text
    assert CONTACT_NL in shown and CONTACT_LINK in shown and "nep.example" not in shown


async def test_markdown_in_the_contact_is_shown_as_typed(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")

    await set_contact(emulator, tragos.admin, tragos.guild, nl="# Bel **nu** ||geheim||", link="")

    shown = (await ask_help(emulator, lotte, tragos.guild)).text
    assert r"\# Bel \*\*nu\*\* \|\|geheim\|\|" in shown


async def test_only_the_board_writes_the_contact(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")

    # Discord does not offer the command to a member; opened to everyone, the bot refuses.
    tragos.guild.open_command_to_everyone("help-admin")
    tried = await emulator.person(lotte).slash(tragos.guild, "help-admin", subcommand="contact")
    refused = (await tried.wait()).message
    assert refused is not None and refused.ephemeral and "Server beheren" in refused.text

    # A board whose association is not in the network is told so, calmly.
    saurus = world.association("saurus")
    outside = await emulator.person(saurus.admin).slash(
        saurus.guild, "help-admin", subcommand="contact"
    )
    reply = (await outside.wait()).message
    assert reply is not None and reply.ephemeral and "network" in reply.text


async def test_deleting_my_data_leaves_the_associations_contact(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")
    await set_contact(emulator, tragos.admin, tragos.guild)

    board = emulator.person(tragos.admin)
    ask = (await (await board.slash(None, "privacy", subcommand="delete-my-data")).wait()).message
    assert ask is not None
    await (await board.press(ask, label="Ja, verwijder mijn gegevens")).final()

    # The text is the association's, not the board member's: members still read it.
    assert CONTACT_NL in (await ask_help(emulator, lotte, tragos.guild)).text
    # The network log keeps the change, without who made it.
    audit = await emulator.person(world.coordinator).slash(world.hub, "network", subcommand="audit")
    log = (await audit.wait()).message.text
    assert "contact in /hulp" in log
