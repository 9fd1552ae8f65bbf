"""Bulk writes for the scale generator: PostgreSQL ``COPY`` and SQLite ``executemany``.

Rows are plain tuples in the order of the columns named for them, with explicit ids (the
generator hands out ids itself, so that rows of one table can point at rows of another
without reading anything back). Everything goes through the DBAPI connection under the
session's transaction, so reference data added through the ORM and the bulk rows are
committed or rolled back together; no ORM object is made, so the audit listener does not
run (the caller records one event for the whole load).

- **PostgreSQL** (psycopg 3): one ``COPY ... FROM STDIN`` per batch, rows streamed with
  ``write_row``. Checking each row's foreign keys as it arrives (a trigger and a lookup per
  key per row) costs several times the insert itself, so, as PostgreSQL's manual advises
  for populating a database, the foreign keys of a table are dropped before its first rows
  and added back by ``finish``, which checks every row at once (one join per key), in the
  same transaction: a row pointing nowhere fails the load and nothing is kept. ``finish``
  also moves each table's id sequence past the ids written (``setval``), so rows added
  later through the ORM get fresh ids.
- **SQLite**: ``executemany`` of one ``INSERT`` per batch inside the transaction, each value
  passed through the column type's bind processor first (dates and times in the text form
  SQLAlchemy writes and compares, decimals as numbers, booleans as 0 and 1).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, select

from workforce.extensions import db


class BulkWriter:
    """Writes batches of rows into tables through one connection, counting and timing them."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.postgres = connection.dialect.name == "postgresql"
        self.raw: Any = connection.connection.driver_connection
        #: Rows written per table, in the order tables were first written.
        self.rows: dict[str, int] = {}
        #: Seconds spent writing per table (the generation of the rows included, when the
        #: rows come from a generator).
        self.seconds: dict[str, float] = {}
        self._next_id: dict[str, int] = {}
        self._checked: set[tuple[str, tuple[str, ...]]] = set()
        self._processors: dict[tuple[str, tuple[str, ...]], list[Callable[[Any], Any] | None]] = {}
        #: Foreign keys dropped for the load: (table, name, definition), to add back.
        self._dropped: list[tuple[str, str, str]] = []
        self._prepared: set[str] = set()

    # --- ids --------------------------------------------------------------------------------

    def first_id(self, table: str) -> int:
        """The first id free in ``table`` (one more than the highest there now), read once."""
        if table not in self._next_id:
            column = self._table(table).c.id
            highest = self.connection.execute(select(func.max(column))).scalar()
            self._next_id[table] = int(highest or 0) + 1
        return self._next_id[table]

    # --- writing ----------------------------------------------------------------------------

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write ``rows`` (tuples in the order of ``columns``) into ``table``; return how
        many were written."""
        columns = tuple(columns)
        self._check(table, columns)
        started = time.perf_counter()
        if self.postgres:
            self._drop_foreign_keys(table)
            count = self._copy(table, columns, rows)
        else:
            count = self._insert(table, columns, rows)
        self.rows[table] = self.rows.get(table, 0) + count
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started
        return count

    def _copy(self, table: str, columns: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)
                count += 1
        return count

    def _drop_foreign_keys(self, table: str) -> None:
        """Drop ``table``'s foreign keys (once), remembering them for ``finish``."""
        if table in self._prepared:
            return
        self._prepared.add(table)
        with self.raw.cursor() as cursor:
            found = cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                (table,),
            ).fetchall()
            for name, definition in found:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quoted(name)}")
                self._dropped.append((table, name, definition))

    def _insert(self, table: str, columns: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> int:
        processors = self._processors_for(table, columns)
        active = [(index, p) for index, p in enumerate(processors) if p is not None]
        counter = [0]

        def processed() -> Iterable[list[Any]]:
            for row in rows:
                values = list(row)
                for index, process in active:
                    value = values[index]
                    if value is not None:
                        values[index] = process(value)
                counter[0] += 1
                yield values

        marks = ", ".join("?" for _ in columns)
        cursor = self.raw.cursor()
        try:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", processed()
            )
        finally:
            cursor.close()
        return counter[0]

    def _processors_for(
        self, table: str, columns: tuple[str, ...]
    ) -> list[Callable[[Any], Any] | None]:
        key = (table, columns)
        if key not in self._processors:
            found = self._table(table)
            self._processors[key] = [
                found.c[name].type._cached_bind_processor(self.dialect) for name in columns
            ]
        return self._processors[key]

    def _check(self, table: str, columns: tuple[str, ...]) -> None:
        """Refuse (a programming error) columns the table lacks, or leaving out a column
        that must have a value and has no default in the database."""
        if (table, columns) in self._checked:
            return
        found = self._table(table)
        unknown = [name for name in columns if name not in found.c]
        if unknown:
            raise ValueError(f"{table} has no column {', '.join(unknown)}")
        missing = [
            column.name
            for column in found.c
            if column.name not in columns
            and not column.nullable
            and column.server_default is None
            and not (column.primary_key and column.name == "id")
        ]
        if missing:
            raise ValueError(f"{table}: no value for {', '.join(missing)}")
        self._checked.add((table, columns))

    @staticmethod
    def _table(name: str) -> Table:
        return db.metadata.tables[name]

    # --- after the load ---------------------------------------------------------------------

    def finish(self) -> None:
        """On PostgreSQL, add back the foreign keys dropped for the load (checking every
        row written against them) and move each written table's id sequence past its
        highest id. Call it once the last row is written, before committing."""
        if not self.postgres:
            return
        with self.raw.cursor() as cursor:
            for table, name, definition in self._dropped:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quoted(name)} {definition}")
            self._dropped.clear()
            for table in self.rows:
                if "id" not in self._table(table).c:
                    continue
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )

    def analyse(self) -> None:
        """On PostgreSQL, refresh the planner's statistics of the tables written."""
        if not self.postgres:
            return
        with self.raw.cursor() as cursor:
            for table in self.rows:
                cursor.execute(f"ANALYZE {table}")

    @property
    def total(self) -> int:
        """Rows written, every table together."""
        return sum(self.rows.values())


def _quoted(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
