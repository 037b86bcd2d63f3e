"""What erasing and exporting a customer need from storage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from application.unit_of_work import UnitOfWork
from domain.privacy import Erasure

PersonalRecords = Mapping[str, Sequence[Mapping[str, Any]]]
"""What storage holds about a person: JSON-ready records by the table (or collection) name."""


class PersonalDataStore(Protocol):
    """Every table's personal data, found and erased as each table declared it."""

    def subjects(self, customer_id: str) -> list[str] | None:
        """The customer and every customer merged into them (however indirectly); ``None``
        when no customer has ``customer_id``."""
        ...

    def contact_points(self, customer_ids: Sequence[str]) -> list[str]:
        """The emails and phones of these customers: what payloads that do not name a
        customer by id may still mention."""
        ...

    def erase(self, erasure: Erasure, mentions: Sequence[str]) -> None:
        """Erase every personal datum about ``erasure.subject_ids`` in this transaction,
        deleting rows whose payloads mention any of ``mentions``; kept rows (orders, deals)
        point at the anonymous stand-in. Its events go out on commit."""
        ...


class PrivacyUnitOfWork(UnitOfWork, Protocol):
    @property
    def personal_data(self) -> PersonalDataStore: ...


class PrivacyUnitOfWorkFactory(Protocol):
    def __call__(self) -> PrivacyUnitOfWork: ...


class PersonalDataReader(Protocol):
    def collect(self, customer_ids: Sequence[str]) -> PersonalRecords:
        """Every exported record about these customers, by table."""
        ...


class StorageCompaction(Protocol):
    """Run after an erasure commits: what the storage keeps of deleted rows is reclaimed."""

    def after_erasure(self) -> None: ...
