"""Every table that holds a Discord user id has a path to delete it (/privacy delete-my-data)."""

import re

from sqlalchemy import BigInteger

from vcpbot.db import models  # noqa: F401 - registers every table
from vcpbot.db.base import Base
from vcpbot.services.privacy import load_erasers

# Names that say "a person's id": such a column must carry USER_ID_INFO.
PERSONAL = re.compile(r"(user|member|actor|author|subject|owner|_by)(_id)?$")


def _marked() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if column.info.get("discord_user_id"):
                found.setdefault(table.name, []).append(column.name)
    return found


def test_columns_named_like_a_person_are_marked_as_user_ids() -> None:
    unmarked = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, BigInteger)
        and PERSONAL.search(column.name)
        and not column.info.get("discord_user_id")
    ]
    assert unmarked == []


def test_every_table_with_a_user_id_has_an_eraser() -> None:
    covered = load_erasers().covered_tables()
    missing = sorted(set(_marked()) - covered)
    assert missing == [], f"tables holding user ids without a deletion path: {missing}"


def test_erasers_only_claim_tables_that_exist() -> None:
    assert load_erasers().covered_tables() <= set(Base.metadata.tables)


def test_the_check_would_notice_a_new_table() -> None:
    # The marker is what the check keys on; make sure at least the registry uses it.
    assert "vcps" in _marked()
