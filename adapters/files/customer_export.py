"""Customers as CSV, streamed a page at a time so any number fits in constant memory.

The columns are those the exporting actor's role may read: hidden fields are left out,
masked ones written masked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TextIO

from attrs import frozen

from adapters.files.safe_csv import Cell, SafeCsvWriter
from application.customers.queries import GetCustomers, ListCustomers
from application.customers.views import CustomerFilter, CustomerOrder
from application.field_security import custom_field, read_as
from application.pagination import MAX_PAGE_SIZE, PageRequest
from application.principal import Principal
from domain.access.roles import FieldAccess, Resource
from domain.custom_fields import FieldType

COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "external_ids",
    "owner_id",
    "created_at",
    "updated_at",
    "archived_at",
    "version",
)


def header(custom_fields: Sequence[str]) -> list[str]:
    """The built-in columns, then ``custom:<key>`` for each custom field, as import reads them."""
    return [*COLUMNS, *(f"custom:{key}" for key in custom_fields)]


def _field_of(column: str) -> str:
    """The field a column holds, as field rules name it."""
    kind, _, key = column.partition(":")
    return custom_field(key) if key and kind == "custom" else column


@frozen
class ExportedColumns:
    """The columns an actor's export holds: every one but those their role may not read,
    each with the access it is read with (masked ones are written masked)."""

    columns: Sequence[tuple[int, str, FieldAccess]]

    @classmethod
    def for_actor(cls, actor: Principal, custom_fields: Sequence[str]) -> ExportedColumns:
        readable = []
        for position, column in enumerate(header(custom_fields)):
            access = actor.field_access(Resource.CUSTOMERS, _field_of(column))
            if access is not FieldAccess.HIDDEN:
                readable.append((position, column, access))
        return cls(readable)

    @property
    def names(self) -> list[str]:
        return [column for _, column, _ in self.columns]

    def row(self, cells: Sequence[Cell]) -> list[Cell]:
        return [
            _as_read(access, _field_of(column), cells[position])
            for position, column, access in self.columns
        ]


def _as_read(access: FieldAccess, field_name: str, cell: Cell) -> Cell:
    if access.readable or cell == "":
        return cell
    masked = read_as(access, field_name, cell)
    return masked if isinstance(masked, str) else ""


def customer_rows(
    list_customers: ListCustomers,
    get_customers: GetCustomers,
    actor: Principal,
    where: CustomerFilter,
    custom_fields: Mapping[str, FieldType] | None = None,
) -> Iterator[list[Cell]]:
    """Every matching customer, oldest first, as CSV cells: numbers where the column is
    numeric (the version, number and decimal fields), text everywhere else."""
    fields = custom_fields or {}
    exported = ExportedColumns.for_actor(actor, list(fields))
    after: str | None = None
    while True:
        page = list_customers(
            actor, where, CustomerOrder(), PageRequest(first=MAX_PAGE_SIZE, after=after)
        )
        views = [edge.node for edge in page.edges]
        external = get_customers.external_ids(actor, [v.id for v in views])
        for view in views:
            yield exported.row(
                [
                    view.id,
                    view.first_name,
                    view.last_name,
                    view.email or "",
                    view.phone or "",
                    " ".join(external.get(view.id, ())),
                    view.owner_id,
                    view.created_at.isoformat(),
                    view.updated_at.isoformat(),
                    view.archived_at.isoformat() if view.archived_at else "",
                    view.version,
                    *(_cell(view.custom_fields.get(key), kind) for key, kind in fields.items()),
                ]
            )
        if not page.has_next_page:
            return
        after = page.end_cursor


def _cell(value: object, kind: FieldType) -> Cell:
    """A custom field's value; numbers of number and decimal fields stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind is FieldType.NUMBER and isinstance(value, int | float):
        return value
    if kind is FieldType.DECIMAL and isinstance(value, str):
        return _decimal(value)
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    return str(value)


def _decimal(text: str) -> Cell:
    """The number a decimal field stored, if it writes back exactly as stored; else the text
    (a value kept from before the field was defined), which is then neutralised."""
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text
    return number if number.is_finite() and format(number, "f") == text else text


def write_customers_csv(
    output: TextIO,
    list_customers: ListCustomers,
    get_customers: GetCustomers,
    actor: Principal,
    where: CustomerFilter,
    custom_fields: Mapping[str, FieldType] | None = None,
) -> int:
    """Write the matching customers to ``output``; returns how many."""
    rows = customer_rows(list_customers, get_customers, actor, where, custom_fields)
    # The first page is read before anything is written, so a refused filter writes nothing.
    first = next(rows, None)
    writer = SafeCsvWriter(output)
    writer.writerow(ExportedColumns.for_actor(actor, list(custom_fields or ())).names)
    if first is None:
        return 0
    writer.writerow(first)
    count = 1
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
