"""What people write reaches only ephemeral answers: never the database's bytes, a log line,
a message others can see, or any request to Discord outside an interaction response."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from discord_emulator import Emulator
from discord_emulator.entities import User
from discord_emulator.rest import _front as rest
from tests.e2e.escalation.steps import (
    add_member,
    add_vcp,
    card_for,
    code_in,
    escalate,
    network_with,
    open_case,
    receipt_in,
    switch_member_route,
    vcp_channel,
    wait_until,
)
from vcpbot.logs import PINNED_LOGGERS, pin_chatty_loggers
from vcpbot_harness import BotHarness, NetworkWorld

CANARY = "KANARIE"
# A receipt-shaped guess: it must not be kept anywhere either.
GUESS = "CANARY77CANARY77CANA"


def canary(n: int) -> str:
    return f"Geheim verhaal {CANARY}{n} met details"


@pytest.fixture
def bodies(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    """Every request body the bot sent to the emulated Discord (the emulator keeps no bodies)."""
    seen: list[tuple[str, str, Any]] = []
    original = rest._read_body

    async def recording(request: Any) -> Any:
        body, files, multipart = await original(request)
        seen.append((request.method, request.path, [body, [f.data.hex() for f in files]]))
        return body, files, multipart

    monkeypatch.setattr(rest, "_read_body", recording)
    return seen


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, with the chatty discord.py loggers pinned as in production."""
    before = {name: logging.getLogger(name).level for name in PINNED_LOGGERS}
    caplog.set_level(logging.DEBUG)
    pin_chatty_loggers()
    yield caplog
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


async def database_text(harness: BotHarness) -> bytes:
    """Everything the database holds, as bytes: the SQLite file with its WAL, or every
    PostgreSQL row (with binary columns as hex)."""
    db = harness.db
    if db.is_sqlite:
        path = Path(str(db.engine.url.database))
        parts = [
            p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
        ]
        assert len(parts) >= 2, "expected the database file and its WAL"
        return b"".join(parts)
    async with db.sessions.begin() as session:
        tables = (
            await session.scalars(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            )
        ).all()
        dump = []
        for table in tables:
            # Table names come from the catalog itself, not from anyone's input.
            every_row = f'SELECT row_to_json(t)::text FROM "{table}" t'  # noqa: S608
            rows = await session.scalars(text(every_row))
            dump.append("\n".join(rows.all()))
    return "\n".join(dump).encode()


# Where a registered VCP's id belongs: the registry and the network's audit log.
REGISTRY_TABLES = ("vcps", "audit_log")


async def table_rows(harness: BotHarness, *, leaving_out: tuple[str, ...]) -> bytes:
    """Every row of every table but ``leaving_out``, as text (binary columns as hex)."""
    db = harness.db
    async with db.sessions.begin() as session:
        if db.is_sqlite:
            listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            listing = (
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        tables = [t for t in (await session.scalars(text(listing))).all() if t not in leaving_out]
        dump = []
        for table in tables:
            # Table names come from the catalog itself, not from anyone's input.
            rows = await session.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            for row in rows.all():
                dump.append(repr([v.hex() if isinstance(v, bytes) else v for v in row]))
    return "\n".join(dump).encode()


def forms_of(user: User) -> bytes:
    return str(user.id).encode(), user.id.to_bytes(8, "big")


@pytest.mark.threat("T1")
async def test_case_text_never_leaves_an_ephemeral_answer(
    bodies: list[tuple[str, str, Any]],
    debug_logs: pytest.LogCaptureFixture,
    emulator: Emulator,
    world: NetworkWorld,
    harness: BotHarness,
) -> None:
    await network_with(emulator, world, "tragos")
    tragos = world.association("tragos")
    channel = vcp_channel(emulator, world, "tragos")
    await switch_member_route(emulator, world, "tragos", channel)
    vcp = await add_vcp(emulator, world, "tragos", "sanne", locale="nl")
    member = add_member(emulator, world, "tragos", "noor", locale="en-US")
    team = emulator.person(world.team_member)

    # Route 1, with DM notices: VCP -> team -> VCP.
    _, confirmation = await escalate(emulator, vcp, tragos.guild, text=canary(1), urgency="urgent")
    receipt = receipt_in(confirmation)
    # Waited for: a reply that comes before the opt-in is saved sends no DM.
    await (
        await emulator.person(vcp).press(
            confirmation, label="Stuur me een privébericht bij een reactie"
        )
    ).final()
    card = await card_for(emulator, world, code_in(confirmation))
    form = (await team.press(card, label="Reageren")).response.modal
    assert form is not None
    await (await team.submit(form, {"text": canary(2)})).final()
    await emulator.person(vcp).wait_for_dm()
    seen = await open_case(emulator, vcp, receipt)
    form = (await emulator.person(vcp).press(seen, label="Reageren")).response.modal
    assert form is not None
    await (await emulator.person(vcp).submit(form, {"text": canary(3)})).final()
    opened = await (await team.press(card, label="Openen")).final()
    assert canary(1) in opened.text and canary(3) in opened.text  # the positive control

    # Route 2: member -> VCP, who asks; the member says yes -> team -> member.
    _, member_confirmation = await escalate(emulator, member, tragos.guild, text=canary(4))
    member_receipt = receipt_in(member_confirmation)
    code = code_in(member_confirmation)
    sanne = emulator.person(vcp)
    vcp_card = await sanne.wait_for_message(channel, contains=code)
    form = (await sanne.press(vcp_card, label="Reageren")).response.modal
    assert form is not None
    await (await sanne.submit(form, {"text": canary(5)})).final()
    form = (await sanne.press(vcp_card, label="Vragen om door te sturen")).response.modal
    assert form is not None
    await (await sanne.submit(form, {"text": canary(6)})).final()
    asked = await open_case(emulator, member, member_receipt)
    assert canary(6) in asked.text  # the question shows the summary, privately
    sure = await (await emulator.person(member).press(asked, label="Yes, pass it on")).final()
    await (await emulator.person(member).press(sure, label="Yes, pass it on")).final()
    hub_card = await card_for(emulator, world, code)
    form = (await team.press(hub_card, label="Reageren")).response.modal
    assert form is not None
    await (await team.submit(form, {"text": canary(7)})).final()
    seen = await open_case(emulator, member, member_receipt, guild=tragos.guild)
    form = (await emulator.person(member).press(seen, label="Reply")).response.modal
    assert form is not None
    redrawn = await (await emulator.person(member).submit(form, {"text": canary(8)})).final()
    assert canary(7) in redrawn.text and canary(8) in redrawn.text

    # Route 3: member -> VCP, who forwards at once for acute danger, with a reason.
    _, urgent_confirmation = await escalate(emulator, member, tragos.guild, text=canary(9))
    urgent_code = code_in(urgent_confirmation)
    urgent_card = await sanne.wait_for_message(channel, contains=urgent_code)
    ask = await (await sanne.press(urgent_card, label="Nu doorsturen: acuut gevaar")).final()
    form = (await sanne.press(ask, label="Ja, acuut gevaar: verder")).response.modal
    assert form is not None
    await (await sanne.submit(form, {"reason": canary(10), "text": canary(11)})).final()
    await emulator.person(world.coordinator).wait_for_message(
        world.network_log, contains=urgent_code
    )

    # A guessed receipt, and a closing message.
    await open_case(emulator, member, GUESS)
    form = (await team.press(hub_card, label="Afsluiten")).response.modal
    assert form is not None
    await (await team.submit(form, {"outcome": "referred_internally", "text": canary(12)})).final()
    await wait_until(emulator, lambda: "Afgesloten" in hub_card.text, "the card to close")

    # 1. No message anyone else can see, anywhere, ever carried it.
    for message in emulator.world.messages.values():
        if not message.ephemeral:
            assert CANARY not in message.text and GUESS not in message.text, message.channel.name
            assert message.allowed_mentions is not None, message.text
    # 2. No request outside an interaction's own response carried it.
    outside = [
        (method, path, body)
        for method, path, body in bodies
        if not path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/"))
    ]
    assert outside, "the bot posted cards and notices through the REST API"
    for method, path, body in outside:
        dumped = json.dumps(body, ensure_ascii=False)
        assert CANARY not in dumped and GUESS not in dumped, f"{method} {path}"
    # 3. No log line, at DEBUG, carried it; no line names a reporter next to a case.
    assert any(r.levelno == logging.DEBUG for r in debug_logs.records)
    for record in debug_logs.records:
        line = record.getMessage() + (record.exc_text or "")
        assert CANARY not in line and GUESS not in line, record.name
        if code in line or code_in(confirmation) in line:
            assert str(vcp.id) not in line and str(member.id) not in line, record.name
    # 4. The database holds none of it, and no id of the reporters, in any form.
    stored = await database_text(harness)
    for n in range(1, 13):
        assert CANARY.encode() + str(n).encode() not in stored
    assert CANARY.encode() not in stored and CANARY.encode().hex().encode() not in stored
    assert GUESS.encode() not in stored
    for form_ in forms_of(member):
        assert form_ not in stored, f"{member.username}'s id is stored"
    # The VCP is in the registry by design (/vcp add): their id may be there, and only there.
    rows = await table_rows(harness, leaving_out=REGISTRY_TABLES)
    for form_ in (str(vcp.id).encode(), vcp.id.to_bytes(8, "big").hex().encode()):
        assert form_ not in rows, f"{vcp.username}'s id is stored outside the VCP registry"
