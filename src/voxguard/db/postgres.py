"""PostgreSQL's own client tools (pg_dump, pg_restore) pointed at a voxguard database URL."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.engine import make_url

_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class PgTarget:
    """Connection arguments for the client tools; ``schema`` when the URL sets a search_path."""

    args: list[str]
    env: dict[str, str]
    schema: str | None


def pg_target(url: str) -> PgTarget:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string(hide_password=True)}")
    args = [
        "--host", parsed.host or "127.0.0.1",
        "--port", str(parsed.port or 5432),
        "--username", parsed.username or "postgres",
        "--dbname", parsed.database or "postgres",
    ]  # fmt: skip
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    options = parsed.query.get("options", "")
    options = options if isinstance(options, str) else " ".join(options)
    match = _SEARCH_PATH.search(options)
    return PgTarget(args, env, match.group(1) if match else None)
