import os
import socket
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.support.seaweedfs import SeaweedFS
from voxguard.vault.crypto import encrypt_blob, generate_data_key
from voxguard.vault.errors import (
    BlobNotFoundError,
    BlobStoreError,
    InvalidBlobKeyError,
    VaultError,
)
from voxguard.vault.stores import (
    BlobStore,
    LocalBlobStore,
    S3BlobStore,
    open_blob_store,
)
from voxguard.vault.stores import local as local_module

BAD_KEYS = [
    "",
    "/etc/passwd",
    "../escape",
    "acct/../../escape",
    "acct//blob",
    "acct/blob/",
    "acct/./blob",
    "acct\\blob",
    "acct/bl\x00ob",
    "acct/line\nbreak",
    ".hidden",
    "acct/.tmp-blob",
    "a" * 201,
    "x/" * 300 + "y",
]


def _all_entries(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# ----------------------------------------------------------------------------- shared contract


def _exercise_contract(store: BlobStore) -> None:
    assert isinstance(store, BlobStore)
    key = "acct/a1/b1"
    assert not store.exists(key)
    with pytest.raises(BlobNotFoundError, match="acct/a1/b1"):
        store.get(key)
    store.put(key, b"first")
    assert store.exists(key)
    assert store.get(key) == b"first"
    store.put(key, b"second, longer than the first")
    assert store.get(key) == b"second, longer than the first"
    store.put("acct/a1/empty", b"")
    assert store.get("acct/a1/empty") == b""
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # idempotent
    store.delete("acct/never/stored")
    with pytest.raises(BlobNotFoundError):
        store.get(key)

    # delete_prefix: "acct/1/" must not touch "acct/10/"; a bare string prefix does.
    for account, count in (("1", 3), ("10", 2), ("2", 4)):
        for i in range(count):
            store.put(f"acct/{account}/blob-{i}", f"{account}:{i}".encode())
    store.put("acct/1/nested/deeper/blob", b"n")
    assert store.delete_prefix("acct/1/") == 4
    assert not store.exists("acct/1/blob-0")
    assert not store.exists("acct/1/nested/deeper/blob")
    assert store.get("acct/10/blob-1") == b"10:1"
    assert store.delete_prefix("acct/1/") == 0
    assert store.delete_prefix("acct/1") == 2  # string prefix: acct/10/...
    assert store.delete_prefix("acct/2/blob-") == 4
    assert store.delete_prefix("acct/none/") == 0
    assert store.get("acct/a1/empty") == b""

    for bad in BAD_KEYS:
        with pytest.raises(InvalidBlobKeyError):
            store.put(bad, b"x")
        with pytest.raises(InvalidBlobKeyError):
            store.get(bad)
        with pytest.raises(InvalidBlobKeyError):
            store.exists(bad)
        with pytest.raises(InvalidBlobKeyError):
            store.delete(bad)
    for bad_prefix in ("", "/", "/acct", "../", "acct/../"):
        with pytest.raises(InvalidBlobKeyError):
            store.delete_prefix(bad_prefix)


# ----------------------------------------------------------------------------- local store


def test_local_store_contract(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    _exercise_contract(LocalBlobStore(root))
    assert not (tmp_path / "escape").exists()
    assert not (tmp_path / "passwd").exists()


def test_local_store_layout_modes_and_no_temp_files(tmp_path: Path) -> None:
    old_umask = os.umask(0)  # the modes must not depend on the process umask
    try:
        store = LocalBlobStore(tmp_path / "blobs")
        for i in range(20):
            store.put(f"acct/a1/blob-{i}", os.urandom(100))
        store.put("acct/a1/blob-3", b"rewritten")
    finally:
        os.umask(old_umask)
    path = tmp_path / "blobs" / "acct" / "a1" / "blob-3"
    assert path.read_bytes() == b"rewritten"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "blobs").stat().st_mode) == 0o700
    names = _all_entries(tmp_path / "blobs")
    assert not [n for n in names if Path(n).name.startswith(".")]
    assert len([n for n in names if "blob-" in n]) == 20


def test_local_store_failed_write_keeps_old_blob_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path)
    store.put("acct/a1/b1", b"old")

    def failing_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(local_module.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        store.put("acct/a1/b1", b"new")
    monkeypatch.undo()
    assert store.get("acct/a1/b1") == b"old"
    assert _all_entries(tmp_path / "acct" / "a1") == ["b1"]


def test_local_store_delete_prefix_removes_stray_temp_files_and_empty_folders(
    tmp_path: Path,
) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    store.put("acct/a1/b1", b"1")
    store.put("acct/a1/b2", b"2")
    store.put("acct/a2/b1", b"3")
    stray = tmp_path / "blobs" / "acct" / "a1" / ".tmp-b3-0123"  # a crash mid-write
    stray.write_bytes(b"partial ciphertext")
    assert store.delete_prefix("acct/a1/") == 2
    assert not (tmp_path / "blobs" / "acct" / "a1").exists()
    assert store.get("acct/a2/b1") == b"3"
    assert store.delete_prefix("acct/") == 1
    assert _all_entries(tmp_path / "blobs") == []


def test_local_store_key_cannot_be_both_blob_and_folder(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    store.put("acct/a1", b"x")
    with pytest.raises(BlobStoreError, match="not a directory"):
        store.put("acct/a1/b1", b"y")
    assert not store.exists("acct")  # a folder is not a blob
    with pytest.raises(BlobNotFoundError):
        store.get("acct")


def test_local_store_root_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "blobs").write_bytes(b"")
    with pytest.raises(BlobStoreError, match="blobs"):
        LocalBlobStore(tmp_path / "blobs")


def test_stored_bytes_are_the_ciphertext_given(tmp_path: Path) -> None:
    plaintext = b"RIFF" + b"my phone number is 555 0100 " * 100
    ciphertext = encrypt_blob(generate_data_key(), "a1", "b1", plaintext)
    store = LocalBlobStore(tmp_path)
    store.put("acct/a1/b1", ciphertext)
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert on_disk == ciphertext
    assert b"555 0100" not in on_disk


# ----------------------------------------------------------------------------- open_blob_store


def test_open_blob_store_local_forms(tmp_path: Path) -> None:
    relative = open_blob_store("var/blobs", base_dir=tmp_path)
    assert isinstance(relative, LocalBlobStore)
    assert relative.root == (tmp_path / "var" / "blobs").resolve()
    absolute = open_blob_store(str(tmp_path / "abs"))
    assert isinstance(absolute, LocalBlobStore)
    assert absolute.root == (tmp_path / "abs").resolve()
    url = open_blob_store(f"file://{tmp_path}/via%20url")
    assert isinstance(url, LocalBlobStore)
    assert url.root == (tmp_path / "via url").resolve()
    localhost = open_blob_store(f"file://localhost{tmp_path}/lh")
    assert isinstance(localhost, LocalBlobStore)


def test_open_blob_store_relative_path_defaults_to_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_blob_store("blobs")
    assert isinstance(store, LocalBlobStore)
    assert store.root == (tmp_path / "blobs").resolve()


def test_open_blob_store_s3_form_is_parsed_without_network() -> None:
    store = open_blob_store(
        "s3://voxguard-blobs/prod/eu?endpoint=http://127.0.0.1:8333&region=eu-west-1"
    )
    assert isinstance(store, S3BlobStore)
    assert store.bucket == "voxguard-blobs"
    assert store.prefix == "prod/eu/"
    assert store.endpoint_url == "http://127.0.0.1:8333"
    assert store.region == "eu-west-1"
    bare = open_blob_store("s3://voxguard-blobs")
    assert isinstance(bare, S3BlobStore)
    assert bare.prefix == ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("http://example.com/blobs", "unsupported blob store URL scheme 'http'"),
        ("gs://bucket/x", "unsupported blob store URL scheme 'gs'"),
        ("file://relative/path", "file:///absolute/path"),
        ("file:relative/path", "must be absolute"),
        ("file:///abs?x=1", "query"),
        ("s3://", "has no bucket"),
        ("s3:/bucket", "malformed"),
        ("s3://Bad_Bucket", "not a valid S3 bucket name"),
        ("s3://ab", "not a valid S3 bucket name"),
        ("s3://key:secret@bucket", "must not contain credentials"),
        ("s3://bucket/x?endpoint=ftp://h", "must be an http:// or https:// URL"),
        ("s3://bucket/x?endpoint=", "exactly once, non-empty"),
        ("s3://bucket/x?region=a&region=b", "exactly once"),
        ("s3://bucket/x?access_key=abc", "unknown parameter"),
        ("s3://bucket/../x", "invalid prefix"),
        ("s3://bucket/x#frag", "fragment"),
    ],
)
def test_open_blob_store_rejects_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_blob_store(url)


# ----------------------------------------------------------------------------- S3 on SeaweedFS


def _s3_store(server: SeaweedFS, bucket: str, prefix: str = "", **kwargs: object) -> S3BlobStore:
    return S3BlobStore(
        bucket,
        prefix,
        endpoint_url=server.endpoint_url,
        region=server.region,
        access_key=server.access_key,
        secret_key=server.secret_key,
        **kwargs,  # type: ignore[arg-type]
    )


def test_s3_store_contract(seaweedfs_server: SeaweedFS, s3_bucket: str) -> None:
    store = _s3_store(seaweedfs_server, s3_bucket)
    try:
        _exercise_contract(store)
    finally:
        store.close()


def test_s3_store_prefix_isolates_tenants(seaweedfs_server: SeaweedFS, s3_bucket: str) -> None:
    a = _s3_store(seaweedfs_server, s3_bucket, "tenant-a")
    b = _s3_store(seaweedfs_server, s3_bucket, "/tenant-b/")
    a.put("acct/1/x", b"a")
    b.put("acct/1/x", b"b")
    assert a.get("acct/1/x") == b"a"
    assert b.get("acct/1/x") == b"b"
    assert a.delete_prefix("acct/") == 1
    assert b.get("acct/1/x") == b"b"
    client = seaweedfs_server.client()
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket).get("Contents", [])]
    client.close()
    assert keys == ["tenant-b/acct/1/x"]


def test_s3_store_creates_missing_bucket(seaweedfs_server: SeaweedFS) -> None:
    bucket = seaweedfs_server.unique_bucket_name("autocreate")
    store = _s3_store(seaweedfs_server, bucket)
    assert not store.exists("acct/1/x")
    with pytest.raises(BlobNotFoundError):
        store.get("acct/1/x")
    assert store.delete_prefix("acct/") == 0
    store.put("acct/1/x", b"x")
    assert store.get("acct/1/x") == b"x"
    store.ensure_bucket()  # idempotent
    client = seaweedfs_server.client()
    client.delete_bucket(Bucket=bucket)
    client.close()


def test_s3_delete_prefix_in_batches(seaweedfs_server: SeaweedFS, s3_bucket: str) -> None:
    # More than one DeleteObjects batch (1000 keys) and one listing page (1000 keys).
    store = _s3_store(seaweedfs_server, s3_bucket)
    client = seaweedfs_server.client(max_pool_connections=16)
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(
            pool.map(
                lambda i: client.put_object(Bucket=s3_bucket, Key=f"acct/9/b{i:05d}", Body=b"c"),
                range(1010),
            )
        )
    client.close()
    store.put("acct/99/keep", b"k")
    assert store.delete_prefix("acct/9/") == 1010
    assert not store.exists("acct/9/b00000")
    assert store.get("acct/99/keep") == b"k"


def test_s3_delete_prefix_removes_old_versions(seaweedfs_server: SeaweedFS) -> None:
    bucket = seaweedfs_server.create_bucket(versioned=True)
    store = _s3_store(seaweedfs_server, bucket)
    client = seaweedfs_server.client()
    try:
        store.put("acct/5/a", b"v1")
        store.put("acct/5/a", b"v2")
        store.put("acct/5/b", b"v1")
        store.delete("acct/5/b")  # leaves a delete marker and an old version behind
        store.put("acct/6/a", b"other account")
        versions = client.list_object_versions(Bucket=bucket, Prefix="acct/5/")
        assert len(versions.get("Versions", [])) == 3
        assert store.delete_prefix("acct/5/") == 1
        left = client.list_object_versions(Bucket=bucket, Prefix="acct/5/")
        assert left.get("Versions", []) == []
        assert left.get("DeleteMarkers", []) == []
        assert store.get("acct/6/a") == b"other account"
    finally:
        client.delete_bucket(Bucket=bucket)
        client.close()


def test_s3_server_rejects_wrong_credentials(seaweedfs_server: SeaweedFS, s3_bucket: str) -> None:
    store = S3BlobStore(
        s3_bucket,
        endpoint_url=seaweedfs_server.endpoint_url,
        access_key=seaweedfs_server.access_key,
        secret_key="not-the-secret",
    )
    with pytest.raises(BlobStoreError, match="SignatureDoesNotMatch") as info:
        store.put("acct/1/x", b"x")
    assert s3_bucket in str(info.value)
    assert isinstance(info.value, VaultError)
    stranger = S3BlobStore(
        s3_bucket,
        endpoint_url=seaweedfs_server.endpoint_url,
        access_key="unknown-key",
        secret_key="whatever",
    )
    with pytest.raises(BlobStoreError, match="InvalidAccessKeyId"):
        stranger.get("acct/1/x")


def test_s3_unreachable_endpoint_is_a_store_error(seaweedfs_server: SeaweedFS) -> None:
    # A port nothing listens on; the client does not retry so the test stays quick.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="k",
        aws_secret_access_key="s",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2),
    )
    store = S3BlobStore("some-bucket", client=client)
    with pytest.raises(BlobStoreError, match="Could not connect"):
        store.get("acct/1/x")


def test_open_blob_store_s3_with_credentials_from_environment(
    seaweedfs_server: SeaweedFS, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VOXGUARD_S3_ACCESS_KEY", seaweedfs_server.access_key)
    monkeypatch.setenv("VOXGUARD_S3_SECRET_KEY", seaweedfs_server.secret_key)
    store = open_blob_store(seaweedfs_server.blob_url(s3_bucket, "env/test"))
    assert isinstance(store, S3BlobStore)
    store.put("acct/1/x", b"from env")
    client = seaweedfs_server.client()
    body = client.get_object(Bucket=s3_bucket, Key="env/test/acct/1/x")["Body"].read()
    client.close()
    assert body == b"from env"

    # The AWS_* variables work too (boto3's default chain).
    monkeypatch.delenv("VOXGUARD_S3_ACCESS_KEY")
    monkeypatch.delenv("VOXGUARD_S3_SECRET_KEY")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweedfs_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweedfs_server.secret_key)
    store = open_blob_store(seaweedfs_server.blob_url(s3_bucket, "env/test"))
    assert store.get("acct/1/x") == b"from env"


def test_s3_half_credentials_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOXGUARD_S3_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="both an access key and a secret key"):
        S3BlobStore("some-bucket", access_key="only-the-key", secret_key=None)
