import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxguard.vault.crypto import (
    BLOB_OVERHEAD,
    KEY_SIZE,
    WRAPPED_KEY_SIZE,
    decrypt_blob,
    encrypt_blob,
    generate_data_key,
    load_or_create_master_key,
    unwrap_data_key,
    wrap_data_key,
)
from voxguard.vault.errors import BlobIntegrityError, KeyUnwrapError, MasterKeyError

ACCOUNT = "acct-7f3a"
BLOB = "blob-0001"


def _windows(data: bytes, width: int = 16) -> set[bytes]:
    return {data[i : i + width] for i in range(0, len(data) - width + 1)}


@pytest.fixture
def master_key() -> bytes:
    return generate_data_key()


@pytest.fixture
def data_key() -> bytes:
    return generate_data_key()


# ----------------------------------------------------------------------------- data keys


def test_generate_data_key_is_random_32_bytes() -> None:
    keys = {generate_data_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(k) == KEY_SIZE for k in keys)


def test_wrap_unwrap_round_trip(master_key: bytes, data_key: bytes) -> None:
    wrapped = wrap_data_key(master_key, data_key, ACCOUNT)
    assert len(wrapped) == WRAPPED_KEY_SIZE
    assert data_key not in wrapped
    assert unwrap_data_key(master_key, wrapped, ACCOUNT) == data_key


def test_wrapping_twice_uses_fresh_nonces(master_key: bytes, data_key: bytes) -> None:
    assert wrap_data_key(master_key, data_key, ACCOUNT) != wrap_data_key(
        master_key, data_key, ACCOUNT
    )


def test_unwrap_with_wrong_master_key_fails(master_key: bytes, data_key: bytes) -> None:
    wrapped = wrap_data_key(master_key, data_key, ACCOUNT)
    with pytest.raises(KeyUnwrapError, match="wrong master key") as info:
        unwrap_data_key(generate_data_key(), wrapped, ACCOUNT)
    assert isinstance(info.value, BlobIntegrityError)
    assert ACCOUNT in str(info.value)


def test_unwrap_for_another_account_fails(master_key: bytes, data_key: bytes) -> None:
    wrapped = wrap_data_key(master_key, data_key, ACCOUNT)
    with pytest.raises(KeyUnwrapError, match="another account"):
        unwrap_data_key(master_key, wrapped, "acct-other")


def test_every_tampered_byte_of_a_wrapped_key_is_detected(
    master_key: bytes, data_key: bytes
) -> None:
    wrapped = wrap_data_key(master_key, data_key, ACCOUNT)
    for i in range(len(wrapped)):
        tampered = bytearray(wrapped)
        tampered[i] ^= 0x01
        with pytest.raises(KeyUnwrapError):
            unwrap_data_key(master_key, bytes(tampered), ACCOUNT)


def test_truncated_or_extended_wrapped_key_is_rejected(master_key: bytes, data_key: bytes) -> None:
    wrapped = wrap_data_key(master_key, data_key, ACCOUNT)
    for bad in (b"", wrapped[:1], wrapped[:-1], wrapped + b"\x00"):
        with pytest.raises(KeyUnwrapError, match="truncated or corrupt"):
            unwrap_data_key(master_key, bad, ACCOUNT)


def test_unknown_wrap_version_is_named(master_key: bytes, data_key: bytes) -> None:
    wrapped = b"\x02" + wrap_data_key(master_key, data_key, ACCOUNT)[1:]
    with pytest.raises(KeyUnwrapError, match="unknown format version 2"):
        unwrap_data_key(master_key, wrapped, ACCOUNT)


def test_bad_key_sizes_and_ids_are_refused(master_key: bytes, data_key: bytes) -> None:
    with pytest.raises(MasterKeyError):
        wrap_data_key(master_key[:16], data_key, ACCOUNT)
    with pytest.raises(MasterKeyError):
        unwrap_data_key(master_key + b"x", b"\x01" * WRAPPED_KEY_SIZE, ACCOUNT)
    with pytest.raises(ValueError, match="32 bytes"):
        wrap_data_key(master_key, data_key[:31], ACCOUNT)
    with pytest.raises(ValueError, match="must not be empty"):
        wrap_data_key(master_key, data_key, "")
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt_blob(data_key[:16], ACCOUNT, BLOB, b"x")
    with pytest.raises(ValueError, match="blob_id must not be empty"):
        encrypt_blob(data_key, ACCOUNT, "", b"x")


# ----------------------------------------------------------------------------- blobs


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 4096, 1_000_003])
def test_blob_round_trip(data_key: bytes, size: int) -> None:
    plaintext = os.urandom(size)
    ciphertext = encrypt_blob(data_key, ACCOUNT, BLOB, plaintext)
    assert len(ciphertext) == size + BLOB_OVERHEAD
    assert decrypt_blob(data_key, ACCOUNT, BLOB, ciphertext) == plaintext


@settings(max_examples=60, deadline=None)
@given(
    plaintext=st.binary(max_size=2048),
    account_id=st.text(min_size=1, max_size=40),
    blob_id=st.text(min_size=1, max_size=40),
)
def test_blob_round_trip_property(plaintext: bytes, account_id: str, blob_id: str) -> None:
    key = generate_data_key()
    ciphertext = encrypt_blob(key, account_id, blob_id, plaintext)
    assert decrypt_blob(key, account_id, blob_id, ciphertext) == plaintext


def test_ciphertext_never_contains_plaintext_or_ids(data_key: bytes) -> None:
    # Audio-like plaintext with long repeated runs (silence) and a recognisable header.
    plaintext = b"RIFF\x24\x08\x00\x00WAVEfmt " + b"\x00" * 4096 + b"call me at 555 0100" * 50
    ciphertext = encrypt_blob(data_key, ACCOUNT, BLOB, plaintext)
    assert not (_windows(plaintext) & _windows(ciphertext))
    assert ACCOUNT.encode() not in ciphertext
    assert BLOB.encode() not in ciphertext
    # Same plaintext twice gives unrelated ciphertexts (random nonce).
    again = encrypt_blob(data_key, ACCOUNT, BLOB, plaintext)
    assert not (_windows(ciphertext[20:]) & _windows(again[20:]))


def test_blob_swapped_to_another_id_or_account_is_rejected(data_key: bytes) -> None:
    ciphertext = encrypt_blob(data_key, ACCOUNT, BLOB, b"hello")
    with pytest.raises(BlobIntegrityError, match="failed authentication"):
        decrypt_blob(data_key, ACCOUNT, "blob-0002", ciphertext)
    with pytest.raises(BlobIntegrityError, match="failed authentication"):
        decrypt_blob(data_key, "acct-other", BLOB, ciphertext)


def test_id_encoding_is_unambiguous(data_key: bytes) -> None:
    # The same bytes split differently between account and blob id must not authenticate.
    ciphertext = encrypt_blob(data_key, "acct1", "x", b"hello")
    with pytest.raises(BlobIntegrityError):
        decrypt_blob(data_key, "acct", "1x", ciphertext)


def test_blob_under_another_data_key_is_rejected(data_key: bytes) -> None:
    # This is crypto-shredding: once the account's data key is gone, no key opens the blob.
    ciphertext = encrypt_blob(data_key, ACCOUNT, BLOB, b"hello")
    with pytest.raises(BlobIntegrityError, match="data key is wrong"):
        decrypt_blob(generate_data_key(), ACCOUNT, BLOB, ciphertext)


def test_every_tampered_byte_of_a_blob_is_detected(data_key: bytes) -> None:
    ciphertext = encrypt_blob(data_key, ACCOUNT, BLOB, b"a short utterance")
    for i in range(len(ciphertext)):
        for bit in (0x01, 0x80):
            tampered = bytearray(ciphertext)
            tampered[i] ^= bit
            with pytest.raises(BlobIntegrityError):
                decrypt_blob(data_key, ACCOUNT, BLOB, bytes(tampered))


def test_every_truncation_of_a_blob_is_detected(data_key: bytes) -> None:
    ciphertext = encrypt_blob(data_key, ACCOUNT, BLOB, b"a short utterance")
    for length in range(len(ciphertext)):
        with pytest.raises(BlobIntegrityError):
            decrypt_blob(data_key, ACCOUNT, BLOB, ciphertext[:length])
    with pytest.raises(BlobIntegrityError):
        decrypt_blob(data_key, ACCOUNT, BLOB, ciphertext + b"\x00")


def test_blob_errors_say_what_is_wrong(data_key: bytes) -> None:
    ciphertext = encrypt_blob(data_key, ACCOUNT, BLOB, b"x")
    with pytest.raises(BlobIntegrityError, match="not a voxguard encrypted blob"):
        decrypt_blob(data_key, ACCOUNT, BLOB, b"RIFF....WAVE")
    with pytest.raises(BlobIntegrityError, match="truncated"):
        decrypt_blob(data_key, ACCOUNT, BLOB, ciphertext[:10])
    with pytest.raises(BlobIntegrityError, match="unsupported format version 9"):
        decrypt_blob(data_key, ACCOUNT, BLOB, ciphertext[:3] + b"\x09" + ciphertext[4:])


# ----------------------------------------------------------------------------- master key


@pytest.fixture
def open_umask():
    # Prove the 0600 mode does not depend on a restrictive umask.
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_master_key_created_once_with_mode_0600(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "secrets" / "master.key"
    key = load_or_create_master_key(path)
    assert len(key) == KEY_SIZE
    assert path.read_bytes() == key
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert load_or_create_master_key(path) == key
    # The temporary file used for the atomic write is gone.
    assert sorted(p.name for p in path.parent.iterdir()) == ["master.key"]


def test_master_key_concurrent_first_runs_agree(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    barrier = threading.Barrier(8)
    results: list[bytes] = []

    def run() -> None:
        barrier.wait()
        results.append(load_or_create_master_key(path))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert len(set(results)) == 1
    assert path.read_bytes() == results[0]
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666])
def test_master_key_with_loose_permissions_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "master.key"
    load_or_create_master_key(path)
    path.chmod(mode)
    with pytest.raises(MasterKeyError) as info:
        load_or_create_master_key(path)
    message = str(info.value)
    assert f"chmod 600 {path}" in message
    assert f"{mode:04o}" in message
    path.chmod(0o600)
    assert len(load_or_create_master_key(path)) == KEY_SIZE


@pytest.mark.parametrize("content", [b"", b"\x00" * 31, b"\x00" * 33, b"x" * 64 + b"\n"])
def test_master_key_of_wrong_length_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "master.key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(MasterKeyError, match="expected exactly 32") as info:
        load_or_create_master_key(path)
    assert str(path) in str(info.value)
    assert "Restore it from your backup" in str(info.value)
    assert path.read_bytes() == content  # never silently replaced


def test_master_key_path_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    path.mkdir(mode=0o700)
    with pytest.raises(MasterKeyError, match="is a directory") as info:
        load_or_create_master_key(path)
    assert str(path) in str(info.value)


def test_master_key_symlink_to_valid_file_is_followed(tmp_path: Path) -> None:
    target = tmp_path / "real.key"
    key = load_or_create_master_key(target)
    link = tmp_path / "master.key"
    link.symlink_to(target)
    assert load_or_create_master_key(link) == key


def test_master_key_dangling_symlink_is_not_replaced(tmp_path: Path) -> None:
    link = tmp_path / "master.key"
    link.symlink_to(tmp_path / "missing.key")
    with pytest.raises(MasterKeyError, match="cannot open"):
        load_or_create_master_key(link)
    assert link.is_symlink()


# Loads the key in a process that cannot override file permissions even as root: it drops
# CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (capset(2)) before it opens the file.
_WITHOUT_OVERRIDE = """
import ctypes, sys
from pathlib import Path

class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

class Data(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

libc = ctypes.CDLL(None, use_errno=True)
header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
assert libc.capget(ctypes.byref(header), data) == 0, ctypes.get_errno()
for word in data[:1]:
    word.effective &= ~0b110  # CAP_DAC_OVERRIDE = 1, CAP_DAC_READ_SEARCH = 2
    word.permitted &= ~0b110
assert libc.capset(ctypes.byref(header), data) == 0, ctypes.get_errno()

from voxguard.vault.crypto import load_or_create_master_key
from voxguard.vault.errors import MasterKeyError
try:
    load_or_create_master_key(Path(sys.argv[1]))
except MasterKeyError as exc:
    print(exc)
    sys.exit(3)
"""


def test_unreadable_master_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    key = load_or_create_master_key(path)
    path.chmod(0)
    try:
        child = subprocess.run(
            [sys.executable, "-c", _WITHOUT_OVERRIDE, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        path.chmod(0o600)
    assert child.returncode == 3, child.stderr
    message = " ".join(child.stdout.split())
    assert message.startswith(f"cannot read master key file {path}: Permission denied.")
    assert message.endswith(f"chmod 600 {path}")
    assert load_or_create_master_key(path) == key  # refused, never replaced


def test_master_key_in_unusable_location_is_a_clear_error(tmp_path: Path) -> None:
    # A file where the parent directory should be: creation fails even as root.
    blocker = tmp_path / "not-a-dir"
    blocker.write_bytes(b"")
    with pytest.raises(MasterKeyError, match="cannot create master key file"):
        load_or_create_master_key(blocker / "master.key")
