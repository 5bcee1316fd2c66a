"""Bad input, double presses and stale forms: a clear private message, and nothing half-saved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import text

from discord_emulator import Emulator, InteractionResult, Modal, forms
from discord_emulator.entities import User
from discord_emulator.interactions import MODAL_SUBMIT
from discord_emulator.invoke import Resolved, new_interaction
from tests.e2e.escalation.steps import (
    CONTINUE,
    add_vcp,
    button_labels,
    card_for,
    cards_in,
    code_in,
    escalate,
    lang,
    network_with,
    open_case,
    receipt_in,
)
from vcpbot_harness import BotHarness, NetworkWorld


async def count_cases(harness: BotHarness) -> int:
    async with harness.db.sessions.begin() as session:
        return int(await session.scalar(text("SELECT count(*) FROM escalation_cases")) or 0)


async def open_form(emulator: Emulator, user: User, guild: Any) -> Modal:
    person = emulator.person(user)
    intro = (await (await person.slash(guild, "report")).wait()).message
    assert intro is not None
    modal = (await person.press(intro, label=CONTINUE[lang(user)])).response.modal
    assert modal is not None
    return modal


def tampered_submit(
    emulator: Emulator,
    user: User,
    modal: Modal,
    values: Mapping[str, Any],
    forged: Mapping[str, str],
) -> InteractionResult:
    """What a modified client could send: a value the form never offered."""
    opener = modal.opened_by
    resolved = Resolved(opener.guild, opener.channel, emulator.world, user)
    components = forms.modal_submission(modal, values, resolved)
    for entry in components:
        field = entry.get("component", {})
        if field.get("custom_id") in forged:
            field["values"] = [forged[field["custom_id"]]]
    interaction = new_interaction(
        emulator.world,
        kind=MODAL_SUBMIT,
        user=user,
        guild=opener.guild,
        channel=opener.channel,
        data={"custom_id": modal.custom_id, "components": components},
        source_message=opener.source_message,
    )
    emulator.world.dispatch("INTERACTION_CREATE", interaction.payload, opener.guild.id)
    return InteractionResult(emulator, interaction, 5.0)


FORM = {"category": "advice", "urgency": "routine", "shown": "no"}


async def test_empty_text_and_a_forged_category_save_nothing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    person = emulator.person(vcp)

    modal = await open_form(emulator, vcp, tragos.guild)
    empty = await person.submit(modal, FORM | {"text": "   \n\u200b  "})
    said = await empty.followup()
    assert said.ephemeral and "Schrijf iets in het tekstveld" in said.text
    assert "Wat je schreef" not in said.text  # there was nothing to hand back

    modal = await open_form(emulator, vcp, tragos.guild)
    words = "Dit wil ik niet kwijtraken."
    forged = tampered_submit(emulator, vcp, modal, FORM | {"text": words}, {"category": "gossip"})
    said = await forged.followup()
    assert said.ephemeral and "Kies een van de genoemde categorieën" in said.text
    assert "Wat je schreef" in said.text and words in said.text
    assert await count_cases(harness) == 0
    assert cards_in(emulator, world) == []

    # Exactly the longest text Discord lets through is kept whole, markdown and all.
    longest = ("*nadruk* en _onderstreept_ " * 200)[:4000]
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text=longest)
    seen = await open_case(emulator, vcp, receipt_in(confirmation))
    shown = "".join(e.get("description", "") for e in seen.embeds)
    assert shown.replace("\\", "") == longest


async def test_a_long_conversation_is_read_page_by_page(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="A" * 4000)
    card = await card_for(emulator, world, code_in(confirmation))
    team = emulator.person(world.team_member)
    for letter in "BC":
        form = (await team.press(card, label="Reageren")).response.modal
        assert form is not None
        await (await team.submit(form, {"text": letter * 4000})).final()
    seen = await open_case(emulator, vcp, receipt_in(confirmation))
    # The newest page first; every page within Discord's limits (the emulator checks).
    assert "C" * 4000 in seen.text and "A" * 4000 not in seen.text
    assert "Pagina 3 van 3" in seen.text
    earlier = await (await emulator.person(vcp).press(seen, label="Eerder")).final()
    assert "B" * 4000 in earlier.text and "Pagina 2 van 3" in earlier.text
    earlier = await (await emulator.person(vcp).press(earlier, label="Eerder")).final()
    assert "A" * 4000 in earlier.text
    first = [b for b in earlier.buttons if b["label"] == "Eerder"]
    assert first and first[0].get("disabled")


async def test_receipts_in_the_wrong_format_wrong_ones_and_guessing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="A concern.")
    receipt = receipt_in(confirmation)

    wrong_format = await open_case(emulator, vcp, "C-1234")
    assert wrong_format.ephemeral and "does not look like a receipt" in wrong_format.text
    # Sloppy copies of the right receipt still work.
    sloppy = receipt.replace("-", " ").lower()
    assert "Your case" in (await open_case(emulator, vcp, sloppy)).text

    guesser = await add_vcp(emulator, world, "tragos", "guesser", locale="en-US")
    for n in range(10):
        guess = f"{n:04d}" + receipt[4:]
        answer = await open_case(emulator, guesser, guess)
        assert answer.text == (
            "No case was found for this receipt. Please check that you copied it completely. "
            "A case is deleted 90 days after it is closed."
        )
    # Over the limit, even the right receipt is refused today, for the guesser only.
    stopped = await open_case(emulator, guesser, receipt)
    assert "Too many receipts" in stopped.text and "A concern." not in stopped.text
    assert "A concern." in (await open_case(emulator, vcp, receipt)).text


async def test_replies_to_a_closed_case_and_a_second_close_are_refused_calmly(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Iets om te bespreken.")
    receipt, code = receipt_in(confirmation), code_in(confirmation)
    card = await card_for(emulator, world, code)
    team, coordinator = emulator.person(world.team_member), emulator.person(world.coordinator)

    # Two team members each open Close; and one has the Reply form open.
    first = (await team.press(card, label="Afsluiten")).response.modal
    second = (await coordinator.press(card, label="Afsluiten")).response.modal
    assert first is not None and second is not None
    reply_form = (await coordinator.press(card, label="Reageren")).response.modal
    assert reply_form is not None
    # The reporter also has their case open, in two places.
    view_a = await open_case(emulator, vcp, receipt)
    view_b = await open_case(emulator, vcp, receipt, guild=tragos.guild)

    last_words = "We have referred you to the confidential adviser."
    closed = await team.submit(first, {"outcome": "referred_externally", "text": last_words})
    assert f"Case {code} is closed" in (await closed.final()).text
    again = await coordinator.submit(second, {"outcome": "advice_given", "text": "Tot ziens."})
    said = await again.followup()
    assert said.ephemeral and "was al afgesloten. Er is niets veranderd" in said.text
    assert "Tot ziens." in said.text  # handed back, not lost

    late = await coordinator.submit(reply_form, {"text": "Nog een vraag aan de melder."})
    said = await late.followup()
    assert "Deze melding is afgesloten" in said.text
    assert "Nog een vraag aan de melder." in said.text  # handed back, not lost

    sanne = emulator.person(vcp)
    form = (await sanne.press(view_a, label="Reageren")).response.modal
    assert form is not None
    said = await (await sanne.submit(form, {"text": "Nog één ding."})).followup()
    assert "Deze melding is afgesloten" in said.text and "Nog één ding." in said.text
    ask = (await sanne.press(view_b, label="Mijn melding sluiten")).response.message
    assert ask is not None
    said = await (await sanne.press(ask, label="Ja, sluit mijn melding")).followup()
    assert "was al afgesloten" in said.text
    # The closed card cannot be closed or answered again from its buttons either.
    assert button_labels(card) == ["Openen", "Afzender blokkeren"] or "Afsluiten" not in (
        button_labels(card)
    )


async def test_forms_and_buttons_from_before_a_restart_say_so_and_save_nothing(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text="Eerste melding.")
    seen = await open_case(emulator, vcp, receipt_in(confirmation))
    person = emulator.person(vcp)
    intro = (await (await person.slash(tragos.guild, "report")).wait()).message
    assert intro is not None
    modal = (await person.press(intro, label="Verder")).response.modal
    assert modal is not None

    await harness.restart()
    for stale in (
        await person.submit(modal, FORM | {"text": "Tweede melding."}),
        await person.press(intro, label="Verder"),
        await person.press(seen, label="Reageren"),
        await person.press(confirmation, label="Stuur me een privébericht bij een reactie"),
    ):
        said = await stale.final()
        assert said.ephemeral and "niet meer actief" in said.text and "/melden" in said.text
    assert await count_cases(harness) == 1


async def test_without_keys_a_reporter_is_told_where_else_to_go_and_the_hub_why(
    emulator: Emulator, world: NetworkWorld, databases, clock
) -> None:
    from vcpbot_harness import settings_for

    db = await databases.create_migrated()
    bot = BotHarness(emulator, settings_for(emulator, hub_guild_id=world.hub.id), db, clock=clock)
    await bot.start()
    try:
        await network_with(emulator, world, "tragos")
        tragos = world.association("tragos")
        vcp = await add_vcp(emulator, world, "tragos", "maria", locale="en-US")
        person = emulator.person(vcp)
        # Maria, reporting: what she can do instead, never why inside the bot.
        for result in (
            await person.slash(tragos.guild, "report"),
            await person.slash(None, "my-case", {"receipt": "K7QM-K7QM-K7QM-K7QM-K7QM"}),
        ):
            said = await result.final()
            assert said.ephemeral and "not available right now" in said.text
            assert "/help" in said.text and "call 112" in said.text
            for machinery in ("key", "administrator", "configured"):
                assert machinery not in said.text
        # The team and the board: the same calm refusal, and where to look.
        for result in (
            await emulator.person(world.team_member).slash(world.hub, "open-cases"),
            await emulator.person(tragos.admin).slash(
                tragos.guild, "anonymous-contact", {"channel": tragos.general}, subcommand="panel"
            ),
        ):
            said = await result.final()
            assert said.ephemeral
            assert (
                "is not available right now" in said.text
                or "is op dit moment niet beschikbaar" in said.text
            )
        # The reason goes to the hub's log channel when the bot starts (without anyone).
        await bot.restart()
        line = await emulator.person(world.coordinator).wait_for_message(
            world.network_log, contains="VCPBOT_MASTER_KEYS"
        )
        assert "maria" not in line.text and str(vcp.id) not in line.text
    finally:
        await bot.stop()
