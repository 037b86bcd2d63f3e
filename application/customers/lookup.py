"""Resolving references to customers inside a unit of work, without loading them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Protocol

from domain.customers import EmailAddress


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class CustomerLookup(Protocol):
    """Which customers exist, by id, email or external id: a handful of set-based queries.

    Modules that attach records to customers (activities, tracked events, later orders)
    use it instead of loading every customer aggregate they point at.
    """

    def statuses(self, ids: Collection[str]) -> Mapping[str, CustomerStatus]:
        """The status of each known customer among ``ids``; unknown ids are absent."""
        ...

    def ids_by_email(self, emails: Collection[EmailAddress]) -> Mapping[EmailAddress, str]:
        """The active customer that has each of ``emails``; emails nobody has are absent."""
        ...

    def by_external_id(self, source: str, value: str) -> str | None:
        """The customer that ``source`` (another system) knows by ``value``, if any."""
        ...
