"""The storage floor of an import: its own rows, already in storage form, written straight
into the schema a batch a transaction.

No parsing, checking, matching or building is left: what remains is what the database
spends on the rows, their indexes and the commit. No import of the same rows into the same
schema can be faster, so ``import rows/s ÷ floor rows/s`` says how much of the time is the
import's own and how much the database's.

PostgreSQL: the rows are read out with ``COPY … TO STDOUT`` and replayed with
``COPY … FROM STDIN`` in slices of ``batch`` rows (the server parses text it produced
itself; the client formats nothing). SQLite: raw tuples replayed by one prepared
``INSERT`` per table and batch, as the bulk path writes them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from adapters.persistence.tables import customer_external_ids, customers, outbox

TABLES = (customers, customer_external_ids, outbox)
"""In the order foreign keys need them."""


def _columns(table: Any) -> list[str]:
    # The outbox's position is the target's own sequence, not the source's.
    return [column.name for column in table.columns if column.name != "position"]


def _where(table: Any) -> str:
    # Only what the import wrote: the target has its own custom field definitions' events.
    return " WHERE aggregate_type = 'customer'" if table is outbox else ""


def measure_storage_floor(source: Engine, target: Engine, *, batch: int) -> tuple[int, float]:
    """Customers written and seconds taken to replay ``source``'s imported rows into ``target``."""
    if source.dialect.name == "postgresql":
        return _postgres(source, target, batch)
    return _sqlite(source, target, batch)


def _postgres(source: Engine, target: Engine, batch: int) -> tuple[int, float]:
    dumps: list[tuple[str, str, list[bytes]]] = []
    read = source.raw_connection()
    try:
        cursor = read.cursor()
        for table in TABLES:
            names = ", ".join(f'"{name}"' for name in _columns(table))
            chunks: list[bytes] = []
            query = f'COPY (SELECT {names} FROM "{table.name}"{_where(table)}) TO STDOUT'
            with cursor.copy(query) as copy:
                chunks.extend(bytes(chunk) for chunk in copy)
            dumps.append((table.name, names, b"".join(chunks).splitlines(keepends=True)))
        read.commit()
    finally:
        read.close()
    write = target.raw_connection()
    try:
        cursor = write.cursor()
        started = time.perf_counter()
        for name, names, lines in dumps:
            for start in range(0, len(lines), batch):
                with cursor.copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
                    copy.write(b"".join(lines[start : start + batch]))
                write.commit()
        seconds = time.perf_counter() - started
    finally:
        write.close()
    return len(dumps[0][2]), seconds


def _sqlite(source: Engine, target: Engine, batch: int) -> tuple[int, float]:
    dumps: list[tuple[str, Sequence[str], list[tuple[Any, ...]]]] = []
    with source.connect() as connection:
        for table in TABLES:
            names = _columns(table)
            listed = ", ".join(f'"{name}"' for name in names)
            query = f'SELECT {listed} FROM "{table.name}"{_where(table)}'
            rows = [tuple(row) for row in connection.exec_driver_sql(query)]
            dumps.append((table.name, names, rows))
    started = time.perf_counter()
    for name, columns, stored in dumps:
        listed = ", ".join(f'"{column}"' for column in columns)
        marks = ", ".join("?" for _ in columns)
        statement = f'INSERT INTO "{name}" ({listed}) VALUES ({marks})'
        for start in range(0, len(stored), batch):
            with target.begin() as connection:
                connection.exec_driver_sql(statement, stored[start : start + batch])
    return len(dumps[0][2]), time.perf_counter() - started
