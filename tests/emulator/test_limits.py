"""Discord's size limits, which the OpenAPI description does not model."""

from __future__ import annotations

import discord
import pytest

from discord_emulator.limits import (
    IS_COMPONENTS_V2,
    check_interaction_callback,
    check_message,
    check_modal,
    check_operation,
)


def _button(custom_id: str, label: str = "Knop") -> dict:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


def _row(*components: dict) -> dict:
    return {"type": 1, "components": list(components)}


def _text_input(custom_id: str, **extra: object) -> dict:
    return {"type": 4, "style": 1, "custom_id": custom_id, **extra}


def _modal(components: list[dict], **extra: object) -> dict:
    return {"custom_id": "modal", "title": "Melding", "components": components, **extra}


class ReportModal(discord.ui.Modal, title="Melding"):
    details = discord.ui.Label(
        text="Wat is er gebeurd?",
        component=discord.ui.TextInput(style=discord.TextStyle.paragraph, max_length=4000),
    )
    kind = discord.ui.Label(
        text="Soort",
        component=discord.ui.Select(options=[discord.SelectOption(label="Anders")]),
    )
    contact = discord.ui.TextInput(label="Contact (optioneel)", required=False)


def test_content_of_2000_passes_and_2001_fails() -> None:
    assert check_message({"content": "x" * 2000}) == []
    assert check_message({"content": "x" * 2001}) == [
        "content: 2001 characters, at most 2000 allowed"
    ]


def test_real_discord_py_message_passes() -> None:
    embed = discord.Embed(title="Titel", description="Tekst").add_field(name="a", value="b")
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="Ja", custom_id="yes"))
    view.add_item(discord.ui.Select(custom_id="pick", options=[discord.SelectOption(label="A")]))
    body = {"content": "hoi", "embeds": [embed.to_dict()], "components": view.to_components()}
    assert check_message(body) == []


def test_embed_limits() -> None:
    embed = discord.Embed(title="t" * 257, description="d" * 4097)
    for index in range(26):
        embed.add_field(
            name="n" * 257 if index == 0 else "n", value="v" * 1025 if index == 1 else "v"
        )
    embed.set_footer(text="f" * 2049).set_author(name="a" * 257)
    assert check_message({"embeds": [embed.to_dict()]}) == [
        "embeds[0].title: 257 characters, at most 256 allowed",
        "embeds[0].description: 4097 characters, at most 4096 allowed",
        "embeds[0].fields: 26 fields, at most 25 allowed",
        "embeds[0].fields[0].name: 257 characters, at most 256 allowed",
        "embeds[0].fields[1].value: 1025 characters, at most 1024 allowed",
        "embeds[0].footer.text: 2049 characters, at most 2048 allowed",
        "embeds[0].author.name: 257 characters, at most 256 allowed",
        "embeds: 7992 characters in total, at most 6000 allowed",
    ]


def test_embed_total_counts_across_all_embeds() -> None:
    embeds = [{"description": "d" * 3001}, {"description": "d" * 3000}]
    assert check_message({"embeds": embeds}) == [
        "embeds: 6001 characters in total, at most 6000 allowed"
    ]
    assert check_message({"embeds": [{"title": "t"}] * 11}) == [
        "embeds: 11 embeds, at most 10 allowed"
    ]


def test_custom_id_of_101_fails_in_messages_and_modals() -> None:
    assert check_message({"components": [_row(_button("c" * 101))]}) == [
        "components[0].components[0].custom_id: 101 characters, at most 100 allowed"
    ]
    modal = _modal([{"type": 18, "label": "L", "component": _text_input("c" * 101)}])
    assert check_modal(modal) == [
        "components[0].component.custom_id: 101 characters, at most 100 allowed"
    ]
    assert check_modal(_modal([_row(_text_input("ok"))], custom_id="m" * 101)) == [
        "custom_id: 101 characters, at most 100 allowed"
    ]


def test_duplicate_custom_ids_fail() -> None:
    errors = check_message({"components": [_row(_button("same"), _button("same"))]})
    assert errors == [
        "components[0].components[1].custom_id: 'same' is already used at "
        "components[0].components[0]"
    ]


def test_action_row_layout_limits() -> None:
    six_rows = [_row(_button(f"b{i}")) for i in range(6)]
    assert check_message({"components": six_rows}) == [
        "components: 6 action rows, at most 5 allowed"
    ]
    crowded = _row(*[_button(f"b{i}") for i in range(6)])
    assert check_message({"components": [crowded]}) == [
        "components[0]: 6 buttons, at most 5 allowed"
    ]
    select = {"type": 3, "custom_id": "s", "options": [{"label": "a", "value": "a"}]}
    assert check_message({"components": [_row(select, _button("b"))]}) == [
        "components[0]: a select menu must be the only component of its action row"
    ]


def test_button_and_select_text_limits() -> None:
    select = {
        "type": 3,
        "custom_id": "s",
        "placeholder": "p" * 151,
        "options": [{"label": "l" * 101, "value": "v"}] + [{"label": "a", "value": "a"}] * 25,
    }
    errors = check_message({"components": [_row(_button("b", label="x" * 81))], "flags": 0})
    assert errors == ["components[0].components[0].label: 81 characters, at most 80 allowed"]
    assert check_message({"components": [_row(select)]}) == [
        "components[0].components[0].placeholder: 151 characters, at most 150 allowed",
        "components[0].components[0].options: 26 options, at most 25 allowed",
        "components[0].components[0].options[0].label: 101 characters, at most 100 allowed",
    ]


def test_buttons_need_custom_id_or_url() -> None:
    link = {"type": 2, "style": 5, "label": "Site", "custom_id": "x"}
    plain = {"type": 2, "style": 1, "label": "Knop"}
    assert check_message({"components": [_row(link), _row(plain)]}) == [
        "components[0].components[0]: a link button needs a url and no custom_id",
        "components[1].components[0]: a non-link button needs a custom_id",
    ]


def test_components_v2_rules() -> None:
    container = {"type": 17, "components": [{"type": 10, "content": "Welkom"}]}
    assert check_message({"flags": IS_COMPONENTS_V2, "components": [container]}) == []
    assert check_message({"components": [container]}) == [
        "components: without the IS_COMPONENTS_V2 flag only action rows may be used"
    ]
    assert check_message(
        {"flags": IS_COMPONENTS_V2, "content": "x", "components": [container]}
    ) == ["content: not allowed with the IS_COMPONENTS_V2 flag"]
    many = [{"type": 10, "content": "x" * 100} for _ in range(41)]
    assert check_message({"flags": IS_COMPONENTS_V2, "components": many}) == [
        "components: 41 components in total, at most 40 allowed",
        "components: 4100 characters of text displays, at most 4000",
    ]


def test_discord_py_label_modal_passes() -> None:
    data = ReportModal(custom_id="report").to_dict()
    assert [component["type"] for component in data["components"]] == [18, 18, 1]
    assert check_modal(data) == []
    assert check_interaction_callback({"type": 9, "data": data}) == []


def test_modal_with_six_top_level_components_fails() -> None:
    rows = [_row(_text_input(f"t{i}")) for i in range(6)]
    assert check_modal(_modal(rows)) == ["components: 6 top-level components, at most 5 allowed"]
    assert check_interaction_callback({"type": 9, "data": _modal(rows)}) == [
        "data.components: 6 top-level components, at most 5 allowed"
    ]


def test_modal_text_input_limits() -> None:
    text_input = _text_input("t", label="l" * 46, max_length=4001, value="v" * 4001)
    modal = _modal([_row(text_input)], title="t" * 46)
    assert check_modal(modal) == [
        "title: 46 characters, at most 45 allowed",
        "components[0].components[0].value: 4001 characters, at most 4000 allowed",
        "components[0].components[0].label: 46 characters, at most 45 allowed",
        "components[0].components[0].max_length: 4001, at most 4000 allowed",
    ]


def test_modal_layout_rules() -> None:
    two_inputs = _row(_text_input("a"), _text_input("b"))
    button_row = _row(_button("b"))
    assert check_modal(_modal([two_inputs, {"type": 2, "style": 1, "custom_id": "x"}])) == [
        "components[1]: type 2 cannot be a top-level modal component "
        "(action row, label or text display)",
        "components[0]: an action row in a modal holds exactly one text input",
    ]
    assert check_modal(_modal([button_row])) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"type": 4, "data": {"content": "x" * 2001}},
            ["data.content: 2001 characters, at most 2000 allowed"],
        ),
        (
            {"type": 7, "data": {"embeds": [{"title": "t" * 257}]}},
            ["data.embeds[0].title: 257 characters, at most 256 allowed"],
        ),
        ({"type": 5, "data": {"flags": 64}}, []),
        (
            {"type": 5, "data": {"flags": 64, "content": "te vroeg"}},
            ["data.content: a deferred response may only set flags"],
        ),
        ({"type": 6}, []),
    ],
)
def test_interaction_callback_dispatches_on_type(body: dict, expected: list[str]) -> None:
    assert check_interaction_callback(body) == expected


def test_check_operation_picks_the_checks_by_operation_id() -> None:
    long = {"content": "x" * 2001}
    problem = ["content: 2001 characters, at most 2000 allowed"]
    for operation_id in (
        "create_message",
        "update_message",
        "execute_webhook",
        "update_webhook_message",
        "update_original_webhook_message",
    ):
        assert check_operation(operation_id, long) == problem
    assert check_operation("create_interaction_response", {"type": 4, "data": long}) == [
        "data.content: 2001 characters, at most 2000 allowed"
    ]
    assert check_operation("create_thread", {"name": "t", "message": long}) == [
        "message.content: 2001 characters, at most 2000 allowed"
    ]
    assert check_operation("create_guild_role", {"name": "x" * 5000}) == []
    assert check_operation("create_message", None) == []
