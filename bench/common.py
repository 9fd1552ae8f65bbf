"""What every benchmark shares: its own PostgreSQL database on the local server, an app on a
database URL, best-of-N timing, and a description of the machine for results.md."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("WORKFORCE_ENV", "testing")

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"


def admin_connection() -> Any:
    """An autocommit connection to the server's ``postgres`` database."""
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    )


def postgres_reachable() -> bool:
    try:
        with admin_connection():
            return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def create_database(name: str) -> str:
    """(Re)create database ``name`` on the local server; return its SQLAlchemy URL."""
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres_url(name)


def postgres_url(name: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(database_url: str) -> Any:
    """The application on ``database_url`` (testing settings, no rate limits)."""
    os.environ["DATABASE_URL"] = database_url
    from workforce import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``runs`` calls of ``fn`` (each on a fresh session) and its result."""
    from workforce.extensions import db

    best, result = float("inf"), None
    for _ in range(runs):
        db.session.expire_all()
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
        db.session.rollback()
    return best, result


def machine(backend: str) -> str:
    """CPUs, memory, Python and the database's version and settings."""
    from workforce.extensions import db

    memory = "?"
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    cpu = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    described = (
        f"{os.cpu_count()} CPUs ({cpu}), {memory} memory, Python {platform.python_version()}"
    )
    if backend == "postgresql":
        settings = ", ".join(
            f"{name} {db.session.execute(text(f'SHOW {name}')).scalar()}"
            for name in ("work_mem", "shared_buffers", "max_parallel_workers_per_gather", "jit")
        )
        version = db.session.execute(text("SHOW server_version")).scalar()
        return f"{described}; PostgreSQL {version} ({settings})"
    import sqlite3

    return f"{described}; SQLite {sqlite3.sqlite_version}"
