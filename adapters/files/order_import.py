"""Streaming an order file through the import use case, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from attrs import frozen

from adapters.files import orders_csv
from adapters.files.cdnow import CdnowParser
from adapters.files.error_report import ErrorReport, RowError
from adapters.files.source import TextSource
from application.orders.importing import ImportOrders, OrderRow
from application.principal import Principal

BATCH_SIZE = 5000


@frozen
class ImportSummary:
    rows: int
    orders_created: int
    orders_unchanged: int
    customers_created: int
    rejected_rows: int
    errors: int
    report: Path | None
    encoding: str


def import_order_file(
    path: Path,
    *,
    use_case: ImportOrders,
    actor: Principal,
    format: str = "cdnow",
    create_missing_customers: bool = True,
    encoding: str | None = None,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> ImportSummary:
    """Import an order file (``cdnow`` or ``csv``); ``on_progress`` gets bytes read and size."""
    source = TextSource(path, encoding)
    totals = {"rows": 0, "created": 0, "unchanged": 0, "customers": 0}
    with ErrorReport(path) as report:
        batch: list[OrderRow] = []
        raw: dict[int, dict[str, str]] = {}
        column_of = CdnowParser.column_of if format == "cdnow" else orders_csv.column_of

        def flush() -> None:
            result = use_case(actor, batch, create_missing_customers=create_missing_customers)
            totals["created"] += result.orders_created
            totals["unchanged"] += result.orders_unchanged
            totals["customers"] += result.customers_created
            for rejected in result.problems:
                column = column_of(rejected.problem.field)
                report.add(
                    RowError(
                        rejected.row,
                        column,
                        raw[rejected.row].get(column, ""),
                        rejected.problem.message,
                        rejected.problem.code.value,
                    )
                )
            batch.clear()
            raw.clear()
            on_progress(source.bytes_read, source.size)

        unreadable: list[RowError] = []
        records = (
            _cdnow_records(source, unreadable)
            if format == "cdnow"
            else orders_csv.order_records(source, unreadable)
        )
        for number, parsed, values in records:
            totals["rows"] += 1
            if isinstance(parsed, list):
                for error in parsed:
                    report.add(error)
                continue
            batch.append(parsed)
            raw[number] = values
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        for error in unreadable:
            report.add(error)
        totals["rows"] += len({error.row for error in unreadable})
        on_progress(source.size, source.size)
    return ImportSummary(
        rows=totals["rows"],
        orders_created=totals["created"],
        orders_unchanged=totals["unchanged"],
        customers_created=totals["customers"],
        rejected_rows=len(report.rows),
        errors=report.count,
        report=report.path if report.count else None,
        encoding=source.encoding,
    )


def _cdnow_records(source: TextSource, unreadable: list[RowError]) -> Iterator[orders_csv.Record]:
    parser = CdnowParser()
    for number, line in enumerate(source.lines(), start=1):
        if error := source.encoding_error(number, number, line.strip()):
            unreadable.append(error)
            continue
        parsed = parser.parse(number, line)
        if parsed is not None:
            yield number, parsed, parser.values(line)
