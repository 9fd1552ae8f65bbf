"""Counting the SQL statements a piece of code sends to the database.

``counting_queries()`` records every statement the engine executes inside its block (through
SQLAlchemy's ``before_cursor_execute`` event); ``page_queries(client, path)`` requests a
page and returns the statements that request sent. Tests use them to show that a page or a
report does not send one query per row: the count must stay the same when the rows grow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from workforce.extensions import db


@contextmanager
def counting_queries(engine: Any = None) -> Iterator[list[str]]:
    """Yield a list that fills with each statement ``engine`` (the app's) executes."""
    engine = engine if engine is not None else db.engine
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page_queries(client: Any, path: str, status: int | None = 200) -> tuple[list[str], Any]:
    """Request ``path`` and return the statements it sent and the response (whose status
    must be ``status``, unless that is None)."""
    with counting_queries() as statements:
        response = client.get(path)
        body = response.get_data()  # a streamed response runs its queries here
    assert status is None or response.status_code == status, (
        path,
        response.status_code,
        body[:300],
    )
    return statements, response


def repeated(statements: Sequence[str], top: int = 3) -> str:
    """The statements sent most often, with how many times: what to look at first when a
    count grows with the rows."""
    counts = Counter(" ".join(statement.split()) for statement in statements)
    return "\n".join(f"{times} x {statement[:400]}" for statement, times in counts.most_common(top))
