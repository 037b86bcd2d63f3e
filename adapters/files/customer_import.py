"""Customer CSV files: which column is which field, and streaming them through the import."""

from __future__ import annotations

import csv
import re
import time
import tomllib
from collections.abc import Callable, Collection
from pathlib import Path

from attrs import field, frozen

from adapters.files.checking import BatchChecker, fewer_collections
from adapters.files.error_report import ErrorReport, RowError
from adapters.files.records import csv_records
from adapters.files.safe_csv import restore
from adapters.files.source import TextSource
from application.customers.file_import import FileImportOutcome, RowProblem
from application.customers.file_keys import FileKeys
from application.customers.importing import (
    CheckedRows,
    CustomerRow,
    ImportCustomers,
    require_import,
)
from application.principal import Principal
from domain.errors import ErrorCode, InvalidValue

BATCH_SIZE = 5000
"""Rows per transaction: a batch is stored whole or not at all."""
FIELDS = ("first_name", "last_name", "email", "phone")
_ALIASES = {
    "firstname": "first_name",
    "givenname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "email": "email",
    "emailaddress": "email",
    "phone": "phone",
    "phonenumber": "phone",
    "mobile": "phone",
}
_API_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "phone": "phone",
}


class MappingError(ValueError):
    pass


@frozen
class ColumnMapping:
    """Header → target: a built-in field, ``external_id:<source>``, ``custom:<key>`` or ``ignore``."""

    targets: dict[str, str]

    @classmethod
    def from_toml(cls, path: Path) -> ColumnMapping:
        with path.open("rb") as file:
            document = tomllib.load(file)
        columns = document.get("columns")
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise MappingError(f'{path}: expected a [columns] table of header = "target"')
        for header, target in columns.items():
            _check_target(header, target)
        return cls(dict(columns))

    @classmethod
    def infer(cls, headers: list[str], custom_fields: Collection[str] = ()) -> ColumnMapping:
        """Built-in fields by their usual names, ``external_id:<source>`` headers, and custom
        fields by key; any other column is ignored."""
        targets = {}
        for header in headers:
            squashed = re.sub(r"[^a-z0-9]", "", header.lower())
            if squashed in _ALIASES:
                targets[header] = _ALIASES[squashed]
            elif header.lower().startswith("external_id:"):
                targets[header] = header.lower()
            elif header.startswith("custom:") and header[7:] in custom_fields:
                targets[header] = header
            elif (key := re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")) in custom_fields:
                targets[header] = f"custom:{key}"
            else:
                targets[header] = "ignore"
        return cls(targets)

    def column_for(self, field: str) -> str:
        """The header that a use-case field (``email``, ``customFields.tier``) came from."""
        wanted = _API_FIELDS.get(field)
        if field.startswith("customFields."):
            wanted = "custom:" + field.split(".", 1)[1]
        for header, target in self.targets.items():
            if target == wanted or (field == "externalIds" and target.startswith("external_id:")):
                return header
        return ""

    def row(self, number: int, values: dict[str, str]) -> CustomerRow:
        fields: dict[str, str | None] = dict.fromkeys(FIELDS)
        external: list[str] = []
        custom_fields: dict[str, object] = {}
        for header, target in self.targets.items():
            # A cell that Rapport's own export neutralised reads back as what was exported.
            value = restore(values.get(header, "").strip())
            if not value or target == "ignore":
                continue
            if target in FIELDS:
                fields[target] = value
            elif target.startswith("external_id:"):
                external.append(f"{target.split(':', 1)[1]}:{value}")
            elif target.startswith("custom:"):
                custom_fields[target.split(":", 1)[1]] = value
        return CustomerRow(
            row=number,
            first_name=fields["first_name"],
            last_name=fields["last_name"],
            email=fields["email"],
            phone=fields["phone"],
            external_ids=tuple(external),
            custom_fields=custom_fields,
        )


def _check_target(header: str, target: str) -> None:
    if target in (*FIELDS, "ignore"):
        return
    prefix, _, rest = target.partition(":")
    if prefix in ("external_id", "custom") and rest:
        return
    raise MappingError(
        f"column {header!r}: {target!r} is not a field; use one of {', '.join(FIELDS)}, "
        "external_id:<source>, custom:<key> or ignore"
    )


@frozen
class CustomerImportSummary:
    rows: int
    created: int
    updated: int
    unchanged: int
    merged: int
    rejected_rows: int
    errors: int
    report: Path | None
    encoding: str
    seconds: dict[str, float] = field(factory=dict)
    """Where the time went: ``parse`` (reading the file), ``check`` (emails, phones and
    external ids; summed over the workers when there are any), ``store`` (matching, saving
    and committing) and ``wait`` (for workers to finish a batch)."""


def import_customer_file(
    path: Path,
    *,
    use_case: ImportCustomers,
    actor: Principal,
    mapping: ColumnMapping | None = None,
    encoding: str | None = None,
    auto_merge: bool = False,
    batch_size: int = BATCH_SIZE,
    workers: int = 0,
    on_progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> CustomerImportSummary:
    """Import ``path`` a batch at a time, each batch in one transaction.

    With ``workers`` > 0, batches are checked in that many worker processes while this one
    stores the batches before them; the outcome is the same as with none.
    """
    require_import(actor)
    source = TextSource(path, encoding)
    counts = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "merged": 0}
    started = time.perf_counter()
    with ErrorReport(path) as report, fewer_collections():
        records = csv_records(source)
        headers = next(records, None)
        if headers is None:
            return CustomerImportSummary(0, 0, 0, 0, 0, 0, 0, None, source.encoding)
        if isinstance(headers, RowError):
            # Without the header no column can be trusted to be what it seems.
            raise InvalidValue(
                "file", ErrorCode(headers.code), f"the header (row {headers.row}) {headers.message}"
            )
        names = headers[1]
        columns = mapping or ColumnMapping.infer(names, use_case.custom_fields())
        raw: dict[int, list[str]] = {}
        earlier = FileKeys()

        def store(checked: CheckedRows) -> None:
            result = use_case.store(actor, checked, auto_merge=auto_merge, earlier=earlier)
            counts["merged"] += result.merged
            counts["created"] += result.created
            counts["updated"] += result.updated
            counts["unchanged"] += result.unchanged
            for rejected in result.problems:
                column = columns.column_for(rejected.problem.field)
                values = dict(zip(names, raw[rejected.row], strict=True))
                report.add(
                    RowError(
                        rejected.row,
                        column or rejected.problem.field,
                        values.get(column, ""),
                        rejected.problem.message,
                        rejected.problem.code.value,
                    )
                )
            for item in checked.rows:
                raw.pop(item.row.row, None)
            for problem in checked.problems:
                raw.pop(problem.row, None)
            on_progress(source.bytes_read, source.size)

        batch: list[tuple[int, list[str]]] = []
        with BatchChecker(use_case.checker, columns, names, store, workers=workers) as checking:
            for record in records:
                counts["rows"] += 1
                if isinstance(record, RowError):
                    report.add(record)
                    continue
                number, cells = record
                if len(cells) != len(names):
                    report.add(
                        RowError(
                            number,
                            "",
                            ",".join(cells),
                            f"expected {len(names)} columns, found {len(cells)}",
                            ErrorCode.INVALID.value,
                        )
                    )
                    continue
                raw[number] = cells
                batch.append((number, cells))
                if len(batch) >= batch_size:
                    checking.submit(batch)
                    batch = []
            if batch:
                checking.submit(batch)
            checking.drain()
        on_progress(source.size, source.size)
    elapsed = time.perf_counter() - started
    main_seconds = checking.store_seconds + checking.wait_seconds
    if workers <= 0:
        main_seconds += checking.check_seconds
    return CustomerImportSummary(
        rows=counts["rows"],
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        merged=counts["merged"],
        rejected_rows=len(report.rows),
        errors=report.count,
        report=report.path if report.count else None,
        encoding=source.encoding,
        seconds={
            "parse": max(0.0, elapsed - main_seconds),
            "check": checking.check_seconds,
            "store": checking.store_seconds,
            "wait": checking.wait_seconds,
        },
    )


@frozen
class CustomerFileImporter:
    """A whole customer file imported, and its error report read back: the
    ``ImportCustomerFile`` port for callers that hold no files of their own (the API)."""

    rows: ImportCustomers

    def __call__(
        self,
        path: Path,
        *,
        actor: Principal,
        auto_merge: bool = False,
        encoding: str | None = None,
        max_problems: int = 100,
    ) -> FileImportOutcome:
        summary = import_customer_file(
            path, use_case=self.rows, actor=actor, auto_merge=auto_merge, encoding=encoding
        )
        problems = _first_problems(summary.report, max_problems) if summary.report else []
        return FileImportOutcome(
            rows=summary.rows,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
            merged=summary.merged,
            rejected_rows=summary.rejected_rows,
            errors=summary.errors,
            problems=problems,
        )


def _first_problems(report: Path, limit: int) -> list[RowProblem]:
    with report.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    rows.sort(key=lambda r: int(r["row"]))
    return [
        RowProblem(
            row=int(r["row"]),
            column=restore(r["column"]),
            value=restore(r["value"]),
            message=restore(r["message"]),
            code=r["code"],
        )
        for r in rows[:limit]
    ]
