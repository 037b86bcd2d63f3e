"""What the customer use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

from application.custom_fields.ports import CustomValuesInUse
from application.customers.views import CustomerFilter, CustomerOrder, CustomerView
from application.records import RecordReader
from domain.access.visibility import Visibility
from domain.customers import Customer, EmailAddress, ExternalId


class CustomerRepository(CustomValuesInUse, Protocol):
    """Customers inside a unit of work: loaded for change, saved on commit."""

    def add(self, customer: Customer) -> None: ...

    def add_many(self, customers: Sequence[Customer]) -> None:
        """Store new customers in bulk; the caller has checked them already."""
        ...

    def get(self, customer_id: str) -> Customer | None: ...

    def get_many(self, customer_ids: Collection[str]) -> dict[str, Customer]:
        """The customers with these ids, loaded for change as ``get`` loads them, in a few
        statements; unknown ids are left out."""
        ...

    def get_by_email(self, email: EmailAddress) -> Customer | None:
        """The active (not archived) customer with this address, if any."""
        ...

    def emails_in_use(self, emails: Collection[EmailAddress]) -> set[EmailAddress]:
        """Which of ``emails`` active customers already have."""
        ...

    def find_by_emails(self, emails: Collection[EmailAddress]) -> dict[EmailAddress, str]:
        """The id of the active customer who has each known email."""
        ...

    def find_by_external_ids(self, external_ids: Collection[ExternalId]) -> dict[ExternalId, str]:
        """The id of the customer each known external id belongs to."""
        ...


class CustomerReader(RecordReader[CustomerFilter, CustomerOrder, CustomerView], Protocol):
    """Read-only queries over customers, outside any unit of work."""

    def ids_matching(self, where: CustomerFilter, *, visible: Visibility) -> set[str]:
        """The ids of every customer matching ``where``, in one statement: for bulk work."""
        ...

    def duplicate_pairs(self, *, visible: Visibility) -> Sequence[tuple[str, str, str]]:
        """``(id, other id, key)`` for active customers sharing an email key or a phone,
        both of them admitted by ``visible``."""
        ...

    def external_ids_of(
        self, ids: Iterable[str], *, visible: Visibility
    ) -> Mapping[str, Sequence[str]]:
        """``source:value`` of each customer's external ids, sorted; none for unknown ids."""
        ...

    def first_of_companies(
        self, company_ids: Collection[str], limit: int, *, visible: Visibility
    ) -> Mapping[str, Sequence[CustomerView]]:
        """The first ``limit`` visible active customers of each company in ``CustomerOrder()``
        (oldest first), in one query; every id is a key."""
        ...

    def count_of_companies(
        self, company_ids: Collection[str], *, visible: Visibility
    ) -> Mapping[str, int]:
        """How many visible active customers each company has, in one query; every id is a key."""
        ...
