"""The rules library on SQLite and PostgreSQL: boards write and publish, members read and accept."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from vcpbot.db import Database
from vcpbot.db.base import USER_ID_INFO, Base
from vcpbot.db.rules import RulesVersion
from vcpbot.errors import Conflict, InvalidInput, NotFound, UserError
from vcpbot.services import rules
from vcpbot.services.privacy import ERASERS, erase_user
from vcpbot.services.rules import RulesKind
from vcpbot.services.rules import _text as rules_text

NOW = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)
HUB, GUILD, OTHER_GUILD = 900, 1001, 1002
BOARD, MEMBER, OTHER_MEMBER = 11, 21, 22
COC, HOUSE = RulesKind.CODE_OF_CONDUCT, RulesKind.HOUSE_RULES

NL_V1 = """# Gedragscode

Zo gaan we met elkaar om.

## 1. Respect

Behandel iedereen met respect.

## 2. Grenzen

Een nee is een nee.
Vraag het als je twijfelt.

## 3. Hulp

Praat met een VCP of met het UM-team.
"""
EN_V1 = """# Code of conduct

How we treat each other.

## 1. Respect

Treat everyone with respect.

## 2. Boundaries

No means no.

## 3. Help

Talk to a VCP or to the UM team.
"""


async def run(db: Database, func: Callable[..., Awaitable[Any]], **kwargs: Any) -> Any:
    """One interaction: one transaction, committed when the service returns."""
    async with db.sessions.begin() as session:
        return await func(session, **kwargs)


async def fails(db: Database, error: type[UserError], func: Callable[..., Any], **kw: Any) -> Any:
    return await refused(error, run(db, func, **kw))


async def refused(error: type[UserError], call: Awaitable[Any]) -> Any:
    """The error the person sees, after checking it is of the expected kind."""
    with pytest.raises(error) as caught:
        await call
    return caught.value


async def upload(db: Database, text: str, language: str = "nl", kind: RulesKind = COC, **kw: Any):
    return await run(
        db,
        rules.upload_draft,
        guild_id=kw.pop("guild_id", GUILD),
        kind=kind,
        language=language,
        data=text.encode(),
        filename="regels.md",
        now=kw.pop("now", NOW),
        **kw,
    )


async def publish(db: Database, note: str = "Eerste versie", kind: RulesKind = COC, **kw: Any):
    return await run(
        db,
        rules.publish,
        guild_id=kw.pop("guild_id", GUILD),
        kind=kind,
        author_id=BOARD,
        change_note=note,
        requires_reack=kw.pop("requires_reack", False),
        now=kw.pop("now", NOW),
        **kw,
    )


async def draft_markdown(db: Database, language: str = "nl") -> str:
    return (await run(db, rules.preview, guild_id=GUILD, kind=COC, language=language)).markdown


# -- writing and publishing --------------------------------------------------


async def test_a_board_uploads_previews_and_publishes_the_first_version(db: Database) -> None:
    saved = await upload(db, NL_V1)
    assert saved.changed and saved.text.numbers == (1, 2, 3)
    assert saved.document.draft_languages == ("nl",)
    assert saved.document.latest_version is None and saved.document.has_unpublished_changes

    shown = await run(db, rules.preview, guild_id=GUILD, kind=COC, language="nl")
    assert shown.text.article(2).title == "Grenzen"
    assert shown.changes is None, "nothing published yet to compare with"

    published = await publish(db)
    assert published.version.number == 1
    assert published.version.author_id == BOARD
    assert published.version.languages == ("nl",)
    assert published.version.published_at == NOW
    assert not published.document.has_unpublished_changes
    assert published.messages is None
    text, language = published.text("en")
    assert language == "nl" and text.numbers == (1, 2, 3)


async def test_publishing_twice_without_changes_is_refused(db: Database) -> None:
    await upload(db, NL_V1)
    await publish(db)
    error = await refused(Conflict, publish(db, note="Nog eens"))
    assert (error.key, error.params) == ("rules.error.nothing_changed", {"version": 1})
    # Uploading the same text with other newlines is no change either.
    again = await upload(db, NL_V1.replace("\n", "\r\n"))
    assert not again.changed
    assert len(await run(db, rules.history, guild_id=GUILD, kind=COC)) == 1


async def test_publishing_needs_a_draft_and_a_change_note(db: Database) -> None:
    error = await refused(Conflict, publish(db, note="x"))
    assert error.key == "rules.error.nothing_to_publish"
    await upload(db, NL_V1)
    for note, key in [
        ("  ", "rules.error.change_note_required"),
        ("x" * 501, "rules.error.change_note_too_long"),
    ]:
        error = await refused(InvalidInput, publish(db, note=note))
        assert error.key == key
    assert await run(db, rules.history, guild_id=GUILD, kind=COC) == ()


async def test_a_language_with_only_an_introduction_cannot_be_published(db: Database) -> None:
    await upload(db, NL_V1)
    await run(
        db,
        rules.edit_intro,
        guild_id=GUILD,
        kind=COC,
        language="en",
        text="Only an introduction so far.",
        now=NOW,
    )
    error = await refused(InvalidInput, publish(db, note="v1"))
    assert error.key == "rules.error.publish_no_articles_en"
    await run(db, rules.clear_draft, guild_id=GUILD, kind=COC, language="en", now=NOW)
    assert (await publish(db)).version.languages == ("nl",)


@pytest.mark.parametrize(
    ("data", "filename", "key"),
    [
        (NL_V1.replace("## 3. Hulp", "## 2. Hulp").encode(), "r.md",
         "rules.error.duplicate_article"),
        (NL_V1.replace("## 2. Grenzen", "## Grenzen").encode(), "r.md",
         "rules.error.heading_unparsable"),
        (b"", "r.md", "rules.error.upload_empty"),
        (b"Alleen tekst zonder koppen", "r.md", "rules.error.no_articles"),
        ("## 1. Caf\xe9\n\nTekst".encode("latin-1"), "r.md", "rules.error.upload_not_utf8"),
        (b"## 1. A\n\n" + b"x" * 210_000, "r.md", "rules.error.upload_too_large"),
        (NL_V1.encode(), "regels.pdf", "rules.error.upload_not_markdown"),
        (f"## 1. Lang\n\n{'woord ' * 700}".encode(), "r.md", "rules.error.article_too_long"),
    ],
)  # fmt: skip
async def test_a_bad_upload_leaves_the_previous_draft_intact(
    db: Database, data: bytes, filename: str, key: str
) -> None:
    await upload(db, NL_V1)
    before = await draft_markdown(db)
    error = await fails(
        db,
        InvalidInput,
        rules.upload_draft,
        guild_id=GUILD,
        kind=COC,
        language="nl",
        data=data,
        filename=filename,
        now=NOW,
    )
    assert error.key == key
    assert await draft_markdown(db) == before


async def test_a_bad_upload_to_a_new_document_creates_nothing(db: Database) -> None:
    await fails(
        db,
        InvalidInput,
        rules.upload_draft,
        guild_id=GUILD,
        kind=HOUSE,
        language="nl",
        data=b"## 1. A\n\n## 1. B\n\nx",
        filename="r.md",
        now=NOW,
    )
    assert await run(db, rules.get_document, guild_id=GUILD, kind=HOUSE) is None


async def test_editing_one_article_keeps_the_rest_and_bad_edits_change_nothing(
    db: Database,
) -> None:
    await upload(db, NL_V1)
    edited = await run(
        db,
        rules.edit_article,
        guild_id=GUILD,
        kind=COC,
        language="nl",
        number=2,
        title="Grenzen",
        body="Een nee is een nee, altijd.",
        now=NOW,
    )
    assert edited.changed and edited.text.article(2).body == "Een nee is een nee, altijd."
    assert edited.text.article(1).body == "Behandel iedereen met respect."
    before = await draft_markdown(db)
    bad_edits = [
        dict(number=4, title="Nieuw", body="Tekst\n## 5. Verstopt\nmeer"),
        dict(number=2, title="", body="Tekst"),
        dict(number=2, title="Grenzen", body="x" * 4001),
        dict(number=1000, title="Te ver", body="Tekst"),
    ]
    for edit in bad_edits:
        await fails(
            db,
            InvalidInput,
            rules.edit_article,
            guild_id=GUILD,
            kind=COC,
            language="nl",
            now=NOW,
            **edit,
        )
    error = await fails(
        db,
        InvalidInput,
        rules.remove_article,
        guild_id=GUILD,
        kind=COC,
        language="nl",
        number=7,
        now=NOW,
    )
    assert error.params == {"number": 7, "available": "1–3"}
    assert await draft_markdown(db) == before


async def test_an_error_inside_the_transaction_rolls_back_what_came_before(db: Database) -> None:
    await upload(db, NL_V1)
    before = await draft_markdown(db)
    with pytest.raises(InvalidInput):
        async with db.sessions.begin() as session:
            await rules.edit_intro(
                session, guild_id=GUILD, kind=COC, language="nl", text="Nieuwe inleiding", now=NOW
            )
            await rules.publish(
                session,
                guild_id=GUILD,
                kind=COC,
                author_id=BOARD,
                change_note="",
                requires_reack=False,
                now=NOW,
            )
    assert await draft_markdown(db) == before
    assert await run(db, rules.history, guild_id=GUILD, kind=COC) == ()


async def test_history_and_a_diff_that_shows_exactly_the_changed_article(db: Database) -> None:
    await upload(db, NL_V1)
    await upload(db, EN_V1, language="en")
    await publish(db)
    await upload(db, NL_V1.replace("Vraag het als je twijfelt.", "Vraag het altijd."))
    later = NOW + timedelta(days=3)
    await publish(db, note="Artikel 2 duidelijker", now=later)

    versions = await run(db, rules.history, guild_id=GUILD, kind=COC)
    assert [(v.number, v.change_note, v.published_at) for v in versions] == [
        (2, "Artikel 2 duidelijker", later),
        (1, "Eerste versie", NOW),
    ]
    result = await run(db, rules.diff_versions, guild_id=GUILD, kind=COC, old=2, new=1)
    assert (result.old.number, result.new.number) == (1, 2)
    assert result.en is not None and result.en.is_empty
    assert result.nl is not None and result.nl.unchanged == (1, 3)
    (change,) = result.nl.changes
    assert (change.number, change.kind) == (2, "changed")
    assert [(line.op, line.text) for line in change.lines if line.op in "+-"] == [
        ("-", "Vraag het als je twijfelt."),
        ("+", "Vraag het altijd."),
    ]

    for old, new, error, key in [
        (1, 1, InvalidInput, "rules.error.same_version"),
        (1, 5, NotFound, "rules.error.unknown_version"),
    ]:
        caught = await fails(
            db, error, rules.diff_versions, guild_id=GUILD, kind=COC, old=old, new=new
        )
        assert caught.key == key
    preview = await run(db, rules.preview, guild_id=GUILD, kind=COC, language="nl")
    assert preview.changes is not None and preview.changes.is_empty


async def test_a_published_version_cannot_be_changed(db: Database) -> None:
    await upload(db, NL_V1)
    await publish(db)
    with pytest.raises(RuntimeError, match="immutable"):
        async with db.sessions.begin() as session:
            version = (await session.execute(select(RulesVersion))).scalar_one()
            version.text_nl = "## 1. Stiekem\n\nAnders"
            await session.flush()


# -- reading -----------------------------------------------------------------


async def test_a_member_reads_contents_an_article_and_searches_in_their_language(
    db: Database,
) -> None:
    await upload(db, NL_V1)
    await upload(db, EN_V1, language="en")
    await publish(db)

    (contents,) = await run(db, rules.table_of_contents, guild_id=GUILD, language="en")
    assert contents.kind is COC and contents.version == 1 and not contents.fell_back
    assert [(e.number, e.title) for e in contents.articles] == [
        (1, "Respect"),
        (2, "Boundaries"),
        (3, "Help"),
    ]
    assert contents.ack is None

    article = await run(
        db,
        rules.read_article,
        guild_id=GUILD,
        kind=None,
        number=2,
        language=rules.reading_language("nl"),
    )
    assert (article.title, article.language, article.numbers) == ("Grenzen", "nl", (1, 2, 3))

    (result,) = await run(
        db, rules.search, guild_id=GUILD, query="UM team", language=rules.reading_language("en-GB")
    )
    assert result.language == "en"
    assert [(h.number, h.snippet) for h in result.hits] == [
        (3, "Talk to a VCP or to the **UM** **team**.")
    ]

    error = await fails(
        db, InvalidInput, rules.read_article, guild_id=GUILD, kind=COC, number=9, language="nl"
    )
    assert (error.key, error.params) == (
        "rules.error.unknown_article",
        {"number": 9, "available": "1–3"},
    )
    error = await fails(db, InvalidInput, rules.search, guild_id=GUILD, query="x", language="nl")
    assert error.key == "rules.error.search_too_short"


async def test_a_kept_copy_of_the_published_rules_parses_each_language_once(
    db: Database,
) -> None:
    # The cog keeps `published` between interactions (vcpbot.readcache); parsing a
    # real code of conduct costs milliseconds, so each language is parsed once per copy.
    await upload(db, NL_V1)
    await upload(db, EN_V1, language="en")
    await publish(db)
    documents = await run(db, rules.published, guild_id=GUILD)
    (document,) = documents
    assert document.parsed == {}
    rules.contents_of(documents, language="en")
    parsed = document.parsed["en"]
    rules.article_of(documents, kind=None, number=2, language="en")
    rules.search_in(documents, query="UM team", language="en")
    assert document.parsed["en"] is parsed and set(document.parsed) == {"en"}
    (article,) = (rules.article_of(documents, kind=None, number=2, language="nl"),)
    assert article.title == "Grenzen" and set(document.parsed) == {"en", "nl"}
    assert document == (await run(db, rules.published, guild_id=GUILD))[0]  # not compared


async def test_a_missing_language_falls_back_to_the_other_and_says_so(db: Database) -> None:
    await upload(db, EN_V1, language="en")
    await publish(db, note="First version")
    (contents,) = await run(db, rules.table_of_contents, guild_id=GUILD, language="nl")
    assert (contents.requested, contents.language, contents.fell_back) == ("nl", "en", True)
    article = await run(db, rules.read_article, guild_id=GUILD, kind=COC, number=1, language="nl")
    assert article.fell_back and article.body == "Treat everyone with respect."
    (result,) = await run(db, rules.search, guild_id=GUILD, query="respect", language="nl")
    assert result.fell_back


async def test_readers_see_only_published_text_of_their_own_server(db: Database) -> None:
    assert await run(db, rules.table_of_contents, guild_id=GUILD, language="nl") == ()
    await upload(db, NL_V1)
    assert await run(db, rules.table_of_contents, guild_id=GUILD, language="nl") == ()
    error = await fails(
        db, NotFound, rules.read_article, guild_id=GUILD, kind=None, number=1, language="nl"
    )
    assert error.key == "rules.error.nothing_published"
    await publish(db)
    await upload(db, NL_V1.replace("respect.", "respect, altijd."))
    article = await run(db, rules.read_article, guild_id=GUILD, kind=None, number=1, language="nl")
    assert article.body == "Behandel iedereen met respect.", "the draft is not shown"
    assert await run(db, rules.table_of_contents, guild_id=OTHER_GUILD, language="nl") == ()


async def test_with_two_documents_the_reader_must_choose(db: Database) -> None:
    await upload(db, NL_V1)
    await publish(db)
    await upload(db, "## 1. Sluitingstijd\n\nOm 02.00 uur gaat het licht aan.", kind=HOUSE)
    await publish(db, kind=HOUSE)
    contents = await run(db, rules.table_of_contents, guild_id=GUILD, language="nl")
    assert [c.kind for c in contents] == [COC, HOUSE]
    error = await fails(
        db, InvalidInput, rules.read_article, guild_id=GUILD, kind=None, number=1, language="nl"
    )
    assert error.key == "rules.error.choose_document"
    house = await run(db, rules.read_article, guild_id=GUILD, kind=HOUSE, number=1, language="en")
    assert house.title == "Sluitingstijd" and house.fell_back
    results = await run(db, rules.search, guild_id=GUILD, query="licht", language="nl")
    assert [(r.kind, [h.number for h in r.hits]) for r in results] == [(HOUSE, [1])]


# -- acknowledgement ---------------------------------------------------------


async def ack(db: Database, user_id: int = MEMBER, now: datetime = NOW) -> rules.AckResult:
    return await run(db, rules.acknowledge, guild_id=GUILD, kind=COC, user_id=user_id, now=now)


async def status(db: Database, user_id: int = MEMBER) -> rules.AckStatus:
    return await run(db, rules.ack_status, guild_id=GUILD, kind=COC, user_id=user_id)


async def test_members_accept_once_per_version_and_again_when_asked(db: Database) -> None:
    await upload(db, NL_V1)
    await publish(db)
    error = await fails(
        db, Conflict, rules.acknowledge, guild_id=GUILD, kind=COC, user_id=MEMBER, now=NOW
    )
    assert error.key == "rules.error.ack_disabled"
    settings = await run(
        db, rules.configure_ack, guild_id=GUILD, kind=COC, enabled=True, role_id=777, now=NOW
    )
    assert settings.ack_enabled and settings.ack_role_id == 777
    assert (await status(db)).needs_ack

    first = await ack(db)
    assert (first.version, first.recorded, first.role_id) == (1, True, 777)
    again = await ack(db, now=NOW + timedelta(minutes=5))
    assert (again.recorded, again.acknowledged_at) == (False, NOW), "pressing twice records once"
    assert not (await status(db)).needs_ack

    # A small fix without the flag: still up to date.
    await upload(db, NL_V1.replace("respect.", "respect!"))
    await publish(db, note="Typfout")
    current = await status(db)
    assert (current.current_version, current.acknowledged_version) == (2, 1)
    assert not current.needs_ack

    # A real change that asks everyone again.
    await upload(db, NL_V1.replace("Een nee is een nee.", "Alleen ja is ja."))
    await publish(db, note="Instemming", requires_reack=True)
    asked = await status(db)
    assert (asked.required_version, asked.needs_ack) == (3, True)
    renewed = await ack(db, now=NOW + timedelta(days=1))
    assert (renewed.version, renewed.recorded) == (3, True)
    assert not (await status(db)).needs_ack

    (contents,) = await run(
        db, rules.table_of_contents, guild_id=GUILD, language="nl", user_id=MEMBER
    )
    assert contents.ack is not None and contents.ack.acknowledged_version == 3
    (other,) = await run(
        db, rules.table_of_contents, guild_id=GUILD, language="nl", user_id=OTHER_MEMBER
    )
    assert other.ack is not None and other.ack.needs_ack


async def test_ack_stats_are_counts_per_version_only(db: Database) -> None:
    await upload(db, NL_V1)
    await publish(db)
    await run(
        db, rules.configure_ack, guild_id=GUILD, kind=COC, enabled=True, role_id=None, now=NOW
    )
    for user in (MEMBER, OTHER_MEMBER, 23):
        await ack(db, user_id=user)
    await upload(db, NL_V1.replace("respect.", "respect!"))
    await publish(db, note="v2", requires_reack=True)
    await ack(db, user_id=MEMBER)
    stats = await run(db, rules.ack_stats, guild_id=GUILD, kind=COC)
    assert [(c.version, c.count) for c in stats.counts] == [(2, 1), (1, 3)]
    assert (stats.current_version, stats.required_version, stats.up_to_date) == (2, 2, 1)
    assert not any(isinstance(v, int) and v in (MEMBER, OTHER_MEMBER) for v in vars(stats).values())


async def test_a_document_that_is_not_published_cannot_be_acknowledged(db: Database) -> None:
    await upload(db, NL_V1)
    await run(db, rules.configure_ack, guild_id=GUILD, kind=COC, enabled=True, role_id=5, now=NOW)
    error = await fails(
        db, NotFound, rules.acknowledge, guild_id=GUILD, kind=COC, user_id=MEMBER, now=NOW
    )
    assert error.key == "rules.error.not_published"


# -- the rules channel -------------------------------------------------------


async def test_posted_messages_are_remembered_so_a_new_version_edits_them(db: Database) -> None:
    await upload(db, NL_V1)
    await publish(db)
    stored = await run(
        db,
        rules.record_messages,
        guild_id=GUILD,
        kind=COC,
        channel_id=55,
        message_ids=[103, 101, 102],
    )
    assert stored == rules.PublishedMessages(55, (103, 101, 102))
    await upload(db, NL_V1.replace("respect.", "respect!"))
    republished = await publish(db, note="v2")
    assert republished.messages == stored
    await run(
        db, rules.record_messages, guild_id=GUILD, kind=COC, channel_id=55, message_ids=[103, 101]
    )
    assert await run(db, rules.published_messages, guild_id=GUILD, kind=COC) == (
        rules.PublishedMessages(55, (103, 101))
    )
    assert (
        await run(
            db, rules.record_messages, guild_id=GUILD, kind=COC, channel_id=55, message_ids=[]
        )
        is None
    )


# -- shown in Discord first, saved after (issue 15 item 9) --------------------


def publishing(note: str = "Eerste versie") -> dict[str, Any]:
    return {
        "guild_id": GUILD,
        "kind": COC,
        "author_id": BOARD,
        "change_note": note,
        "requires_reack": False,
        "now": NOW,
    }


async def plan(db: Database, note: str = "Eerste versie") -> rules.PublishPlan:
    """What the rules channel is shown first, read without a write transaction."""
    async with db.reading.begin() as session:
        return await rules.plan_publish(session, **publishing(note))


async def test_a_planned_version_is_saved_only_afterwards_and_as_it_was_shown(
    db: Database,
) -> None:
    await upload(db, NL_V1)
    planned = await plan(db)
    assert planned.document.version.number == 1
    assert planned.document.text("nl")[0].article(2).title == "Grenzen"
    assert await run(db, rules.history, guild_id=GUILD, kind=COC) == ()

    saved = await run(db, rules.publish, plan=planned, **publishing())
    assert saved.version == planned.document.version
    assert saved.text("nl") == planned.document.text("nl")
    assert [v.number for v in await run(db, rules.history, guild_id=GUILD, kind=COC)] == [1]


async def test_a_draft_changed_after_it_was_shown_is_not_published(db: Database) -> None:
    await upload(db, NL_V1)
    planned = await plan(db)
    await upload(db, NL_V1.replace("respect.", "respect!"))
    error = await fails(db, Conflict, rules.publish, plan=planned, **publishing())
    assert error.key == "rules.error.changed_while_publishing"
    assert await run(db, rules.history, guild_id=GUILD, kind=COC) == ()


async def test_a_version_published_meanwhile_is_not_published_again(db: Database) -> None:
    await upload(db, NL_V1)
    first, second = await plan(db), await plan(db, "Tegelijk")
    await run(db, rules.publish, plan=first, **publishing())
    error = await fails(db, Conflict, rules.publish, plan=second, **publishing("Tegelijk"))
    assert error.key == "rules.error.changed_while_publishing"
    assert len(await run(db, rules.history, guild_id=GUILD, kind=COC)) == 1


async def test_a_plan_checks_the_draft_as_publishing_does(db: Database) -> None:
    error = await refused(Conflict, plan(db))
    assert error.key == "rules.error.nothing_to_publish"
    await upload(db, NL_V1)
    await publish(db)
    error = await refused(Conflict, plan(db, "Nog eens"))
    assert error.key == "rules.error.nothing_changed"


async def test_switching_the_accept_button_is_shown_first_and_saved_after(db: Database) -> None:
    switch = {"guild_id": GUILD, "kind": COC, "enabled": True, "role_id": 77}
    async with db.reading.begin() as session:
        assert await rules.plan_ack(session, **switch) is None, "nothing published to show"
    await upload(db, NL_V1)
    await publish(db)
    async with db.reading.begin() as session:
        planned = await rules.plan_ack(session, **switch)
    assert planned is not None
    assert planned.document.ack_enabled and planned.document.ack_role_id == 77
    stored = await run(db, rules.published_document, guild_id=GUILD, kind=COC)
    assert not stored.document.ack_enabled and stored.document.ack_role_id is None


# -- templates ---------------------------------------------------------------


async def test_the_um_template_is_seeded_once_and_adopted_by_an_association(
    db: Database,
) -> None:
    assert await run(db, rules.list_templates, hub_guild_id=HUB) == ()
    error = await fails(
        db, NotFound, rules.adopt_template, hub_guild_id=HUB, guild_id=GUILD, kind=COC, now=NOW
    )
    assert error.key == "rules.error.no_template"

    assert await run(db, rules.seed_um_templates, hub_guild_id=HUB, now=NOW) == (COC,)
    assert await run(db, rules.seed_um_templates, hub_guild_id=HUB, now=NOW) == ()
    (template,) = await run(db, rules.list_templates, hub_guild_id=HUB)
    assert (template.kind, template.version, template.languages) == (COC, 1, ("nl", "en"))
    assert await run(db, rules.table_of_contents, guild_id=HUB, language="nl") == (), (
        "templates are not the hub's own rules"
    )

    adopted = await run(
        db, rules.adopt_template, hub_guild_id=HUB, guild_id=GUILD, kind=COC, now=NOW
    )
    assert adopted.template_version == 1 and adopted.languages == ("nl", "en")
    assert "[[naam vereniging]]" in adopted.placeholders
    preview = await run(db, rules.preview, guild_id=GUILD, kind=COC, language="en")
    assert len(preview.text.articles) >= 8
    assert "[[association name]]" in preview.placeholders

    error = await refused(InvalidInput, publish(db, note="Overgenomen"))
    assert error.key == "rules.error.placeholders_left"

    error = await fails(
        db, Conflict, rules.adopt_template, hub_guild_id=HUB, guild_id=GUILD, kind=COC, now=NOW
    )
    assert error.key == "rules.error.adopt_would_replace"
    await upload(db, NL_V1)
    await run(
        db, rules.adopt_template, hub_guild_id=HUB, guild_id=GUILD, kind=COC, now=NOW, replace=True
    )
    assert "[[naam vereniging]]" in await draft_markdown(db)


async def test_the_seeded_template_covers_what_members_need_to_know(db: Database) -> None:
    await run(db, rules.seed_um_templates, hub_guild_id=HUB, now=NOW)
    template = await run(db, rules.published_document, guild_id=HUB, kind=COC, template=True)
    for language, words in {
        "nl": ["respect", "instemming", "grenzen", "alcohol", "kmtm", "machtsposit",
               "discriminatie", "online", "112", "team sociale veiligheid", "regie"],
        "en": ["respect", "consent", "boundaries", "alcohol", "kmtm", "power",
               "discrimination", "online", "112", "team sociale veiligheid", "in control"],
    }.items():  # fmt: skip
        text, shown = template.text(language)
        assert shown == language
        everything = rules_text.render(text).lower()
        missing = [w for w in words if w not in everything]
        assert missing == [], f"{language} template misses {missing}"
        assert "sjabloon" in text.intro.lower() or "template" in text.intro.lower()


# -- privacy -----------------------------------------------------------------


async def test_erasing_a_member_removes_their_acks_and_their_name_on_versions(
    db: Database,
) -> None:
    await upload(db, NL_V1)
    await publish(db)
    await run(db, rules.configure_ack, guild_id=GUILD, kind=COC, enabled=True, role_id=1, now=NOW)
    await ack(db, user_id=BOARD)
    await ack(db, user_id=MEMBER)

    removed = await run(db, erase_user, user_id=BOARD)
    assert "privacy.removed.rules_acknowledgements" in removed
    assert "privacy.removed.rules_authorship" in removed
    (version,) = await run(db, rules.history, guild_id=GUILD, kind=COC)
    assert version.author_id is None and version.number == 1
    assert (await status(db, BOARD)).acknowledged_version is None
    assert (await status(db, MEMBER)).acknowledged_version == 1
    assert await run(db, erase_user, user_id=BOARD) == []


def test_every_rules_table_with_user_ids_has_an_eraser() -> None:
    with_user_ids = {
        table.name
        for table in Base.metadata.tables.values()
        if table.name.startswith("rules_")
        and any(column.info.get("discord_user_id") for column in table.columns)
    }
    assert with_user_ids == {"rules_acknowledgements", "rules_versions"}
    assert USER_ID_INFO == {"discord_user_id": True}
    assert with_user_ids <= ERASERS.covered_tables()
