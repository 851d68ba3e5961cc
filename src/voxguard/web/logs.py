"""Keep account references and sign-in links out of the server's log.

The privacy API puts the operator's account reference in its paths, and the self-service page
its single-use link tokens; the access log would otherwise keep both long after an erasure.
"""

from __future__ import annotations

import logging
import re

_SECRETS_IN_PATHS = (
    (re.compile(r"(/api/v1/accounts/)[^/?#\s\"]+"), r"\1[account]"),
    (re.compile(r"(/me/link/)[^/?#\s\"]+"), r"\1[link]"),
)
ACCESS_LOGGERS = ("uvicorn.access",)


def redact_path(text: str) -> str:
    for pattern, replacement in _SECRETS_IN_PATHS:
        text = pattern.sub(replacement, text)
    return text


class RedactPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


def install_log_redaction() -> None:
    """Idempotent: called at every app start-up, after the server configured its logging."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPaths) for f in logger.filters):
            logger.addFilter(RedactPaths())
