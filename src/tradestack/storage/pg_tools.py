"""``pg_dump`` and ``pg_restore`` as subprocesses, connected through libpq environment variables.

The password travels in ``PGPASSWORD``, never on a command line another user
could read with ``ps``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from sqlalchemy.engine import make_url

from tradestack.errors import BackupError

_SSL_MODES = {"require", "verify-ca", "verify-full", "prefer", "allow", "disable"}


def available() -> bool:
    """Tell whether both ``pg_dump`` and ``pg_restore`` are on the PATH."""
    return shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None


def libpq_environment(url: str) -> dict[str, str]:
    """Return a copy of the environment with ``PGHOST`` ... ``PGDATABASE`` taken from ``url``."""
    parsed = make_url(url)
    env = dict(os.environ)
    settings = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    ssl = parsed.query.get("ssl") or parsed.query.get("sslmode")
    if isinstance(ssl, str) and ssl in _SSL_MODES:
        settings["PGSSLMODE"] = ssl
    env.update({name: str(value) for name, value in settings.items() if value})
    return env


async def dump(url: str, target: Path, *, snapshot: str | None = None) -> None:
    """Write the database to ``target`` in pg_dump's custom format.

    ``snapshot`` (from ``pg_export_snapshot()``) makes the dump see exactly what
    the exporting transaction sees.
    """
    args = ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    await _run("pg_dump", [*args, _dbname(url)], url)


async def restore(url: str, source: Path, *, clean: bool) -> None:
    """Load a custom-format dump into the database in one transaction, all or nothing.

    ``clean`` drops each object of the dump before recreating it.
    """
    args = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    if clean:
        args += ["--clean", "--if-exists"]
    await _run("pg_restore", [*args, f"--dbname={_dbname(url)}", str(source)], url)


async def list_contents(source: Path) -> int:
    """Read a dump's table of contents; return its number of entries (corrupt: BackupError)."""
    output = await _run("pg_restore", ["--list", str(source)], None)
    return sum(1 for line in output.splitlines() if line and not line.startswith(";"))


def _dbname(url: str) -> str:
    name = make_url(url).database or ""
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"dbname='{escaped}'"


async def _run(tool: str, args: list[str], url: str | None) -> str:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed (needed for this PostgreSQL backup)")
    process = await asyncio.create_subprocess_exec(
        executable,
        *args,
        env=libpq_environment(url) if url else None,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        lines = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit status {process.returncode}"
        raise BackupError(f"{tool} failed: {reason}")
    return stdout.decode(errors="replace")
