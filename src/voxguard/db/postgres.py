"""PostgreSQL's own client tools (pg_dump, pg_restore) pointed at a voxguard database URL."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class PgTarget:
    """Where the client tools connect; ``schema`` when the URL sets a search_path."""

    host: str
    port: int
    user: str
    database: str
    password: str | None
    schema: str | None

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        """Run ``tool`` (pg_dump, pg_restore) against this database.

        A password travels in a temporary passfile (mode 0600) named in the connection string,
        never on the command line, where other users of the machine could read it.
        """
        with tempfile.TemporaryDirectory() as folder:
            conninfo = f"host={self.host} port={self.port} user={self.user} dbname={self.database}"
            if self.password is not None:
                passfile = Path(folder) / "pgpass"
                passfile.touch(mode=0o600)
                escaped = self.password.replace("\\", "\\\\").replace(":", "\\:")
                passfile.write_text(f"*:*:*:*:{escaped}\n")
                conninfo += f" passfile={passfile}"
            schema = ["--schema", self.schema] if self.schema else []
            return subprocess.run(
                [tool, *args, *schema, "--dbname", conninfo], capture_output=True, check=False
            )


def pg_target(url: str) -> PgTarget:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string(hide_password=True)}")
    options = parsed.query.get("options", "")
    options = options if isinstance(options, str) else " ".join(options)
    match = _SEARCH_PATH.search(options)
    return PgTarget(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        database=parsed.database or "postgres",
        password=parsed.password,
        schema=match.group(1) if match else None,
    )
