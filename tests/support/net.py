"""Loopback helpers."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def send_chunks_until_answered(
    sock: socket.socket, chunk: bytes, max_chunks: int
) -> tuple[int, bytes]:
    """Stream ``chunk`` as HTTP/1.1 chunks until the server answers (or drops the connection);
    returns (chunks sent, the start of the answer)."""
    sent, answer = 0, b""
    sock.settimeout(0.05)
    while sent < max_chunks and not answer:
        try:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += 1
            answer = sock.recv(4096)
        except (TimeoutError, BlockingIOError):
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    if not answer:
        sock.settimeout(5)
        answer = sock.recv(4096)
    return sent, answer
