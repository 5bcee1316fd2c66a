"""`vcpbot invite-url`: the link that adds the bot with exactly the permissions it uses."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from vcpbot.bot import intents
from vcpbot.cli import main
from vcpbot.invite import Place, bot_permissions, invite_url

# What the bot does with each permission is explained in vcpbot/invite.py; this list
# makes any change to it a deliberate one.
EXPECTED = {
    Place.HUB: {
        "view_channel",
        "send_messages",
        "embed_links",
        "read_message_history",
        "mention_everyone",
        "create_events",
    },
    Place.ASSOCIATION: {
        "view_channel",
        "send_messages",
        "embed_links",
        "read_message_history",
        "mention_everyone",
        "manage_roles",
        "pin_messages",
    },
}


def _granted(permissions: discord.Permissions) -> set[str]:
    names = {name for name, value in permissions if value}
    # discord.py lists View Channel under its older name when iterating.
    return {"view_channel" if n == "read_messages" else n for n in names}


@pytest.fixture(autouse=True)
def operator_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for key in list(os.environ):
        if key.upper().startswith("VCPBOT_") and not key.upper().startswith("VCPBOT_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_each_kind_of_server_gets_only_what_the_bot_does_there() -> None:
    for place, expected in EXPECTED.items():
        assert _granted(bot_permissions(place)) == expected, place
    everything = EXPECTED[Place.HUB] | EXPECTED[Place.ASSOCIATION]
    assert _granted(bot_permissions(Place.ALL)) == everything
    assert bot_permissions().value == (
        bot_permissions(Place.HUB).value | bot_permissions(Place.ASSOCIATION).value
    )


def test_pins_use_discords_own_pin_permission_not_manage_messages() -> None:
    association = bot_permissions(Place.ASSOCIATION)
    assert association.pin_messages and not association.manage_messages
    assert discord.Permissions(pin_messages=True).value == 1 << 51


def test_the_link_carries_exactly_that_set_and_both_scopes() -> None:
    for place in Place:
        url = urlsplit(invite_url(1234567890, place))
        assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
        query = parse_qs(url.query)
        assert query["client_id"] == ["1234567890"]
        assert query["scope"] == ["bot applications.commands"]
        assert query["permissions"] == [str(bot_permissions(place).value)]
    assert "scope=bot+applications.commands&" in invite_url(1)


def test_the_bot_asks_for_no_privileged_intent() -> None:
    chosen = intents()
    assert not (chosen.members or chosen.presences or chosen.message_content)


def test_the_cli_prints_the_link_for_a_client_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invite-url", "--client-id", "42"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == invite_url(42)
    assert "Pin Messages" in err and "no privileged intents" in err


def test_the_cli_reads_the_application_id_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCPBOT_APPLICATION_ID", "77")
    assert main(["invite-url", "--server", "hub"]) == 0
    assert capsys.readouterr().out.strip() == invite_url(77, Place.HUB)


def test_the_cli_says_where_the_id_comes_from(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invite-url"]) == 2
    err = capsys.readouterr().err
    assert "--client-id" in err and "VCPBOT_APPLICATION_ID" in err
