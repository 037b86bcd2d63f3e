"""Journeys on SQL: journeys with their versions, enrolments in bulk, the step runner's
reads of customers and tracked events, and the reader."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from adapters.persistence.journey_definitions import version_document, version_of
from adapters.persistence.journey_tables import (
    journey_enrolments,
    journey_step_counts,
    journey_versions,
    journeys,
)
from adapters.persistence.keyset import walking_order, window
from adapters.persistence.messages import SqlMessageRepository
from adapters.persistence.tables import customers, tracked_events
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.persistence.upserts import insert_for
from adapters.transaction import repository
from application.errors import StaleVersion
from application.journeys.ports import (
    ArrivedEvent,
    Contact,
    Entry,
    JourneyStats,
    stats_of,
)
from application.pagination import SortKey
from domain.campaigns.journeys import (
    Enrolment,
    EnrolmentStatus,
    ExitReason,
    Journey,
    JourneyStatus,
    TriggerKind,
)

# Long id lists go in chunks, under SQLite's limit on bound parameters.
_CHUNK = 5_000


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def active_key(enrolment: Enrolment) -> str | None:
    return f"{enrolment.journey_id}:{enrolment.customer_id}" if enrolment.is_active else None


def _journey_values(journey: Journey) -> dict[str, Any]:
    current = journey.current
    return {
        "name": journey.name,
        "status": journey.status.value,
        "updated_at": journey.updated_at,
        "published_version": journey.published_version,
        "revision": journey.revision,
        "trigger_kind": current.trigger.kind.value if current is not None else None,
    }


def _version_rows(journey: Journey, start: int) -> list[dict[str, Any]]:
    return [
        {
            "journey_id": journey.id,
            "number": version.number,
            "published_at": version.published_at,
            "definition": version_document(version),
        }
        for version in journey.versions[start:]
    ]


def load_journeys(connection: Connection | Any, ids: Collection[str]) -> dict[str, Journey]:
    """Journeys by id with every version, in two queries."""
    wanted = list(ids)
    if not wanted:
        return {}
    found: dict[str, Journey] = {}
    for chunk in _chunks(wanted):
        for row in connection.execute(select(journeys).where(journeys.c.id.in_(chunk))):
            found[row.id] = Journey(
                id=row.id,
                name=row.name,
                status=JourneyStatus(row.status),
                created_at=row.created_at,
                created_by=row.created_by,
                updated_at=row.updated_at,
                published_version=row.published_version,
                revision=row.revision,
            )
        query = (
            select(journey_versions)
            .where(journey_versions.c.journey_id.in_(chunk))
            .order_by(journey_versions.c.journey_id, journey_versions.c.number)
        )
        for row in connection.execute(query):
            found[row.journey_id].versions.append(
                version_of(row.definition, number=row.number, published_at=row.published_at)
            )
    return found


def _enrolment(row: Row[Any]) -> Enrolment:
    return Enrolment(
        id=row.id,
        journey_id=row.journey_id,
        version=row.version,
        customer_id=row.customer_id,
        status=EnrolmentStatus(row.status),
        current_step_id=row.current_step_id,
        entered_at=row.entered_at,
        updated_at=row.updated_at,
        left_at=row.left_at,
        exit_reason=ExitReason(row.exit_reason) if row.exit_reason else None,
        waiting_since=row.waiting_since,
        wake_at=row.wake_at,
        visits=dict(row.visits),
        revision=row.revision,
    )


def _enrolment_values(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "status": enrolment.status.value,
        "active_key": active_key(enrolment),
        "current_step_id": enrolment.current_step_id,
        "updated_at": enrolment.updated_at,
        "left_at": enrolment.left_at,
        "exit_reason": enrolment.exit_reason.value if enrolment.exit_reason else None,
        "waiting_since": enrolment.waiting_since,
        "wake_at": enrolment.wake_at,
        "visits": enrolment.visits,
        "revision": enrolment.revision,
    }


class SqlJourneyRepository:
    """``uow.journeys``: a journey is written when added and on flush when changed."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self._seen: dict[str, Journey] = {}
        self._written: dict[str, tuple[int, int]] = {}
        """Per journey: the revision and the number of versions stored."""
        transaction.writes(self)

    def _track(self, journey: Journey) -> Journey:
        journey = self._transaction.saw(self._seen.setdefault(journey.id, journey))
        self._written.setdefault(journey.id, (journey.revision, len(journey.versions)))
        return journey

    def add(self, journey: Journey) -> None:
        self._session.execute(
            insert(journeys).values(
                id=journey.id,
                created_at=journey.created_at,
                created_by=journey.created_by,
                **_journey_values(journey),
            )
        )
        rows = _version_rows(journey, 0)
        if rows:
            self._session.execute(insert(journey_versions), rows)
        self._track(journey)

    def get(self, journey_id: str) -> Journey | None:
        if journey_id in self._seen:
            return self._seen[journey_id]
        found = load_journeys(self._session, [journey_id]).get(journey_id)
        return None if found is None else self._track(found)

    def save(self, journey: Journey) -> None:
        self._track(journey)

    def accepting(self, kind: TriggerKind) -> list[Journey]:
        self.flush()
        query = select(journeys.c.id).where(
            journeys.c.trigger_kind == kind.value,
            journeys.c.status == JourneyStatus.ACTIVE.value,
        )
        ids = [row.id for row in self._session.execute(query)]
        loaded = load_journeys(self._session, [i for i in ids if i not in self._seen])
        for journey in loaded.values():
            self._track(journey)
        return sorted(
            (self._seen[i] for i in ids if self._seen[i].accepts_entries),
            key=lambda journey: (journey.created_at, journey.id),
        )

    def flush(self) -> None:
        for journey in self._seen.values():
            revision, stored_versions = self._written[journey.id]
            if journey.revision == revision:
                continue
            changed = self._session.execute(
                update(journeys)
                .where(journeys.c.id == journey.id, journeys.c.revision == revision)
                .values(**_journey_values(journey))
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleVersion(revision)
            rows = _version_rows(journey, stored_versions)
            if rows:
                self._session.execute(insert(journey_versions), rows)
            self._written[journey.id] = (journey.revision, len(journey.versions))


class SqlEnrolmentRepository:
    """``uow.enrolments``: inserted and updated many per statement."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self._loaded: dict[str, int] = {}
        """The revision each enrolment had when loaded or stored."""
        self._seen: dict[str, Enrolment] = {}

    def _track(self, enrolment: Enrolment) -> Enrolment:
        if enrolment.id in self._seen:
            return self._seen[enrolment.id]
        self._seen[enrolment.id] = self._transaction.saw(enrolment)
        self._loaded[enrolment.id] = enrolment.revision
        return enrolment

    def _select(self, *conditions: Any) -> list[Enrolment]:
        query = select(journey_enrolments).where(*conditions)
        return [self._track(_enrolment(row)) for row in self._session.execute(query)]

    def histories(
        self, journey_id: str, customer_ids: Collection[str]
    ) -> dict[str, list[Enrolment]]:
        found: dict[str, list[Enrolment]] = {}
        for chunk in _chunks(sorted(set(customer_ids))):
            query = (
                select(journey_enrolments)
                .where(
                    journey_enrolments.c.journey_id == journey_id,
                    journey_enrolments.c.customer_id.in_(chunk),
                )
                .order_by(journey_enrolments.c.sequence)
            )
            for row in self._session.execute(query):
                found.setdefault(row.customer_id, []).append(_enrolment(row))
        return found

    def add_many(self, entries: Sequence[Entry]) -> list[Enrolment]:
        if not entries:
            return []
        rows = [
            {
                "id": entry.enrolment.id,
                "journey_id": entry.enrolment.journey_id,
                "version": entry.enrolment.version,
                "customer_id": entry.enrolment.customer_id,
                "sequence": entry.sequence,
                "entered_at": entry.enrolment.entered_at,
                **_enrolment_values(entry.enrolment),
            }
            for entry in entries
        ]
        self._session.execute(
            insert_for(self._session, journey_enrolments).on_conflict_do_nothing(), rows
        )
        by_id = {entry.enrolment.id: entry.enrolment for entry in entries}
        stored: set[str] = set()
        for chunk in _chunks(list(by_id)):
            query = select(journey_enrolments.c.id).where(journey_enrolments.c.id.in_(chunk))
            stored.update(row.id for row in self._session.execute(query))
        return [self._track(by_id[i]) for i in by_id if i in stored]

    def get_many(self, enrolment_ids: Collection[str]) -> dict[str, Enrolment]:
        wanted = [i for i in dict.fromkeys(enrolment_ids) if i not in self._seen]
        for chunk in _chunks(wanted):
            self._select(journey_enrolments.c.id.in_(chunk))
        return {i: self._seen[i] for i in enrolment_ids if i in self._seen}

    def active_of(self, customer_ids: Collection[str]) -> list[Enrolment]:
        found: list[Enrolment] = []
        for chunk in _chunks(sorted(set(customer_ids))):
            found.extend(
                self._select(
                    journey_enrolments.c.customer_id.in_(chunk),
                    journey_enrolments.c.status == EnrolmentStatus.ACTIVE.value,
                )
            )
        return [e for e in found if e.is_active]

    def save_many(self, enrolments: Sequence[Enrolment]) -> None:
        changed = [e for e in enrolments if e.revision != self._loaded.get(e.id, e.revision)]
        if not changed:
            return
        statement = (
            update(journey_enrolments)
            .where(
                journey_enrolments.c.id == bindparam("b_id"),
                journey_enrolments.c.revision == bindparam("b_revision"),
            )
            .values({name: bindparam(name) for name in _enrolment_values(changed[0])})
        )
        rows = [
            {"b_id": e.id, "b_revision": self._loaded[e.id], **_enrolment_values(e)}
            for e in changed
        ]
        result = self._session.connection().execute(statement, rows)
        if result.rowcount != len(rows):
            raise StaleVersion()
        for enrolment in changed:
            self._loaded[enrolment.id] = enrolment.revision

    def count_reached(self, reached: Mapping[tuple[str, str], int]) -> None:
        for (journey_id, step_id), times in sorted(reached.items()):
            upsert = insert_for(self._session, journey_step_counts).values(
                journey_id=journey_id, step_id=step_id, reached=times
            )
            self._session.execute(
                upsert.on_conflict_do_update(
                    index_elements=["journey_id", "step_id"],
                    set_={"reached": journey_step_counts.c.reached + times},
                )
            )


class SqlJourneysUnitOfWork(SqlUnitOfWork):
    journeys = repository(SqlJourneyRepository)
    enrolments = repository(SqlEnrolmentRepository)
    messages = repository(SqlMessageRepository)


class SqlJourneyFacts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def contacts(self, customer_ids: Collection[str]) -> dict[str, Contact]:
        found: dict[str, Contact] = {}
        columns = (
            customers.c.id,
            customers.c.email,
            customers.c.phone,
            customers.c.owner_id,
            customers.c.custom_fields,
            customers.c.archived_at,
            customers.c.merged_into,
        )
        with self._engine.connect() as connection:
            for chunk in _chunks(sorted(set(customer_ids))):
                for row in connection.execute(select(*columns).where(customers.c.id.in_(chunk))):
                    found[row.id] = Contact(
                        customer_id=row.id,
                        email=str(row.email) if row.email else None,
                        phone=str(row.phone) if row.phone else None,
                        owner_id=row.owner_id,
                        custom_fields=row.custom_fields or {},
                        active=row.archived_at is None and row.merged_into is None,
                    )
        return found

    def events_since(
        self, customer_ids: Collection[str], names: Collection[str], since: datetime
    ) -> list[ArrivedEvent]:
        if not names:
            return []
        found: list[ArrivedEvent] = []
        table = tracked_events
        with self._engine.connect() as connection:
            for chunk in _chunks(sorted(set(customer_ids))):
                query = (
                    select(table.c.customer_id, table.c.name, table.c.received_at)
                    .where(
                        table.c.customer_id.in_(chunk),
                        table.c.name.in_(sorted(names)),
                        table.c.received_at >= since,
                    )
                    .order_by(table.c.received_at, table.c.id)
                )
                found.extend(
                    ArrivedEvent(row.customer_id, row.name, row.received_at)
                    for row in connection.execute(query)
                )
        return sorted(found, key=lambda event: event.received_at)

    def date_values(self, field_key: str) -> list[tuple[str, object]]:
        query = select(customers.c.id, customers.c.custom_fields).where(
            customers.c.archived_at.is_(None), customers.c.merged_into.is_(None)
        )
        with self._engine.connect() as connection:
            return [
                (row.id, row.custom_fields[field_key])
                for row in connection.execute(query)
                if row.custom_fields and row.custom_fields.get(field_key) is not None
            ]


class SqlJourneyReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, journey_id: str) -> Journey | None:
        with self._engine.connect() as connection:
            return load_journeys(connection, [journey_id]).get(journey_id)

    def slice(
        self, *, after: SortKey | None, before: SortKey | None, limit: int, from_end: bool
    ) -> Sequence[Journey]:
        table = journeys
        conditions = window(
            table.c.created_at, table.c.id, descending=False, after=after, before=before
        )
        query = (
            select(table.c.id)
            .where(*conditions)
            .order_by(
                *walking_order(table.c.created_at, table.c.id, descending=False, from_end=from_end)
            )
            .limit(limit)
        )
        with self._engine.connect() as connection:
            ids = [row.id for row in connection.execute(query)]
            loaded = load_journeys(connection, ids)
        return [loaded[i] for i in ids]

    def count(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(journeys)).scalar_one())

    def stats(self, journey_ids: Collection[str]) -> dict[str, JourneyStats]:
        wanted = sorted(set(journey_ids))
        by_status: dict[str, dict[EnrolmentStatus, int]] = {i: {} for i in wanted}
        reached: dict[str, dict[str, int]] = {i: {} for i in wanted}
        table = journey_enrolments
        with self._engine.connect() as connection:
            for chunk in _chunks(wanted):
                query = (
                    select(table.c.journey_id, table.c.status, func.count())
                    .where(table.c.journey_id.in_(chunk))
                    .group_by(table.c.journey_id, table.c.status)
                )
                for journey_id, status, count in connection.execute(query):
                    by_status[journey_id][EnrolmentStatus(status)] = int(count)
                counts = select(journey_step_counts).where(
                    journey_step_counts.c.journey_id.in_(chunk)
                )
                for row in connection.execute(counts):
                    reached[row.journey_id][row.step_id] = int(row.reached)
        return {i: stats_of(by_status[i], reached[i]) for i in wanted}

    def enrolments_of(self, customer_id: str) -> list[Enrolment]:
        query = (
            select(journey_enrolments)
            .where(journey_enrolments.c.customer_id == customer_id)
            .order_by(journey_enrolments.c.entered_at.desc(), journey_enrolments.c.id.desc())
        )
        with self._engine.connect() as connection:
            return [_enrolment(row) for row in connection.execute(query)]
