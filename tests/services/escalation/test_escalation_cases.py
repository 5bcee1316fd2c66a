"""A reporter escalates and follows their case by receipt, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from tests.services.escalation.steps import (
    MEMBER_USER,
    NOW,
    OTHER_USER,
    TEAM,
    VCP_USER,
    add_association,
    deliver_cards,
    enable_member_route,
    make_config,
    rebooted,
    submit,
    unlocked,
)
from vcpbot.db import Database
from vcpbot.db.escalation import Case, CaseMessage, Counter, OutboxItem
from vcpbot.errors import Conflict, InvalidInput, NotAllowed
from vcpbot.i18n import t
from vcpbot.services import escalation
from vcpbot.services.escalation import Author, CaseCode, CaseStatus, EscalationConfig


async def _rows(db: Database, model: type) -> int:
    async with db.sessions.begin() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def _open(db: Database, config: EscalationConfig, receipt: str, user_id: int = VCP_USER):
    async with db.sessions.begin() as session:
        return await escalation.open_case(
            session, config=config, unlocked=await unlocked(db, config, receipt, user_id)
        )


async def test_a_vcp_escalates_and_gets_a_receipt_and_a_case_code(db: Database) -> None:
    config = make_config()
    association = await add_association(db)
    submitted = await submit(db, config, association_id=association)
    assert submitted.code.startswith("C-") and len(submitted.code) == 6
    assert len(submitted.receipt) == 24 and submitted.receipt.count("-") == 4

    view = await _open(db, config, submitted.receipt.lower().replace("-", " "))
    assert view is not None
    assert view.code == submitted.code
    assert view.status is CaseStatus.NEW
    assert [(m.author, m.text) for m in view.messages] == [
        (Author.REPORTER, "A board member keeps pressuring first-years at the bar.")
    ]
    assert not view.notices
    await deliver_cards(db, config)
    async with db.sessions.begin() as session:
        cards = await escalation.list_open_cases(session, config=config, handler=TEAM, now=NOW)
    assert [c.code for c in cards] == [submitted.code]
    assert cards[0].association_name == "Studentenvereniging Tragos"


async def test_the_reporter_replies_opts_into_notices_and_closes(db: Database) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=await add_association(db))
    async with db.sessions.begin() as session:
        view = await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 4242),
            enabled=True,
        )
        assert view is not None and view.notices
        view = await escalation.reporter_reply(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 1),
            text="More.",
            now=NOW,
        )
        assert view is not None and [m.seq for m in view.messages] == [1, 2]
    async with db.sessions.begin() as session:
        view = await escalation.reporter_close(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 1),
            now=NOW,
        )
    assert view is not None and view.closed and not view.notices
    async with db.sessions.begin() as session:
        with pytest.raises(Conflict) as caught:
            await escalation.reporter_close(
                session,
                config=config,
                unlocked=await unlocked(db, config, submitted.receipt, 1),
                now=NOW,
            )
    assert caught.value.key == "escalation.error.already_closed"
    async with db.sessions.begin() as session:
        with pytest.raises(Conflict) as caught:
            await escalation.reporter_reply(
                session,
                config=config,
                unlocked=await unlocked(db, config, submitted.receipt, 1),
                text="x",
                now=NOW,
            )
    assert caught.value.key == "escalation.error.case_closed"
    async with db.sessions.begin() as session:
        counts = await escalation.case_counts(session)
    assert [(c.period, c.outcome, c.count) for c in counts] == [
        ("2026-Q4", "closed_by_reporter", 1)
    ]


async def test_stop_notices_also_cancels_queued_notices(db: Database) -> None:
    config = make_config()
    submitted = await submit(db, config, association_id=None)
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 1),
            enabled=True,
        )
        await escalation.reply(
            session,
            config=config,
            handler=TEAM,
            case_ref=CaseCode(submitted.code),
            text="Hi",
            now=NOW,
        )
    async with db.sessions.begin() as session:
        kinds = (await session.scalars(select(OutboxItem.kind))).all()
    assert "reply_notice" in kinds
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=config,
            unlocked=await unlocked(db, config, submitted.receipt, 1),
            enabled=False,
        )
    async with db.sessions.begin() as session:
        kinds = (await session.scalars(select(OutboxItem.kind))).all()
    assert "reply_notice" not in kinds


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("text", "   \n\t ", "escalation.error.text_empty"),
        ("text", "x" * 4001, "escalation.error.text_too_long"),
        ("text", "\u202e\u200b\x00", "escalation.error.text_empty"),
        ("category", "gossip", "escalation.error.unknown_category"),
        ("urgency", "yesterday", "escalation.error.unknown_urgency"),
        ("route", "carrier-pigeon", "escalation.error.unknown_route"),
    ],
)
async def test_bad_input_is_named_and_nothing_is_saved(
    db: Database, field: str, value: str, key: str
) -> None:
    config = make_config()
    with pytest.raises(InvalidInput) as caught:
        await submit(db, config, association_id=None, **{field: value})
    assert caught.value.key == key
    for model in (Case, CaseMessage, OutboxItem, Counter):
        assert await _rows(db, model) == 0


async def test_text_is_normalised_before_it_is_stored(db: Database) -> None:
    config = make_config()
    decomposed = "Cafe\u0301 \u202eevil\u202c\r\nline two\u200b  "
    submitted = await submit(db, config, association_id=None, text=decomposed)
    view = await _open(db, config, submitted.receipt)
    assert view is not None
    assert view.messages[0].text == "Café evil\nline two"


async def test_a_wrong_receipt_says_only_not_found_and_guesses_are_limited(db: Database) -> None:
    config = make_config(receipt_misses_per_day=3)
    submitted = await submit(db, config, association_id=None)
    for _ in range(3):
        assert await _open(db, config, "0000-0000-0000-0000-0000", user_id=OTHER_USER) is None
    with pytest.raises(NotAllowed) as caught:
        await _open(db, config, submitted.receipt, user_id=OTHER_USER)
    assert caught.value.key == "escalation.error.too_many_attempts"
    # The limit is per person: the reporter still gets in.
    assert await _open(db, config, submitted.receipt, user_id=VCP_USER) is not None
    # And it resets the next day.
    async with db.sessions.begin() as session:
        view = await escalation.open_case(
            session,
            config=config,
            unlocked=await unlocked(
                db, config, submitted.receipt, OTHER_USER, now=NOW + timedelta(days=1)
            ),
        )
    assert view is not None


async def test_a_malformed_receipt_is_a_format_error_not_a_guess(db: Database) -> None:
    config = make_config(receipt_misses_per_day=1)
    for _ in range(3):
        with pytest.raises(InvalidInput) as caught:
            await _open(db, config, "hello")
        assert caught.value.key == "escalation.error.receipt_format"
    assert await _rows(db, Counter) == 0


async def test_cases_per_day_are_limited_per_person(db: Database) -> None:
    config = make_config(cases_per_day=2)
    await submit(db, config, association_id=None)
    await submit(db, config, association_id=None)
    with pytest.raises(NotAllowed) as caught:
        await submit(db, config, association_id=None)
    assert caught.value.key == "escalation.error.too_many_cases"
    assert caught.value.params == {"count": 2}
    assert "Je hebt vandaag 2 meldingen gestart" in t(caught.value.key, "nl", **caught.value.params)
    await submit(db, config, association_id=None, user_id=OTHER_USER)
    await submit(db, config, association_id=None, now=NOW + timedelta(days=1))
    assert await _rows(db, Case) == 4


async def test_a_blocked_sender_is_refused_kindly_and_the_team_never_learns_who(
    db: Database,
) -> None:
    config = make_config()
    first = await submit(db, config, association_id=None)
    async with db.sessions.begin() as session:
        await escalation.block_sender(
            session, config=config, handler=TEAM, case_ref=CaseCode(first.code), now=NOW
        )
    with pytest.raises(NotAllowed) as caught:
        await submit(db, config, association_id=None)
    assert caught.value.key == "escalation.error.blocked"
    # Still blocked in the next semester (February), not after it (September).
    with pytest.raises(NotAllowed):
        await submit(db, config, association_id=None, now=NOW + timedelta(days=80))
    await submit(db, config, association_id=None, now=NOW + timedelta(days=300))
    await submit(db, config, association_id=None, user_id=OTHER_USER)
    async with db.sessions.begin() as session:
        with pytest.raises(Conflict) as caught:
            await escalation.block_sender(
                session, config=config, handler=TEAM, case_ref=CaseCode(first.code), now=NOW
            )
    assert caught.value.key == "escalation.error.already_blocked"


async def test_members_reach_their_vcps_only_where_the_association_allows_it(
    db: Database,
) -> None:
    config = make_config()
    association = await add_association(db)
    with pytest.raises(NotAllowed) as caught:
        await submit(db, config, association_id=association, route="member", user_id=MEMBER_USER)
    assert caught.value.key == "escalation.error.member_route_off"
    await enable_member_route(db, association)
    submitted = await submit(
        db, config, association_id=association, route="member", user_id=MEMBER_USER
    )
    await deliver_cards(db, config)
    async with db.sessions.begin() as session:
        team_cases = await escalation.list_open_cases(session, config=config, handler=TEAM, now=NOW)
        vcp_cases = await escalation.list_open_cases(
            session, config=config, handler=escalation.Handler.vcps(association), now=NOW
        )
        other = await escalation.list_open_cases(
            session, config=config, handler=escalation.Handler.vcps(association + 99), now=NOW
        )
    assert team_cases == [] and other == []
    assert [c.code for c in vcp_cases] == [submitted.code]


# --- checking a receipt outside the transaction ------------------------------------------


async def test_guesses_checked_at_once_are_still_counted_against_the_limit(db: Database) -> None:
    """Each guess passes the limit in its read transaction before any miss is recorded;
    the write transaction counts again, so parallel guesses do not get past it."""
    config = make_config(receipt_misses_per_day=2)
    await submit(db, config, association_id=None)
    guesses = [
        await unlocked(db, config, f"{n:04d}-0000-0000-0000-0000", OTHER_USER) for n in range(3)
    ]
    outcomes = []
    for guess in guesses:
        async with db.sessions.begin() as session:
            try:
                outcomes.append(await escalation.open_case(session, config=config, unlocked=guess))
            except NotAllowed as refused:
                outcomes.append(refused.key)
    assert outcomes == [None, None, "escalation.error.too_many_attempts"]


async def test_a_case_destroyed_after_its_receipt_was_checked_is_simply_not_found(
    db: Database,
) -> None:
    config = make_config(receipt_misses_per_day=1)
    submitted = await submit(db, config, association_id=None)
    checked = await unlocked(db, config, submitted.receipt, VCP_USER)
    assert checked.case_id is not None
    async with db.sessions.begin() as session:
        await session.execute(delete(Case))
    async with db.sessions.begin() as session:
        assert await escalation.open_case(session, config=config, unlocked=checked) is None
    assert await _rows(db, Counter) == 1  # only the submit: a right receipt is not a miss


# --- after a reboot: a new runtime key ---------------------------------------------------


async def test_a_reboot_resets_the_days_limits_lifts_blocks_and_loses_the_dm_link(
    db: Database,
) -> None:
    before = make_config(cases_per_day=1)
    first = await submit(db, before, association_id=None)
    async with db.sessions.begin() as session:
        await escalation.set_notices(
            session,
            config=before,
            unlocked=await unlocked(db, before, first.receipt, VCP_USER),
            enabled=True,
        )
        await escalation.block_sender(
            session, config=before, handler=TEAM, case_ref=CaseCode(first.code), now=NOW
        )
    with pytest.raises(NotAllowed):
        await submit(db, before, association_id=None)

    after = rebooted(before)
    again = await submit(db, after, association_id=None)
    view = await _open(db, after, first.receipt)
    assert view is not None and not view.notices and view.notices_lost
    async with db.sessions.begin() as session:
        with pytest.raises(Conflict) as caught:
            await escalation.block_sender(
                session, config=after, handler=TEAM, case_ref=CaseCode(first.code), now=NOW
            )
        assert caught.value.key == "escalation.error.sender_unknown"
        await escalation.block_sender(
            session, config=after, handler=TEAM, case_ref=CaseCode(again.code), now=NOW
        )
