"""Checking batches of CSV records, in this process or in worker processes.

Checking a row (email, phone, external ids) needs no storage and is most of an import's
CPU time: phonenumbers alone spends some 35 µs on a number. With workers, batches are
checked in other processes while this one stores the batches before them, in file order.
Results cross the process boundary as plain tuples, which unpickle several times faster
than the attrs objects they describe.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Protocol, Self

from adapters.files.records import Record
from application.customers.importing import (
    CheckedRow,
    CheckedRows,
    CustomerRow,
    CustomerRowChecker,
    RowProblem,
)
from domain.customers import EmailAddress, ExternalId, PhoneNumber
from domain.errors import ErrorCode, Problem

Wire = tuple[list[tuple[Any, ...]], list[tuple[int, str, str, str]], float]


class RowMapping(Protocol):
    def row(self, number: int, values: dict[str, str]) -> CustomerRow: ...


GC_THRESHOLD = 100_000
"""Allocations between young-generation collections while importing (Python's default is
700): rows are acyclic, and each collection also walks every older object that survived."""


def check_records(
    checker: CustomerRowChecker, columns: RowMapping, headers: Sequence[str], records: list[Record]
) -> CheckedRows:
    """Map ``records`` to rows and check them."""
    return checker(
        [columns.row(number, dict(zip(headers, cells, strict=True))) for number, cells in records]
    )


def check_in_worker(
    checker: CustomerRowChecker, columns: RowMapping, headers: Sequence[str], records: list[Record]
) -> Wire:
    """:func:`check_records` in a worker: the result in wire form, with the seconds it took."""
    started = time.perf_counter()
    checked = check_records(checker, columns, headers, records)
    return _encode(checked, time.perf_counter() - started)


def _encode(checked: CheckedRows, seconds: float) -> Wire:
    rows = [
        (
            item.row.row,
            item.row.first_name,
            item.row.last_name,
            item.row.email,
            item.row.phone,
            item.row.external_ids,
            dict(item.row.custom_fields),
            item.email.value if item.email else None,
            item.phone.e164 if item.phone else None,
            tuple((identity.source, identity.value) for identity in item.external_ids),
        )
        for item in checked.rows
    ]
    problems = [
        (p.row, p.problem.field, p.problem.code.value, p.problem.message) for p in checked.problems
    ]
    return rows, problems, seconds


def decode(wire: Wire) -> tuple[CheckedRows, float]:
    encoded_rows, encoded_problems, seconds = wire
    rows = tuple(
        CheckedRow(
            CustomerRow(
                row=number,
                first_name=first,
                last_name=last,
                email=raw_email,
                phone=raw_phone,
                external_ids=raw_ids,
                custom_fields=custom,
            ),
            EmailAddress(email) if email is not None else None,
            PhoneNumber(phone) if phone is not None else None,
            tuple(ExternalId(source, value) for source, value in ids),
        )
        for number, first, last, raw_email, raw_phone, raw_ids, custom, email, phone, ids in (
            encoded_rows
        )
    )
    problems = tuple(
        RowProblem(row, Problem(field, ErrorCode(code), message))
        for row, field, code, message in encoded_problems
    )
    return CheckedRows(rows, problems), seconds


class BatchChecker:
    """Checks batches and hands them to ``store`` in the order they were given.

    With ``workers`` > 0 up to ``workers + 1`` batches are in flight at once, so the
    workers check while this process stores; with 0 each batch is checked here.
    """

    def __init__(
        self,
        checker: CustomerRowChecker,
        columns: RowMapping,
        headers: Sequence[str],
        store: Callable[[CheckedRows], None],
        *,
        workers: int = 0,
    ) -> None:
        self._checker = checker
        self._columns = columns
        self._headers = list(headers)
        self._store = store
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._in_flight: deque[Future[Wire]] = deque()
        self.check_seconds = 0.0
        self.store_seconds = 0.0
        self.wait_seconds = 0.0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, records: list[Record]) -> None:
        if self._workers <= 0:
            started = time.perf_counter()
            checked = check_records(self._checker, self._columns, self._headers, records)
            self._finish(checked, time.perf_counter() - started)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        self._in_flight.append(
            self._pool.submit(check_in_worker, self._checker, self._columns, self._headers, records)
        )
        while len(self._in_flight) > self._workers:
            self._collect()

    def drain(self) -> None:
        while self._in_flight:
            self._collect()

    def _collect(self) -> None:
        started = time.perf_counter()
        wire = self._in_flight.popleft().result()
        self.wait_seconds += time.perf_counter() - started
        self._finish(*decode(wire))

    def _finish(self, checked: CheckedRows, seconds: float) -> None:
        self.check_seconds += seconds
        started = time.perf_counter()
        self._store(checked)
        self.store_seconds += time.perf_counter() - started


def _start_worker() -> None:
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the young-generation garbage collector less often while the block runs.

    The threshold is process-wide: the first of overlapping imports raises it and the last
    to finish puts it back.
    """
    with _collections_lock:
        if not _importing:
            _saved.append(gc.get_threshold())
            gc.set_threshold(max(_saved[-1][0], GC_THRESHOLD), *_saved[-1][1:])
        _importing.append(None)
    try:
        yield
    finally:
        with _collections_lock:
            _importing.pop()
            if not _importing:
                gc.set_threshold(*_saved.pop())


_collections_lock = threading.Lock()
_importing: list[None] = []
_saved: list[tuple[int, int, int]] = []
