"""The escalation tours: a VCP escalates anonymously and reads the UM team's reply with
her receipt; a member reports to her VCPs, who ask her, and she says yes in /my-case."""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator.entities import Channel, User
from vcpbot.i18n import Locale, t
from vcpbot_harness import NetworkWorld, add_student
from vcpbot_harness.demo.narration import Narrator
from vcpbot_harness.steps import escalation as steps


async def escalation_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    """A VCP escalates anonymously, the UM team replies, the VCP reads it with the receipt."""
    sanne = world.users["Sanne"]
    say.chapter(t("demo.chapter.escalation", lang))
    story = t("demo.escalation.story", lang)
    receipt, code = await _reports(
        emulator, world, say, lang, sanne, category="intimidation", story=story
    )
    team = emulator.person(world.team_member)
    card = await steps.card_for(emulator, world, code)
    say.sees(world.team_member, card, where="#escalations")
    open_button, reply_button = card.buttons[1], card.buttons[2]
    say.does(world.team_member, t("demo.presses", lang, label=open_button["label"]))
    opened = await (await team.press(card, custom_id=open_button["custom_id"])).final()
    say.sees(world.team_member, opened, where="#escalations")
    say.does(world.team_member, t("demo.presses", lang, label=reply_button["label"]))
    reply_form = (await team.press(card, custom_id=reply_button["custom_id"])).response.modal
    if reply_form is None:
        raise RuntimeError("the reply form did not open")
    answer = t("demo.escalation.reply", lang)
    say.does(world.team_member, t("demo.fills_in", lang, fields=answer))
    replied = await (await team.submit(reply_form, {"text": answer})).final()
    say.sees(world.team_member, replied, where="#escalations")

    say.does(
        sanne,
        f"/{t('cmd.my_case.name', lang)} {t('cmd.my_case.opt.receipt', lang)}:{receipt}",
    )
    seen = await steps.open_case(emulator, sanne, receipt)
    say.sees(sanne, seen, where=t("demo.dm", lang))


async def _reports(
    emulator: Emulator,
    world: NetworkWorld,
    say: Narrator,
    lang: Locale,
    user: User,
    *,
    category: str,
    story: str,
) -> tuple[str, str]:
    """/report, its explanation, the form: the receipt and the case code shown."""
    tragos = world.association("tragos")
    say.does(user, "/" + t("cmd.report.name", lang))
    intro = await steps.start_report(emulator, user, tragos.guild)
    if intro is None:
        raise RuntimeError("/report did not answer with its explanation")
    say.sees(user, intro, where=tragos.guild.name)
    say.does(user, t("demo.presses", lang, label=intro.buttons[0]["label"]))
    form = await steps.open_report_form(emulator, user, intro)
    if form is None:
        raise RuntimeError("the report form did not open")
    values = steps.report_values(category=category, urgency="soon", text=story, shown="yes")
    say.does(user, t("demo.fills_in", lang, fields=" · ".join(values.values())))
    confirmation = await steps.send_report(emulator, user, form, values)
    say.sees(user, confirmation, where=tragos.guild.name)
    receipt, code = steps.find_receipt(confirmation.text), steps.find_code(confirmation.text)
    if receipt is None or code is None:
        raise RuntimeError("no receipt was shown")
    return receipt, code


async def _member_reports(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> tuple[Channel, str, str]:
    """The board opens the member route; Noor reports to her VCPs. Where her case arrives,
    her receipt and its code."""
    tragos = world.association("tragos")
    channel = steps.vcp_channel(emulator, tragos)
    say.does(tragos.admin, "/anonymous-contact member-route enabled:True channel:#vcp-cases")
    switched = await steps.switch_member_route(emulator, world, "tragos", channel)
    say.sees(tragos.admin, switched, where=tragos.guild.name)
    noor = add_student(emulator, world, "tragos", "Noor", locale="nl" if lang == "nl" else "en-US")
    story = t("demo.consent.story", lang)
    receipt, code = await _reports(
        emulator, world, say, lang, noor, category="bullying", story=story
    )
    return channel, receipt, code


async def consent_tour(
    emulator: Emulator, world: NetworkWorld, say: Narrator, lang: Locale
) -> None:
    """A member's case goes to the UM team only after she says yes in /my-case."""
    say.chapter(t("demo.chapter.consent", lang))
    channel, receipt, code = await _member_reports(emulator, world, say, lang)
    sanne, noor = world.users["Sanne"], world.users["Noor"]
    vcp, member = emulator.person(sanne), emulator.person(noor)
    card = await vcp.wait_for_message(channel, contains=code)
    say.sees(sanne, card, where="#vcp-cases")
    ask = next(b for b in card.buttons if ":fwd:" in b["custom_id"])
    say.does(sanne, t("demo.presses", lang, label=ask["label"]))
    form = (await vcp.press(card, custom_id=ask["custom_id"])).response.modal
    if form is None:
        raise RuntimeError("the question form did not open")
    summary = t("demo.consent.summary", lang)
    say.does(sanne, t("demo.fills_in", lang, fields=summary))
    say.sees(sanne, await (await vcp.submit(form, {"text": summary})).final(), where="#vcp-cases")

    say.does(noor, f"/{t('cmd.my_case.name', lang)} {t('cmd.my_case.opt.receipt', lang)}:…")
    seen = await steps.open_case(emulator, noor, receipt)
    say.sees(noor, seen, where=t("demo.dm", lang))
    for key in ("escalation.case.answer_yes", "escalation.case.confirm_go"):
        label = t(key, lang)
        say.does(noor, t("demo.presses", lang, label=label))
        seen = await (await member.press(seen, label=label)).final()
        say.sees(noor, seen, where=t("demo.dm", lang))
    say.sees(world.team_member, await steps.card_for(emulator, world, code), where="#escalations")
