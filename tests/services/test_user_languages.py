"""The language the bot keeps per person for its direct messages: written only when it
changes, read for many people at once, erased on request."""

from __future__ import annotations

from vcpbot.db import Database
from vcpbot.services import languages, privacy

SANNE, AHMED, NOOR = 101, 102, 103


async def test_a_language_is_written_only_when_it_changes(db: Database) -> None:
    async with db.sessions.begin() as session:
        assert await languages.remember(session, user_id=SANNE, locale="nl")
    async with db.sessions.begin() as session:
        assert not await languages.remember(session, user_id=SANNE, locale="nl")
        assert await languages.remembered(session, user_id=SANNE) == "nl"
    async with db.sessions.begin() as session:
        assert await languages.remember(session, user_id=SANNE, locale="en")
    async with db.sessions.begin() as session:
        assert await languages.remembered(session, user_id=SANNE) == "en"


async def test_the_languages_of_many_people_at_once_and_nobody_unseen(db: Database) -> None:
    async with db.sessions.begin() as session:
        await languages.remember(session, user_id=SANNE, locale="nl")
        await languages.remember(session, user_id=AHMED, locale="en")
    async with db.sessions.begin() as session:
        found = await languages.remembered_for(session, user_ids=[SANNE, AHMED, NOOR])
        assert found == {SANNE: "nl", AHMED: "en"}
        assert await languages.remembered(session, user_id=NOOR) is None
        assert await languages.remembered_for(session, user_ids=[]) == {}


async def test_delete_my_data_removes_the_language(db: Database) -> None:
    async with db.sessions.begin() as session:
        await languages.remember(session, user_id=SANNE, locale="nl")
    async with db.sessions.begin() as session:
        removed = await privacy.erase_user(session, SANNE)
    assert "privacy.removed.language" in removed
    async with db.sessions.begin() as session:
        assert await languages.remembered(session, user_id=SANNE) is None
        assert "privacy.removed.language" not in await privacy.erase_user(session, SANNE)
