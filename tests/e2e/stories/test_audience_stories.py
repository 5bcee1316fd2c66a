"""One story per audience, told the way the person lives it: what they do, and what they
see, in the language of their Discord (Dutch, English, or German, which reads English).

The detailed tests of each feature prove the rules; these stories prove the journeys
hold together for a student, a VCP, a board member, the UM coordinator and a UM adviser.
(A member reporting, with the consent to pass their report on, has its own story in the
escalation tests.) What a person reads is asked from the catalogs in the reader's
language, so a text in the wrong language fails here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from discord_emulator import Emulator
from discord_emulator.entities import Message, User
from discord_emulator.guild import Guild
from tests.e2e.escalation.steps import add_vcp, card_for, code_in, escalate, network_with
from tests.e2e.help.steps import (
    BOARD_EXTRAS,
    CONTACT_EN,
    CONTACT_LINK,
    CONTACT_NL,
    COORDINATOR_EXTRAS,
    HANDLER_EXTRAS,
    IN_A_DM,
    OUTSIDE,
    STUDENT,
    UM_TEAM,
    VCP_EXTRAS,
    ask_help,
    commands_in,
    in_order,
    menu,
    set_contact,
)
from tests.e2e.intervisie.steps import YEAR, at, form, network_with_vcps, plan, start_clock
from tests.e2e.kmtm.steps import (
    close_period,
    create_period,
    kmtm,
    log_contact,
    press_post,
    preview_report,
)
from tests.e2e.network.steps import set_up_hub
from tests.e2e.rules.steps import HOUSE_RULES_EN, HOUSE_RULES_NL, admin, publish, upload
from vcpbot.i18n import Locale, bilingual, t
from vcpbot_harness import AssociationGuild, BotHarness, ManualClock, NetworkWorld, add_student

CONTACT = {"nl": CONTACT_NL, "en": CONTACT_EN}
OTHER: dict[Locale, Locale] = {"nl": "en", "en": "nl"}
CLOSING_TIME = {"nl": "Sluitingstijd", "en": "Closing time"}
TRAGOS_ONLY = {"invitees": "associations", "associations": "Tragos"}
PERIOD = f"KMTM {YEAR}"


@pytest.fixture
def clock() -> ManualClock:
    """August next year: intervisie is planned ahead, and the KMTM period is open."""
    return start_clock()


# --- what the stories share ---------------------------------------------------------------


async def approve(emulator: Emulator, world: NetworkWorld, association: AssociationGuild) -> None:
    """The coordinator approves the association's request in the hub's network log."""
    coordinator = emulator.person(world.coordinator)
    card = await coordinator.wait_for_message(world.network_log, contains=association.guild.name)
    await (await coordinator.press(card, label=t("network.card.approve", "nl"))).wait()


async def ask_to_join(emulator: Emulator, world: NetworkWorld) -> Message:
    """Tragos's board runs /setup: its name, Dutch as its language, its VCP role and its
    rules channel. The answer is what the board sees."""
    tragos = world.association("tragos")
    asked = await emulator.person(tragos.admin).slash(
        tragos.guild,
        "setup",
        {
            "name": tragos.guild.name,
            "short_name": "Tragos",
            "language": "nl",
            "vcp_role": tragos.vcp_role,
            "rules_channel": tragos.rules,
        },
    )
    return await asked.final()


async def tragos_as_students_find_it(emulator: Emulator, world: NetworkWorld) -> User:
    """Tragos is in the network, its board wrote its contact for /help and published its
    house rules in Dutch and English, and Sanne is a VCP who chose to be named."""
    await set_up_hub(emulator, world)
    await ask_to_join(emulator, world)
    tragos = world.association("tragos")
    await approve(emulator, world, tragos)
    await set_contact(emulator, tragos.admin, tragos.guild)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    await upload(emulator, tragos, "en", HOUSE_RULES_EN, filename="house-rules.md")
    await publish(emulator, tragos, "Eerste versie")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    listed = await emulator.person(sanne).slash(
        tragos.guild, "vcp", {"listed": True}, subcommand="listing"
    )
    await listed.wait()
    return sanne


async def privately(
    emulator: Emulator, user: User, guild: Guild | None, command: str, **kw: Any
) -> Message:
    """The person runs a command and reads the answer only they can see."""
    reply = await (await emulator.person(user).slash(guild, command, **kw)).final()
    assert reply.ephemeral, reply.text
    assert reply.allowed_mentions == {"parse": []}
    return reply


def reads_only(text: str, lang: Locale, key: str, **params: object) -> None:
    """The text says ``key`` in the reader's language, and not in the other one."""
    assert t(key, lang, **params) in text, (key, text)
    assert t(key, OTHER[lang], **params) not in text, (key, text)


async def cases_once_recorded(emulator: Emulator, adviser: User, hub: Guild) -> Message:
    """/open-cases in the hub, once the bot has recorded the card it posted a moment ago (the
    card is in Discord a database write before the list knows it)."""
    for _ in range(20):
        listing = await privately(emulator, adviser, hub, "open-cases")
        if "discord.com/channels" in listing.text:
            break
        await asyncio.sleep(0.1)
    return listing


def help_opens_with_112(reply: Message, lang: Locale) -> None:
    assert reply.text.splitlines()[0] == t("help.danger", lang)
    reads_only(reply.text, lang, "help.title")


# --- a student ------------------------------------------------------------------------------


@pytest.mark.parametrize(("discord", "lang"), [("nl", "nl"), ("en-GB", "en"), ("de", "en")])
async def test_a_student_finds_who_to_talk_to_reads_the_house_rules_and_what_is_kept(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, discord: str, lang: Locale
) -> None:
    sanne = await tragos_as_students_find_it(emulator, world)
    tragos = world.association("tragos")
    student = add_student(emulator, world, "tragos", "lotte", locale=discord)

    # /help: 112 first, then Sanne and how Tragos can be reached, then the UM team and
    # help outside the university; only what a student can use, by the names they see.
    shown = await ask_help(emulator, student, tragos.guild)
    help_opens_with_112(shown, lang)
    assert in_order(
        shown.text, f"<@{sanne.id}>", CONTACT[lang], CONTACT_LINK, UM_TEAM[lang], OUTSIDE
    )
    assert CONTACT[OTHER[lang]] not in shown.text
    assert commands_in(shown) == menu(lang, *STUDENT)

    # /rules: Tragos's house rules, in their language.
    rules = await privately(emulator, student, tragos.guild, "rules")
    house_rules = t("rules.kind.house_rules", lang)
    reads_only(rules.text, lang, "rules.toc.title", kind=house_rules, version=1)
    assert CLOSING_TIME[lang] in rules.text and CLOSING_TIME[OTHER[lang]] not in rules.text

    # /privacy info: what the bot keeps, part by part, and how to have it deleted.
    kept = await privately(emulator, student, tragos.guild, "privacy", subcommand="info")
    reads_only(kept.text, lang, "privacy.info.title")
    reads_only(kept.text, lang, "privacy.info.delete_hint")

    # /privacy delete-my-data asks first; reading /help and the rules left nothing behind.
    asked = await privately(emulator, student, tragos.guild, "privacy", subcommand="delete-my-data")
    confirm, keep = (t(f"privacy.delete.{b}", lang) for b in ("confirm", "cancel"))
    assert [b["label"] for b in asked.buttons] == [confirm, keep]
    deleted = await (await emulator.person(student).press(asked, label=confirm)).final()
    reads_only(deleted.text, lang, "privacy.delete.nothing")


# --- a VCP ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("discord", "lang"), [("nl", "nl"), ("en-GB", "en")])
async def test_a_vcp_is_invited_to_intervisie_answers_and_logs_a_kmtm_contact_on_the_panel(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, discord: str, lang: Locale
) -> None:
    # Tragos chose Dutch; the VCP reads the bot in the language of their own Discord.
    vcps = await network_with_vcps(emulator, world, {"sam": ("tragos", discord)})
    sam, tragos = vcps["sam"], world.association("tragos")

    shown = await ask_help(emulator, sam, tragos.guild)
    help_opens_with_112(shown, lang)
    assert commands_in(shown) == menu(lang, *STUDENT, *VCP_EXTRAS)

    # The coordinator plans a session; Sam's invitation comes by DM, in Sam's language.
    await plan(emulator, world, TRAGOS_ONLY, form(at(9, 15, 19, 30)))
    invitation = await emulator.person(sam).wait_for_dm(contains="Intervisie najaar")
    reads_only(invitation.text, lang, "intervisie.invite.title", title="Intervisie najaar")
    reads_only(invitation.text, lang, "intervisie.invite.answer")
    answers = [t(f"intervisie.rsvp.{a}", lang) for a in ("yes", "no", "maybe")]
    assert [b["label"] for b in invitation.buttons] == answers
    answered = await emulator.person(sam).press(invitation, label=answers[0])
    thanks = (await answered.wait()).message
    assert thanks.ephemeral
    reads_only(thanks.text, lang, "intervisie.answered.yes", title="Intervisie najaar")

    # KMTM: the board put the panel in a channel; Sam logs who came to them.
    await create_period(emulator, world, PERIOD, f"10-08-{YEAR}", f"30-08-{YEAR}")
    await kmtm(emulator, tragos.admin, tragos.guild, "panel", channel=tragos.general)
    panel = await emulator.person(sam).wait_for_message(
        tragos.general, contains=t("kmtm.panel.title", "nl")
    )
    pressed = await emulator.person(sam).press(
        panel, label=bilingual("kmtm.panel.button", between=" / ")
    )
    asked = (await pressed.wait()).modal
    assert asked is not None and asked.title == t("kmtm.form.title", lang, period=PERIOD)
    chosen = {"category": "advice", "relation": "student", "follow_up": "listening_ear"}
    logged = await (await emulator.person(sam).submit(asked, chosen)).final()
    assert logged.ephemeral
    reads_only(logged.text, lang, "kmtm.logged", period=PERIOD, count=5)
    choices = {
        "category": t("category.advice", lang),
        "relation": t("kmtm.relation.student", lang),
        "follow_up": t("kmtm.follow_up.listening_ear", lang),
    }
    assert t("kmtm.logged.what", lang, **choices) in logged.text


# --- a board member ---------------------------------------------------------------------------


@pytest.mark.parametrize(("discord", "lang"), [("nl", "nl"), ("en-GB", "en")])
async def test_a_board_member_joins_registers_a_vcp_and_publishes_the_house_rules(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, discord: str, lang: Locale
) -> None:
    tragos = world.association("tragos")
    board = tragos.admin
    board.locale = discord  # Tragos is a Dutch association; its board member may not be
    await set_up_hub(emulator, world)

    asked = await ask_to_join(emulator, world)
    reads_only(asked.text, lang, "network.setup.requested", name=tragos.guild.name)
    await approve(emulator, world, tragos)
    told = await emulator.person(board).wait_for_dm(contains=tragos.guild.name)
    reads_only(told.text, lang, "network.decision.dm_approved", name=tragos.guild.name)

    sanne = add_student(emulator, world, "tragos", "sanne", locale="nl")
    added = await privately(
        emulator, board, tragos.guild, "vcp", options={"member": sanne}, subcommand="add"
    )
    reads_only(added.text, lang, "network.vcp.added", member=f"<@{sanne.id}>")
    assert tragos.vcp_role in emulator.member_roles(tragos.guild, sanne)

    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    published = await publish(emulator, tragos, "Eerste versie")
    house_rules = t("rules.kind_inline.house_rules", lang)
    reads_only(
        published.text,
        lang,
        "rules.publish.posted",
        version=1,
        kind_inline=house_rules,
        channel=f"<#{tragos.rules.id}>",
    )
    stats = await admin(emulator, tragos, "ack-stats", {"document": "house_rules"})
    assert t("rules.kind.house_rules", lang) in stats.text

    shown = await ask_help(emulator, board, tragos.guild)
    help_opens_with_112(shown, lang)
    assert commands_in(shown) == menu(lang, *STUDENT, *BOARD_EXTRAS)


# --- the UM coordinator ---------------------------------------------------------------------


@pytest.mark.parametrize(("discord", "lang"), [("nl", "nl"), ("en-GB", "en")])
async def test_the_coordinator_plans_intervisie_and_previews_then_posts_the_kmtm_report(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, discord: str, lang: Locale
) -> None:
    coordinator = world.coordinator
    coordinator.locale = discord
    vcps = await network_with_vcps(emulator, world, {"sanne": ("tragos", "nl")})

    shown = await ask_help(emulator, coordinator, world.hub)
    help_opens_with_112(shown, lang)
    assert commands_in(shown) == menu(lang, *IN_A_DM, *COORDINATOR_EXTRAS)

    planned = await plan(emulator, world, TRAGOS_ONLY, form(at(9, 15, 19, 30)))
    assert planned.ephemeral
    reads_only(planned.text, lang, "intervisie.plan.people", count=1)
    reads_only(planned.text, lang, "intervisie.plan.delivered", count=1)

    created = await create_period(emulator, world, PERIOD, f"10-08-{YEAR}", f"30-08-{YEAR}")
    assert created.ephemeral and PERIOD in created.text
    tragos = world.association("tragos")
    await log_contact(emulator, vcps["sanne"], tragos.guild, "advice", "student", "listening_ear")
    closed = await close_period(emulator, world, PERIOD)
    reads_only(closed.text, lang, "kmtm.period.closed_now", name=PERIOD)

    # The preview is the coordinator's alone; the report itself is in the hub's language
    # (Dutch), because the team reads it in the channel, and an English coordinator is told.
    preview = await preview_report(emulator, world, "category", PERIOD)
    assert preview.ephemeral
    post = t("kmtm.preview.post", lang, channel=world.hub_general.name)
    assert [b["label"] for b in preview.buttons] == [post, t("kmtm.preview.cancel", lang)]
    [embed] = preview.embeds
    assert embed["title"] == t("kmtm.report.title.category", "nl", period=PERIOD)
    hub_language_note = t("kmtm.preview.language.nl", lang)
    assert (hub_language_note in preview.text) == (lang != "nl")

    posted = await press_post(emulator, world, preview)
    assert not posted.ephemeral and posted.embeds == preview.embeds
    reads_only(preview.text, lang, "kmtm.preview.posted", channel=f"<#{world.hub_general.id}>")


# --- a UM adviser -----------------------------------------------------------------------------


@pytest.mark.parametrize(("discord", "lang"), [("nl", "nl"), ("en-GB", "en")])
async def test_a_um_adviser_sees_the_cases_at_the_hub_and_only_what_they_may_use(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, discord: str, lang: Locale
) -> None:
    adviser = world.team_member  # in the UM team, not the coordinator
    adviser.locale = discord
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    sanne = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")

    shown = await ask_help(emulator, adviser, world.hub)
    help_opens_with_112(shown, lang)
    assert commands_in(shown) == menu(lang, *IN_A_DM, "open_cases", *HANDLER_EXTRAS, "cases report")

    # Sanne passes a report on to the UM team: its card arrives in the hub.
    _, confirmation = await escalate(
        emulator, sanne, tragos.guild, text="Iemand zet eerstejaars onder druk om te drinken."
    )
    code = code_in(confirmation)
    card = await card_for(emulator, world, code)
    assert sanne.username not in card.text and "drinken" not in card.text

    # The card is the team's, in the hub's language; opening it is the adviser's alone,
    # in their own language, and still without Sanne's name.
    opened = await (
        await emulator.person(adviser).press(card, label=t("escalation.button.open", "nl"))
    ).final()
    assert opened.ephemeral and "eerstejaars" in opened.text
    reads_only(opened.text, lang, "escalation.author.reporter")
    assert sanne.username not in opened.text

    # /open-cases lists the team's open cases, with a link to each card.
    listing = await cases_once_recorded(emulator, adviser, world.hub)
    reads_only(listing.text, lang, "escalation.list.title", count=1)
    assert code in listing.text
