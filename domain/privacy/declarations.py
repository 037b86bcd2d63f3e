"""How a store of records declares the personal data it holds about a customer.

Every table (or in-memory collection) declares one ``PersonalData``: which columns name the
customer, whether the rows go on erasure, and, for rows that stay, how each personal column
is erased and which are not personal. A contract test fails for any text column left out,
so a module added later cannot forget its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from attrs import field, frozen


class Erase(StrEnum):
    NULL = "null"
    """The column is emptied (SQL NULL)."""
    PSEUDONYM = "pseudonym"
    """The column takes a fixed stand-in value, the same for everyone erased."""


@frozen
class ColumnRule:
    """How one personal column of a kept row is erased."""

    erase: Erase
    value: object = None


def pseudonym(value: object) -> ColumnRule:
    return ColumnRule(Erase.PSEUDONYM, value)


emptied = ColumnRule(Erase.NULL)
blank = pseudonym("")


@frozen(kw_only=True)
class PersonalData:
    """Where one table keeps a customer's personal data, and how it is erased."""

    found_by: tuple[str, ...] = ()
    """Columns holding the id of the customer a row is about."""
    mentioned_in: tuple[str, ...] = ()
    """Text or JSON columns that may mention the customer (a payload); such rows are
    deleted too."""
    delete_rows: bool = True
    """Whether the rows about the customer go; if not, ``columns`` says what is erased."""
    columns: Mapping[str, ColumnRule] = field(factory=dict)
    """For kept rows: how each personal column is erased."""
    not_personal: tuple[str, ...] = ()
    """For kept rows: the text columns that hold nothing about the person."""
    exported: bool = True
    """Whether the rows are part of the customer's data export (not delivery plumbing)."""

    @property
    def about_customers(self) -> bool:
        return bool(self.found_by or self.mentioned_in)

    def covers(self, column: str) -> bool:
        """Whether the declaration says what ``column`` holds."""
        if not self.about_customers or self.delete_rows:
            return True
        return (
            column in self.columns
            or column in self.not_personal
            or column in self.found_by
            or column in self.mentioned_in
        )


NOT_PERSONAL = PersonalData(delete_rows=False)
"""A table that holds nothing about any customer (configuration, staff, catalogues)."""

ERASED_BY_ITS_MODULE = PersonalData(delete_rows=False, exported=False)
"""A table whose module erases a person itself, after the erasure commits (the audit log
redacts the values of every record that named them, keeping who did what when)."""
