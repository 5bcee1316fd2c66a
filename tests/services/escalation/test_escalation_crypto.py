"""The cryptography under escalation: receipts, sealing, master keys, the runtime key."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
from datetime import date, timedelta
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
from vcpbot.runtime_key import (
    KEY_FILE,
    RuntimeKey,
    RuntimeKeyError,
    directory_problems,
    file_system_of,
)
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
    runtime = RuntimeKey.generate()
    assert runtime.semester_pseudonym(42, "2026-S1") == runtime.semester_pseudonym(42, "2026-S1")
    assert runtime.semester_pseudonym(42, "2026-S1") != runtime.semester_pseudonym(42, "2026-S2")
    assert runtime.semester_pseudonym(42, "2026-S1") != runtime.semester_pseudonym(43, "2026-S1")
    other = RuntimeKey.generate()  # another machine, or the same one after a reboot
    assert runtime.semester_pseudonym(42, "2026-S1") != other.semester_pseudonym(42, "2026-S1")


def test_a_day_pseudonym_names_one_day_and_says_nothing_of_the_next() -> None:
    runtime, day = RuntimeKey.generate(), date(2026, 11, 24)
    days = {runtime.day_pseudonym(42, day + timedelta(days=n)) for n in range(30)}
    assert len(days) == 30
    assert runtime.day_pseudonym(42, day) not in {
        runtime.semester_pseudonym(42, semester_of(day)),
        runtime.day_pseudonym(43, day),
    }


def test_the_stored_keys_do_not_give_the_pseudonyms() -> None:
    runtime, index = RuntimeKey.generate(), IndexKey.parse(generate_index_key())
    target = runtime.semester_pseudonym(123456789012345678, "2026-S1")
    guesses = set()
    for user_id in range(123456789012340000, 123456789012350000, 7):
        for text in (str(user_id), f"2026-S1:{user_id}"):
            guesses.add(hashlib.sha256(text.encode()).hexdigest()[:32])
            guesses.add(hmac.new(index.key, text.encode(), hashlib.sha256).hexdigest()[:32])
    guesses.add(index.receipt_index("2026-S1")[:32])
    assert target not in guesses


def test_a_value_sealed_to_the_runtime_key_opens_only_with_it_and_only_in_its_place() -> None:
    runtime = RuntimeKey.generate()
    blob = runtime.seal("918273645546372819", case_id=7, purpose="dm-link")
    assert len(blob) in BUCKETS
    assert runtime.open(blob, case_id=7, purpose="dm-link") == "918273645546372819"
    assert runtime.open(blob, case_id=8, purpose="dm-link") is None
    assert runtime.open(blob, case_id=7, purpose="reporter-tag") is None
    assert RuntimeKey.generate().open(blob, case_id=7, purpose="dm-link") is None
    assert runtime.open(b"", case_id=7, purpose="dm-link") is None  # cleared on upgrade
    assert runtime.open(None, case_id=7, purpose="dm-link") is None


def test_the_runtime_key_is_made_once_and_read_back_only_by_its_owner(tmp_path: Path) -> None:
    directory = tmp_path / "run" / "vcpbot"
    first = RuntimeKey.load_or_create(directory)
    path = directory / KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert directory.stat().st_mode & 0o777 == 0o700
    assert RuntimeKey.load_or_create(directory) == first  # a restart, or a second process
    assert first.key.hex() not in repr(first)
    path.chmod(0o644)
    with pytest.raises(RuntimeKeyError, match="0600"):
        RuntimeKey.load_or_create(directory)
    path.chmod(0o600)
    path.write_text("not a key\n")
    with pytest.raises(RuntimeKeyError, match="delete it"):
        RuntimeKey.load_or_create(directory)


def test_processes_starting_at_once_agree_on_one_runtime_key(tmp_path: Path) -> None:
    found: list[RuntimeKey] = []
    start = threading.Barrier(8)

    def load() -> None:
        start.wait()
        found.append(RuntimeKey.load_or_create(tmp_path))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE]


def test_vcpbot_check_wants_the_runtime_directory_in_memory(tmp_path: Path) -> None:
    on_disk = tmp_path / "vcpbot"
    kind = file_system_of(tmp_path)
    if kind in ("tmpfs", "ramfs") or kind is None:
        pytest.skip(f"the test's temporary directory is on {kind}")
    [problem] = directory_problems(on_disk)
    assert problem.startswith(f"runtime_dir: {on_disk} is on {kind}, not in memory")
    shared_memory = Path("/dev/shm")  # noqa: S108 - only its file system type is read
    if file_system_of(shared_memory) == "tmpfs":
        assert directory_problems(shared_memory / f"vcpbot-{os.getpid()}") == []


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
        runtime_dir=tmp_path / "run",
        escalation={"argon2_time_cost": 1, "argon2_memory_kib": 8},
    )
    config = EscalationConfig.from_settings(settings)
    assert config.keys.master.current_version == 3
    assert config.zone.key == "Europe/Amsterdam"
    assert EscalationConfig.from_settings(settings).runtime == config.runtime
    assert (tmp_path / "run" / KEY_FILE).exists()


def test_a_runtime_directory_that_cannot_hold_the_key_makes_escalation_unavailable(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    settings = _settings(
        tmp_path,
        master_keys=generate_master_key(1),
        index_key=generate_index_key(),
        runtime_dir=blocked / "vcpbot",
    )
    with pytest.raises(EscalationUnavailable) as caught:
        EscalationConfig.from_settings(settings)
    assert isinstance(caught.value.__cause__, RuntimeKeyError)
    assert str(blocked / "vcpbot") in str(caught.value.__cause__)


def test_the_runtime_directory_defaults_to_systemds_then_the_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    assert _settings(tmp_path).runtime_directory == Path("/run/vcpbot")
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/run/user/1000")
    assert _settings(tmp_path).runtime_directory == Path("/run/user/1000/vcpbot")
    monkeypatch.setenv("RUNTIME_DIRECTORY", "/run/vcpbot-a:/run/other")
    assert _settings(tmp_path).runtime_directory == Path("/run/vcpbot-a")
    assert _settings(tmp_path, runtime_dir=tmp_path).runtime_directory == tmp_path


def test_keys_are_secrets_and_not_accepted_from_the_toml_file(tmp_path: Path) -> None:
    from vcpbot.settings import SettingsError

    toml = tmp_path / "vcpbot.toml"
    toml.write_text(f'index_key = "{generate_index_key()}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="secrets do not belong"):
        Settings.load(config_file=toml, env_file=None)
