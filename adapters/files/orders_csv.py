"""Orders as CSV: one row per order line, the lines of one order on consecutive rows.

Columns: ``order_id``, ``customer_email`` or ``customer_external_id``, ``placed_at`` (ISO
date or date-time; UTC when no offset is given), ``currency``, ``status`` (``placed`` or
``paid``), ``total`` (optional: what was charged, when it differs from the lines), ``sku``,
``name``, ``quantity``, ``unit_price``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from adapters.files.error_report import RowError
from adapters.files.records import csv_records
from adapters.files.source import TextSource
from application.orders.commands import NewOrder, NewOrderLine
from application.orders.importing import OrderRow

REQUIRED = ("order_id", "placed_at", "currency", "sku", "name", "quantity", "unit_price")
Record = tuple[int, OrderRow | list[RowError], dict[str, str]]


def column_of(field: str) -> str:
    """The column a use-case field (``lines.2.quantity``, ``total``) came from."""
    if field.startswith("customer"):
        return "customer_email"
    if field.startswith("lines."):
        return {"unitPrice": "unit_price"}.get(field.rsplit(".", 1)[1], field.rsplit(".", 1)[1])
    return {"externalId": "order_id", "placedAt": "placed_at"}.get(field, field)


def order_records(source: TextSource, report_malformed: list[RowError]) -> Iterator[Record]:
    """One record per order, numbered by the row of its first line."""
    records = csv_records(source)
    header = next(records, None)
    if isinstance(header, RowError):
        report_malformed.append(header)
        return
    names = header[1] if header else []
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        report_malformed.append(
            RowError(1, ",".join(missing), "", "required columns are missing", "REQUIRED")
        )
        return
    group: list[tuple[int, dict[str, str]]] = []
    for record in records:
        if isinstance(record, RowError):
            report_malformed.append(record)
            continue
        start, cells = record
        if len(cells) != len(names):
            report_malformed.append(
                RowError(start, "", "", "the row has a different number of columns", "INVALID")
            )
            continue
        values = dict(zip(names, cells, strict=True))
        if group and values["order_id"] != group[0][1]["order_id"]:
            yield _order(group)
            group = []
        group.append((start, values))
    if group:
        yield _order(group)


def _order(group: list[tuple[int, dict[str, str]]]) -> Record:
    row, first = group[0]
    errors: list[RowError] = []
    placed_at = _moment(first["placed_at"])
    if placed_at is None:
        errors.append(
            RowError(
                row, "placed_at", first["placed_at"], "must be an ISO date or date-time", "INVALID"
            )
        )
    status = first.get("status", "paid").strip().lower() or "paid"
    if status not in ("placed", "paid"):
        errors.append(RowError(row, "status", status, "must be placed or paid", "INVALID"))
    lines = []
    for number, values in group:
        try:
            quantity = int(values["quantity"])
        except ValueError:
            errors.append(
                RowError(
                    number, "quantity", values["quantity"], "must be a whole number", "INVALID"
                )
            )
            continue
        lines.append(
            NewOrderLine(
                sku=values["sku"],
                name=values["name"],
                quantity=quantity,
                unit_price=values["unit_price"],
            )
        )
    if errors or placed_at is None:
        return row, errors, first
    email = first.get("customer_email", "").strip() or None
    external = first.get("customer_external_id", "").strip() or None
    return (
        row,
        OrderRow(
            row=row,
            customer_email=email,
            customer_external_id=external,
            order=NewOrder(
                customer_id="",
                placed_at=placed_at,
                currency=first["currency"],
                lines=lines,
                total=first.get("total", "").strip() or None,
                paid=status == "paid",
                external_id=first["order_id"].strip() or None,
            ),
        ),
        first,
    )


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
