"""What every benchmark shares: its own PostgreSQL database on the local server, an app on a
database URL, best-of-N timing, and a description of the machine for results.md; and what
several of the per-issue scripts share: loading a synthetic authority and reporting the load,
building a report as its page does, profiling it, and the import benchmarks' CSV and table."""

from __future__ import annotations

import cProfile
import csv
import io
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import date
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


def bench_database(database_url: str | None, name: str) -> tuple[str, str | None]:
    """The SQLAlchemy URL to benchmark on and the database created for it: ``database_url``
    (normalised to psycopg 3) and None when one is given, else a new database ``name``."""
    from workforce.config import normalise_database_url

    if database_url:
        return normalise_database_url(database_url), None
    return create_database(name), name


def make_app(database_url: str) -> Any:
    """The application on ``database_url`` (testing settings, no rate limits)."""
    os.environ["DATABASE_URL"] = database_url
    from workforce import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})


#: Calls quicker than this are repeated (see ``best_of``): a few milliseconds timed three
#: times is mostly noise.
QUICK = 0.1
#: ... until they have taken this long in all, or ``MAX_RUNS`` calls.
AUTORANGE = 1.0
MAX_RUNS = 100


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``runs`` calls of ``fn`` (each on a fresh session) and its result.
    A call that takes under ``QUICK`` seconds is repeated, as ``timeit`` does, until the
    calls have taken ``AUTORANGE`` seconds in all (at most ``MAX_RUNS`` calls), so that a
    report of a few milliseconds and its floor are each timed at their best."""
    from workforce.extensions import db

    best, result = float("inf"), None
    done, spent = 0, 0.0
    while done < runs or (best < QUICK and spent < AUTORANGE and done < MAX_RUNS):
        db.session.expire_all()
        started = time.perf_counter()
        result = fn()
        took = time.perf_counter() - started
        best = min(best, took)
        spent += took
        done += 1
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


# --- loading a synthetic authority --------------------------------------------------------


def staff_to_reuse(url: str, reuse: bool) -> int | None:
    """How many staff the app's database holds; or None, once it has said why on stderr,
    when that does not fit ``--reuse`` (staff held without it, or none held with it)."""
    from sqlalchemy import func, select

    from workforce.extensions import db
    from workforce.models import Staff

    held = db.session.scalar(select(func.count()).select_from(Staff))
    if held and not reuse:
        print(f"{url} already holds staff; give an empty database or --reuse.", file=sys.stderr)
        return None
    if not held and reuse:
        print(f"{url} holds no staff to reuse.", file=sys.stderr)
        return None
    return held


def copy_in(loader: Any) -> float:
    """Run ``loader.load`` on a raw driver connection of the app's engine; the seconds it took."""
    from workforce.extensions import db

    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        loader.load(raw.driver_connection)
    finally:
        raw.close()
    return time.perf_counter() - started


def vacuum_analyse() -> float:
    """VACUUM (ANALYZE) the app's database (statistics, and the visibility map and hint bits
    a live database's autovacuum would have set); the seconds it took."""
    from workforce.extensions import db

    started = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def print_load(
    rows: dict[str, int], seconds: dict[str, float], loaded: float, analysed: float, width: int = 22
) -> None:
    """Print the load rate and the VACUUM's time, then each table's rows, seconds and rows a
    second (left blank for a table whose time was not taken), its name in a column ``width``
    wide."""
    total = sum(rows.values())
    print(
        f"\nLoaded {total:,} rows in {loaded:.1f} s "
        f"({total / loaded:,.0f} rows/s, generation and COPY together); "
        f"VACUUM ANALYZE {analysed:.1f} s\n"
    )
    print(f"{'table':<{width}}{'rows':>11}{'seconds':>9}{'rows/s':>11}")
    for table, count in rows.items():
        took = seconds.get(table)
        shown = f"{took:>9.1f}" if took else f"{'':>9}"
        rate = f"{count / took:>11,.0f}" if took else f"{'':>11}"
        print(f"{table:<{width}}{count:>11,}{shown}{rate}")


# --- timing a report ------------------------------------------------------------------------


def report_builder(definition: Any, raw: dict[str, str], today: date) -> Callable[[], Any]:
    """A call that builds the report as its page, the exports and ``flask --app wsgi report``
    do: ``check_parameters`` (strict, on ``today``) then ``run_report`` for the command
    line's viewer, who sees everyone."""
    from workforce.reports import check_parameters, run_report

    def build() -> Any:
        params = check_parameters(definition, raw, strict=True, today=today)
        return run_report(definition, params, viewer=None)

    return build


def profiled(fn: Callable[[], Any]) -> cProfile.Profile:
    """A profile of one call of ``fn``, its session rolled back after."""
    from workforce.extensions import db

    profile = cProfile.Profile()
    profile.enable()
    fn()
    profile.disable()
    db.session.rollback()
    return profile


# --- the import benchmarks ----------------------------------------------------------------


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """``rows`` as a UTF-8 CSV file with a header row, lines ended as a spreadsheet would."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def print_import_runs(results: list[tuple[str, dict[str, Any], str]]) -> None:
    """Print a table of each import run's read, check, write and total seconds and outcome."""
    print(f"{'run':<17}{'read':>8}{'check':>8}{'write':>8}{'total':>8}  result")
    for name, timing, outcome in results:
        print(
            f"{name:<17}{timing['read']:>8.2f}{timing['check']:>8.2f}{timing['write']:>8.2f}"
            f"{timing['total']:>8.2f}  {outcome}"
        )
