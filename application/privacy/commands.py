"""Erasing a customer, and exporting what is held about them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from attrs import field, frozen

from application.errors import NotFound
from application.ports import Clock
from application.principal import Principal
from application.privacy.ports import (
    PersonalDataReader,
    PersonalRecords,
    PrivacyUnitOfWork,
    PrivacyUnitOfWorkFactory,
    StorageCompaction,
)
from application.visibility import require_visible
from domain.access.roles import Permission, Resource
from domain.privacy import ERASED_CUSTOMER_ID, Erasure

NO_CUSTOMER = "no customer has this id"

AuditRedaction = Callable[[str, str], None]
"""``redact_object(object_type, object_id)`` of the audit log."""


def _no_audit_log(_object_type: str, _object_id: str) -> None:
    """Until an audit log is composed there is nothing to redact."""


def _visible_subjects(actor: Principal, uow: PrivacyUnitOfWork, customer_id: str) -> list[str]:
    """The customer and those merged into them, if the actor may see the customer."""
    customer = uow.customers.get(customer_id)
    if customer is not None:
        require_visible(
            actor,
            Resource.CUSTOMERS,
            customer.owner_id,
            customer.id,
            field="customerId",
            message=NO_CUSTOMER,
        )
    return _subjects(uow.personal_data.subjects, customer_id)


def _subjects(find: Callable[[str], list[str] | None], customer_id: str) -> list[str]:
    """The customer and those merged into them; the stand-in is no one to erase or export."""
    found = None if customer_id == ERASED_CUSTOMER_ID else find(customer_id)
    if found is None:
        raise NotFound("customerId", NO_CUSTOMER)
    return found


@frozen
class EraseCustomer:
    """Erase a customer and everyone merged into them, in one transaction, everywhere.

    Orders and deals stay, pointing at the anonymous stand-in, so revenue is unchanged;
    ``rapport.customer.erased.v1`` tells partners, with nothing but the id and the time.
    """

    uow: PrivacyUnitOfWorkFactory
    clock: Clock
    compaction: StorageCompaction
    # The audit log's ``redact_object``, when an audit log is composed.
    redact_audit: AuditRedaction = field(default=_no_audit_log)

    def __call__(self, actor: Principal, customer_id: str) -> str:
        actor.require(Permission.ERASE_CUSTOMERS)
        with self.uow() as uow:
            found = _visible_subjects(actor, uow, customer_id)
            erasure = Erasure.of(customer_id, found[1:], at=self.clock.now(), by=actor.actor_id)
            mentions = uow.personal_data.contact_points(erasure.subject_ids)
            uow.personal_data.erase(erasure, [*erasure.subject_ids, *mentions])
            uow.commit()
        # The audit log keeps its own records: redacted once the erasure is committed.
        for subject_id in erasure.subject_ids:
            self.redact_audit("Customer", subject_id)
        self.compaction.after_erasure()
        return customer_id


@frozen
class CustomerDataExport:
    customer_id: str
    generated_at: datetime
    data: dict[str, Any]


@frozen
class ExportCustomerData:
    """Everything held about a customer (and those merged into them), as JSON-ready data."""

    uow: PrivacyUnitOfWorkFactory
    reader: PersonalDataReader
    clock: Clock

    def __call__(self, actor: Principal, customer_id: str) -> CustomerDataExport:
        actor.require(Permission.EXPORT_CUSTOMERS)
        with self.uow() as uow:
            found = _visible_subjects(actor, uow, customer_id)
        records: PersonalRecords = self.reader.collect(found)
        return CustomerDataExport(
            customer_id=customer_id,
            generated_at=self.clock.now(),
            data={name: [dict(row) for row in rows] for name, rows in records.items()},
        )
