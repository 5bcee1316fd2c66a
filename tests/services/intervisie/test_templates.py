"""Templates in the service: the coordinator keeps a session's title, length, place and
agenda under a name, finds it again ignoring case, removes it, and is refused kindly
(with nothing stored) for a taken, empty or too long name, an unknown session or
template, or one template too many. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.services.intervisie.steps import AMS, NOW, POLICY, SANNE, build_network
from vcpbot.db import Database
from vcpbot.db.intervisie import IntervisieTemplate
from vcpbot.errors import Conflict, InvalidInput, NotFound, UserError
from vcpbot.services import intervisie
from vcpbot.services.intervisie import Invitees, Location, LocationKind

START = datetime(2026, 9, 15, 19, 30, tzinfo=AMS)
LINK = "https://maastrichtuniversity.zoom.us/j/123"


@pytest.fixture
async def world(db: Database) -> Database:
    await build_network(db)
    return db


async def _session(db: Database, **overrides: object) -> int:
    values: dict[str, object] = dict(
        title="Intervisie blok 1",
        starts_at=START,
        duration_minutes=105,
        location=Location.online(LINK),
        agenda="Casus bespreken; grenzen aangeven.",
        invitees=Invitees.people(SANNE),
        now=NOW,
        policy=POLICY,
    )
    values.update(overrides)
    async with db.sessions.begin() as session:
        planned = await intervisie.plan_session(session, **values)  # type: ignore[arg-type]
    return planned.sessions[0].id


async def _save(db: Database, name: str, session_id: int) -> intervisie.TemplateView:
    async with db.sessions.begin() as session:
        return await intervisie.save_template(session, name=name, session_id=session_id, now=NOW)


async def _count(db: Database) -> int:
    async with db.sessions.begin() as session:
        return await session.scalar(select(func.count()).select_from(IntervisieTemplate)) or 0


async def test_a_session_is_kept_as_a_template_and_found_again_by_its_name(
    world: Database,
) -> None:
    session_id = await _session(world)
    saved = await _save(world, "  Blok   intervisie ", session_id)
    assert saved.name == "Blok intervisie"
    assert (saved.title, saved.duration_minutes, saved.agenda) == (
        "Intervisie blok 1",
        105,
        "Casus bespreken; grenzen aangeven.",
    )
    assert saved.location == Location(LocationKind.ONLINE, LINK)
    async with world.sessions.begin() as session:
        found = await intervisie.template_named(session, name="blok INTERVISIE")
    assert found == saved


async def test_templates_are_listed_by_name_and_removed_one_at_a_time(world: Database) -> None:
    first = await _session(world)
    second = await _session(
        world,
        title="Intervisie UM-team",
        starts_at=START + timedelta(days=7),
        location=Location.room("Tapijnkazerne, zaal 2"),
        agenda=None,
    )
    await _save(world, "Zaal", second)
    await _save(world, "online", first)
    async with world.sessions.begin() as session:
        names = [t.name for t in await intervisie.list_templates(session)]
    assert names == ["online", "Zaal"]
    async with world.sessions.begin() as session:
        removed = await intervisie.remove_template(session, name="zaal")
    assert (removed.title, removed.location.text, removed.agenda) == (
        "Intervisie UM-team",
        "Tapijnkazerne, zaal 2",
        None,
    )
    async with world.sessions.begin() as session:
        assert [t.name for t in await intervisie.list_templates(session)] == ["online"]
        # The sessions themselves are untouched.
        details = await intervisie.session_details(session, session_id=second)
    assert details.session.title == "Intervisie UM-team"


@pytest.mark.parametrize(
    ("name", "error", "key"),
    [
        ("blok", Conflict, "intervisie.template.error.duplicate"),
        ("BLOK ", Conflict, "intervisie.template.error.duplicate"),
        ("   ", InvalidInput, "intervisie.template.error.bad_name"),
        ("x" * 51, InvalidInput, "intervisie.template.error.bad_name"),
    ],
)
async def test_a_bad_name_is_refused_and_nothing_is_stored(
    world: Database, name: str, error: type[UserError], key: str
) -> None:
    session_id = await _session(world)
    await _save(world, "Blok", session_id)
    with pytest.raises(error) as refused:
        await _save(world, name, session_id)
    assert refused.value.key == key
    assert await _count(world) == 1


async def test_an_unknown_session_or_template_is_refused(world: Database) -> None:
    with pytest.raises(NotFound) as refused:
        await _save(world, "Blok", 999)
    assert refused.value.key == "intervisie.error.unknown_session"
    assert await _count(world) == 0
    for act in (intervisie.template_named, intervisie.remove_template):
        async with world.sessions.begin() as session:
            with pytest.raises(NotFound) as refused:
                await act(session, name="Blok")
        assert refused.value.key == "intervisie.template.error.unknown"
        assert refused.value.params == {"name": "Blok"}


async def test_one_template_too_many_is_refused(world: Database) -> None:
    session_id = await _session(world)
    for n in range(intervisie.TEMPLATES_MAX):
        await _save(world, f"Sjabloon {n}", session_id)
    with pytest.raises(Conflict) as refused:
        await _save(world, "Nog een", session_id)
    assert refused.value.key == "intervisie.template.error.full"
    assert await _count(world) == intervisie.TEMPLATES_MAX
