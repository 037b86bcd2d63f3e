"""The real CDNOW purchase log, end to end: counts, money to the cent, idempotence, bad rows."""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path

from adapters.files.order_import import import_order_file
from application.customers.bundle import Customers
from application.customers.views import CustomerFilter
from application.orders.bundle import Orders
from application.principal import Principal
from bootstrap import Container
from domain.access.visibility import EVERYTHING
from tests.files.conftest import CDNOW

ROWS, CUSTOMERS, DOLLARS = 69_659, 23_570, Decimal("2500315.63")


def _import(container: Container, path: Path):  # type: ignore[no-untyped-def]
    return import_order_file(
        path, use_case=container.use(Orders).import_rows, actor=Principal.system()
    )


def _dollars(container: Container) -> tuple[int, Decimal]:
    [usd] = container.storage.order_reader().totals(visible=EVERYTHING)
    assert usd.currency == "USD"
    return usd.orders, usd.total


def test_full_log_imports_every_purchase_to_the_cent_and_again_changes_nothing(
    container: Container, tmp_path: Path
) -> None:
    copy = tmp_path / CDNOW.name
    copy.write_bytes(CDNOW.read_bytes())
    first = _import(container, copy)
    assert (first.rows, first.orders_created, first.customers_created, first.errors) == (
        ROWS,
        ROWS,
        CUSTOMERS,
        0,
    )
    assert first.report is None
    assert _dollars(container) == (ROWS, DOLLARS)
    count = container.use(Customers).list.count
    assert count(Principal.system(), CustomerFilter()) == CUSTOMERS

    again = _import(container, copy)
    assert (again.orders_created, again.orders_unchanged, again.customers_created) == (0, ROWS, 0)
    assert _dollars(container) == (ROWS, DOLLARS)
    assert count(Principal.system(), CustomerFilter()) == CUSTOMERS


CORRUPTIONS = [
    lambda f: [f[0], "1997-01-01", f[2], f[3]],  # date in the wrong format
    lambda f: [f[0], "19970231", f[2], f[3]],  # no such day
    lambda f: [f[0], f[1], "-2", f[3]],  # negative quantity
    lambda f: [f[0], f[1], "0", f[3]],  # nothing bought
    lambda f: [f[0], f[1], f[2], "12,99"],  # not a number
    lambda f: [f[0], f[1], f[2], "1.999"],  # fractions of a cent
    lambda f: [f[0], f[1], f[2]],  # a column missing
    lambda f: [*f, "extra"],  # a column too many
    lambda f: ["A0001", f[1], f[2], f[3]],  # not a customer number
]


def test_corrupted_rows_are_reported_exactly_and_every_good_row_is_kept(
    container: Container, tmp_path: Path
) -> None:
    lines = CDNOW.read_bytes().split(b"\r\n")
    rng = random.Random(50)
    bad_rows = sorted(rng.sample(range(2, ROWS + 2), 50))
    lost = Decimal(0)
    for index, row in enumerate(bad_rows):
        fields = lines[row - 1].decode().split()
        lost += Decimal(fields[3])
        if index % 10 == 9:
            # Bytes that are neither UTF-8 nor meaningful: a mangled export.
            lines[row - 1] = lines[row - 1] + b"\xff\xfe"
        else:
            lines[row - 1] = " ".join(CORRUPTIONS[index % len(CORRUPTIONS)](fields)).encode()
    corrupted = tmp_path / "cdnow_corrupted.txt"
    corrupted.write_bytes(b"\r\n".join(lines))

    summary = _import(container, corrupted)

    assert summary.rejected_rows == 50
    assert summary.orders_created == ROWS - 50
    assert _dollars(container) == (ROWS - 50, DOLLARS - lost)
    assert summary.report is not None
    with summary.report.open(encoding="utf-8") as report:
        reported = list(csv.DictReader(report))
    assert sorted({int(line["row"]) for line in reported}) == bad_rows
    assert all(line["message"] and line["code"] for line in reported)
    assert {line["column"] for line in reported} >= {
        "date",
        "number_of_cds",
        "dollar_value",
        "customer_id",
    }
