"""The demo authority is the same, row for row, every time it is built from the same seed.

One build pair covers every domain the demo draws (people, training, capability, supervision,
ASYE, workforce planning, performance). It runs on SQLite alone: what the demo draws does not
depend on the database, and each build costs seconds (the per-domain checks on both databases
are in the test_demo_*.py files). The first build of the pair is the seed-11 demo those
checks share (tests/conftest.py); the second is built here, the same way, into a new file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, select

from tests.conftest import BuiltDemo, build_demo_database, make_app
from workforce.extensions import db

#: Columns that hold the moment a row was written, or a salted hash: never the same twice.
UNREPEATABLE = {"password_hash"}
#: Tables of who did what and when (the build's own audit events carry their clock time).
SKIPPED_TABLES = {"audit_event"}


def _stamped_by_the_clock(column: Any) -> bool:
    return isinstance(column.type, DateTime) and column.default is not None


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the demo fills, without clock times and hashes."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in db.metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        columns = [
            c for c in table.columns if c.name not in UNREPEATABLE and not _stamped_by_the_clock(c)
        ]
        rows = db.session.execute(select(*columns)).all()
        tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # on SQLite alone
def test_the_same_seed_builds_the_same_demo_row_for_row(
    demo_authority: BuiltDemo, tmp_path: Path
) -> None:
    first = snapshot()
    # a whole authority, every domain: people, training, capability, supervision, ASYE, plans
    filled = {name for name, rows in first.items() if rows}
    assert {
        "staff",
        "booking",
        "assessment",
        "supervision_session",
        "asye_enrolment",
        "caseload_snapshot",
        "measure_figure",
    } <= filled, sorted(filled)
    app = make_app(f"sqlite:///{tmp_path / 'again.sqlite'}", tmp_path)
    build_demo_database(app, demo_authority.seed)
    with app.app_context():
        second = snapshot()
        db.session.remove()
        db.engine.dispose()
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
