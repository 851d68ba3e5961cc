"""Blob stores: one interface, a local directory and an S3-compatible backend.

Stores are dumb byte containers. They only ever receive ciphertext from the caller
(see :mod:`voxguard.vault.crypto`); nothing here sees or writes plaintext audio.
"""

import re
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qs, unquote, urlsplit

from voxguard.vault.stores.keys import validate_key, validate_prefix
from voxguard.vault.stores.local import LocalBlobStore
from voxguard.vault.stores.s3 import S3BlobStore

__all__ = [
    "BlobStore",
    "LocalBlobStore",
    "S3BlobStore",
    "local_blob_path",
    "open_blob_store",
    "validate_key",
    "validate_prefix",
]


@runtime_checkable
class BlobStore(Protocol):
    """What the vault needs from a storage backend. Keys look like ``acct/<id>/<blob_id>``."""

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, replacing any previous blob atomically."""
        ...

    def get(self, key: str) -> bytes:
        """Return the blob; raise :class:`~voxguard.vault.errors.BlobNotFoundError` if absent."""
        ...

    def delete(self, key: str) -> None:
        """Delete the blob; deleting a missing blob is not an error."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a blob is stored under ``key``."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every blob whose key starts with ``prefix``; return the number deleted."""
        ...

    def keys(self, prefix: str) -> list[str]:
        """Every blob key starting with ``prefix`` (for backups and checks), sorted."""
        ...


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_S3_PARAMS = {"endpoint", "region"}
_FORMS = (
    "use a directory path, file:///absolute/path, or "
    "s3://bucket/optional/prefix?endpoint=http://host:port&region=us-east-1"
)


def _open_s3(url: str) -> S3BlobStore:
    parts = urlsplit(url)
    if parts.username or parts.password or "@" in parts.netloc:
        raise ValueError(
            f"blob store URL {url!r} must not contain credentials; set "
            "VOXGUARD_S3_ACCESS_KEY and VOXGUARD_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY) instead"
        )
    bucket = parts.netloc
    if not bucket:
        raise ValueError(f"blob store URL {url!r} has no bucket: {_FORMS}")
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise ValueError(
            f"blob store URL {url!r}: {bucket!r} is not a valid S3 bucket name "
            "(3-63 characters: lowercase letters, digits, '.' and '-')"
        )
    if parts.fragment:
        raise ValueError(f"blob store URL {url!r} must not have a #fragment")
    try:
        params = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise ValueError(f"blob store URL {url!r} has a malformed query string") from None
    unknown = sorted(set(params) - _S3_PARAMS)
    if unknown:
        raise ValueError(
            f"blob store URL {url!r} has unknown parameter(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(_S3_PARAMS))}"
        )
    for name, values in params.items():
        if len(values) != 1 or not values[0]:
            raise ValueError(f"blob store URL {url!r}: give {name}= exactly once, non-empty")
    endpoint = params.get("endpoint", [None])[0]
    if endpoint is not None:
        ep = urlsplit(endpoint)
        if ep.scheme not in ("http", "https") or not ep.netloc:
            raise ValueError(
                f"blob store URL {url!r}: endpoint {endpoint!r} must be an http:// or "
                "https:// URL such as http://127.0.0.1:8333"
            )
    prefix = unquote(parts.path).strip("/")
    if prefix:
        try:
            validate_prefix(prefix)
        except ValueError as exc:
            raise ValueError(f"blob store URL {url!r} has an invalid prefix: {exc}") from None
    return S3BlobStore(
        bucket, prefix, endpoint_url=endpoint, region=params.get("region", [None])[0]
    )


def local_blob_path(url: str, base_dir: Path | None = None) -> Path | None:
    """The folder a local blob store URL names, or None for an S3 URL (see open_blob_store)."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"blob store URL is empty: {_FORMS}")
    url = url.strip()
    match = _SCHEME.match(url)
    # A one-letter "scheme" is a Windows drive (C:\...), i.e. a path.
    scheme = match.group(1).lower() if match and len(match.group(1)) > 1 else None
    if scheme is None:
        path = Path(url).expanduser()
        if not path.is_absolute():
            path = (base_dir if base_dir is not None else Path.cwd()) / path
        return path
    if scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(
                f"blob store URL {url!r} names host {parts.netloc!r}; file URLs must be "
                "absolute and local: file:///absolute/path (three slashes)"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"blob store URL {url!r} must not have a query or fragment")
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            raise ValueError(f"blob store URL {url!r} must be absolute: file:///absolute/path")
        return path
    if scheme == "s3":
        if not url.lower().startswith("s3://"):
            raise ValueError(f"blob store URL {url!r} is malformed: {_FORMS}")
        return None
    raise ValueError(f"unsupported blob store URL scheme {scheme!r} in {url!r}: {_FORMS}")


def open_blob_store(url: str, base_dir: Path | None = None) -> BlobStore:
    """Open the blob store named by ``url``.

    - ``file:///abs/path`` or a plain path -> :class:`LocalBlobStore`; a relative path is taken
      relative to ``base_dir`` (default: the current directory).
    - ``s3://bucket/optional/prefix?endpoint=http://127.0.0.1:8333&region=us-east-1`` ->
      :class:`S3BlobStore` (credentials from the environment, see its docstring).

    Anything else raises :class:`ValueError` saying which forms are accepted.
    """
    path = local_blob_path(url, base_dir)
    if path is not None:
        return LocalBlobStore(path)
    return _open_s3(url.strip())
