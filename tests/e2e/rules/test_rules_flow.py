"""A board publishes its house rules in Dutch and English; students read, search and accept them."""

from __future__ import annotations

from discord_emulator import Emulator
from tests.e2e.rules.steps import (
    ACK_ID,
    HOUSE_RULES_EN,
    HOUSE_RULES_NL,
    admin,
    edit_article,
    publish,
    register_with_rules_channel,
    rules_posts,
    upload,
)
from vcpbot_harness import BotHarness, NetworkWorld, add_student


async def read(emulator: Emulator, world: NetworkWorld, student, options=None):
    """A student runs /rules and gets their private answer."""
    guild = world.association("tragos").guild
    result = await emulator.person(student).slash(guild, "rules", options or {})
    message = (await result.wait()).message
    assert message.ephemeral
    assert message.allowed_mentions == {"parse": []}
    return message, result


async def publish_house_rules(emulator: Emulator, world: NetworkWorld):
    tragos = await register_with_rules_channel(emulator, world)
    saved_nl = await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    saved = "Opgeslagen: het Nederlandse concept van de huisregels, met 4 artikelen."
    assert saved in saved_nl.text
    saved_en = await upload(emulator, tragos, "en", HOUSE_RULES_EN, filename="house-rules.md")
    assert "het Engelse concept" in saved_en.text
    done = await publish(emulator, tragos, "Eerste versie")
    assert "Versie 1 van de huisregels is gepubliceerd en vastgezet in" in done.text
    return tragos


async def test_students_read_the_published_rules_in_their_own_language(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await publish_house_rules(emulator, world)

    posts = rules_posts(emulator, tragos)
    assert len(posts) == 2
    dutch_post, english_post = posts
    assert dutch_post.pinned
    assert "Huisregels" in dutch_post.text and "3. Sluitingstijd" in dutch_post.text
    assert "House rules" in english_post.text and "3. Closing time" in english_post.text
    assert all(p.allowed_mentions == {"parse": []} for p in posts)

    lotte = add_student(emulator, world, "tragos", "lotte", locale="nl")
    maria = add_student(emulator, world, "tragos", "maria", locale="en-US")
    dutch, _ = await read(emulator, world, lotte)
    english, _ = await read(emulator, world, maria)
    assert "Huisregels · versie 1" in dutch.text
    assert "**3.** Sluitingstijd" in dutch.text and "Closing time" not in dutch.text
    assert "House rules · version 1" in english.text
    assert "**3.** Closing time" in english.text and "Sluitingstijd" not in english.text
    assert "not available" not in english.text

    article, _ = await read(emulator, world, lotte, {"article": 3})
    assert "3. Sluitingstijd" in article.text
    assert "De sociëteit sluit om 02:00 uur." in article.text
    article, _ = await read(emulator, world, maria, {"article": 3})
    assert "3. Closing time" in article.text and "The society closes at 02:00." in article.text

    found, _ = await read(emulator, world, lotte, {"search": "opruimen"})
    assert "**opruimen**" in found.text and "**3.** Sluitingstijd" in found.text
    assert "Alcohol" not in found.text
    found, _ = await read(emulator, world, maria, {"search": "tidying"})
    assert "**tidying**" in found.text and "**3.** Closing time" in found.text
    # Only the person who asked sees the answer.
    assert found not in emulator.channel_messages(tragos.general, viewer=lotte)


async def test_a_missing_language_falls_back_to_the_other_and_says_so(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    await publish(emulator, tragos, "Alleen Nederlands")
    assert len(rules_posts(emulator, tragos)) == 1
    maria = add_student(emulator, world, "tragos", "maria", locale="en-US")
    contents, _ = await read(emulator, world, maria)
    assert "not available in English yet" in contents.text
    assert "House rules · version 1" in contents.text and "Sluitingstijd" in contents.text


async def test_a_new_version_asks_members_to_accept_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    from tests.e2e.rules.steps import ack_role

    tragos = await publish_house_rules(emulator, world)
    accepted = await ack_role(emulator, harness, tragos, "Huisregels gelezen")
    configured = await admin(
        emulator, tragos, "ack", {"document": "house_rules", "enabled": True, "role": accepted}
    )
    assert "De knop staat nu onder het document" in configured.text
    before = rules_posts(emulator, tragos)
    assert [b["label"] for b in before[-1].buttons] == [
        "Ik heb het gelezen en ga akkoord / I have read and accept"
    ]
    assert before[0].buttons == []

    lotte = add_student(emulator, world, "tragos", "lotte", locale="nl")
    asked, result = await read(emulator, world, lotte)
    assert "lees versie 1 en bevestig" in asked.text
    # The document fits one message: the button is right under it, in the same message.
    assert "Druk op de knop om te bevestigen" in asked.text
    assert [b["custom_id"] for b in asked.buttons] == [ACK_ID]
    assert result.followups == []
    pressed = await emulator.person(lotte).press(before[-1], custom_id=ACK_ID)
    thanks = (await pressed.wait()).message
    assert thanks.ephemeral and "Dank je! Je bent akkoord gegaan met de huisregels (versie 1)" in (
        thanks.text
    )
    assert accepted in emulator.member_roles(tragos.guild, lotte)
    status, result = await read(emulator, world, lotte)
    assert "akkoord met versie 1" in status.text
    assert result.followups == []

    # The board rewrites article 2 in both languages and publishes version 2.
    for language, title, body in (
        ("nl", "Alcohol", "Drink met mate. Elke avond is er een BOB die nuchter blijft."),
        ("en", "Alcohol", "Drink in moderation. Every evening one designated driver stays sober."),
    ):
        saved = await edit_article(
            emulator, tragos, language=language, number=2, title=title, body=body
        )
        assert "Artikel 2 is opgeslagen" in saved.text
    preview = await admin(
        emulator, tragos, "preview", {"document": "house_rules", "language": "nl"}
    )
    assert "Vergeleken met versie 1: gewijzigde artikelen: 2." in preview.text
    assert "Elke avond is er een BOB" in preview.text

    done = await publish(emulator, tragos, "Artikel 2: BOB-regeling", reacknowledge=True)
    assert "de berichten in" in done.text and "opnieuw" in done.text
    after = rules_posts(emulator, tragos)
    assert [m.id for m in after] == [m.id for m in before], "edited, not posted again"
    assert all(m.edited_at is not None for m in after)
    assert "Elke avond is er een BOB" in after[0].text and "Versie 2" in after[0].text
    assert "Artikel 2: BOB-regeling" in after[0].text
    assert "De bar schenkt niet meer" not in after[0].text
    assert after[0].pinned

    asked_again, result = await read(emulator, world, lotte)
    assert "je ging akkoord met versie 1. In versie 2" in asked_again.text
    pressed = await emulator.person(lotte).press(asked_again, custom_id=ACK_ID)
    assert "(versie 2)" in (await pressed.wait()).message.text
    assert accepted in emulator.member_roles(tragos.guild, lotte)
    status, _ = await read(emulator, world, lotte)
    assert "akkoord met versie 2" in status.text

    stats = await admin(emulator, tragos, "ack-stats", {"document": "house_rules"})
    assert "Leden die bij zijn: 1" in stats.text
    assert "Versie 2: 1" in stats.text and "Versie 1: 1" in stats.text
    assert f"<@{lotte.id}>" not in stats.text and "lotte" not in stats.text

    diff = await admin(emulator, tragos, "diff", {"document": "house_rules", "v1": 1, "v2": 2})
    assert "Huisregels · versie 1 → 2 · Nederlands" in diff.text
    assert "**Artikel 2** gewijzigd: Alcohol" in diff.text
    assert "- De bar schenkt niet meer" in diff.text or "De bar schenkt niet meer" in diff.text
    assert "+ Drink met mate. Elke avond is er een BOB" in diff.text
    assert "Ongewijzigd: artikelen 1, 3–4." in diff.text
    for other in (1, 3, 4):
        assert f"**Artikel {other}**" not in diff.text

    history = await admin(emulator, tragos, "history", {"document": "house_rules"})
    assert "**Versie 2**" in history.text and "**Versie 1**" in history.text
    assert "leden opnieuw om akkoord gevraagd" in history.text
    assert "Artikel 2: BOB-regeling" in history.text


async def test_the_accept_button_still_works_after_a_restart(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await publish_house_rules(emulator, world)
    await admin(emulator, tragos, "ack", {"document": "house_rules", "enabled": True})
    noor = add_student(emulator, world, "tragos", "noor", locale="nl")

    await harness.restart()

    post = rules_posts(emulator, tragos)[-1]
    pressed = await emulator.person(noor).press(post, custom_id=ACK_ID)
    assert "akkoord gegaan met de huisregels (versie 1)" in (await pressed.wait()).message.text
    again = await emulator.person(noor).press(post, custom_id=ACK_ID)
    assert "Je was al op" in (await again.wait()).message.text
    stats = await admin(emulator, tragos, "ack-stats", {"document": "house_rules"})
    assert "Versie 1: 1" in stats.text


async def test_switching_acceptance_off_takes_the_button_away(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await publish_house_rules(emulator, world)
    await admin(emulator, tragos, "ack", {"document": "house_rules", "enabled": True})
    post = rules_posts(emulator, tragos)[-1]
    stale = post.components
    off = await admin(emulator, tragos, "ack", {"document": "house_rules", "enabled": False})
    assert "niet meer gevraagd" in off.text
    assert rules_posts(emulator, tragos)[-1].buttons == []
    post.components = stale  # what a client that has not refreshed still shows
    noor = add_student(emulator, world, "tragos", "noor", locale="nl")
    pressed = await emulator.person(noor).press(post, custom_id=ACK_ID)
    refusal = (await pressed.wait()).message
    assert refusal.ephemeral and "niet aangezet" in refusal.text


async def test_the_board_adopts_the_um_template_and_must_fill_it_in(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    adopted = await admin(emulator, tragos, "adopt-template", {"document": "code_of_conduct"})
    assert "Versie 1 van het UM-sjabloon is nu het concept van de gedragscode" in adopted.text
    assert "[[" in adopted.text
    preview = await admin(
        emulator, tragos, "preview", {"document": "code_of_conduct", "language": "en"}
    )
    assert "Code of conduct" in preview.text and "Consent" in preview.text
    refused = await publish(emulator, tragos, "Onze gedragscode", document="code_of_conduct")
    assert "sjabloonveld" in refused.text
    assert rules_posts(emulator, tragos) == []

    # Adopting again over a draft asks first.
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL, document="code_of_conduct")
    board = emulator.person(tragos.admin)
    asked = await board.slash(
        tragos.guild, "rules-admin", {"document": "code_of_conduct"}, subcommand="adopt-template"
    )
    question = (await asked.wait()).message
    assert "Bevestig dat je dat wilt" in question.text
    kept = await board.press(question, label="Houd mijn concept")
    assert "niet veranderd" in (await kept.wait()).message.text
    preview = await admin(
        emulator, tragos, "preview", {"document": "code_of_conduct", "language": "nl"}
    )
    assert "Sluitingstijd" in preview.text

    asked = await board.slash(
        tragos.guild, "rules-admin", {"document": "code_of_conduct"}, subcommand="adopt-template"
    )
    question = (await asked.wait()).message
    replaced = await board.press(question, label="Vervang mijn concept")
    assert "UM-sjabloon is nu het concept" in (await replaced.wait()).message.text
    preview = await admin(
        emulator, tragos, "preview", {"document": "code_of_conduct", "language": "nl"}
    )
    assert "Sluitingstijd" not in preview.text and "Gedragscode" in preview.text


async def test_privacy_explains_acceptances_and_a_student_can_delete_theirs(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await publish_house_rules(emulator, world)
    await admin(emulator, tragos, "ack", {"document": "house_rules", "enabled": True})
    maria = add_student(emulator, world, "tragos", "maria", locale="en-US")
    person = emulator.person(maria)
    await (await person.press(rules_posts(emulator, tragos)[-1], custom_id=ACK_ID)).wait()

    info = (await (await person.slash(None, "privacy", subcommand="info")).wait()).message
    assert "Code of conduct and house rules" in info.text
    assert "never who" in info.text

    ask = (await (await person.slash(None, "privacy", subcommand="delete-my-data")).wait()).message
    done = await (await person.press(ask, label="Yes, delete my data")).final()
    assert "your acknowledgements of the code of conduct and house rules" in done.text
    stats = await admin(emulator, tragos, "ack-stats", {"document": "house_rules"})
    assert "Versie 1: 0" in stats.text
    asked, _ = await read(emulator, world, maria)
    assert "please read version 1 and confirm" in asked.text
