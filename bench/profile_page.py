"""Time and profile pages or reports on an existing database, one request at a time.

    URL=postgresql+psycopg://postgres@127.0.0.1:5432/wf_county
    .venv/bin/python bench/profile_page.py --database-url $URL /training/courses /capability/due
    .venv/bin/python bench/profile_page.py --database-url $URL --profile /planning/caseloads
    .venv/bin/python bench/profile_page.py --database-url ... --as manager@northbrook.example.org /

For each path it prints the best of ``--runs`` wall times, the number of SQL statements, the
time spent in the database and the slowest statements; ``--profile`` adds a cProfile listing
of the slowest run sorted by cumulative time. It signs in through the form as ``--as`` (the
demo admin by default) on the app's own test client, so it measures the app without a web
server in front; ``bench/run.py --http`` measures it under gunicorn.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from common import make_app
from sqlalchemy import event

from workforce.demo import DEMO_PASSWORD


@contextmanager
def statements(engine: Any) -> Iterator[list[tuple[float, str]]]:
    """Collect (seconds, SQL) for every statement ``engine`` runs inside the block."""
    seen: list[tuple[float, str]] = []

    def before(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        conn.info.setdefault("started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        seen.append((time.perf_counter() - conn.info["started"].pop(), sql))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--as", dest="email", default="admin@northbrook.example.org")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=5, help="slowest statements to show")
    args = parser.parse_args()

    app = make_app(args.database_url)
    app.config["WTF_CSRF_ENABLED"] = False
    from workforce.extensions import db

    client = app.test_client()
    response = client.post("/login", data={"email": args.email, "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"Signing in as {args.email} failed ({response.status_code})")
    with app.app_context():
        engine = db.engine
    for path in args.paths:
        best, best_sql, profiler = float("inf"), [], None
        for _ in range(args.runs):
            run_profiler = cProfile.Profile() if args.profile else None
            with statements(engine) as seen:
                started = time.perf_counter()
                if run_profiler:
                    run_profiler.enable()
                response = client.get(path)
                if run_profiler:
                    run_profiler.disable()
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
            if elapsed < best:
                best, best_sql, profiler = elapsed, list(seen), run_profiler
        sql_time = sum(seconds for seconds, _ in best_sql)
        print(
            f"{path}: {best * 1000:.0f} ms, {len(best_sql)} statements, "
            f"{sql_time * 1000:.0f} ms in the database, {len(response.data) // 1024} KiB"
        )
        for seconds, sql in sorted(best_sql, reverse=True)[: args.top]:
            print(f"    {seconds * 1000:7.1f} ms  {' '.join(sql.split())[:300]}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
