"""What the consent use cases and the sending pipeline need from storage."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Protocol

from application.unit_of_work import UnitOfWork
from domain.campaigns.channels import Channel
from domain.campaigns.consent import Consent, ConsentStatus, OptInRequest
from domain.campaigns.suppression import Suppression


class ConsentRepository(Protocol):
    """``uow.consents``: each customer's consent per channel, with its history."""

    def get(self, customer_id: str, channel: Channel) -> Consent | None: ...

    def of_customers(self, customer_ids: Collection[str]) -> list[Consent]:
        """Every stored consent of these customers, on every channel."""
        ...

    def save(self, consent: Consent) -> None:
        """Store a new or changed consent with its history; its events go out on commit.
        A consent changed by another transaction since it was loaded is ``StaleVersion``."""
        ...

    def remove(self, customer_id: str, channel: Channel) -> None:
        """Forget a consent (one merged into another customer's)."""
        ...


class SuppressionList(Protocol):
    """``uow.suppressions``: addresses nothing is sent to, by the SHA-256 of the address."""

    def add(self, suppression: Suppression) -> bool:
        """Suppress the address; ``False`` when it already was (the first reason stays)."""
        ...

    def get(self, address_key: str, channel: Channel) -> Suppression | None: ...


class OptInRequests(Protocol):
    """``uow.opt_in_requests``: the last confirmation mail sent to each address."""

    def claim(self, request: OptInRequest, interval: timedelta) -> bool:
        """Record that a confirmation goes to the address now, unless one went less than
        ``interval`` ago; ``True`` when this request may send. Two concurrent claims for one
        address: one wins."""
        ...

    def release(self, request: OptInRequest) -> None:
        """Undo a claim whose mail could not be sent, so the address may ask again."""
        ...

    def last_for(self, address_key: str) -> OptInRequest | None: ...


class ConsentUnitOfWork(UnitOfWork, Protocol):
    @property
    def consents(self) -> ConsentRepository: ...
    @property
    def suppressions(self) -> SuppressionList: ...
    @property
    def opt_in_requests(self) -> OptInRequests: ...


class ConsentUnitOfWorkFactory(Protocol):
    def __call__(self) -> ConsentUnitOfWork: ...


class ConsentReader(Protocol):
    """What the sending pipeline reads, batch-shaped: one query for a whole batch."""

    def statuses(self, customer_ids: Iterable[str], channel: Channel) -> dict[str, ConsentStatus]:
        """The status of each customer on ``channel``; one never recorded is ``UNKNOWN``."""
        ...

    def suppressed(self, addresses: Iterable[str], channel: Channel) -> set[str]:
        """Those of ``addresses`` (as given) that are suppressed on ``channel``."""
        ...

    def history(self, customer_id: str) -> list[Consent]:
        """The customer's stored consents, by channel, each with its changes."""
        ...

    def histories(self, customer_ids: Collection[str]) -> dict[str, list[Consent]]:
        """``history`` of many customers in one read; a customer with none is left out."""
        ...


class SecretStore(Protocol):
    """Secrets the process makes for itself once and keeps (the link signing key)."""

    def get_or_create(self, name: str, make: str) -> str:
        """The secret stored under ``name``; ``make`` is stored first if there is none,
        and when two processes race, both get the one stored first."""
        ...
