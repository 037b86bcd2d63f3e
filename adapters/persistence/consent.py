"""Consent in SQL: each customer's consent per channel with its changes, the suppression
list, the double opt-in requests, and the secrets the process makes for itself."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from adapters.persistence.consent_tables import (
    consent_changes,
    consents,
    opt_in_requests,
    secrets,
    suppressions,
)
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.persistence.upserts import insert_for
from adapters.transaction import repository
from application.errors import StaleVersion
from domain.campaigns.channels import Channel
from domain.campaigns.consent import (
    Consent,
    ConsentChange,
    ConsentStatus,
    LawfulBasis,
    OptInRequest,
)
from domain.campaigns.suppression import Suppression, SuppressionReason, address_key

# Long id lists go in chunks, under SQLite's limit on bound parameters.
_CHUNK = 5_000


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _change_of(row: Any) -> ConsentChange:
    return ConsentChange(
        status=ConsentStatus(row.status),
        lawful_basis=LawfulBasis(row.lawful_basis) if row.lawful_basis else None,
        source=row.source,
        at=row.at,
        actor_id=row.actor_id,
        message_id=row.message_id,
    )


def _change_row(consent: Consent, seq: int, change: ConsentChange) -> dict[str, Any]:
    return {
        "customer_id": consent.customer_id,
        "channel": consent.channel.value,
        "seq": seq,
        "status": change.status.value,
        "lawful_basis": change.lawful_basis.value if change.lawful_basis else None,
        "source": change.source,
        "at": change.at,
        "actor_id": change.actor_id,
        "message_id": change.message_id,
    }


def _consent_values(consent: Consent) -> dict[str, Any]:
    return {
        "status": consent.status.value,
        "lawful_basis": consent.lawful_basis.value if consent.lawful_basis else None,
        "source": consent.source,
        "updated_at": consent.updated_at,
        "pending_opt_in_since": consent.pending_opt_in_since,
        "changes": len(consent.history),
    }


def load_consents(connection: Any, customer_ids: Collection[str]) -> list[Consent]:
    """The stored consents of these customers with their changes, by customer and channel."""
    found: dict[tuple[str, str], Consent] = {}
    for chunk in _chunks(sorted(set(customer_ids))):
        for row in connection.execute(select(consents).where(consents.c.customer_id.in_(chunk))):
            found[(row.customer_id, row.channel)] = Consent(
                customer_id=row.customer_id,
                channel=Channel(row.channel),
                pending_opt_in_since=row.pending_opt_in_since,
            )
        changes = (
            select(consent_changes)
            .where(consent_changes.c.customer_id.in_(chunk))
            .order_by(consent_changes.c.seq)
        )
        for row in connection.execute(changes):
            consent = found.get((row.customer_id, row.channel))
            if consent is not None:
                consent.history.append(_change_of(row))
    order = list(Channel)
    return sorted(found.values(), key=lambda c: (c.customer_id, order.index(c.channel)))


class SqlConsents:
    """``uow.consents``: statements in the unit of work's transaction."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self._seen: dict[tuple[str, Channel], Consent] = {}
        # The history as loaded, to write only what was added and to see a concurrent change.
        self._loaded: dict[tuple[str, Channel], tuple[ConsentChange, ...]] = {}

    def _take(self, consent: Consent) -> Consent:
        key = (consent.customer_id, consent.channel)
        if key in self._seen:
            return self._seen[key]
        self._seen[key] = self._transaction.saw(consent)
        self._loaded[key] = tuple(consent.history)
        return consent

    def get(self, customer_id: str, channel: Channel) -> Consent | None:
        key = (customer_id, channel)
        if key in self._seen:
            return self._seen[key]
        for consent in load_consents(self._session, [customer_id]):
            if consent.channel is channel:
                return self._take(consent)
        return None

    def of_customers(self, customer_ids: Collection[str]) -> list[Consent]:
        return [self._take(consent) for consent in load_consents(self._session, customer_ids)]

    def save(self, consent: Consent) -> None:
        key = (consent.customer_id, consent.channel)
        self._transaction.saw(consent)
        self._seen[key] = consent
        loaded = self._loaded.get(key)
        where = and_(
            consents.c.customer_id == consent.customer_id,
            consents.c.channel == consent.channel.value,
        )
        if loaded is None:
            try:
                self._session.execute(
                    insert(consents).values(
                        customer_id=consent.customer_id,
                        channel=consent.channel.value,
                        **_consent_values(consent),
                    )
                )
            except IntegrityError:
                # Another transaction recorded this customer's first change meanwhile.
                raise StaleVersion() from None
            first = 0
        else:
            changed = self._session.execute(
                update(consents)
                .where(where, consents.c.changes == len(loaded))
                .values(**_consent_values(consent))
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleVersion()
            first = len(loaded)
            if tuple(consent.history[: len(loaded)]) != loaded:
                # A merge wove other changes into the history: it is written afresh.
                self._delete_changes(consent.customer_id, consent.channel)
                first = 0
        added = [
            _change_row(consent, seq, change)
            for seq, change in enumerate(consent.history)
            if seq >= first
        ]
        if added:
            self._session.execute(insert(consent_changes), added)
        self._loaded[key] = tuple(consent.history)

    def remove(self, customer_id: str, channel: Channel) -> None:
        self._session.execute(
            delete(consents).where(
                consents.c.customer_id == customer_id, consents.c.channel == channel.value
            )
        )
        self._delete_changes(customer_id, channel)
        self._seen.pop((customer_id, channel), None)
        self._loaded.pop((customer_id, channel), None)

    def _delete_changes(self, customer_id: str, channel: Channel) -> None:
        self._session.execute(
            delete(consent_changes).where(
                consent_changes.c.customer_id == customer_id,
                consent_changes.c.channel == channel.value,
            )
        )


class SqlSuppressions:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def add(self, suppression: Suppression) -> bool:
        statement = (
            insert_for(self._session, suppressions)
            .values(
                address_key=suppression.address_key,
                channel=suppression.channel.value,
                reason=suppression.reason.value,
                suppressed_at=suppression.at,
            )
            .on_conflict_do_nothing(index_elements=["address_key", "channel"])
            .returning(suppressions.c.address_key)
        )
        return self._session.execute(statement).first() is not None

    def get(self, address_key: str, channel: Channel) -> Suppression | None:
        row = self._session.execute(
            select(suppressions).where(
                suppressions.c.address_key == address_key,
                suppressions.c.channel == channel.value,
            )
        ).first()
        if row is None:
            return None
        return Suppression(
            address_key=row.address_key,
            channel=Channel(row.channel),
            reason=SuppressionReason(row.reason),
            at=row.suppressed_at,
        )


class SqlOptInRequests:
    def __init__(self, transaction: SqlTransaction) -> None:
        self._session = transaction.session

    def claim(self, request: OptInRequest, interval: timedelta) -> bool:
        row = {
            "address_key": request.address_key,
            "customer_id": request.customer_id,
            "channel": request.channel.value,
            "requested_at": request.requested_at,
        }
        # One statement: a concurrent claim waits on the row and then finds it recent.
        statement = (
            insert_for(self._session, opt_in_requests)
            .values(row)
            .on_conflict_do_update(
                index_elements=["address_key"],
                set_={name: value for name, value in row.items() if name != "address_key"},
                where=opt_in_requests.c.requested_at <= request.requested_at - interval,
            )
            .returning(opt_in_requests.c.address_key)
        )
        return self._session.execute(statement).first() is not None

    def release(self, request: OptInRequest) -> None:
        self._session.execute(
            delete(opt_in_requests).where(
                opt_in_requests.c.address_key == request.address_key,
                opt_in_requests.c.requested_at == request.requested_at,
            )
        )

    def last_for(self, address_key: str) -> OptInRequest | None:
        row = self._session.execute(
            select(opt_in_requests).where(opt_in_requests.c.address_key == address_key)
        ).first()
        if row is None:
            return None
        return OptInRequest(
            address_key=row.address_key,
            customer_id=row.customer_id,
            channel=Channel(row.channel),
            requested_at=row.requested_at,
        )


class SqlConsentUnitOfWork(SqlUnitOfWork):
    consents = repository(SqlConsents)
    suppressions = repository(SqlSuppressions)
    opt_in_requests = repository(SqlOptInRequests)


class SqlConsentReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def statuses(self, customer_ids: Iterable[str], channel: Channel) -> dict[str, ConsentStatus]:
        wanted = list(dict.fromkeys(customer_ids))
        found = dict.fromkeys(wanted, ConsentStatus.UNKNOWN)
        with self._engine.connect() as connection:
            for chunk in _chunks(wanted):
                query = select(consents.c.customer_id, consents.c.status).where(
                    consents.c.channel == channel.value, consents.c.customer_id.in_(chunk)
                )
                for row in connection.execute(query):
                    found[row.customer_id] = ConsentStatus(row.status)
        return found

    def suppressed(self, addresses: Iterable[str], channel: Channel) -> set[str]:
        by_key: dict[str, list[str]] = {}
        for address in addresses:
            by_key.setdefault(address_key(address, channel), []).append(address)
        found: set[str] = set()
        with self._engine.connect() as connection:
            for chunk in _chunks(sorted(by_key)):
                query = select(suppressions.c.address_key).where(
                    suppressions.c.channel == channel.value,
                    suppressions.c.address_key.in_(chunk),
                )
                for key in connection.scalars(query):
                    found.update(by_key[key])
        return found

    def history(self, customer_id: str) -> list[Consent]:
        return self.histories([customer_id]).get(customer_id, [])

    def histories(self, customer_ids: Collection[str]) -> dict[str, list[Consent]]:
        found: dict[str, list[Consent]] = {}
        with self._engine.connect() as connection:
            for consent in load_consents(connection, customer_ids):
                found.setdefault(consent.customer_id, []).append(consent)
        return found


class SqlSecrets:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_or_create(self, name: str, make: str) -> str:
        with self._engine.begin() as connection:
            connection.execute(
                insert_for(connection, secrets)
                .values(name=name, value=make)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            value: str = connection.execute(
                select(secrets.c.value).where(secrets.c.name == name)
            ).scalar_one()
        return value
