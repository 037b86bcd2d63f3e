"""Checking rows in worker processes: the same outcome, row for row, as checking them here."""

from __future__ import annotations

import csv
import gc
from pathlib import Path

from adapters.files.checking import (
    GC_THRESHOLD,
    _encode,
    check_records,
    decode,
    fewer_collections,
)
from adapters.files.customer_import import ColumnMapping, import_customer_file
from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import NewCustomField
from application.customers.bundle import Customers
from application.customers.commands import ContactParser
from application.customers.importing import CustomerRowChecker
from application.principal import Principal
from bench.customer_file import HEADERS, PLANS, write_customer_file
from bootstrap import Container
from domain.custom_fields import FieldType, ObjectType
from tests.files.test_customer_import import export

SYSTEM = Principal.system()


def define_fields(container: Container) -> None:
    define = container.use(CustomFields).define
    define(
        SYSTEM,
        NewCustomField(
            object_type=ObjectType.CUSTOMER,
            key="plan",
            label="Plan",
            field_type=FieldType.SINGLE_CHOICE,
            choices=PLANS,
        ),
    )
    define(
        SYSTEM,
        NewCustomField(
            object_type=ObjectType.CUSTOMER,
            key="signup_date",
            label="Signup date",
            field_type=FieldType.DATE,
        ),
    )


def records(path: Path) -> list[tuple[int, list[str]]]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    return [(n, cells) for n, cells in enumerate(rows[1:], start=2) if len(cells) == len(HEADERS)]


def test_checked_rows_cross_the_process_boundary_unchanged(tmp_path: Path) -> None:
    file = write_customer_file(tmp_path / "people.csv", 400)
    columns = ColumnMapping.infer(list(HEADERS), {"plan", "signup_date"})
    checker = CustomerRowChecker(ContactParser("US"))
    checked = check_records(checker, columns, HEADERS, records(file.path))
    assert checked.problems  # the file's bad emails and phones
    assert decode(_encode(checked, 0.5)) == (checked, 0.5)


def report(path: Path | None) -> list[dict[str, str]]:
    assert path is not None
    with path.open(encoding="utf-8") as file:
        return sorted(csv.DictReader(file), key=lambda line: (int(line["row"]), line["column"]))


def customers(container: Container) -> list[dict[str, str]]:
    """The export without what differs between two databases: ids and times."""
    rows = [
        {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")}
        for row in export(container)
    ]
    return sorted(rows, key=lambda row: row["email"])


def test_workers_report_the_same_problems_and_store_the_same_customers(
    container: Container, other_container: Container, tmp_path: Path
) -> None:
    file = write_customer_file(tmp_path / "people.csv", 900, seed=3)
    outcomes = []
    for workers, target in ((0, container), (1, other_container)):
        define_fields(target)
        summary = import_customer_file(
            file.path,
            use_case=target.use(Customers).import_rows,
            actor=SYSTEM,
            batch_size=200,
            workers=workers,
        )
        assert (summary.created, summary.rejected_rows) == (file.good_rows, len(file.bad))
        outcomes.append((report(summary.report), customers(target)))
    assert outcomes[0] == outcomes[1]
    assert {int(line["row"]) for line in outcomes[0][0]} == set(file.bad)


def test_importing_the_file_again_with_workers_changes_nothing(
    container: Container, tmp_path: Path
) -> None:
    define_fields(container)
    file = write_customer_file(tmp_path / "people.csv", 500, seed=5)
    use_case = container.use(Customers).import_rows
    import_customer_file(file.path, use_case=use_case, actor=SYSTEM, batch_size=100)
    before = export(container)
    again = import_customer_file(
        file.path, use_case=use_case, actor=SYSTEM, batch_size=100, workers=1
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, file.good_rows)
    assert export(container) == before


def test_rows_repeating_an_earlier_batchs_keys_are_reported_with_workers_too(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "repeats.csv"
    path.write_text(
        "email,first_name,external_id:shop\n"
        + "".join(f"p{n}@example.com,P{n},{n}\n" for n in range(6))
        + "P1@EXAMPLE.com,Again,\n"
        + "fresh@example.com,Again,4\n",
        encoding="utf-8",
    )
    summary = import_customer_file(
        path, use_case=container.use(Customers).import_rows, actor=SYSTEM, batch_size=2, workers=2
    )
    assert (summary.rows, summary.created, summary.rejected_rows) == (8, 6, 2)
    assert [(line["row"], line["code"], line["message"]) for line in report(summary.report)] == [
        ("8", "DUPLICATE_IN_FILE", "row 3 of this file has this email already"),
        ("9", "DUPLICATE_IN_FILE", "row 6 of this file has the external id shop:4 already"),
    ]
    assert {row["first_name"] for row in export(container)} == {f"P{n}" for n in range(6)}


def test_overlapping_imports_put_the_collector_back_as_it_was() -> None:
    before = gc.get_threshold()
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold()[0] >= GC_THRESHOLD
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] >= GC_THRESHOLD
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
