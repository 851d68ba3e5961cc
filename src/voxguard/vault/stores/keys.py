"""Blob key rules shared by every store, so a key valid on one backend is valid on all."""

from voxguard.vault.errors import InvalidBlobKeyError

MAX_KEY_LENGTH = 512
MAX_SEGMENT_BYTES = 200  # below the 255-byte file name limit of common filesystems


def _check_segments(value: str, what: str, segments: list[str]) -> None:
    for segment in segments:
        if segment in ("", ".", ".."):
            raise InvalidBlobKeyError(f"{what} {value!r} has an empty, '.' or '..' path segment")
        if segment.startswith("."):
            # Dot names are reserved for the local store's temporary files.
            raise InvalidBlobKeyError(f"{what} {value!r} has a segment starting with '.'")
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise InvalidBlobKeyError(
                f"{what} {value!r} has a segment longer than {MAX_SEGMENT_BYTES} bytes"
            )


def _check_common(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidBlobKeyError(f"{what} must be a string, not {type(value).__name__}")
    if not value:
        raise InvalidBlobKeyError(f"{what} must not be empty")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidBlobKeyError(f"{what} is longer than {MAX_KEY_LENGTH} characters")
    if value.startswith("/"):
        raise InvalidBlobKeyError(f"{what} {value!r} must be relative (no leading '/')")
    if "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidBlobKeyError(f"{what} {value!r} contains a backslash or a control character")
    return value


def validate_key(key: object) -> str:
    """Return ``key`` if it is a valid blob key such as ``"acct/<account_id>/<blob_id>"``.

    Keys are '/'-separated relative paths: no leading or trailing '/', no empty, '.' or '..'
    segments, no segment starting with '.', no backslash or control characters.
    """
    value = _check_common(key, "blob key")
    _check_segments(value, "blob key", value.split("/"))
    return value


def validate_prefix(prefix: object) -> str:
    """Return ``prefix`` if it is a valid, non-empty key prefix (it may end with '/').

    An empty prefix is refused: deleting "everything" must never happen by accident.
    """
    value = _check_common(prefix, "blob key prefix")
    segments = value.split("/")
    if segments[-1] == "":
        segments = segments[:-1]  # "acct/42/" names a whole folder
        if not segments:
            raise InvalidBlobKeyError("blob key prefix must not be just '/'")
    _check_segments(value, "blob key prefix", segments)
    return value
