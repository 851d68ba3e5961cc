"""Blob store on an S3-compatible object store (AWS S3, SeaweedFS, MinIO, Ceph RGW, ...)."""

import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from voxguard.vault.errors import BlobNotFoundError, BlobStoreError
from voxguard.vault.stores.keys import validate_key, validate_prefix

log = logging.getLogger(__name__)

_NOT_FOUND_CODES = {"NoSuchKey", "404", "NotFound"}
_NO_BUCKET_CODES = {"NoSuchBucket"}
_DELETE_BATCH = 1000  # DeleteObjects accepts at most 1000 keys per request


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _env(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


class S3BlobStore:
    """Stores blob ``key`` as object ``<prefix>/<key>`` in ``bucket``.

    Connection settings come from the arguments, else from the environment:
    endpoint ``VOXGUARD_S3_ENDPOINT`` (else boto3's own ``AWS_ENDPOINT_URL`` handling),
    region ``VOXGUARD_S3_REGION`` / ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` (else us-east-1),
    credentials ``VOXGUARD_S3_ACCESS_KEY`` + ``VOXGUARD_S3_SECRET_KEY``, else boto3's default
    chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, profiles, instance roles).
    Path-style addressing is used, since most self-hosted servers need it.

    The bucket is created on first write if it does not exist (see :meth:`ensure_bucket`).
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        session_token: str | None = None,
        client: Any | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("S3 bucket name must not be empty")
        self.bucket = bucket
        prefix = prefix.strip("/")
        if prefix:
            validate_prefix(prefix)
        self.prefix = f"{prefix}/" if prefix else ""
        self.endpoint_url = endpoint_url or _env("VOXGUARD_S3_ENDPOINT")
        self.region = region or _env("VOXGUARD_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION")
        self.region = self.region or "us-east-1"
        if client is None:
            access_key = access_key or _env("VOXGUARD_S3_ACCESS_KEY")
            secret_key = secret_key or _env("VOXGUARD_S3_SECRET_KEY")
            if bool(access_key) != bool(secret_key):
                raise ValueError(
                    "S3 credentials need both an access key and a secret key "
                    "(VOXGUARD_S3_ACCESS_KEY and VOXGUARD_S3_SECRET_KEY)"
                )
            config = Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
                # Some S3-compatible servers reject the newer default CRC checksum headers.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=self.region,
                aws_access_key_id=access_key or None,
                aws_secret_access_key=secret_key or None,
                aws_session_token=session_token,
                config=config,
            )
        self.client = client
        self._bucket_checked = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = self.endpoint_url or "aws"
        return f"S3BlobStore(bucket={self.bucket!r}, prefix={self.prefix!r}, endpoint={where!r})"

    def close(self) -> None:
        """Release the client's HTTP connections."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    # ------------------------------------------------------------------ helpers

    def _object_key(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def _fail(self, action: str, exc: Exception, key: str | None = None) -> BlobStoreError:
        target = f"s3://{self.bucket}/{self.prefix}{key or ''}"
        if isinstance(exc, ClientError):
            code = _error_code(exc)
            message = exc.response.get("Error", {}).get("Message", "") or str(exc)
            detail = f"{code}: {message}"
        else:
            detail = str(exc)
        endpoint = self.endpoint_url or "AWS"
        return BlobStoreError(f"S3 {action} failed for {target} at {endpoint}: {detail}")

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (idempotent)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            self._bucket_checked = True
            return
        except ClientError as exc:
            if _error_code(exc) not in {"404", "NoSuchBucket", "NotFound"}:
                raise self._fail("head bucket", exc) from None
        except BotoCoreError as exc:
            raise self._fail("head bucket", exc) from None
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self.client.create_bucket(**kwargs)
        except ClientError as exc:
            if _error_code(exc) not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise self._fail("create bucket", exc) from None
        except BotoCoreError as exc:
            raise self._fail("create bucket", exc) from None
        self._bucket_checked = True

    # ------------------------------------------------------------------ BlobStore

    def put(self, key: str, data: bytes) -> None:
        object_key = self._object_key(key)
        body = bytes(data)
        for attempt in range(2):
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=object_key,
                    Body=body,
                    ContentType="application/octet-stream",
                )
                return
            except ClientError as exc:
                if attempt == 0 and _error_code(exc) in _NO_BUCKET_CODES:
                    with self._lock:
                        self.ensure_bucket()
                    continue
                raise self._fail("put", exc, key) from None
            except BotoCoreError as exc:
                raise self._fail("put", exc, key) from None

    def get(self, key: str) -> bytes:
        object_key = self._object_key(key)
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=object_key)
            return response["Body"].read()
        except ClientError as exc:
            code = _error_code(exc)
            if code in _NOT_FOUND_CODES:
                raise BlobNotFoundError(
                    f"no blob stored under {key!r} in s3://{self.bucket}/{self.prefix}"
                ) from None
            if code in _NO_BUCKET_CODES:
                # Nothing was ever written (the bucket is made on first write), or the
                # configured bucket name is wrong: say which, it is the likelier mistake.
                raise BlobNotFoundError(
                    f"no blob stored under {key!r}: bucket {self.bucket!r} does not exist "
                    f"at {self.endpoint_url or 'AWS'} (check the blob store URL)"
                ) from None
            raise self._fail("get", exc, key) from None
        except BotoCoreError as exc:
            raise self._fail("get", exc, key) from None

    def delete(self, key: str) -> None:
        object_key = self._object_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=object_key)
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND_CODES | _NO_BUCKET_CODES:
                return
            raise self._fail("delete", exc, key) from None
        except BotoCoreError as exc:
            raise self._fail("delete", exc, key) from None

    def exists(self, key: str) -> bool:
        object_key = self._object_key(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=object_key)
            return True
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND_CODES | _NO_BUCKET_CODES:
                return False
            raise self._fail("head", exc, key) from None
        except BotoCoreError as exc:
            raise self._fail("head", exc, key) from None

    def delete_prefix(self, prefix: str) -> int:
        """Delete every blob whose key starts with ``prefix``; return how many were deleted.

        In a versioned bucket a plain delete only adds a delete marker, so afterwards every
        remaining version and delete marker under the prefix is removed too. That second
        pass is best effort (servers without versioning support are skipped with a log line):
        the blobs are ciphertext under a shredded key anyway.
        """
        full_prefix = self.prefix + validate_prefix(prefix)
        deleted = 0
        try:
            for batch in self._batches(self._current_keys(full_prefix)):
                deleted += self._delete_batch([{"Key": k} for k in batch], strict=True)
        except ClientError as exc:
            if _error_code(exc) in _NO_BUCKET_CODES:
                return 0
            raise self._fail("delete prefix", exc, prefix) from None
        except BotoCoreError as exc:
            raise self._fail("delete prefix", exc, prefix) from None
        try:
            for versions in self._batches(self._all_versions(full_prefix)):
                self._delete_batch(versions, strict=False)
        except (ClientError, BotoCoreError) as exc:
            log.warning(
                "could not remove old object versions under s3://%s/%s: %s",
                self.bucket,
                full_prefix,
                exc,
            )
        return deleted

    def keys(self, prefix: str) -> list[str]:
        full_prefix = self.prefix + validate_prefix(prefix)
        try:
            return sorted(k[len(self.prefix) :] for k in self._current_keys(full_prefix))
        except ClientError as exc:
            if _error_code(exc) in _NO_BUCKET_CODES:
                return []
            raise self._fail("list", exc, prefix) from None
        except BotoCoreError as exc:
            raise self._fail("list", exc, prefix) from None

    def _current_keys(self, full_prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
            for item in page.get("Contents", []) or []:
                yield item["Key"]

    def _all_versions(self, full_prefix: str) -> Iterator[dict[str, str]]:
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
            for item in (page.get("Versions") or []) + (page.get("DeleteMarkers") or []):
                entry = {"Key": item["Key"]}
                if item.get("VersionId"):
                    entry["VersionId"] = item["VersionId"]
                yield entry

    @staticmethod
    def _batches(items: Iterator[Any]) -> Iterator[list[Any]]:
        batch: list[Any] = []
        for item in items:
            batch.append(item)
            if len(batch) == _DELETE_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _delete_batch(self, objects: list[dict[str, str]], *, strict: bool) -> int:
        response = self.client.delete_objects(
            Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
        )
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            message = (
                f"S3 delete failed for {len(errors)} of {len(objects)} objects in "
                f"s3://{self.bucket}, first {first.get('Key')!r}: "
                f"{first.get('Code')}: {first.get('Message')}"
            )
            if strict:
                raise BlobStoreError(message)
            log.warning("%s", message)
        return len(objects) - len(errors)
