"""Each collection of the in-memory store declares what it holds about a customer.

``HELD`` has an entry for every field of ``InMemoryStore``: ``None`` for one that holds
nothing about customers, else how to find and erase what it holds. The contract test fails
for a field left out, as it does for an undeclared SQL column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from typing import Any

import attrs
from attrs import frozen

from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.transaction import repository
from application.messages.records import message_record
from application.privacy.json_ready import json_ready
from application.privacy.ports import PersonalRecords
from domain.privacy import ERASED_CUSTOMER_ID, Erasure, erased_customer

Ids = frozenset[str]


@frozen
class Held:
    """What one collection holds about customers: found by ``about``, erased by ``erase``
    (given the customers' ids and what payloads may mention), exported as ``exported_as``
    (the SQL table's name), or not at all when ``None``."""

    about: Callable[[InMemoryStore, Ids], list[Any]]
    erase: Callable[[InMemoryStore, Ids, Collection[str]], None]
    exported_as: str | None = None


def mentions(value: Any, needles: Collection[str]) -> bool:
    """Whether ``value``, as JSON, holds any of ``needles`` as a whole string value."""
    text = json.dumps(json_ready(value))
    return any(json.dumps(needle) in text for needle in needles)


def _keyed_by_customer(name: str, exported_as: str) -> Held:
    """A dict whose values carry ``customer_id``: their entries go."""

    def about(store: InMemoryStore, ids: Ids) -> list[Any]:
        return [v for v in getattr(store, name).values() if v.customer_id in ids]

    def erase(store: InMemoryStore, ids: Ids, _mentions: Collection[str]) -> None:
        held = getattr(store, name)
        for key in [k for k, v in held.items() if v.customer_id in ids]:
            del held[key]

    return Held(about, erase, exported_as)


def _keys_name_customer(
    name: str, exported_as: str, customer_of: Callable[[Any], str] = lambda key: key
) -> Held:
    """A dict whose keys name the customer (alone, or first of a tuple)."""

    def about(store: InMemoryStore, ids: Ids) -> list[Any]:
        return [
            {"key": key, "value": value}
            for key, value in getattr(store, name).items()
            if customer_of(key) in ids
        ]

    def erase(store: InMemoryStore, ids: Ids, _mentions: Collection[str]) -> None:
        held = getattr(store, name)
        for key in [k for k in held if customer_of(k) in ids]:
            del held[key]

    return Held(about, erase, exported_as)


def _first(key: tuple[str, ...]) -> str:
    return key[0]


def _customers_erase(store: InMemoryStore, ids: Ids, _mentions: Collection[str]) -> None:
    for customer_id in ids:
        store.customers.pop(customer_id, None)


def _orders_erase(store: InMemoryStore, ids: Ids, _mentions: Collection[str]) -> None:
    for order in store.orders.values():
        if order.customer_id in ids:
            order.customer_id = ERASED_CUSTOMER_ID


def _opportunities_erase(store: InMemoryStore, ids: Ids, _mentions: Collection[str]) -> None:
    for deal in store.opportunities.values():
        if deal.customer_id in ids:
            deal.customer_id = ERASED_CUSTOMER_ID
            deal.name = "Deal with an erased customer"
            deal.terms = attrs.evolve(deal.terms, next_step="")
            deal.close_reason = None


def _outbox_about(store: InMemoryStore, ids: Ids) -> list[Any]:
    return [event for event in store.outbox if event.aggregate_id in ids]


def _outbox_erase(store: InMemoryStore, ids: Ids, needles: Collection[str]) -> None:
    store.outbox[:] = [
        event
        for event in store.outbox
        if event.aggregate_id not in ids and not mentions(attrs.asdict(event), needles)
    ]


def _external_ids_about(store: InMemoryStore, ids: Ids) -> list[Any]:
    return [
        {"source": source, "external_id": value, "customer_id": customer_id}
        for (source, value), customer_id in store.external_ids.items()
        if customer_id in ids
    ]


def _external_ids_erase(store: InMemoryStore, ids: Ids, _mentions: Collection[str]) -> None:
    for key in [k for k, customer_id in store.external_ids.items() if customer_id in ids]:
        del store.external_ids[key]


def _timers_about(store: InMemoryStore, ids: Ids) -> list[Any]:
    return [t for t in store.timers.values() if t.timer.subject_id in ids]


def _timers_erase(store: InMemoryStore, ids: Ids, needles: Collection[str]) -> None:
    for key, stored in list(store.timers.items()):
        if stored.timer.subject_id in ids or mentions(stored.timer.payload, needles):
            del store.timers[key]


def _consents_about(store: InMemoryStore, ids: Ids) -> list[Any]:
    """Each consent as its SQL row reads, with its changes."""
    return [
        {
            "customer_id": consent.customer_id,
            "channel": consent.channel,
            "status": consent.status,
            "lawful_basis": consent.lawful_basis,
            "source": consent.source,
            "updated_at": consent.updated_at,
            "pending_opt_in_since": consent.pending_opt_in_since,
            "history": consent.history,
        }
        for consent in store.consents.values()
        if consent.customer_id in ids
    ]


def _messages_about(store: InMemoryStore, ids: Ids) -> list[Any]:
    """Each message as its SQL row reads."""
    return [message_record(m) for m in store.messages.values() if m.customer_id in ids]


def _messages_erase(store: InMemoryStore, ids: Ids, _mentions: Collection[str]) -> None:
    """The messages stay for the counts, with nothing left about the person (as the SQL
    declaration of the ``messages`` table has it)."""
    for message in store.messages.values():
        if message.customer_id in ids:
            store.message_keys.pop(message.dedupe_key, None)
            message.customer_id = ERASED_CUSTOMER_ID
            message.to = ""
            message.subject = ""
            message.failure = ""
            message.dedupe_key = ""


def _members_about(store: InMemoryStore, ids: Ids) -> list[Any]:
    return [
        {"segment_id": segment_id, "customer_id": customer_id}
        for segment_id, members in store.segment_members.items()
        for customer_id in sorted(members & ids)
    ]


def _members_erase(store: InMemoryStore, ids: Ids, _mentions: Collection[str]) -> None:
    for members in store.segment_members.values():
        members -= ids


HELD: dict[str, Held | None] = {
    "customers": Held(
        lambda store, ids: [store.customers[i] for i in sorted(ids) if i in store.customers],
        _customers_erase,
        "customers",
    ),
    "companies": None,
    "custom_field_definitions": None,
    "users": None,
    "api_keys": None,
    "teams": None,
    "roles": None,
    "record_shares": None,
    "orders": Held(_keyed_by_customer("orders", "orders").about, _orders_erase, "orders"),
    "outbox": Held(_outbox_about, _outbox_erase),
    "activities": _keyed_by_customer("activities", "activities"),
    "tracked_events": _keyed_by_customer("tracked_events", "tracked_events"),
    "event_daily_counts": _keys_name_customer("event_daily_counts", "event_daily_counts", _first),
    "timeline": _keyed_by_customer("timeline", "timeline_entries"),
    "external_ids": Held(_external_ids_about, _external_ids_erase, "customer_external_ids"),
    "tags": None,
    "customer_tags": _keys_name_customer("customer_tags", "customer_tags", _first),
    "tag_history": _keyed_by_customer("tag_history", "tag_history"),
    "tag_rules": None,
    "lifecycle_tracks": None,
    "lifecycle_rules": None,
    "customer_stages": _keys_name_customer("customer_stages", "customer_stages"),
    "stage_changes": _keyed_by_customer("stage_changes", "stage_changes"),
    "scheduled_jobs": None,
    "job_claims": None,
    "timers": Held(_timers_about, _timers_erase),
    "segments": None,
    "segment_members": Held(_members_about, _members_erase, "segment_members"),
    "segment_sizes": None,
    "rfm": _keys_name_customer("rfm", "customer_rfm"),
    "pipelines": None,
    "opportunities": Held(
        _keyed_by_customer("opportunities", "opportunities").about,
        _opportunities_erase,
        "opportunities",
    ),
    "leads": _keyed_by_customer("leads", "leads"),
    "sales_teams": None,
    "tasks": _keyed_by_customer("tasks", "tasks"),
    "automation_rules": None,
    "scoring_model": None,
    "lead_forms": None,
    "consents": Held(_consents_about, _keyed_by_customer("consents", "consents").erase, "consents"),
    # Kept by the SHA-256 of the address, never the address, so it outlives an erasure:
    # an erased person's bounced or complaining address must still receive nothing.
    "suppressions": None,
    "opt_in_requests": _keyed_by_customer("opt_in_requests", "opt_in_requests"),
    "access_version": None,
    "journeys": None,
    "journey_enrolments": _keyed_by_customer("journey_enrolments", "journey_enrolments"),
    "journey_step_counts": None,
    "messages": Held(_messages_about, _messages_erase, "messages"),
    # Dedupe keys may name the customer's id: they go with the messages' erasure.
    "message_keys": Held(lambda _store, _ids: [], lambda _store, _ids, _mentions: None),
    "campaigns": None,
    "lock": None,
}


def undeclared_fields() -> list[str]:
    """Fields of ``InMemoryStore`` that ``HELD`` says nothing about."""
    return [f.name for f in attrs.fields(InMemoryStore) if f.name not in HELD]


class InMemoryPersonalDataStore:
    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._transaction = transaction
        self._store = transaction.store
        self._pending: list[tuple[Erasure, Sequence[str]]] = []
        transaction.stages(write_back=self._write_back, clear=self._pending.clear)

    def subjects(self, customer_id: str) -> list[str] | None:
        customers = self._store.customers
        if customer_id not in customers:
            return None
        subjects, frontier = [customer_id], {customer_id}
        while frontier:
            frontier = {
                c.id
                for c in list(customers.values())
                if c.merged_into in frontier and c.id not in subjects
            }
            subjects += sorted(frontier)
        return subjects

    def contact_points(self, customer_ids: Sequence[str]) -> list[str]:
        points: set[str] = set()
        for customer_id in customer_ids:
            customer = self._store.customers.get(customer_id)
            if customer is not None:
                points |= {str(json_ready(p)) for p in (customer.email, customer.phone) if p}
        points |= {
            lead.email for lead in self._store.leads.values() if lead.customer_id in customer_ids
        }
        return sorted(points)

    def erase(self, erasure: Erasure, mentions: Sequence[str]) -> None:
        self._transaction.saw(erasure)
        self._pending.append((erasure, mentions))

    def _write_back(self) -> None:
        """Under the store's lock, at commit: every collection at once."""
        for erasure, needles in self._pending:
            ids = frozenset(erasure.subject_ids)
            self._store.customers.setdefault(ERASED_CUSTOMER_ID, erased_customer(erasure.erased_at))
            for held in HELD.values():
                if held is not None:
                    held.erase(self._store, ids, needles)


class InMemoryPrivacyUnitOfWork(InMemoryUnitOfWork):
    personal_data = repository(InMemoryPersonalDataStore)


class InMemoryPersonalDataReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def collect(self, customer_ids: Sequence[str]) -> PersonalRecords:
        ids = frozenset(customer_ids)
        with self._store.lock:
            records: dict[str, list[Any]] = {
                held.exported_as: [json_ready(item) for item in held.about(self._store, ids)]
                for held in HELD.values()
                if held is not None and held.exported_as is not None
            }
            customers = [
                self._store.customers[i] for i in sorted(ids) if i in self._store.customers
            ]
            company_ids = {c.company_id for c in customers if c.company_id}
            tag_ids = {
                tag_id for customer_id, tag_id in self._store.customer_tags if customer_id in ids
            }
            tag_ids |= {c.tag_id for c in self._store.tag_history.values() if c.customer_id in ids}
            records["companies"] = [
                json_ready(self._store.companies[i])
                for i in sorted(company_ids)
                if i in self._store.companies
            ]
            records["tags"] = [
                json_ready(self._store.tags[i]) for i in sorted(tag_ids) if i in self._store.tags
            ]
        return records


class NoCompaction:
    """Memory keeps nothing of what it deletes."""

    def after_erasure(self) -> None:
        return None
