"""The UM team and an association's VCPs keep their own saved replies with /snippets: add,
change, list and remove, in Dutch and English; anyone else is refused kindly, and bad input
is refused with nothing kept."""

from __future__ import annotations

from discord_emulator import Emulator
from tests.e2e.escalation.snippets_steps import add_snippet, snippet_form, snippets_command
from tests.e2e.escalation.steps import add_member, add_vcp, button_labels, network_with
from vcpbot_harness import BotHarness, NetworkWorld

NL = "Dank je dat je dit met ons deelt. We nemen binnen twee werkdagen contact op."
EN = "Thank you for sharing this with us. We will be in touch within two working days."


async def test_the_dutch_coordinator_adds_changes_lists_and_removes_a_saved_reply(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    coordinator, hub = world.coordinator, world.hub  # Dutch Discord

    empty = await snippets_command(emulator, coordinator, hub, "list")
    assert empty.ephemeral and "Er zijn hier nog geen opgeslagen antwoorden" in empty.text

    form = await snippet_form(emulator, coordinator, hub, "add")
    assert form.title == "Nieuw opgeslagen antwoord"
    assert "Tekst in het Nederlands" in form.text and "Tekst in het Engels" in form.text
    added = await (
        await emulator.person(coordinator).submit(
            form, {"name": "Eerste reactie", "text_nl": NL, "text_en": EN}
        )
    ).final()
    assert added.ephemeral and "**Eerste reactie** is bewaard" in added.text
    assert "Reageren" in added.text  # where it will be offered

    listed = await snippets_command(emulator, coordinator, hub, "list")
    assert listed.ephemeral and "Opgeslagen antwoorden van het UM-team (1)" in listed.text
    assert "Eerste reactie" in listed.text and NL[:40] in listed.text and EN[:40] in listed.text

    # Changing it starts from what is there.
    form = await snippet_form(emulator, coordinator, hub, "edit", name="eerste reactie")
    assert form.title == "Opgeslagen antwoord wijzigen"
    assert form.input("name")["value"] == "Eerste reactie"
    assert form.input("text_nl")["value"] == NL and form.input("text_en")["value"] == EN
    changed = await (
        await emulator.person(coordinator).submit(
            form, {"name": "Intake", "text_nl": "Hoi, fijn dat je schrijft."}
        )
    ).final()
    assert "**Intake** is gewijzigd" in changed.text
    listed = await snippets_command(emulator, coordinator, hub, "list")
    assert "Intake" in listed.text and "Hoi, fijn dat je schrijft." in listed.text
    assert "Eerste reactie" not in listed.text

    # Removing asks first; keeping it changes nothing.
    asked = await snippets_command(emulator, coordinator, hub, "remove", name="Intake")
    assert asked.ephemeral and "**Intake** verwijderen?" in asked.text
    assert button_labels(asked) == ["Verwijderen", "Bewaren"]
    kept = await (await emulator.person(coordinator).press(asked, label="Bewaren")).final()
    assert "Er is niets veranderd" in kept.text
    assert "Intake" in (await snippets_command(emulator, coordinator, hub, "list")).text
    asked = await snippets_command(emulator, coordinator, hub, "remove", name="Intake")
    done = await (await emulator.person(coordinator).press(asked, label="Verwijderen")).final()
    assert "**Intake** is verwijderd" in done.text
    empty = await snippets_command(emulator, coordinator, hub, "list")
    assert "Er zijn hier nog geen opgeslagen antwoorden" in empty.text


async def test_an_english_team_member_is_told_what_to_fix_and_nothing_is_kept(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    member, hub = world.team_member, world.hub  # English Discord
    await add_snippet(emulator, member, hub, name="First reply", nl=NL, en=EN)

    twice = await add_snippet(emulator, member, hub, name="first REPLY", nl="a", en="b")
    assert twice.ephemeral
    assert "There is already a saved reply called **first REPLY** here" in twice.text
    blank = await add_snippet(emulator, member, hub, name="Visit", nl="   ", en=EN)
    assert "The Dutch text is empty" in blank.text and "Both texts are needed" in blank.text
    nameless = await add_snippet(emulator, member, hub, name="   ", nl=NL, en=EN)
    assert "Give the saved reply a name" in nameless.text
    unknown = await snippets_command(emulator, member, hub, "remove", name="Nothing like it")
    assert "There is no saved reply called **Nothing like it** here" in unknown.text

    listed = await snippets_command(emulator, member, hub, "list")
    assert "The UM team's saved replies (1)" in listed.text
    assert "Visit" not in listed.text and "first REPLY" not in listed.text
    # Typing a name suggests the desk's own; someone who does not handle cases gets none.
    await add_snippet(emulator, member, hub, name="Appointment", nl=NL, en=EN)
    person = emulator.person(member)
    typed = {"name": "rep"}
    offered = await person.autocomplete(hub, "snippets", typed, focused="name", subcommand="edit")
    assert [c["name"] for c in offered] == ["First reply"]
    visitor = emulator.create_user("visitor", locale="en-US")
    emulator.add_member(hub, visitor)
    none = await emulator.person(visitor).autocomplete(
        hub, "snippets", {"name": ""}, focused="name", subcommand="remove"
    )
    assert none == []
    # The name field cannot take more than a name fits.
    form = await snippet_form(emulator, member, hub, "add")
    assert form.input("name")["max_length"] == 40
    assert form.input("text_en")["max_length"] == 4000


async def test_people_who_do_not_handle_cases_are_refused_kindly_in_their_language(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos", "saurus")
    tragos, saurus = world.association("tragos"), world.association("saurus")
    # In the hub, someone without the team role.
    visitor = emulator.create_user("visitor", locale="en-US")
    emulator.add_member(world.hub, visitor)
    refused = await snippets_command(emulator, visitor, world.hub, "list")
    assert refused.ephemeral and "Only members of the UM team can do this" in refused.text
    # In an association's server, a member who is not a VCP, in Dutch and in English.
    lotte = add_member(emulator, world, "tragos", "lotte", locale="nl")
    refused = await snippets_command(emulator, lotte, tragos.guild, "list")
    assert refused.ephemeral and "Alleen de VCP's van deze vereniging" in refused.text
    form_refused = await emulator.person(lotte).slash(tragos.guild, "snippets", subcommand="add")
    answer = await form_refused.final()
    assert answer.ephemeral and "Alleen de VCP's van deze vereniging" in answer.text
    tom = add_member(emulator, world, "saurus", "tom", locale="en-US")
    refused = await snippets_command(emulator, tom, saurus.guild, "remove", name="x")
    assert refused.ephemeral and "Only this association's VCPs" in refused.text


async def test_the_vcps_keep_their_own_set_apart_from_the_teams(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos", "saurus")
    tragos, saurus = world.association("tragos"), world.association("saurus")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    maria = await add_vcp(emulator, world, "saurus", "maria", locale="en-US")
    await add_snippet(emulator, world.team_member, world.hub, name="Team only", nl=NL, en=EN)
    added = await add_snippet(
        emulator,
        sanne,
        tragos.guild,
        name="Welkom",
        nl="Hoi, ik ben je VCP.",
        en="Hi, I'm your VCP.",
    )
    assert "**Welkom** is bewaard" in added.text
    # The same name is free at another desk.
    await add_snippet(emulator, maria, saurus.guild, name="Welkom", nl="Hallo", en="Hello")

    ours = await snippets_command(emulator, sanne, tragos.guild, "list")
    assert "Opgeslagen antwoorden van de VCP's van je vereniging (1)" in ours.text
    assert "Hoi, ik ben je VCP." in ours.text and "Team only" not in ours.text
    theirs = await snippets_command(emulator, maria, saurus.guild, "list")
    assert "Your association's VCPs' saved replies (1)" in theirs.text
    assert "Hello" in theirs.text and "Hoi, ik ben je VCP." not in theirs.text
    team = await snippets_command(emulator, world.team_member, world.hub, "list")
    assert "Team only" in team.text and "Welkom" not in team.text
    # Another desk's saved reply is not there to change.
    missing = await snippets_command(emulator, sanne, tragos.guild, "remove", name="Team only")
    assert "Er is geen opgeslagen antwoord met de naam **Team only**" in missing.text
