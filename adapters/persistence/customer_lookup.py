"""Customer references resolved with set-based queries in the unit of work's transaction."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import bindparam, select

from adapters.persistence.tables import customer_external_ids, customers
from adapters.persistence.transaction import SqlTransaction
from application.customers.lookup import CustomerStatus
from domain.customers import EmailAddress

_STATUSES = select(customers.c.id, customers.c.archived_at).where(
    customers.c.id.in_(bindparam("ids", expanding=True))
)
_BY_EMAILS = select(customers.c.email, customers.c.id).where(
    customers.c.email.in_(bindparam("emails", expanding=True)), customers.c.archived_at.is_(None)
)

_BY_EXTERNAL_ID = select(customer_external_ids.c.customer_id).where(
    customer_external_ids.c.source == bindparam("source"),
    customer_external_ids.c.external_id == bindparam("value"),
)


class SqlCustomerLookup:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def statuses(self, ids: Collection[str]) -> Mapping[str, CustomerStatus]:
        if not ids:
            return {}
        rows = self._session.execute(_STATUSES, {"ids": list(ids)})
        return {
            row.id: CustomerStatus.ACTIVE if row.archived_at is None else CustomerStatus.ARCHIVED
            for row in rows
        }

    def ids_by_email(self, emails: Collection[EmailAddress]) -> Mapping[EmailAddress, str]:
        if not emails:
            return {}
        rows = self._session.execute(_BY_EMAILS, {"emails": list(emails)})
        return {row.email: row.id for row in rows}

    def by_external_id(self, source: str, value: str) -> str | None:
        found = self._session.execute(_BY_EXTERNAL_ID, {"source": source, "value": value})
        return found.scalar()
