"""Evidence: files a reporter adds to their case, kept exactly as safely as their words.

A file is taken only for what its bytes are (a short allow-list, recognised by content,
never by its name or the type the upload claims), within a size per file and per case.
Its name, type and bytes are sealed with the case key, in the same transaction as the
conversation line that says a file was added, so a file never exists without its line
nor a line without its file. The handlers see exactly the files of the part of the
conversation they may read (``read_case``'s rule); the reporter sees all of theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.crypto import open_bytes, seal_bytes
from vcpbot.db.escalation import Author, Case, CaseStatus, Evidence
from vcpbot.errors import Conflict, InvalidInput
from vcpbot.services.escalation._core import (
    append_message,
    case_aad,
    clean_text,
    data_key,
    enqueue_card_updates,
    local_day,
    open_for,
    seal_for,
)
from vcpbot.services.escalation._handling import CaseRef, find_case
from vcpbot.services.escalation._receipts import case_of
from vcpbot.services.escalation._types import EscalationConfig, FileView, Handler, Unlocked

# What a file is, by its first bytes, and the extension it is shown again with.
EXTENSIONS = {
    "png": "png",
    "jpeg": "jpg",
    "webp": "webp",
    "gif": "gif",
    "pdf": "pdf",
    "text": "txt",
}
NAME_MAX = 80
_TEXT_CONTROLS_ALLOWED = {"\n", "\r", "\t", "\f"}


def sniff(data: bytes) -> str | None:
    """The file's type by its content (a key of ``EXTENSIONS``), or None when it is
    none of the allowed ones."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return "text" if _is_plain_text(data) else None


def _is_plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    controls = (c for c in text if ord(c) < 32 or ord(c) == 127)
    return bool(text.strip()) and all(c in _TEXT_CONTROLS_ALLOWED for c in controls)


def file_name(name: str, kind: str) -> str:
    """The name to keep and show: no folders or invisible characters, at most ``NAME_MAX``
    characters, and the extension of what the file really is."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    try:
        stem = clean_text(stem.replace("\n", " "), limit=10_000)
    except InvalidInput:
        stem = "file"
    stem = stem.strip(". ")[: NAME_MAX - 5] or "file"
    return f"{stem}.{EXTENSIONS[kind]}"


def check_sizes(config: EscalationConfig, sizes: Sequence[int]) -> None:
    """Refuses (``InvalidInput``) a file over the per-file limit, before it is downloaded
    (``sizes`` as the upload declares them) and again after (as downloaded)."""
    most = config.policy.evidence_file_max_kib * 1024
    if any(size > most for size in sizes):
        raise InvalidInput("evidence.error.too_big", size=size_text(most))
    if any(size == 0 for size in sizes):
        raise InvalidInput("evidence.error.type")


def size_text(size: int) -> str:
    """A limit as people say it: "8 MB", "500 kB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, size // 1024)} kB"


async def add_evidence(
    session: AsyncSession,
    *,
    config: EscalationConfig,
    unlocked: Unlocked,
    files: Sequence[tuple[str, bytes]],
    line: Callable[[str], str],
    now: datetime,
) -> int | None:
    """The reporter adds ``files`` (name as uploaded, bytes) to their case, with the
    conversation line ``line(names)``; returns how many. All or nothing: one file of a
    type not allowed (``evidence.error.type``), too big (``evidence.error.too_big``) or
    over the case's limits (``evidence.error.case_full``) refuses them all; a closed
    case raises ``Conflict``. None: as for ``open_case``.
    """
    sniffed = [sniff(data) for _, data in files]
    kinds = [kind for kind in sniffed if kind is not None]
    if not files or len(kinds) < len(files):
        raise InvalidInput("evidence.error.type")
    check_sizes(config, [len(data) for _, data in files])
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    if case.status == CaseStatus.CLOSED:
        raise Conflict("escalation.error.case_closed")
    await _check_room(session, config, case, files)
    names = [file_name(name, kind) for (name, _), kind in zip(files, kinds, strict=True)]
    today = local_day(now, config.zone)
    seq = await append_message(
        session, config, case, author=Author.REPORTER, text=line(", ".join(names)), today=today
    )
    key = data_key(config, case)
    for position, ((_, data), kind, name) in enumerate(zip(files, kinds, names, strict=True)):
        where = f"evidence:{seq}:{position}"
        session.add(
            Evidence(
                case_id=case.id,
                seq=seq,
                position=position,
                name=seal_for(config, case, name, f"{where}:name"),
                kind=seal_for(config, case, kind, f"{where}:kind"),
                body=seal_bytes(data, key=key, aad=case_aad(case.id, f"{where}:body")),
            )
        )
    await enqueue_card_updates(session, case)
    await session.flush()
    return len(files)


async def _check_room(
    session: AsyncSession, config: EscalationConfig, case: Case, files: Sequence[tuple[str, bytes]]
) -> None:
    """The case's limits; what is stored counts as sealed (rounded up to whole blocks)."""
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(func.length(Evidence.body)), 0)).where(
                Evidence.case_id == case.id
            )
        )
    ).one()
    count, stored = int(row[0]), int(row[1])
    policy = config.policy
    adding = sum(len(data) for _, data in files)
    if count + len(files) > policy.evidence_case_max_files:
        raise InvalidInput("evidence.error.case_full", count=policy.evidence_case_max_files)
    if stored + adding > policy.evidence_case_max_kib * 1024:
        raise InvalidInput(
            "evidence.error.case_full_size", size=size_text(policy.evidence_case_max_kib * 1024)
        )


async def reporter_files(
    session: AsyncSession, *, config: EscalationConfig, unlocked: Unlocked
) -> tuple[FileView, ...] | None:
    """Every file of the reporter's case, opened. None: as for ``open_case``."""
    case = await case_of(session, config, unlocked)
    if case is None:
        return None
    return await _files(session, config, case, first=1, last=None)


async def case_files(
    session: AsyncSession, *, config: EscalationConfig, handler: Handler, case_ref: CaseRef
) -> tuple[FileView, ...]:
    """The files a handler may see: those of the conversation ``read_case`` shows them.
    Raises ``NotFound`` as ``read_case`` does."""
    case = await find_case(session, handler, case_ref, act=False)
    first, last = _window(handler, case)
    return await _files(session, config, case, first=first, last=last)


async def case_file_count(session: AsyncSession, *, handler: Handler, case_ref: CaseRef) -> int:
    """How many files ``case_files`` would show (for the Open view's button); nothing opened."""
    case = await find_case(session, handler, case_ref, act=False)
    first, last = _window(handler, case)
    query = select(func.count()).where(Evidence.case_id == case.id, Evidence.seq >= first)
    if last is not None:
        query = query.where(Evidence.seq <= last)
    return int(await session.scalar(query) or 0)


def _window(handler: Handler, case: Case) -> tuple[int, int | None]:
    """The conversation lines this handler reads, as ``read_case`` decides them."""
    if handler.is_team and case.forward_seq is not None:
        return case.forward_seq, None
    if not handler.is_team and case.forwarded_on is not None and case.summary_seq:
        return 1, case.summary_seq
    return 1, None


async def _files(
    session: AsyncSession, config: EscalationConfig, case: Case, *, first: int, last: int | None
) -> tuple[FileView, ...]:
    query = (
        select(Evidence)
        .where(Evidence.case_id == case.id, Evidence.seq >= first)
        .order_by(Evidence.seq, Evidence.position)
    )
    if last is not None:
        query = query.where(Evidence.seq <= last)
    key = data_key(config, case)
    shown = []
    for row in (await session.scalars(query)).all():
        where = f"evidence:{row.seq}:{row.position}"
        shown.append(
            FileView(
                name=open_for(config, case, row.name, f"{where}:name"),
                kind=open_for(config, case, row.kind, f"{where}:kind"),
                data=open_bytes(row.body, key=key, aad=case_aad(case.id, f"{where}:body")),
            )
        )
    return tuple(shown)
