"""Orders from CSV: lines grouped into orders, bad orders reported, unknown customers refused."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from adapters.files.order_import import import_order_file
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.orders.bundle import Orders
from application.principal import Principal
from bootstrap import Container
from domain.access.visibility import EVERYTHING

SYSTEM = Principal.system()
ORDERS = (
    "order_id,customer_email,placed_at,currency,status,total,sku,name,quantity,unit_price\n"
    "A-1,ada@example.com,2026-03-01T10:00:00+01:00,EUR,paid,,cd-1,Kind of Blue,2,9.99\n"
    "A-1,ada@example.com,2026-03-01T10:00:00+01:00,EUR,paid,,cd-2,Blue Train,1,12.50\n"
    "A-2,ada@example.com,2026-03-02,JPY,placed,1500,gift,Gift card,1,1500\n"
    "A-3,ada@example.com,2026-03-03,XYZ,paid,,cd-1,Kind of Blue,1,9.99\n"
    "A-4,ada@example.com,2026-03-04,USD,paid,,cd-1,Kind of Blue,-2,9.99\n"
    "A-5,nobody@example.com,2026-03-05,USD,paid,,cd-1,Kind of Blue,1,9.99\n"
    "A-6,ada@example.com,yesterday,USD,paid,,cd-1,Kind of Blue,1,9.99\n"
)


def test_orders_csv_groups_lines_and_reports_bad_orders(
    container: Container, tmp_path: Path
) -> None:
    container.use(Customers).create(SYSTEM, NewCustomer(first_name="Ada", email="ada@example.com"))
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")

    summary = import_order_file(
        path,
        use_case=container.use(Orders).import_rows,
        actor=SYSTEM,
        format="csv",
        create_missing_customers=False,
    )

    assert (summary.orders_created, summary.rejected_rows) == (2, 4)
    totals = {
        t.currency: (t.orders, t.total)
        for t in container.storage.order_reader().totals(visible=EVERYTHING)
    }
    assert totals == {"EUR": (1, Decimal("32.48")), "JPY": (1, Decimal("1500"))}
    assert summary.report is not None
    with summary.report.open(encoding="utf-8") as report:
        problems = {(int(r["row"]), r["column"], r["code"]) for r in csv.DictReader(report)}
    assert problems == {
        (5, "currency", "INVALID"),
        (6, "quantity", "INVALID"),
        (7, "customer_email", "NOT_FOUND"),
        (8, "placed_at", "INVALID"),
    }

    again = import_order_file(
        path,
        use_case=container.use(Orders).import_rows,
        actor=SYSTEM,
        format="csv",
        create_missing_customers=False,
    )
    assert (again.orders_created, again.orders_unchanged) == (0, 2)


def test_an_order_line_that_is_not_valid_in_the_files_encoding_is_a_reported_row(
    container: Container, tmp_path: Path
) -> None:
    container.use(Customers).create(SYSTEM, NewCustomer(first_name="Ada", email="ada@example.com"))
    path = tmp_path / "orders.csv"
    header, first, second, *_ = ORDERS.splitlines(keepends=True)
    gift = "B-1,ada@example.com,2026-03-02,CNY,paid,,gift,礼品卡,1,100\n"
    path.write_bytes((header + first + second).encode() + gift.encode("gb18030"))

    summary = import_order_file(
        path, use_case=container.use(Orders).import_rows, actor=SYSTEM, format="csv"
    )

    assert (summary.rows, summary.orders_created, summary.rejected_rows) == (2, 1, 1)
    assert summary.report is not None
    with summary.report.open(encoding="utf-8") as report:
        [problem] = csv.DictReader(report)
    assert (problem["row"], problem["code"]) == ("4", "INVALID_ENCODING")
    assert [t.currency for t in container.storage.order_reader().totals(visible=EVERYTHING)] == [
        "EUR"
    ]
