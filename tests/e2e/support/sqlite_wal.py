"""Reading a SQLite database as an attacker with the files would: the main file plus its WAL,
replayed commit by commit (each commit's page images applied in order).

A WAL frame is a 24-byte header (page number, the database size in pages on a commit
frame, the two salts, two checksums) followed by one page; the WAL starts with a
32-byte header holding the page size and the salts that mark its current frames.
"""

from __future__ import annotations

import sqlite3
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

WAL_HEADER = 32
FRAME_HEADER = 24

Reader = Callable[[sqlite3.Connection], Any]


def wal_of(database: Path) -> Path:
    return database.with_name(database.name + "-wal")


def commit_states(database: Path, read: Reader) -> list[Any]:
    """What ``read`` finds in the main file alone, then after each commit in the WAL."""
    image = bytearray(database.read_bytes())
    wal = wal_of(database)
    log = wal.read_bytes() if wal.exists() else b""
    states = [_read(image, read)]
    if len(log) < WAL_HEADER:
        return states
    page_size = struct.unpack(">I", log[8:12])[0]
    salts = log[16:24]
    pending: dict[int, bytes] = {}
    position = WAL_HEADER
    while position + FRAME_HEADER + page_size <= len(log):
        header = log[position : position + FRAME_HEADER]
        page = log[position + FRAME_HEADER : position + FRAME_HEADER + page_size]
        position += FRAME_HEADER + page_size
        if header[8:16] != salts:
            break  # frames of an earlier generation of the log
        number, commit_size = struct.unpack(">II", header[:8])
        pending[number] = page
        if commit_size:
            _apply(image, pending, page_size, commit_size)
            pending = {}
            states.append(_read(image, read))
    return states


def _apply(image: bytearray, pages: dict[int, bytes], page_size: int, size: int) -> None:
    if len(image) < size * page_size:
        image.extend(bytes(size * page_size - len(image)))
    del image[size * page_size :]
    for number, page in pages.items():
        image[(number - 1) * page_size : number * page_size] = page


def _read(image: bytearray, read: Reader) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        copy.write_bytes(bytes(image))
        connection = sqlite3.connect(f"file:{copy}?immutable=1", uri=True)
        try:
            return read(connection)
        finally:
            connection.close()
