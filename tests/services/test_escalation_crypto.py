"""The cryptography under escalation: receipts, sealing, master keys, pseudonyms."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcpbot.crypto import (
    BUCKETS,
    CROCKFORD,
    MAX_SEALED_TEXT_BYTES,
    RECEIPT_BITS,
    CryptoError,
    EscalationKeys,
    EscalationUnavailable,
    IndexKey,
    MasterKeys,
    ReceiptHasher,
    format_receipt,
    generate_index_key,
    generate_master_key,
    key_problems,
    new_data_key,
    new_receipt,
    next_semester,
    normalise_receipt,
    open_sealed,
    seal,
    semester_of,
)
from vcpbot.errors import InvalidInput
from vcpbot.services.escalation import EscalationConfig
from vcpbot.settings import Settings

receipts = st.text(alphabet=CROCKFORD, min_size=20, max_size=20)


# --- receipts --------------------------------------------------------------------


def test_a_receipt_has_at_least_80_bits_and_reads_in_five_groups() -> None:
    assert RECEIPT_BITS >= 80
    shown = format_receipt(new_receipt())
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}", shown)
    assert len({new_receipt() for _ in range(1000)}) == 1000


@given(receipts)
def test_a_formatted_receipt_normalises_back(receipt: str) -> None:
    assert normalise_receipt(format_receipt(receipt)) == receipt


@given(receipts, st.sampled_from([" ", "-", "", "  ", " - "]), st.booleans())
def test_case_spaces_and_dashes_do_not_matter(receipt: str, sep: str, lower: bool) -> None:
    typed = sep.join(receipt[i : i + 4] for i in range(0, 20, 4))
    typed = typed.lower() if lower else typed
    assert normalise_receipt(f"  {typed}\n") == receipt


@given(receipts, st.data())
def test_lookalike_letters_are_read_as_digits(receipt: str, data: st.DataObject) -> None:
    lookalikes = {"1": "IiLl", "0": "Oo"}
    typed = "".join(
        data.draw(st.sampled_from(lookalikes[c])) if c in lookalikes else c for c in receipt
    )
    assert normalise_receipt(typed) == receipt


@pytest.mark.parametrize(
    "typed",
    ["", "K7QM-3XRT", "K7QM-3XRT-AB12-CD34-EF56-GH78", "K7QM-3XRT-AB12-CD34-EF5U", "K7QM!3XRT"],
)
def test_a_receipt_of_the_wrong_shape_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_receipt(typed)
    assert caught.value.key == "escalation.error.receipt_format"
    assert "example" in caught.value.params


def test_the_argon2_hash_confirms_only_the_right_receipt() -> None:
    hasher = ReceiptHasher(time_cost=1, memory_kib=8, parallelism=1)
    receipt = new_receipt()
    stored = hasher.hash(receipt)
    assert stored.startswith("$argon2id$")
    assert receipt not in stored
    assert hasher.verify(stored, receipt)
    assert not hasher.verify(stored, new_receipt())
    assert not hasher.verify("not a hash", receipt)
    hasher.verify_nothing(receipt)


def test_the_default_argon2_cost_is_real_but_tests_can_lower_it() -> None:
    policy = Settings.model_fields["escalation"].default_factory()
    assert policy.argon2_memory_kib >= 19456
    assert policy.argon2_time_cost >= 2


# --- sealing ---------------------------------------------------------------------


@settings(max_examples=200)
@given(st.text(max_size=4000))
def test_sealed_text_opens_and_its_length_is_a_bucket(text: str) -> None:
    key = new_data_key()
    blob = seal(text, key=key, aad=b"case:1")
    assert len(blob) in BUCKETS
    assert open_sealed(blob, key=key, aad=b"case:1") == text


def test_the_longest_modal_text_fits_the_largest_bucket() -> None:
    assert MAX_SEALED_TEXT_BYTES >= 4000 * 4
    with pytest.raises(ValueError, match="too long"):
        seal("x" * (MAX_SEALED_TEXT_BYTES + 1), key=new_data_key(), aad=b"")


def test_short_texts_of_different_length_look_the_same() -> None:
    key = new_data_key()
    assert len(seal("yes", key=key, aad=b"a")) == len(seal("y" * 200, key=key, aad=b"a")) == 256


def test_a_sealed_value_does_not_open_elsewhere_or_after_tampering() -> None:
    key = new_data_key()
    blob = seal("canary", key=key, aad=b"vcpbot:case:1:message:1:v1")
    with pytest.raises(CryptoError):
        open_sealed(blob, key=key, aad=b"vcpbot:case:2:message:1:v1")
    with pytest.raises(CryptoError):
        open_sealed(blob, key=new_data_key(), aad=b"vcpbot:case:1:message:1:v1")
    flipped = bytearray(blob)
    flipped[40] ^= 1
    with pytest.raises(CryptoError):
        open_sealed(bytes(flipped), key=key, aad=b"vcpbot:case:1:message:1:v1")
    with pytest.raises(CryptoError):
        open_sealed(blob[:-1], key=key, aad=b"vcpbot:case:1:message:1:v1")


# --- master keys -----------------------------------------------------------------


def test_the_highest_version_wraps_and_every_listed_version_unwraps() -> None:
    v1 = generate_master_key(1)
    old = MasterKeys.parse(v1)
    data_key = new_data_key()
    wrapped, version = old.wrap(data_key, case_id=7)
    assert version == 1
    both = MasterKeys.parse(f"{v1}, {generate_master_key(2)}")
    assert both.current_version == 2
    assert both.unwrap(wrapped, case_id=7, version=1) == data_key
    rewrapped, version = both.wrap(data_key, case_id=7)
    assert version == 2
    with pytest.raises(CryptoError):
        both.unwrap(wrapped, case_id=8, version=1)  # a key moved to another case
    with pytest.raises(CryptoError):
        both.unwrap(rewrapped, case_id=7, version=1)  # relabelled to another version
    with pytest.raises(CryptoError, match="v1 is not configured"):
        MasterKeys.parse(generate_master_key(2)).unwrap(wrapped, case_id=7, version=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no master key"),
        ("abc", "entry 1 is not of the form"),
        ("v1:abc", "32 bytes"),
        ("v0:" + "A" * 43, "entry 1 is not of the form"),
        ("v1:" + "A" * 43 + ",v1:" + "B" * 43, "listed twice"),
    ],
)
def test_a_bad_master_key_setting_is_named_without_repeating_it(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        MasterKeys.parse(text)
    assert "A" * 10 not in str(caught.value)


def test_keys_never_show_in_a_repr() -> None:
    config = EscalationKeys(
        master=MasterKeys.parse(generate_master_key(1)),
        index=IndexKey.parse(generate_index_key()),
        hasher=ReceiptHasher(time_cost=1, memory_kib=8, parallelism=1),
    )
    raw = config.master.keys[1]
    assert raw.hex() not in repr(config) and str(raw) not in repr(config)


# --- pseudonyms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "semester"),
    [
        (date(2026, 9, 1), "2026-S1"),
        (date(2026, 12, 31), "2026-S1"),
        (date(2027, 1, 31), "2026-S1"),
        (date(2027, 2, 1), "2026-S2"),
        (date(2027, 8, 31), "2026-S2"),
    ],
)
def test_semesters_follow_the_um_calendar(day: date, semester: str) -> None:
    assert semester_of(day) == semester


def test_the_next_semester() -> None:
    assert next_semester("2026-S1") == "2026-S2"
    assert next_semester("2026-S2") == "2027-S1"


def test_a_pseudonym_is_stable_in_a_semester_and_unlinkable_across() -> None:
    index = IndexKey.parse(generate_index_key())
    assert index.pseudonym(42, "2026-S1") == index.pseudonym(42, "2026-S1")
    assert index.pseudonym(42, "2026-S1") != index.pseudonym(42, "2026-S2")
    assert index.pseudonym(42, "2026-S1") != index.pseudonym(43, "2026-S1")
    other_key = IndexKey.parse(generate_index_key())
    assert index.pseudonym(42, "2026-S1") != other_key.pseudonym(42, "2026-S1")


def test_without_the_key_a_member_list_does_not_reveal_a_pseudonym() -> None:
    index = IndexKey.parse(generate_index_key())
    target = index.pseudonym(123456789012345678, "2026-S1")
    unkeyed = set()
    for user_id in range(123456789012340000, 123456789012350000):
        for text in (str(user_id), f"2026-S1:{user_id}"):
            unkeyed.add(hashlib.sha256(text.encode()).hexdigest()[:32])
    assert target not in unkeyed


def test_the_receipt_index_and_the_pseudonym_are_separate_uses_of_the_key() -> None:
    index = IndexKey.parse(generate_index_key())
    assert index.receipt_index("1" * 20)[:32] != index.pseudonym(int("1" * 20), "")


# --- configuration -----------------------------------------------------------------


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings.load(config_file=None, env_file=None, **values)


def test_without_keys_escalation_refuses_clearly(tmp_path: Path) -> None:
    with pytest.raises(EscalationUnavailable) as caught:
        EscalationConfig.from_settings(_settings(tmp_path))
    assert caught.value.key == "escalation.error.unavailable"
    problems = key_problems(_settings(tmp_path), required=True)
    assert [p.split(":")[0] for p in problems] == ["master_keys", "index_key"]
    assert key_problems(_settings(tmp_path), required=False) == []


def test_malformed_keys_are_always_a_problem(tmp_path: Path) -> None:
    settings = _settings(tmp_path, master_keys="v1:short", index_key="also-short")
    problems = key_problems(settings, required=False)
    assert len(problems) == 2
    assert "short" not in " ".join(problems)
    with pytest.raises(EscalationUnavailable):
        EscalationConfig.from_settings(settings)


def test_configured_keys_make_a_working_config(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        master_keys=f"{generate_master_key(1)},{generate_master_key(3)}",
        index_key=generate_index_key(),
        escalation={"argon2_time_cost": 1, "argon2_memory_kib": 8},
    )
    config = EscalationConfig.from_settings(settings)
    assert config.keys.master.current_version == 3
    assert config.zone.key == "Europe/Amsterdam"


def test_keys_are_secrets_and_not_accepted_from_the_toml_file(tmp_path: Path) -> None:
    from vcpbot.settings import SettingsError

    toml = tmp_path / "vcpbot.toml"
    toml.write_text(f'index_key = "{generate_index_key()}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="secrets do not belong"):
        Settings.load(config_file=toml, env_file=None)
