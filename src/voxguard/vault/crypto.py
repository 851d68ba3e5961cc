"""Envelope encryption for voxguard blobs.

Formats (all integers big-endian):

wrapped data key (61 bytes)::

    b"\\x01"  nonce(12)  AES-256-GCM(master_key, data_key)(32 + 16 tag)
    AAD = b"voxguard key v1" 0x00 len(account_id):u32 account_id

blob::

    b"VGB"  version(1)=0x01  nonce(12)  AES-256-GCM(blob_key, plaintext)(n + 16 tag)
    blob_key = HKDF-SHA256(data_key, salt=None, info=b"voxguard blob v1" + blob_id)
    AAD = header(4) len(account_id):u32 account_id len(blob_id):u32 blob_id

sealed text (a database value, not a stored object)::

    a blob as above, with blob_id = "text/" + subject (e.g. "text/utterance/<id>/device_asr")
    and the data key itself as the key root: the subject names what the text is, so a value
    cannot be moved to another row or column and still open.

The version byte is part of the associated data, so it cannot be changed without detection. The
length prefixes make the (account_id, blob_id) encoding unambiguous: ("ab", "c") and ("a", "bc")
authenticate differently.
"""

import os
import secrets
import stat
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from voxguard.vault.durable import fsync_dir
from voxguard.vault.errors import BlobIntegrityError, KeyUnwrapError, MasterKeyError

__all__ = [
    "BLOB_OVERHEAD",
    "KEY_SIZE",
    "WRAPPED_KEY_SIZE",
    "decrypt_blob",
    "encrypt_blob",
    "generate_data_key",
    "load_or_create_master_key",
    "open_text",
    "seal_text",
    "unwrap_data_key",
    "wrap_data_key",
]

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16

_WRAP_VERSION = b"\x01"
_WRAP_AAD_LABEL = b"voxguard key v1\x00"
WRAPPED_KEY_SIZE = len(_WRAP_VERSION) + NONCE_SIZE + KEY_SIZE + TAG_SIZE

_BLOB_MAGIC = b"VGB"
_BLOB_VERSION = b"\x01"
_BLOB_HEADER = _BLOB_MAGIC + _BLOB_VERSION
_BLOB_HKDF_INFO = b"voxguard blob v1"
BLOB_OVERHEAD = len(_BLOB_HEADER) + NONCE_SIZE + TAG_SIZE


def _check_key(key: bytes, what: str) -> None:
    if not isinstance(key, bytes | bytearray | memoryview):
        raise TypeError(f"{what} must be bytes, not {type(key).__name__}")
    if len(key) != KEY_SIZE:
        raise ValueError(f"{what} must be {KEY_SIZE} bytes, got {len(key)}")


def _encode_id(value: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{what} must not be empty")
    raw = value.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw


def generate_data_key() -> bytes:
    """Return a fresh random 256-bit data key."""
    return secrets.token_bytes(KEY_SIZE)


def _wrap_aad(account_id: str) -> bytes:
    return _WRAP_VERSION + _WRAP_AAD_LABEL + _encode_id(account_id, "account_id")


def wrap_data_key(master_key: bytes, data_key: bytes, account_id: str) -> bytes:
    """Encrypt ``data_key`` under ``master_key``, bound to ``account_id``."""
    if len(master_key) != KEY_SIZE:
        raise MasterKeyError(f"master key must be {KEY_SIZE} bytes, got {len(master_key)}")
    _check_key(data_key, "data key")
    aad = _wrap_aad(account_id)
    nonce = secrets.token_bytes(NONCE_SIZE)
    sealed = AESGCM(bytes(master_key)).encrypt(nonce, bytes(data_key), aad)
    return _WRAP_VERSION + nonce + sealed


def unwrap_data_key(master_key: bytes, wrapped: bytes, account_id: str) -> bytes:
    """Recover a data key wrapped by :func:`wrap_data_key`.

    Raises :class:`KeyUnwrapError` (a :class:`BlobIntegrityError`) when the master key is wrong,
    the key belongs to another account, or the wrapped bytes were altered.
    """
    if len(master_key) != KEY_SIZE:
        raise MasterKeyError(f"master key must be {KEY_SIZE} bytes, got {len(master_key)}")
    aad = _wrap_aad(account_id)
    wrapped = bytes(wrapped)
    if len(wrapped) != WRAPPED_KEY_SIZE:
        raise KeyUnwrapError(
            f"wrapped data key for account {account_id!r} has {len(wrapped)} bytes, "
            f"expected {WRAPPED_KEY_SIZE}: it is truncated or corrupt"
        )
    if wrapped[:1] != _WRAP_VERSION:
        raise KeyUnwrapError(
            f"wrapped data key for account {account_id!r} has unknown format version {wrapped[0]}"
        )
    nonce = wrapped[1 : 1 + NONCE_SIZE]
    try:
        return AESGCM(bytes(master_key)).decrypt(nonce, wrapped[1 + NONCE_SIZE :], aad)
    except InvalidTag:
        raise KeyUnwrapError(
            f"cannot unwrap the data key of account {account_id!r}: wrong master key, "
            "key belongs to another account, or the wrapped key was altered"
        ) from None


def _blob_key(data_key: bytes, blob_id: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE,
        salt=None,
        info=_BLOB_HKDF_INFO + blob_id.encode("utf-8"),
    )
    return hkdf.derive(bytes(data_key))


def _blob_aad(account_id: str, blob_id: str) -> bytes:
    return _BLOB_HEADER + _encode_id(account_id, "account_id") + _encode_id(blob_id, "blob_id")


def encrypt_blob(data_key: bytes, account_id: str, blob_id: str, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` for the blob ``blob_id`` of ``account_id``."""
    _check_key(data_key, "data key")
    aad = _blob_aad(account_id, blob_id)
    nonce = secrets.token_bytes(NONCE_SIZE)
    sealed = AESGCM(_blob_key(data_key, blob_id)).encrypt(nonce, bytes(plaintext), aad)
    return _BLOB_HEADER + nonce + sealed


def decrypt_blob(data_key: bytes, account_id: str, blob_id: str, ciphertext: bytes) -> bytes:
    """Decrypt a blob made by :func:`encrypt_blob`.

    Raises :class:`BlobIntegrityError` if it is truncated, altered, not a voxguard blob, or was
    encrypted for another account / blob id / data key.
    """
    _check_key(data_key, "data key")
    aad = _blob_aad(account_id, blob_id)
    ciphertext = bytes(ciphertext)
    where = f"blob {blob_id!r} of account {account_id!r}"
    if len(ciphertext) < len(_BLOB_MAGIC) or ciphertext[: len(_BLOB_MAGIC)] != _BLOB_MAGIC:
        raise BlobIntegrityError(f"{where} is not a voxguard encrypted blob")
    if len(ciphertext) < BLOB_OVERHEAD:
        raise BlobIntegrityError(
            f"{where} is truncated: {len(ciphertext)} bytes, at least {BLOB_OVERHEAD} expected"
        )
    if ciphertext[len(_BLOB_MAGIC) : len(_BLOB_HEADER)] != _BLOB_VERSION:
        raise BlobIntegrityError(
            f"{where} has unsupported format version {ciphertext[len(_BLOB_MAGIC)]}"
        )
    nonce = ciphertext[len(_BLOB_HEADER) : len(_BLOB_HEADER) + NONCE_SIZE]
    body = ciphertext[len(_BLOB_HEADER) + NONCE_SIZE :]
    try:
        return AESGCM(_blob_key(data_key, blob_id)).decrypt(nonce, body, aad)
    except InvalidTag:
        raise BlobIntegrityError(
            f"{where} failed authentication: it was altered or truncated, or it belongs to "
            "another blob or account, or the data key is wrong"
        ) from None


def seal_text(data_key: bytes, account_id: str, subject: str, text: str) -> bytes:
    """Encrypt ``text`` under the account's data key, bound to the account and ``subject``."""
    return encrypt_blob(data_key, account_id, _text_id(subject), text.encode("utf-8"))


def open_text(data_key: bytes, account_id: str, subject: str, sealed: bytes) -> str:
    """Decrypt text made by :func:`seal_text` for the same account and subject."""
    return decrypt_blob(data_key, account_id, _text_id(subject), sealed).decode("utf-8")


def _text_id(subject: str) -> str:
    if not subject:
        raise ValueError("subject must not be empty")
    return f"text/{subject}"


# --------------------------------------------------------------------------- master key file


def _read_master_key(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY)  # symlinks are followed: secret mounts use them
    except IsADirectoryError:
        raise MasterKeyError(
            f"master key path {path} is a directory, not a key file; point the master key "
            "setting at a file, or remove the (empty) directory so a new key is created"
        ) from None
    except PermissionError as exc:
        raise MasterKeyError(
            f"cannot read master key file {path}: {exc.strerror}. Run voxguard as the user "
            f"that owns the file, or fix ownership (chown) and run: chmod 600 {path}"
        ) from None
    except OSError as exc:
        raise MasterKeyError(f"cannot open master key file {path}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise MasterKeyError(
                f"master key path {path} is a directory, not a key file; remove it or point "
                "the configuration at the key file"
            )
        if not stat.S_ISREG(st.st_mode):
            raise MasterKeyError(f"master key path {path} is not a regular file")
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            raise MasterKeyError(
                f"master key file {path} has permissions {mode:04o}: group or others can "
                f"access it. Restrict it to its owner: chmod 600 {path}"
            )
        try:
            data = os.read(fd, KEY_SIZE + 1)
        except IsADirectoryError:
            raise MasterKeyError(f"master key path {path} is a directory") from None
        except OSError as exc:
            raise MasterKeyError(f"cannot read master key file {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) != KEY_SIZE:
        size = f"{len(data)} bytes" if len(data) <= KEY_SIZE else f"more than {KEY_SIZE} bytes"
        raise MasterKeyError(
            f"master key file {path} holds {size}, expected exactly {KEY_SIZE}: it is "
            "corrupt or not a voxguard master key. Restore it from your backup. Do not "
            "replace it with a new key: data keys wrapped by the old one would be lost."
        )
    return data


def _create_master_key(path: Path) -> bytes | None:
    """Create the key file atomically; return None if another process won the race."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(KEY_SIZE)
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(8)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # the umask could only remove bits; make the mode exact
            view = memoryview(key)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            # link() never replaces an existing file, unlike rename(): two processes starting
            # at once must not end up with different master keys.
            os.link(tmp, path)
        except FileExistsError:
            return None
        except OSError:
            # Filesystems without hard links: fall back to an exclusive-ish rename.
            if path.exists():
                return None
            os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return key


def load_or_create_master_key(path: Path) -> bytes:
    """Return the master key stored at ``path``, creating it on first run.

    A new key is 32 random bytes in a file of mode 0600, written atomically (exclusive create,
    fsync, link into place, fsync directory). An existing file must be a regular file of exactly
    32 bytes with no group/other permission bits; otherwise :class:`MasterKeyError` explains
    what is wrong and what to run.
    """
    path = Path(path)
    try:
        if not path.exists() and not path.is_symlink():
            created = _create_master_key(path)
            if created is not None:
                return created
    except MasterKeyError:
        raise
    except OSError as exc:
        raise MasterKeyError(
            f"cannot create master key file {path}: {exc.strerror or exc}. Check that the "
            "directory exists and is writable by the user running voxguard"
        ) from None
    return _read_master_key(path)
