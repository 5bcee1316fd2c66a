"""Encryption at rest, receipts and pseudonyms for anonymous escalation.

Envelope encryption: every case has its own random AES-256-GCM data key; the
data key is stored only wrapped (AES-GCM again) by a versioned master key from
the settings. Rotating the master key re-wraps the small data keys and leaves
the content alone; destroying a case's wrapped key destroys the case (crypto-
shredding), whatever copies of the ciphertext survive in backups.

Receipts are 100 random bits, shown once; the database keeps an Argon2id hash
to confirm one and a keyed HMAC (the index key) to find its row without
scanning. The index key does nothing else: pseudonyms of people (rate limits,
blocks) are keyed by the runtime key, which is never stored
(``vcpbot.runtime_key``), so the stored keys cannot recompute them.

Not Fernet: its tokens carry their creation time in clear, a metadata leak in
every stored field.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vcpbot.errors import InvalidInput, UserError

if TYPE_CHECKING:
    from vcpbot.settings import EscalationSettings, Settings

T = TypeVar("T")

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_LENGTH_BYTES = 4
# A sealed value is exactly one of these sizes (nonce and tag included), so its
# length tells a reader of the database only which bucket the text fell in.
BUCKETS: tuple[int, ...] = (256, 1024, 4096, 16384)
MAX_SEALED_TEXT_BYTES = BUCKETS[-1] - NONCE_BYTES - TAG_BYTES - _LENGTH_BYTES

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_CHARS = 20  # 20 x 5 bits = 100 bits
RECEIPT_GROUP = 4
RECEIPT_BITS = RECEIPT_CHARS * 5
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_RECEIPT_NOISE = re.compile(r"[\s\-_.]+")
PSEUDONYM_HEX = 32  # 128 bits of an HMAC: no collisions among a city's students

_MASTER_ENTRY = re.compile(r"^v([1-9][0-9]{0,5}):([A-Za-z0-9_\-]+=*)$")


class EscalationUnavailable(UserError):
    """The escalation keys are not configured (or unusable); nothing is stored without them."""

    default_key = "escalation.error.unavailable"


class CryptoError(Exception):
    """A sealed value did not open: tampered, moved to another row, or the wrong key.

    Never a user's mistake, so not a ``UserError``: it is a bug or an attack and
    must be logged (without the ciphertext) and investigated.
    """


# --- keys ----------------------------------------------------------------------


def _decode_key(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise ValueError(f"{what} is not URL-safe base64") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"{what} must be {KEY_BYTES} bytes, got {len(raw)}")
    return raw


def _encode_key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def generate_master_key(version: int = 1) -> str:
    """A new master key entry ``v<version>:<key>`` for ``VCPBOT_MASTER_KEYS``."""
    if version < 1:
        raise ValueError("master key versions start at 1")
    return f"v{version}:{_encode_key(secrets.token_bytes(KEY_BYTES))}"


def generate_index_key() -> str:
    """A new value for ``VCPBOT_INDEX_KEY``."""
    return _encode_key(secrets.token_bytes(KEY_BYTES))


def _wrap_aad(case_id: int, version: int) -> bytes:
    return f"vcpbot:case-key:{case_id}:v{version}".encode()


@dataclass(frozen=True)
class MasterKeys:
    """Every configured master key by version; the highest wraps new data keys."""

    keys: Mapping[int, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("no master key given")

    @classmethod
    def parse(cls, text: str) -> MasterKeys:
        """Read ``v1:<key>,v2:<key>``; the error never repeats key material."""
        keys: dict[int, bytes] = {}
        for position, entry in enumerate(filter(None, (e.strip() for e in text.split(","))), 1):
            match = _MASTER_ENTRY.match(entry)
            if match is None:
                raise ValueError(
                    f"entry {position} is not of the form v<number>:<base64 key> "
                    "(make one with `vcpbot keys generate`)"
                )
            version = int(match.group(1))
            if version in keys:
                raise ValueError(f"version v{version} is listed twice")
            keys[version] = _decode_key(match.group(2), f"key v{version}")
        if not keys:
            raise ValueError("no master key given (make one with `vcpbot keys generate`)")
        return cls(keys)

    @property
    def current_version(self) -> int:
        return max(self.keys)

    def wrap(self, data_key: bytes, *, case_id: int) -> tuple[bytes, int]:
        """The data key sealed under the newest master key, bound to its case."""
        version = self.current_version
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[version]).encrypt(nonce, data_key, _wrap_aad(case_id, version))
        return nonce + sealed, version

    def unwrap(self, wrapped: bytes, *, case_id: int, version: int) -> bytes:
        key = self.keys.get(version)
        if key is None:
            raise CryptoError(
                f"master key v{version} is not configured; add it back to VCPBOT_MASTER_KEYS"
            )
        try:
            return AESGCM(key).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(case_id, version)
            )
        except InvalidTag:
            raise CryptoError("a case key did not unwrap") from None


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


# --- sealing text --------------------------------------------------------------


def bucket_for(text_bytes: int) -> int:
    """The sealed size of a text of this many UTF-8 bytes."""
    needed = text_bytes + _LENGTH_BYTES + NONCE_BYTES + TAG_BYTES
    for size in BUCKETS:
        if needed <= size:
            return size
    raise ValueError(f"text too long to seal ({text_bytes} bytes, at most {MAX_SEALED_TEXT_BYTES})")


def seal(plaintext: str, *, key: bytes, aad: bytes) -> bytes:
    """AES-256-GCM over the length-prefixed, zero-padded text: ``nonce || ciphertext+tag``."""
    data = plaintext.encode("utf-8")
    size = bucket_for(len(data))
    body_size = size - NONCE_BYTES - TAG_BYTES
    padded = len(data).to_bytes(_LENGTH_BYTES, "big") + data
    padded += b"\0" * (body_size - len(padded))
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, padded, aad)


def open_sealed(blob: bytes, *, key: bytes, aad: bytes) -> str:
    if len(blob) not in BUCKETS:
        raise CryptoError("a sealed value has an impossible length")
    try:
        padded = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise CryptoError("a sealed value did not open") from None
    length = int.from_bytes(padded[:_LENGTH_BYTES], "big")
    if length > len(padded) - _LENGTH_BYTES:
        raise CryptoError("a sealed value has a corrupt length")
    return padded[_LENGTH_BYTES : _LENGTH_BYTES + length].decode("utf-8")


FILE_BLOCK = 16384  # a sealed file's size is rounded up to this, so it tells less


def seal_bytes(data: bytes, *, key: bytes, aad: bytes) -> bytes:
    """A file, as ``seal`` does text: length-prefixed, zero-padded to whole blocks."""
    padded = len(data).to_bytes(_LENGTH_BYTES, "big") + data
    padded += b"\0" * (-(len(padded) + NONCE_BYTES + TAG_BYTES) % FILE_BLOCK)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, padded, aad)


def open_bytes(blob: bytes, *, key: bytes, aad: bytes) -> bytes:
    try:
        padded = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise CryptoError("a sealed file did not open") from None
    length = int.from_bytes(padded[:_LENGTH_BYTES], "big")
    if length > len(padded) - _LENGTH_BYTES:
        raise CryptoError("a sealed file has a corrupt length")
    return padded[_LENGTH_BYTES : _LENGTH_BYTES + length]


# --- receipts ------------------------------------------------------------------


def new_receipt() -> str:
    """A fresh receipt in its canonical form: 20 Crockford base32 characters (100 bits)."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(RECEIPT_CHARS))


def format_receipt(receipt: str) -> str:
    """``K7QM3XRT...`` as ``K7QM-3XRT-...``: five groups of four, easy to read and copy."""
    return "-".join(receipt[i : i + RECEIPT_GROUP] for i in range(0, len(receipt), RECEIPT_GROUP))


def normalise_receipt(text: str) -> str:
    """The canonical receipt from what a person typed or pasted.

    Tolerates lower case, spaces, dashes (or none), and the look-alikes I and L
    for 1 and O for 0; anything else of the wrong length or alphabet is refused
    with a message saying what a receipt looks like.
    """
    compact = _RECEIPT_NOISE.sub("", text).upper().translate(_LOOKALIKES)
    if len(compact) != RECEIPT_CHARS or any(c not in CROCKFORD for c in compact):
        raise InvalidInput("escalation.error.receipt_format", example=format_receipt("K7QM" * 5))
    return compact


def _hashing_threads() -> int:
    """Half the cores, at least one: the event loop and the database keep the rest."""
    return max(1, (os.cpu_count() or 2) // 2)


HASHING_NICENESS = 10


def _lower_priority() -> None:
    """A hashing thread yields the CPU to the event loop (Linux schedules threads apart)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


class ReceiptHasher:
    """Argon2id for receipts; its cost comes from the settings so tests can lower it.

    Hashing runs in threads of its own (``run``), never on the event loop and never
    inside a write transaction, on at most half the cores and at a lower priority: a
    flood of guesses then queues for the hash instead of taking the CPU from every
    other interaction.
    """

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._dummy: str | None = None
        self._threads = ThreadPoolExecutor(
            _hashing_threads(), thread_name_prefix="argon2", initializer=_lower_priority
        )

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` (``self.hash``, ``self.verify``...) in the hashing threads."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, work, *args)

    @classmethod
    def from_settings(cls, policy: EscalationSettings) -> ReceiptHasher:
        return cls(
            time_cost=policy.argon2_time_cost,
            memory_kib=policy.argon2_memory_kib,
            parallelism=policy.argon2_parallelism,
        )

    def hash(self, receipt: str) -> str:
        return self._hasher.hash(receipt)

    def verify(self, stored: str, receipt: str) -> bool:
        try:
            return self._hasher.verify(stored, receipt)
        except (VerificationError, InvalidHashError):
            return False

    def verify_nothing(self, receipt: str) -> None:
        """Spend the time a real check costs, so a miss and a hit look alike."""
        if self._dummy is None:
            self._dummy = self._hasher.hash(new_receipt())
        self.verify(self._dummy, receipt)


# --- keyed look-ups and pseudonyms ---------------------------------------------


def semester_of(day: date) -> str:
    """The UM semester a local date falls in, as ``<academic year start>-S1|S2``.

    Semester 1 runs September to January, semester 2 February to August (the
    introduction period, KMTM, closes it). ``2026-S1`` is September 2026 to
    January 2027; ``2026-S2`` is February to August 2027.
    """
    if day.month >= 9:
        return f"{day.year}-S1"
    if day.month == 1:
        return f"{day.year - 1}-S1"
    return f"{day.year - 1}-S2"


def next_semester(semester: str) -> str:
    year, half = semester.split("-")
    return f"{year}-S2" if half == "S1" else f"{int(year) + 1}-S1"


@dataclass(frozen=True)
class IndexKey:
    """HMAC-SHA256 under the index key: only to find a receipt's row. Never of a person."""

    key: bytes = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> IndexKey:
        return cls(_decode_key(text.strip(), "the index key"))

    def _mac(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def receipt_index(self, receipt: str) -> str:
        """Finds a receipt's row; the Argon2id hash then confirms it."""
        return self._mac("vcpbot:receipt-index:v1", receipt)


@dataclass(frozen=True)
class EscalationKeys:
    """The stored secrets of anonymous escalation, built once from the settings.

    The runtime key, which is not stored, sits beside them in ``EscalationConfig``.
    """

    master: MasterKeys
    index: IndexKey
    hasher: ReceiptHasher

    @classmethod
    def from_settings(cls, settings: Settings) -> EscalationKeys:
        """Raises ``EscalationUnavailable`` unless both keys are set and well-formed."""
        if key_problems(settings, required=True):
            raise EscalationUnavailable()
        assert settings.master_keys is not None  # noqa: S101 - checked by key_problems
        assert settings.index_key is not None  # noqa: S101
        return cls(
            master=MasterKeys.parse(settings.master_keys.get_secret_value()),
            index=IndexKey.parse(settings.index_key.get_secret_value()),
            hasher=ReceiptHasher.from_settings(settings.escalation),
        )


def key_problems(settings: Settings, *, required: bool) -> list[str]:
    """One line per problem with the escalation keys, for ``vcpbot check``.

    Badly formed keys are always a problem; missing keys only when ``required``
    (the escalation feature is enabled).
    """
    problems = []
    if settings.master_keys is None:
        if required:
            problems.append(
                "master_keys: not set; anonymous escalation needs it. Make one with "
                "`vcpbot keys generate` and put it in VCPBOT_MASTER_KEYS or a secrets file"
            )
    else:
        try:
            MasterKeys.parse(settings.master_keys.get_secret_value())
        except ValueError as exc:
            problems.append(f"master_keys: {exc}")
    if settings.index_key is None:
        if required:
            problems.append(
                "index_key: not set; anonymous escalation needs it. Make one with "
                "`vcpbot keys generate` and put it in VCPBOT_INDEX_KEY or a secrets file"
            )
    else:
        try:
            IndexKey.parse(settings.index_key.get_secret_value())
        except ValueError as exc:
            problems.append(f"index_key: {exc}")
    return problems
