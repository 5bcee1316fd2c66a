"""A case keeps its reporter's language (Dutch or English) so a saved reply can start in it;
anything else is kept as unknown. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.services.escalation.steps import NOW, TEAM, VCP_USER, add_association, make_config
from vcpbot.db import Database
from vcpbot.db.escalation import Case
from vcpbot.services import escalation


async def _submitted_in(db: Database, language: str | None) -> str | None:
    config = make_config()
    association_id = await add_association(db)
    receipt = await escalation.prepare_receipt(config)
    async with db.sessions.begin() as session:
        submitted = await escalation.submit_case(
            session,
            config=config,
            route="vcp",
            user_id=VCP_USER,
            association_id=association_id,
            category="intimidation",
            urgency="routine",
            text="Op het gala ging het mis.",
            association_shown=True,
            receipt=receipt,
            now=NOW,
            language=language,
        )
    async with db.sessions.begin() as session:
        case = (await session.scalars(select(Case).where(Case.code == submitted.code))).one()
        detail = await escalation.read_case(
            session, config=config, handler=TEAM, case_ref=case.card_token, now=NOW
        )
        assert detail.card.language == case.language  # the card says what is stored
    return case.language


@pytest.mark.parametrize(
    ("given", "kept"), [("nl", "nl"), ("en", "en"), ("de", None), ("", None), (None, None)]
)
async def test_the_case_keeps_the_reporters_language_or_unknown(
    db: Database, given: str | None, kept: str | None
) -> None:
    assert await _submitted_in(db, given) == kept
