"""When Discord or the database says no while rules are published or accepted, the rules
channel, the roles and what is saved still agree.

Discord goes first, outside any transaction (no write lock waits for it): the messages
in the rules channel, the accept button, the acceptance role. If Discord refuses,
nothing is saved. If the database then fails to save, what Discord did is taken back:
the channel shows the stored version again, the role goes again. The person is told
calmly and can simply try again.
"""

from __future__ import annotations

from discord_emulator import Emulator
from tests.e2e.rules.steps import (
    ACK_ID,
    HOUSE_RULES_EN,
    HOUSE_RULES_NL,
    ack_role,
    admin,
    edit_article,
    publish,
    register_with_rules_channel,
    rules_posts,
    upload,
)
from tests.e2e.support.db_faults import failing_commit
from vcpbot_harness import BotHarness, NetworkWorld, add_student

ROLE_ADD = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"
SOMETHING_WENT_WRONG = "er ging aan onze kant iets mis"
BOB = "Elke avond is er een BOB"


async def house_rules_version_1(emulator: Emulator, world: NetworkWorld):
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    await upload(emulator, tragos, "en", HOUSE_RULES_EN, filename="house-rules.md")
    done = await publish(emulator, tragos, "Eerste versie")
    assert "Versie 1 van de huisregels is gepubliceerd" in done.text
    return tragos


async def rewrite_article_2(emulator: Emulator, tragos) -> None:
    saved = await edit_article(
        emulator,
        tragos,
        language="nl",
        number=2,
        title="Alcohol",
        body="Drink met mate. Elke avond is er een BOB die nuchter blijft.",
    )
    assert "Artikel 2 is opgeslagen" in saved.text


async def test_a_first_version_the_database_cannot_save_leaves_the_channel_empty(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)

    with failing_commit(harness.db, "rules_versions") as fault:
        failed = await publish(emulator, tragos, "Eerste versie")
    assert fault.failed == 1
    assert SOMETHING_WENT_WRONG in failed.text
    # No document in the channel that /rules would say does not exist.
    assert rules_posts(emulator, tragos) == []
    history = await admin(emulator, tragos, "history", {"document": "house_rules"})
    assert "nog niet gepubliceerd" in history.text

    again = await publish(emulator, tragos, "Eerste versie")
    assert "Versie 1 van de huisregels is gepubliceerd" in again.text
    [post] = rules_posts(emulator, tragos)
    assert "Versie 1" in post.text and post.pinned


async def test_a_new_version_the_database_cannot_save_shows_the_stored_one_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await house_rules_version_1(emulator, world)
    before = rules_posts(emulator, tragos)
    await rewrite_article_2(emulator, tragos)

    with failing_commit(harness.db, "rules_versions") as fault:
        failed = await publish(emulator, tragos, "Artikel 2: BOB-regeling")
    assert fault.failed == 1
    assert SOMETHING_WENT_WRONG in failed.text
    after = rules_posts(emulator, tragos)
    assert [m.id for m in after] == [m.id for m in before]
    assert "Versie 1" in after[0].text and BOB not in after[0].text
    assert "De bar schenkt niet meer" in after[0].text
    history = await admin(emulator, tragos, "history", {"document": "house_rules"})
    assert "**Versie 2**" not in history.text

    again = await publish(emulator, tragos, "Artikel 2: BOB-regeling")
    assert "Versie 2 van de huisregels is gepubliceerd" in again.text
    shown = rules_posts(emulator, tragos)
    assert [m.id for m in shown] == [m.id for m in before]
    assert "Versie 2" in shown[0].text and BOB in shown[0].text


async def test_a_new_version_discord_will_not_show_is_not_published(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await house_rules_version_1(emulator, world)
    before = rules_posts(emulator, tragos)
    await rewrite_article_2(emulator, tragos)

    emulator.inject(EDIT, status=503, channel=tragos.rules)
    refused = await publish(emulator, tragos, "Artikel 2: BOB-regeling")
    assert "niets" in refused.text
    after = rules_posts(emulator, tragos)
    assert [m.id for m in after] == [m.id for m in before]
    assert "Versie 1" in after[0].text and BOB not in after[0].text
    history = await admin(emulator, tragos, "history", {"document": "house_rules"})
    assert "**Versie 2**" not in history.text


async def test_an_accept_button_the_database_cannot_switch_on_is_taken_away_again(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await house_rules_version_1(emulator, world)

    with failing_commit(harness.db, "rules_documents") as fault:
        failed = await admin(emulator, tragos, "ack", {"document": "house_rules", "enabled": True})
    assert fault.failed == 1
    assert SOMETHING_WENT_WRONG in failed.text
    assert all(post.buttons == [] for post in rules_posts(emulator, tragos))

    on = await admin(emulator, tragos, "ack", {"document": "house_rules", "enabled": True})
    assert "De knop staat nu onder het document" in on.text
    assert rules_posts(emulator, tragos)[-1].buttons != []


async def test_an_acceptance_the_database_cannot_record_takes_the_role_back(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await house_rules_version_1(emulator, world)
    accepted = await ack_role(emulator, harness, tragos, "Huisregels gelezen")
    await admin(
        emulator, tragos, "ack", {"document": "house_rules", "enabled": True, "role": accepted}
    )
    post = rules_posts(emulator, tragos)[-1]
    lotte = add_student(emulator, world, "tragos", "lotte", locale="nl")

    with failing_commit(harness.db, "rules_acknowledgements") as fault:
        pressed = await emulator.person(lotte).press(post, custom_id=ACK_ID)
        failed = (await pressed.wait()).message
    assert fault.failed == 1
    assert failed.ephemeral and SOMETHING_WENT_WRONG in failed.text
    assert accepted not in emulator.member_roles(tragos.guild, lotte)
    stats = await admin(emulator, tragos, "ack-stats", {"document": "house_rules"})
    assert "Versie 1: 1" not in stats.text

    pressed = await emulator.person(lotte).press(post, custom_id=ACK_ID)
    assert "(versie 1)" in (await pressed.wait()).message.text
    assert accepted in emulator.member_roles(tragos.guild, lotte)


async def test_a_role_discord_will_not_give_just_now_records_no_acceptance(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await house_rules_version_1(emulator, world)
    accepted = await ack_role(emulator, harness, tragos, "Huisregels gelezen")
    await admin(
        emulator, tragos, "ack", {"document": "house_rules", "enabled": True, "role": accepted}
    )
    post = rules_posts(emulator, tragos)[-1]
    lotte = add_student(emulator, world, "tragos", "lotte", locale="nl")

    emulator.inject(ROLE_ADD, status=503)
    pressed = await emulator.person(lotte).press(post, custom_id=ACK_ID)
    busy = (await pressed.wait()).message
    assert busy.ephemeral and "Druk zo nog eens op de knop" in busy.text
    assert accepted not in emulator.member_roles(tragos.guild, lotte)
    stats = await admin(emulator, tragos, "ack-stats", {"document": "house_rules"})
    assert "Versie 1: 1" not in stats.text
