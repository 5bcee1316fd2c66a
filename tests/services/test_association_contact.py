"""The board's contact for /help, on SQLite and PostgreSQL: what is saved, what is refused,
and that it is the association's (delete-my-data leaves it)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from vcpbot.db import Database
from vcpbot.errors import InvalidInput, NotAllowed
from vcpbot.services import network
from vcpbot.services.help import Contact
from vcpbot.services.help import _contact as help_contact
from vcpbot.services.privacy import erase_user

NOW = datetime(2026, 8, 20, 10, 0, tzinfo=UTC)
GUILD, BOARD, COORDINATOR = 1001, 11, 22
TEXT_NL = "Onze VCP's hebben op dinsdag spreekuur."
TEXT_EN = "Our VCPs hold office hours on Tuesdays."
LINK = "https://www.tragos.nl/vcp"


async def _association_in_network(db: Database) -> int:
    async with db.sessions.begin() as session:
        result = await network.request_join(
            session,
            guild_id=GUILD,
            name="Studentenvereniging Tragos",
            short_name="Tragos",
            locale="nl",
            vcp_role_id=500,
            rules_channel_id=None,
            requested_by=BOARD,
            now=NOW,
        )
        approved = await network.decide_request(
            session,
            request_token=result.association.request_token,
            approve=True,
            decided_by=COORDINATOR,
            now=NOW,
            zone=ZoneInfo("Europe/Amsterdam"),
        )
    return approved.id


async def _set(db: Database, *, nl: str = TEXT_NL, en: str = TEXT_EN, link: str = LINK):
    async with db.sessions.begin() as session:
        return await help_contact.set_contact(
            session, guild_id=GUILD, text_nl=nl, text_en=en, link=link, actor_id=BOARD, now=NOW
        )


async def _shown(db: Database, association_id: int) -> Contact | None:
    async with db.sessions.begin() as session:
        return await help_contact.contact_of(session, association_id=association_id)


async def test_the_board_saves_changes_and_removes_the_contact(db: Database) -> None:
    association_id = await _association_in_network(db)
    saved = await _set(db, nl="  " + TEXT_NL + "  \r\n", link=" " + LINK)
    assert saved == Contact(TEXT_NL, TEXT_EN, LINK)
    assert await _shown(db, association_id) == saved

    await _set(db, en="", link="")
    shown = await _shown(db, association_id)
    assert shown is not None and shown.link is None
    # An English reader gets the Dutch text rather than nothing.
    assert shown.text("en") == TEXT_NL and shown.text("nl") == TEXT_NL

    assert await _set(db, nl="", en="", link="") is None
    assert await _shown(db, association_id) is None
    async with db.sessions.begin() as session:
        actions = [e.action for e in await network.audit_log(session)]
    assert actions[:3] == [
        "association.help_contact_removed",
        "association.help_contact",
        "association.help_contact",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("x" * 401, "help.contact.error.too_long"),
        ("\n".join("regel" for _ in range(7)), "help.contact.error.too_many_lines"),
        ("Vraag <@1234567890> of <@&55>.", "help.contact.error.mention"),
        ("Zie <#1234567890>.", "help.contact.error.mention"),
        ("Vraag @here.", "help.contact.error.mention"),
        ("Zie https://nep.example.", "help.contact.error.link_in_text"),
        ("Zie [hier](http://nep.example).", "help.contact.error.link_in_text"),
        ("Zie www.nep-site.nl voor meer.", "help.contact.error.link_in_text"),
        ("Bel \u202e1121\u202c nu", "help.contact.error.characters"),
        ("Bel\x07 nu", "help.contact.error.characters"),
    ],
)
async def test_a_text_that_could_mislead_or_notify_is_refused(
    db: Database, text: str, key: str
) -> None:
    association_id = await _association_in_network(db)
    with pytest.raises(InvalidInput) as refused:
        await _set(db, nl=text)
    assert refused.value.key == key
    assert await _shown(db, association_id) is None


@pytest.mark.parametrize(
    "link",
    [
        "http://www.tragos.nl",
        "javascript:alert(1)",
        "https://bestuur:geheim@www.tragos.nl",
        "https://localhost",
        "https://www.tragos.nl/een pagina",
        "https://www.tragos.nl/`x`",
        "https://www.tragos.nl/" + "a" * 200,
        "www.tragos.nl",
    ],
)
async def test_only_a_full_https_link_is_saved(db: Database, link: str) -> None:
    await _association_in_network(db)
    with pytest.raises(InvalidInput) as refused:
        await _set(db, link=link)
    assert refused.value.key == "help.contact.error.link"


async def test_what_is_allowed_stays_as_typed(db: Database) -> None:
    association_id = await _association_in_network(db)
    text = "Mail vcp@tragos.nl of app ons 👨‍👩‍👧 *gewoon* (ook 's avonds)\nTot dan!"
    await _set(db, nl=text)
    shown = await _shown(db, association_id)
    assert shown is not None and shown.text_nl == text


async def test_a_link_without_a_text_is_refused(db: Database) -> None:
    await _association_in_network(db)
    with pytest.raises(InvalidInput) as refused:
        await _set(db, nl="", en="")
    assert refused.value.key == "help.contact.error.link_without_text"


async def test_only_an_association_in_the_network_has_a_contact(db: Database) -> None:
    with pytest.raises(NotAllowed):
        await _set(db)


async def test_deleting_the_board_members_data_leaves_the_associations_contact(
    db: Database,
) -> None:
    association_id = await _association_in_network(db)
    await _set(db)
    async with db.sessions.begin() as session:
        await erase_user(session, BOARD)
        entries = await network.audit_log(session)
    assert await _shown(db, association_id) == Contact(TEXT_NL, TEXT_EN, LINK)
    assert all(e.actor_id != BOARD for e in entries)
