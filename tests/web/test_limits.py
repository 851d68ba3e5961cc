"""Limits before work, over real sockets: body size on every JSON and form route (refused from
the declared length, or mid-stream), and the server's header and body read timeouts."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from tests.support.net import free_port, send_chunks_until_answered
from voxguard.runtime import build_runtime
from voxguard.web.server import BackgroundServer

TIMEOUT_S = 1.0


@pytest.fixture
def server(make_settings) -> Iterator[BackgroundServer]:  # type: ignore[no-untyped-def]
    rt = build_runtime(
        make_settings(header_timeout_s=TIMEOUT_S, body_timeout_s=TIMEOUT_S, max_request_bytes=8192)
    )
    running = BackgroundServer(rt, "127.0.0.1", free_port())
    running.start()
    yield running
    running.stop()
    rt.close()


def _connect(server: BackgroundServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _answer(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize(
    "path,content_type",
    [
        ("/api/v1/auth/login", "application/json"),
        ("/login", "application/x-www-form-urlencoded"),
        ("/api/v1/review/lease", "application/json"),
    ],
)
def test_a_declared_60_mb_body_is_refused_before_it_is_read(
    server: BackgroundServer, path: str, content_type: str
) -> None:
    with _connect(server) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {60_000_000}\r\n\r\n".encode()
        )
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_is_cut_at_the_limit(server: BackgroundServer) -> None:
    with _connect(server) as sock:
        sock.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        # 15,000 chunks would be 60 MB
        sent, answer = send_chunks_until_answered(sock, b" " * 4096, 15_000)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 100


def test_a_client_that_never_finishes_its_headers_is_disconnected(
    server: BackgroundServer,
) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # no blank line: headers go on
        started = time.monotonic()
        sock.settimeout(10 * TIMEOUT_S)
        for _ in range(20):  # a slowloris client: a byte now and then
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                if sock.recv(4096) == b"":
                    break
            except TimeoutError:
                pytest.fail("the server kept a header-dribbling client")
            except ConnectionResetError:
                break
        waited = time.monotonic() - started
    assert waited < 5 * TIMEOUT_S


def test_a_keep_alive_client_must_also_send_its_next_headers_in_time(
    server: BackgroundServer,
) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _answer(sock).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # the next request, then silence
        started = time.monotonic()
        sock.settimeout(10 * TIMEOUT_S)
        with contextlib.suppress(ConnectionResetError):
            assert sock.recv(4096) == b""
    assert time.monotonic() - started < 5 * TIMEOUT_S


def test_a_body_that_does_not_arrive_in_time_gets_408(server: BackgroundServer) -> None:
    with _connect(server) as sock:
        sock.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"username": '
        )
        started = time.monotonic()
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 5 * TIMEOUT_S


def test_ordinary_requests_pass(server: BackgroundServer) -> None:
    with _connect(server) as sock:
        body = b'{"username": "nobody", "password": "x", "totp": "123456"}'
        sock.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        assert _answer(sock).startswith(b"HTTP/1.1 401")
