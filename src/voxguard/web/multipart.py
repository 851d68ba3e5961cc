"""Streaming multipart reading with size limits enforced as bytes arrive.

Starlette's form parser spools large parts to temporary files, which would put plaintext audio on
disk, and it learns a part's size only after reading it. This reader keeps parts in memory and
stops at the first byte over a limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

from voxguard.web.limits import RequestLimitExceeded


class FormRejected(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Part:
    name: str = ""
    data: bytearray = field(default_factory=bytearray)


def _field_name(disposition: bytes) -> str:
    _kind, options = parse_options_header(disposition)
    return options.get(b"name", b"").decode("utf-8", "replace")


FORM_OVERHEAD_BYTES = 64 * 1024  # room for boundaries and part headers


def upload_body_limit(*field_limits: int) -> int:
    """The most a multipart body with fields of these limits may take on the wire."""
    return sum(field_limits) + FORM_OVERHEAD_BYTES


async def read_form(
    content_type: str | None,
    content_length: str | None,
    body: AsyncIterator[bytes],
    limits: Mapping[str, int],
) -> dict[str, bytes]:
    """Read exactly the fields named in ``limits`` (name -> max bytes); all are required."""
    total_limit = upload_body_limit(*limits.values())
    kind, options = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise FormRejected(
            415, "not_multipart", "send multipart/form-data with fields: " + ", ".join(limits)
        )
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError as exc:
            raise FormRejected(400, "bad_content_length", "Content-Length is not a number") from exc
        if declared > total_limit:
            raise FormRejected(413, "too_large", f"upload of {declared} bytes exceeds the limit")

    parts: dict[str, bytes] = {}
    current = _Part()
    header_field, header_value = bytearray(), bytearray()
    headers: dict[str, bytes] = {}
    problem: list[FormRejected] = []

    def on_part_begin() -> None:
        nonlocal current
        current = _Part()
        headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[header_field.decode("latin-1").lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        current.name = _field_name(headers.get("content-disposition", b""))
        if current.name not in limits:
            problem.append(
                FormRejected(422, "unknown_field", f"unknown form field {current.name!r}")
            )
        elif current.name in parts:
            problem.append(
                FormRejected(422, "duplicate_field", f"form field {current.name!r} sent twice")
            )

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if problem:
            return
        current.data.extend(data[start:end])
        if len(current.data) > limits[current.name]:
            problem.append(
                FormRejected(
                    413, "too_large", f"{current.name} exceeds {limits[current.name]} bytes"
                )
            )

    def on_part_end() -> None:
        if not problem:
            parts[current.name] = bytes(current.data)

    parser = MultipartParser(
        options[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    received = 0
    try:
        async for chunk in body:
            received += len(chunk)
            if received > total_limit:
                raise FormRejected(413, "too_large", f"upload exceeds {total_limit} bytes")
            parser.write(chunk)
            if problem:
                raise problem[0]
        parser.finalize()
    except (FormRejected, RequestLimitExceeded):
        raise
    except Exception as exc:  # the parser's own errors: malformed multipart
        raise FormRejected(400, "malformed_multipart", f"malformed multipart body: {exc}") from exc
    if problem:
        raise problem[0]
    missing = [name for name in limits if name not in parts]
    if missing:
        raise FormRejected(422, "missing_field", "missing form field(s): " + ", ".join(missing))
    return parts
