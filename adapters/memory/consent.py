"""Consent, suppressions and opt-in requests in memory, staged until the unit of work commits."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from datetime import timedelta

from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.transaction import repository
from application.errors import StaleVersion
from domain.campaigns.channels import Channel
from domain.campaigns.consent import Consent, ConsentChange, ConsentStatus, OptInRequest
from domain.campaigns.suppression import Suppression, address_key

_Key = tuple[str, Channel]


def channel_order(consent: Consent) -> int:
    return list(Channel).index(consent.channel)


class InMemoryConsents:
    """``uow.consents``: copies out of the store, checked against it and written on commit."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._transaction = transaction
        self._store = transaction.store
        self._seen: dict[_Key, Consent] = {}
        # The history each consent had when loaded (None: it was not stored), to find a
        # change another unit of work committed in between.
        self._loaded: dict[_Key, tuple[ConsentChange, ...] | None] = {}
        self._saved: set[_Key] = set()
        self._removed: set[_Key] = set()
        transaction.checks(self._check)
        transaction.stages(write_back=self._write_back, clear=self._clear)

    def get(self, customer_id: str, channel: Channel) -> Consent | None:
        key = (customer_id, channel)
        if key in self._removed:
            return None
        if key in self._seen:
            return self._seen[key]
        stored = self._store.consents.get(key)
        if stored is None:
            return None
        loaded = self._transaction.saw(copy.deepcopy(stored))
        self._seen[key] = loaded
        self._loaded[key] = tuple(stored.history)
        return loaded

    def of_customers(self, customer_ids: Collection[str]) -> list[Consent]:
        wanted = set(customer_ids)
        keys = {key for key in self._store.consents if key[0] in wanted}
        keys |= {key for key in self._seen if key[0] in wanted}
        found = [self.get(*key) for key in sorted(keys)]
        return [consent for consent in found if consent is not None]

    def save(self, consent: Consent) -> None:
        key = (consent.customer_id, consent.channel)
        if key not in self._seen:
            self._loaded.setdefault(key, None)
        self._seen[key] = self._transaction.saw(consent)
        self._saved.add(key)
        self._removed.discard(key)

    def remove(self, customer_id: str, channel: Channel) -> None:
        key = (customer_id, channel)
        self.get(customer_id, channel)
        self._saved.discard(key)
        self._removed.add(key)

    def _check(self) -> None:
        for key in self._saved | self._removed:
            stored = self._store.consents.get(key)
            now = tuple(stored.history) if stored is not None else None
            if now != self._loaded.get(key):
                raise StaleVersion()

    def _write_back(self) -> None:
        for key in self._saved:
            self._store.consents[key] = copy.deepcopy(self._seen[key])
            self._store.consents[key].events.clear()
        for key in self._removed:
            self._store.consents.pop(key, None)

    def _clear(self) -> None:
        self._seen.clear()
        self._loaded.clear()
        self._saved.clear()
        self._removed.clear()


class InMemorySuppressions:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._added: dict[tuple[str, Channel], Suppression] = {}
        transaction.stages(write_back=self._write_back, clear=self._added.clear)

    def add(self, suppression: Suppression) -> bool:
        key = (suppression.address_key, suppression.channel)
        if key in self._store.suppressions or key in self._added:
            return False
        self._added[key] = suppression
        return True

    def get(self, address_key: str, channel: Channel) -> Suppression | None:
        key = (address_key, channel)
        return self._added.get(key) or self._store.suppressions.get(key)

    def _write_back(self) -> None:
        for key, suppression in self._added.items():
            self._store.suppressions.setdefault(key, suppression)


class InMemoryOptInRequests:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._store = transaction.store
        self._claimed: dict[str, tuple[OptInRequest | None, OptInRequest]] = {}
        self._released: list[OptInRequest] = []
        transaction.checks(self._check)
        transaction.stages(write_back=self._write_back, clear=self._clear)

    def claim(self, request: OptInRequest, interval: timedelta) -> bool:
        last = self.last_for(request.address_key)
        if last is not None and request.requested_at - last.requested_at < interval:
            return False
        self._claimed[request.address_key] = (
            self._store.opt_in_requests.get(request.address_key),
            request,
        )
        return True

    def release(self, request: OptInRequest) -> None:
        self._claimed.pop(request.address_key, None)
        self._released.append(request)

    def last_for(self, address_key: str) -> OptInRequest | None:
        if address_key in self._claimed:
            return self._claimed[address_key][1]
        return self._store.opt_in_requests.get(address_key)

    def _check(self) -> None:
        # Two units of work that both claimed an address: the one committing second lost.
        for key, (before, _request) in self._claimed.items():
            if self._store.opt_in_requests.get(key) != before:
                raise StaleVersion()

    def _write_back(self) -> None:
        for key, (_before, request) in self._claimed.items():
            self._store.opt_in_requests[key] = request
        for request in self._released:
            if self._store.opt_in_requests.get(request.address_key) == request:
                del self._store.opt_in_requests[request.address_key]

    def _clear(self) -> None:
        self._claimed.clear()
        self._released.clear()


class InMemoryConsentUnitOfWork(InMemoryUnitOfWork):
    consents = repository(InMemoryConsents)
    suppressions = repository(InMemorySuppressions)
    opt_in_requests = repository(InMemoryOptInRequests)


class InMemoryConsentReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def statuses(self, customer_ids: Iterable[str], channel: Channel) -> dict[str, ConsentStatus]:
        consents = self._store.consents
        return {
            customer_id: (
                found.status
                if (found := consents.get((customer_id, channel))) is not None
                else ConsentStatus.UNKNOWN
            )
            for customer_id in customer_ids
        }

    def suppressed(self, addresses: Iterable[str], channel: Channel) -> set[str]:
        return {
            address
            for address in addresses
            if (address_key(address, channel), channel) in self._store.suppressions
        }

    def history(self, customer_id: str) -> list[Consent]:
        return self.histories([customer_id]).get(customer_id, [])

    def histories(self, customer_ids: Collection[str]) -> dict[str, list[Consent]]:
        wanted = set(customer_ids)
        with self._store.lock:
            stored = [
                copy.deepcopy(consent)
                for (owner, _channel), consent in self._store.consents.items()
                if owner in wanted
            ]
        found: dict[str, list[Consent]] = {}
        for consent in sorted(stored, key=channel_order):
            found.setdefault(consent.customer_id, []).append(consent)
        return found


class InMemorySecrets:
    """Secrets of this process only: links signed here stop working when it ends."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    def get_or_create(self, name: str, make: str) -> str:
        return self._secrets.setdefault(name, make)
