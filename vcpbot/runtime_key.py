"""The runtime key: the one secret that could tie a person to a case, kept only in memory.

Rate limits, blocks and pattern detection need to recognise a person again
without storing who they are. Anything derived from a key the bot stores
(settings, secrets directory) would let whoever holds the database and those keys
recompute it from a guild's public member list. So those values are derived from
a random key that is never written to the database or to any key file: it is made
when none exists, held in memory, and shared by the processes of one machine
through a mode-0600 file in a runtime directory on tmpfs (``/run/vcpbot`` under
systemd), which survives restarts and deploys but not a reboot.

What it keys (all of it useless once the key is gone):
- per-day pseudonyms of a person, for the per-day counters;
- per-semester pseudonyms, for blocks and for telling reporters apart;
- sealed values on a case: the reporter's semester pseudonyms (Block sender,
  pattern detection) and the opt-in DM link (the reporter's user id).

A reboot therefore resets the day's limits, lifts blocks, makes older cases
count as another reporter's, and stops DM notices until the reporter turns them
on again (``/my-case`` says so). Processes on other machines share the key only if
the operator copies the file (docs/operator.md).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vcpbot.crypto import BUCKETS, KEY_BYTES, PSEUDONYM_HEX, CryptoError, open_sealed, seal

KEY_FILE = "escalation-runtime-key"
# File systems whose content is gone after a reboot and never written to a disk
# (unless the machine swaps: use no swap or encrypted swap).
MEMORY_FILE_SYSTEMS = frozenset({"tmpfs", "ramfs"})


class RuntimeKeyError(Exception):
    """The runtime directory cannot hold the key; the message says what to change."""


@dataclass(frozen=True)
class RuntimeKey:
    """HMAC and AES-GCM under the runtime key, domain-separated per use."""

    key: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> RuntimeKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def load_or_create(cls, directory: Path) -> RuntimeKey:
        """The machine's runtime key from ``directory``, made there if there is none yet.

        Several processes starting at once agree on one key: the file is written
        whole under a temporary name and linked into place, which fails if another
        process was first; then theirs is read.
        """
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = directory / KEY_FILE
            with contextlib.suppress(FileNotFoundError):
                return cls(_read(path))
            _create(path)
            return cls(_read(path))
        except OSError as exc:
            raise RuntimeKeyError(
                f"cannot keep the runtime key in {directory}: {exc.strerror or exc}"
            ) from None

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self.key, "\x1f".join(parts).encode(), hashlib.sha256).digest()

    def day_pseudonym(self, user_id: int, day: date) -> str:
        """One person on one day; unrelated to the same person's other days."""
        return self._mac("vcpbot:day:v1", day.isoformat(), str(user_id)).hex()[:PSEUDONYM_HEX]

    def semester_pseudonym(self, user_id: int, semester: str) -> str:
        """One person in one semester: for blocks and for telling reporters apart."""
        return self._mac("vcpbot:semester:v1", semester, str(user_id)).hex()[:PSEUDONYM_HEX]

    def _aad(self, case_id: int, purpose: str) -> bytes:
        return f"vcpbot:runtime:{case_id}:{purpose}:v1".encode()

    def seal(self, text: str, *, case_id: int, purpose: str) -> bytes:
        """Sealed to this key, bound to the case and the field."""
        sealing_key = self._mac("vcpbot:runtime-seal:v1")
        return seal(text, key=sealing_key, aad=self._aad(case_id, purpose))

    def open(self, blob: bytes | None, *, case_id: int, purpose: str) -> str | None:
        """The sealed text, or None when it was sealed under another runtime key (before a
        reboot), on another machine, or was cleared on upgrade."""
        if not blob or len(blob) not in BUCKETS:
            return None
        sealing_key = self._mac("vcpbot:runtime-seal:v1")
        try:
            return open_sealed(blob, key=sealing_key, aad=self._aad(case_id, purpose))
        except CryptoError:
            return None


def _read(path: Path) -> bytes:
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
        raise RuntimeKeyError(f"{path} must be a regular file only its owner can read (0600)")
    text = path.read_text("ascii").strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raw = b""
    if len(raw) != KEY_BYTES:
        raise RuntimeKeyError(f"{path} does not hold a runtime key; delete it and restart")
    return raw


def _create(path: Path) -> None:
    text = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
    temporary = path.with_name(f".{KEY_FILE}.{secrets.token_hex(6)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(text + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def directory_problems(directory: Path) -> list[str]:
    """For ``vcpbot check``: why this directory cannot keep the runtime key as promised."""
    where = f"runtime_dir: {directory}"
    existing = next((p for p in (directory, *directory.parents) if p.exists()), None)
    if existing is None or not os.access(existing, os.W_OK | os.X_OK):
        return [
            f"{where} does not exist and cannot be made by this user; under systemd, "
            "RuntimeDirectory=vcpbot makes it (see docs/operator.md)"
        ]
    kind = file_system_of(existing)
    if kind is not None and kind not in MEMORY_FILE_SYSTEMS:
        return [
            f"{where} is on {kind}, not in memory (tmpfs): the runtime key would be kept "
            "on disk and survive a reboot; use /run/vcpbot or $XDG_RUNTIME_DIR"
        ]
    return []


def file_system_of(path: Path) -> str | None:
    """The type of the file system ``path`` is on (Linux), or None when unknown."""
    try:
        lines = Path("/proc/self/mountinfo").read_text("utf-8").splitlines()
    except OSError:
        return None
    resolved, best, kind = path.resolve(), -1, None
    for line in lines:
        fields = line.split()
        if "-" not in fields:
            continue
        mount = Path(fields[4].replace("\\040", " "))
        if (resolved == mount or mount in resolved.parents) and len(str(mount)) > best:
            best, kind = len(str(mount)), fields[fields.index("-") + 1]
    return kind
