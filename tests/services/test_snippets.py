"""A desk's saved replies, on SQLite and PostgreSQL: what is kept, what is refused (and then
nothing is kept), and that the UM team's set and an association's VCPs' set stay apart."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from vcpbot.db import Database
from vcpbot.errors import InvalidInput, NotFound
from vcpbot.services import network, snippets

NOW = datetime(2026, 8, 20, 10, 0, tzinfo=UTC)
TEAM = None
NL = "Dank je dat je dit met ons deelt. We nemen binnen twee werkdagen contact op."
EN = "Thank you for sharing this with us. We will be in touch within two working days."


async def _association(db: Database, guild_id: int = 1001) -> int:
    async with db.sessions.begin() as session:
        result = await network.request_join(
            session,
            guild_id=guild_id,
            name=f"Vereniging {guild_id}",
            short_name=f"V{guild_id}",
            locale="nl",
            vcp_role_id=500,
            rules_channel_id=None,
            requested_by=11,
            now=NOW,
        )
        approved = await network.decide_request(
            session,
            request_token=result.association.request_token,
            approve=True,
            decided_by=22,
            now=NOW,
            zone=ZoneInfo("Europe/Amsterdam"),
        )
    return approved.id


async def _add(db: Database, desk: int | None, name: str, nl: str = NL, en: str = EN):
    async with db.sessions.begin() as session:
        return await snippets.add_snippet(session, desk=desk, name=name, text_nl=nl, text_en=en)


async def _names(db: Database, desk: int | None, **kwargs) -> list[str]:
    async with db.sessions.begin() as session:
        found = await snippets.list_snippets(session, desk=desk, **kwargs)
    return [s.name for s in found.snippets]


async def test_the_team_adds_edits_lists_and_removes_a_saved_reply(db: Database) -> None:
    added = await _add(db, TEAM, "  Eerste   reactie ")
    assert added.name == "Eerste reactie"
    assert added.text("nl") == NL and added.text("en") == EN
    await _add(db, TEAM, "afspraak")
    assert await _names(db, TEAM) == ["afspraak", "Eerste reactie"]

    async with db.sessions.begin() as session:
        found = await snippets.find_snippet(session, desk=TEAM, name="EERSTE REACTIE")
        changed = await snippets.edit_snippet(
            session, desk=TEAM, snippet_id=found.id, name="Intake", text_nl="Hallo", text_en="Hi"
        )
    assert (changed.name, changed.text_nl, changed.text_en) == ("Intake", "Hallo", "Hi")
    async with db.sessions.begin() as session:
        gone = await snippets.remove_snippet(session, desk=TEAM, snippet_id=changed.id)
    assert gone.name == "Intake"
    assert await _names(db, TEAM) == ["afspraak"]


@pytest.mark.parametrize(
    ("name", "nl", "en", "key"),
    [
        ("   ", NL, EN, "snippets.error.name_empty"),
        ("x" * 41, NL, EN, "snippets.error.name_too_long"),
        ("Intake", " \n ", EN, "snippets.error.text_empty_nl"),
        ("Intake", NL, "", "snippets.error.text_empty_en"),
        ("Intake", "x" * 4001, EN, "snippets.error.text_too_long_nl"),
        ("Intake", NL, "x" * 4001, "snippets.error.text_too_long_en"),
        ("afspraak", NL, EN, "snippets.error.duplicate"),
        ("AFSPRAAK", NL, EN, "snippets.error.duplicate"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_kept(
    db: Database, name: str, nl: str, en: str, key: str
) -> None:
    await _add(db, TEAM, "afspraak")
    with pytest.raises(InvalidInput) as refused:
        await _add(db, TEAM, name, nl, en)
    assert refused.value.key == key
    assert await _names(db, TEAM) == ["afspraak"]


async def test_renaming_onto_another_name_is_refused(db: Database) -> None:
    await _add(db, TEAM, "afspraak")
    second = await _add(db, TEAM, "intake")
    with pytest.raises(InvalidInput) as refused:
        async with db.sessions.begin() as session:
            await snippets.edit_snippet(
                session, desk=TEAM, snippet_id=second.id, name="Afspraak", text_nl=NL, text_en=EN
            )
    assert refused.value.key == "snippets.error.duplicate"
    assert await _names(db, TEAM) == ["afspraak", "intake"]


async def test_the_team_and_an_associations_vcps_keep_separate_sets(db: Database) -> None:
    tragos, saurus = await _association(db, 1001), await _association(db, 1002)
    team_reply = await _add(db, TEAM, "afspraak")
    await _add(db, tragos, "afspraak", nl="Tragos NL", en="Tragos EN")  # same name, own desk
    await _add(db, saurus, "welkom")
    assert await _names(db, TEAM) == ["afspraak"]
    assert await _names(db, tragos) == ["afspraak"]
    assert await _names(db, saurus) == ["welkom"]
    async with db.sessions.begin() as session:
        own = await snippets.find_snippet(session, desk=tragos, name="afspraak")
    assert own.text_nl == "Tragos NL"
    # Another desk's snippet is "not found", whatever id a picker carried.
    for act in ("by_id", "edit", "remove"):
        with pytest.raises(NotFound):
            async with db.sessions.begin() as session:
                if act == "by_id":
                    await snippets.snippet_by_id(session, desk=saurus, snippet_id=team_reply.id)
                elif act == "edit":
                    await snippets.edit_snippet(
                        session,
                        desk=tragos,
                        snippet_id=team_reply.id,
                        name="x",
                        text_nl="a",
                        text_en="b",
                    )
                else:
                    await snippets.remove_snippet(session, desk=TEAM, snippet_id=own.id)
    assert await _names(db, TEAM) == ["afspraak"] and await _names(db, tragos) == ["afspraak"]


async def test_a_long_list_gives_the_first_by_name_and_says_how_many_there_are(
    db: Database,
) -> None:
    for number in range(30):
        await _add(db, TEAM, f"antwoord {number:02d}")
    async with db.sessions.begin() as session:
        first = await snippets.list_snippets(session, desk=TEAM, limit=25)
        some = await snippets.list_snippets(session, desk=TEAM, limit=25, starting="2")
    assert first.total == 30 and first.cut
    assert [s.name for s in first.snippets] == [f"antwoord {n:02d}" for n in range(25)]
    assert [s.name for s in some.snippets][:3] == ["antwoord 02", "antwoord 12", "antwoord 20"]
    assert not some.cut
