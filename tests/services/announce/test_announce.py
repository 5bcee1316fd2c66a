"""Announcements' rules, on SQLite and PostgreSQL: a board's choice, a draft's checks, who
an announcement reaches, and its outbox: leased once, found again, marked once."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from vcpbot.db import Database
from vcpbot.db.announce import AnnouncementDelivery
from vcpbot.errors import InvalidInput, NotAllowed
from vcpbot.services import announce, network
from vcpbot.services.announce import Draft, Reason, State

NOW = datetime(2026, 8, 20, 21, 30, tzinfo=UTC)
AMS = ZoneInfo("Europe/Amsterdam")
DRAFT = Draft("Campagneweek", "De campagneweek begint maandag.", "Campaign week starts Monday.")


async def _join(db: Database, guild_id: int, name: str, locale: str = "nl") -> None:
    async with db.sessions.begin() as session:
        result = await network.request_join(
            session,
            guild_id=guild_id,
            name=name,
            short_name=name[:20],
            locale=locale,
            vcp_role_id=guild_id + 1,
            rules_channel_id=None,
            requested_by=7,
            now=NOW,
        )
        await network.decide_request(
            session,
            request_token=result.association.request_token,
            approve=True,
            decided_by=8,
            now=NOW,
            zone=AMS,
        )


async def _choose(db: Database, guild_id: int, **values) -> announce.AnnouncementSettings:
    values = {
        "receive": True,
        "channel_id": None,
        "role_id": None,
        "actor_id": 7,
        "now": NOW,
    } | values
    async with db.sessions.begin() as session:
        return await announce.set_announcements(session, guild_id=guild_id, **values)


async def _network(db: Database) -> None:
    """Alfa (Dutch, channel and role), Beta (English, channel), Gamma (opted out), Delta
    (no channel)."""
    for guild_id, name, locale in (
        (100, "Alfa", "nl"),
        (200, "Beta", "en"),
        (300, "Gamma", "nl"),
        (400, "Delta", "en"),
    ):
        await _join(db, guild_id, name, locale)
    await _choose(db, 100, channel_id=101, role_id=102)
    await _choose(db, 200, channel_id=201)
    await _choose(db, 300, channel_id=301)
    await _choose(db, 300, receive=False)


async def _send(db: Database) -> int:
    async with db.sessions.begin() as session:
        return await announce.send_announcement(session, draft=DRAFT, now=NOW)


async def test_a_board_needs_a_channel_to_receive_and_keeps_it_when_opting_out(
    db: Database,
) -> None:
    await _join(db, 100, "Alfa")

    with pytest.raises(InvalidInput) as refused:
        await _choose(db, 100)
    assert refused.value.key == "announce.error.channel_needed"

    chosen = await _choose(db, 100, channel_id=101, role_id=102)
    assert (chosen.channel_id, chosen.role_id, chosen.opted_out) == (101, 102, False)
    off = await _choose(db, 100, receive=False)
    assert (off.channel_id, off.role_id, off.opted_out) == (101, None, True)
    # Back on without naming the channel again: the one chosen before.
    again = await _choose(db, 100)
    assert (again.channel_id, again.opted_out) == (101, False)


async def test_a_server_that_never_ran_setup_cannot_choose(db: Database) -> None:
    with pytest.raises(NotAllowed):
        await _choose(db, 999, channel_id=1)


@pytest.mark.parametrize(
    ("title", "nl", "en", "key"),
    [
        ("  ", "tekst", "text", "announce.error.empty_title"),
        ("Titel", " \n ", "text", "announce.error.empty_nl"),
        ("Titel", "tekst", "", "announce.error.empty_en"),
        ("T" * 101, "tekst", "text", "announce.error.too_long_title"),
        ("Titel", "x" * 2001, "text", "announce.error.too_long_nl"),
        ("Titel", "tekst", "y" * 2001, "announce.error.too_long_en"),
    ],
)
def test_an_empty_or_too_long_field_is_named(title: str, nl: str, en: str, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        announce.check_draft(title=title, text_nl=nl, text_en=en)
    assert refused.value.key == key


def test_a_draft_is_trimmed() -> None:
    draft = announce.check_draft(title=" Titel ", text_nl="\ntekst ", text_en=" text")
    assert draft == Draft("Titel", "tekst", "text")


async def test_sending_queues_a_copy_per_receiving_association_and_notes_the_others(
    db: Database,
) -> None:
    await _network(db)
    async with db.reading.begin() as session:
        reach = await announce.reach(session)
    assert (reach.dutch, reach.english) == (1, 1)
    assert (reach.opted_out, reach.no_channel) == (("Gamma",), ("Delta",))

    announcement_id = await _send(db)

    async with db.reading.begin() as session:
        found = await announce.report(session, announcement_id=announcement_id)
        rows = (await session.scalars(select(AnnouncementDelivery))).all()
    assert found is not None and found.title == "Campagneweek"
    assert [(line.association, line.state) for line in found.lines] == [
        ("Alfa", State.PENDING),
        ("Beta", State.PENDING),
        ("Delta", State.NO_CHANNEL),
        ("Gamma", State.OPTED_OUT),
    ]
    going = {row.channel_id: (row.role_id, row.locale) for row in rows if row.channel_id}
    assert going == {101: (102, "nl"), 201: (None, "en")}
    assert len({row.delivery_key for row in rows}) == 4


async def test_each_copy_is_leased_to_one_worker_and_marked_once(db: Database) -> None:
    await _network(db)
    await _send(db)

    async with db.sessions.begin() as session:
        first = await announce.claim_copies(session, token="a", limit=1)
    async with db.sessions.begin() as session:
        second = await announce.claim_copies(session, token="b")
        nothing = await announce.claim_copies(session, token="c")
    assert [c.channel_id for c in first] == [101] and [c.channel_id for c in second] == [201]
    assert nothing == []
    assert first[0].draft.text("nl") == DRAFT.text_nl and first[0].attempts == 0

    async with db.sessions.begin() as session:
        assert await announce.mark_copy_delivered(session, delivery=first[0], message_id=9)
        # A second mark (another worker's duplicate) is refused: its post is to delete.
        assert not await announce.mark_copy_delivered(session, delivery=first[0], message_id=10)
        await announce.mark_copy_failed(session, delivery=second[0], reason=Reason.NO_PERMISSION)
        found = await announce.report(session)
        waiting = await announce.copies_waiting(session)
    assert found is not None and waiting == 0
    assert [(line.state, line.reason) for line in found.lines[:2]] == [
        (State.DELIVERED, None),
        (State.FAILED, Reason.NO_PERMISSION),
    ]


async def test_a_new_leader_takes_over_leases_and_knows_the_copy_was_tried(db: Database) -> None:
    await _network(db)
    await _send(db)
    async with db.sessions.begin() as session:
        [crashed, _] = await announce.claim_copies(session, token="dead")

    async with db.sessions.begin() as session:
        assert await announce.release_copies(session) == 2
        again = await announce.claim_copies(session, token="new")
    assert again[0].id == crashed.id
    assert again[0].attempts == 1  # look for it in the channel before posting
    async with db.sessions.begin() as session:
        # The old worker's lease is gone: its late mark changes nothing.
        assert not await announce.mark_copy_delivered(session, delivery=crashed, message_id=1)
        await announce.free_copy(session, delivery=again[0])
        assert await announce.copies_waiting(session) == 2


def test_a_retry_waits_for_discord_or_backs_off() -> None:
    assert announce.copy_retry_delay(0, 2.5) == 2.5
    assert announce.copy_retry_delay(0) == 5.0
    assert announce.copy_retry_delay(3) == 40.0
    assert announce.copy_retry_delay(20) == 900.0
