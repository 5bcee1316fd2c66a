"""A person runs slash commands against a real discord.py bot and sees what Discord would show."""

from __future__ import annotations

from typing import Any

from discord_emulator import Emulator


async def test_ephemeral_reply_is_seen_only_by_the_invoker(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    alice, bob, guild, channel = world["alice"], world["bob"], world["guild"], world["channel"]

    result = await emulator.person(alice).slash(guild, "hello")

    assert result.response.kind == "message"
    reply = result.response.message
    assert reply is not None
    assert reply.ephemeral
    assert reply.content == "Hello, alice! (nl, nl)"
    assert reply in emulator.channel_messages(channel, viewer=alice)
    assert reply not in emulator.channel_messages(channel, viewer=bob)


async def test_deferred_report_is_filled_in_then_followed_up(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    alice, bob, channel = world["alice"], world["bob"], world["channel"]

    result = await emulator.person(alice).slash(world["guild"], "report", {"topic": "intro week"})

    assert result.response.kind == "deferred"
    final = await result.final()
    assert final.content == "Report on intro week"
    assert not final.ephemeral
    details = await result.followup(1)
    assert details.content == "details for you"
    assert details.ephemeral
    assert final in emulator.channel_messages(channel, viewer=bob)
    assert details not in emulator.channel_messages(channel, viewer=bob)


async def test_persistent_panel_works_after_the_bot_restarts(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    first = await start_bot()
    alice, guild, channel = world["alice"], world["guild"], world["channel"]
    person = emulator.person(alice)
    await person.slash(guild, "panel")
    panel = await person.wait_for_message(channel, contains="Need help?")

    await first.close()
    await start_bot(sync=False)
    pressed = await person.press(panel, label="Count 0")

    assert pressed.response.kind == "update"
    assert panel.content == "Counted 1"
    assert [b["custom_id"] for b in panel.buttons] == ["vcp:test:count:1"]


async def test_button_opens_a_modal_whose_answers_reach_the_bot(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    alice, guild, channel = world["alice"], world["guild"], world["channel"]
    person = emulator.person(alice)
    await person.slash(guild, "panel")
    panel = await person.wait_for_message(channel, contains="Need help?")

    opened = await person.press(panel, label="Escalate")
    assert opened.response.kind == "modal"
    modal = opened.response.modal
    assert modal is not None
    assert [c["type"] for c in modal.components] == [18, 18, 18]

    submitted = await person.submit(
        modal, {"what": "Hazing at the gala", "urgency": ["high"], "share": "no"}
    )

    reply = submitted.response.message
    assert reply is not None
    assert reply.content == "Case noted: Hazing at the gala (high, share=no)"
    assert reply.ephemeral


async def test_a_modal_reads_as_the_person_sees_it_and_a_default_choice_is_submitted(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    alice, guild, channel = world["alice"], world["guild"], world["channel"]
    person = emulator.person(alice)
    await person.slash(guild, "panel")
    panel = await person.wait_for_message(channel, contains="Need help?")
    modal = (await person.press(panel, label="Escalate")).response.modal
    assert modal is not None
    assert "Show the association's name?" in modal.text
    assert "Only the UM team sees it." in modal.text

    # The client shows "No" chosen already; leaving it as it is sends "no".
    submitted = await person.submit(modal, {"what": "At the gala", "urgency": ["low"]})

    reply = submitted.response.message
    assert reply is not None and reply.content == "Case noted: At the gala (low, share=no)"


async def test_select_menu_updates_the_message(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    person = emulator.person(world["alice"])
    shown = await person.slash(world["guild"], "pick")
    message = shown.response.message
    assert message is not None

    picked = await person.select(message, "fruit", ["apple", "plum"])

    assert picked.response.kind == "update"
    assert message.content == "picked apple, plum"
    assert message.components == []


async def test_user_role_channel_and_attachment_options_are_resolved(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    guild = world["guild"]
    vcp = guild.create_role("VCP")
    hub = guild.create_text_channel("hub")
    note = emulator.upload("note.txt", b"hi there", content_type="text/plain")

    result = await emulator.person(world["alice"]).slash(
        guild, "describe", {"who": world["bob"], "role": vcp, "where": hub, "file": note}
    )

    assert result.response.message is not None
    assert result.response.message.content == "bob|VCP|hub|note.txt:hi there"


async def test_autocomplete_offers_the_bots_choices(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()

    choices = await emulator.person(world["alice"]).autocomplete(
        world["guild"], "fruit", {"name": "ap"}, focused="name"
    )

    assert [c["value"] for c in choices] == ["apple", "apricot"]


async def test_command_with_default_permissions_is_offered_to_the_board_only(
    emulator: Emulator, start_bot: Any, world: dict[str, Any]
) -> None:
    await start_bot()
    guild = world["guild"]

    owner_reply = await emulator.person(world["owner"]).slash(guild, "board-only")
    assert owner_reply.response.message is not None

    try:
        await emulator.person(world["alice"]).slash(guild, "board-only")
    except AssertionError as exc:
        assert "not offered" in str(exc)
    else:
        raise AssertionError("alice should not be offered /board-only")
