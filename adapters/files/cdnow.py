"""The CDNOW purchase log: ``customer_id date number_of_cds dollar_value``, one purchase a line."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from adapters.files.error_report import RowError
from application.orders.commands import NewOrder, NewOrderLine
from application.orders.importing import OrderRow

COLUMNS = ("customer_id", "date", "number_of_cds", "dollar_value")
SOURCE = "cdnow"
_CUSTOMER = re.compile(r"^\d{1,10}$")
_AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
CENT = Decimal("0.01")


class CdnowParser:
    """Turns lines into order rows; each purchase gets a stable external id.

    The log has no order ids, and identical purchases on one day happen (255 of them), so
    the id is the purchase's own content plus how many identical ones came before it:
    importing the same file again finds every order already there.
    """

    def __init__(self) -> None:
        self._seen: Counter[tuple[str, ...]] = Counter()

    def parse(self, number: int, line: str) -> OrderRow | list[RowError] | None:
        """An order row, the errors of a bad line, or None for the header and blank lines."""
        fields = line.split()
        if not fields or (number == 1 and fields[0] == "customer_id"):
            return None
        if len(fields) != len(COLUMNS):
            return [
                RowError(
                    number,
                    "",
                    line.strip(),
                    f"expected {len(COLUMNS)} columns, found {len(fields)}",
                    "INVALID",
                )
            ]
        errors = []
        customer, day, cds, dollars = fields
        if not _CUSTOMER.match(customer):
            errors.append(RowError(number, "customer_id", customer, "must be digits", "INVALID"))
        try:
            placed_at = datetime.strptime(day, "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            errors.append(
                RowError(number, "date", day, "must be a date written YYYYMMDD", "INVALID")
            )
        if not cds.isdigit() or int(cds) < 1:
            errors.append(
                RowError(
                    number, "number_of_cds", cds, "must be a whole number of at least 1", "INVALID"
                )
            )
        if not _AMOUNT.match(dollars):
            errors.append(
                RowError(
                    number,
                    "dollar_value",
                    dollars,
                    "must be dollars with at most two decimals",
                    "INVALID",
                )
            )
        if errors:
            return errors
        key = (customer, day, cds, dollars)
        self._seen[key] += 1
        quantity = int(cds)
        total = Decimal(dollars)
        unit_price = (total / quantity).quantize(CENT, ROUND_HALF_EVEN)
        return OrderRow(
            row=number,
            customer_external_id=f"{SOURCE}:{int(customer):05d}",
            order=NewOrder(
                customer_id="",
                placed_at=placed_at,
                currency="USD",
                lines=(
                    NewOrderLine(
                        sku="cd", name="CDs", quantity=quantity, unit_price=str(unit_price)
                    ),
                ),
                total=str(total),
                paid=True,
                external_id=f"{SOURCE}:{customer}:{day}:{cds}:{dollars}:{self._seen[key]}",
            ),
        )

    @staticmethod
    def column_of(field: str) -> str:
        """The file column that a use-case field came from."""
        if field.startswith("customer"):
            return "customer_id"
        if field.endswith("quantity"):
            return "number_of_cds"
        if field in ("total", "currency") or field.endswith("unitPrice"):
            return "dollar_value"
        return "date" if field == "placedAt" else field

    @staticmethod
    def values(line: str) -> dict[str, str]:
        return dict(zip(COLUMNS, line.split(), strict=False))
