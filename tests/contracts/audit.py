"""The audit log's contract: what every adapter (in-memory, SQLite, PostgreSQL) holds to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from attrs import frozen
from dependency_injector import providers

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.memory.audit import InMemoryAuditJournal, InMemoryAuditLog
from adapters.messaging.in_process import InProcessEventBus
from adapters.persistence.audit import SqlAuditJournal, SqlAuditLog
from adapters.persistence.database import Database
from application.audit.context import AuditContext, audited
from application.audit.ports import AuditFilter, AuditLog
from application.audit.trail import AuditTrail
from application.errors import AlreadyTaken
from application.pagination import PageRequest
from application.principal import Principal
from application.unit_of_work import UnitOfWorkFactory
from composition.storage import MemoryStorage
from domain.access.roles import Role
from domain.audit import REDACTED, AuditEntry, FieldChange, Outcome
from domain.customers import CustomerChanges
from tests.conftest import STORAGE_KINDS, memory_backend, sql_backend
from tests.contracts.customers import T0, new_customer

AGENT = Principal(actor_id="agent-1", role=Role.SALES_REP, name="Agent", api_key_id="key-1")


@frozen
class AuditBackend:
    log: AuditLog
    uow: UnitOfWorkFactory
    trail: AuditTrail
    clock: ManualClock


@pytest.fixture(params=STORAGE_KINDS)
def audit_backend(request: pytest.FixtureRequest, bus: InProcessEventBus) -> AuditBackend:
    """The audit log of every storage adapter in turn, beside that storage's unit of work."""
    clock = ManualClock(T0)
    ids = SequentialIdGenerator("audit")
    kind: str = request.param
    if kind == "memory":
        storage = MemoryStorage(publisher=providers.Object(bus))
        memory_log = InMemoryAuditLog()
        backend = memory_backend(bus, storage)
        trail = AuditTrail(memory_log, InMemoryAuditJournal(memory_log), clock, ids)
        return AuditBackend(memory_log, backend.uow, trail, clock)
    database: Database = request.getfixturevalue(f"{kind}_database")
    sql_log = SqlAuditLog(database)
    trail = AuditTrail(sql_log, SqlAuditJournal(), clock, ids)
    return AuditBackend(sql_log, sql_backend(kind, database, bus).uow, trail, clock)


def _entry(number: int, *, minutes: int = 0, **fields: object) -> AuditEntry:
    values: dict[str, object] = {
        "id": f"entry-{number:04d}",
        "occurred_at": T0 + timedelta(minutes=minutes),
        "actor_id": "agent-1",
        "operation": "updateCustomer",
        "outcome": Outcome.SUCCEEDED,
        **fields,
    }
    return AuditEntry(**values)  # type: ignore[arg-type]


def _all(log: AuditLog, condition: AuditFilter | None = None) -> list[AuditEntry]:
    page = log.page(condition or AuditFilter(), PageRequest(first=100))
    return [edge.node for edge in page.edges]


class AuditLogContract:
    def test_entries_read_back_as_written_newest_first(self, audit_backend: AuditBackend) -> None:
        log = audit_backend.log
        written = _entry(
            1,
            api_key_id="key-1",
            request_id="req-1",
            object_type="Customer",
            object_id="cust-1",
            changes=(FieldChange("tags", ["a"], {"b": [1, None, 2.5]}),),
            events=("rapport.customer.updated.v1",),
            error_codes=(),
        )
        log.append([written, _entry(2, minutes=1), _entry(3, minutes=-1)])
        assert [e.id for e in _all(log)] == ["entry-0002", "entry-0001", "entry-0003"]
        assert _all(log, AuditFilter(object_id="cust-1")) == [written]

    def test_pages_walk_forward_and_back_with_cursors(self, audit_backend: AuditBackend) -> None:
        log = audit_backend.log
        # Two at the same moment: the id breaks the tie, newest (largest) first.
        log.append([_entry(n, minutes=n // 2) for n in range(1, 8)])
        first = log.page(AuditFilter(), PageRequest(first=3))
        assert [e.node.id for e in first.edges] == ["entry-0007", "entry-0006", "entry-0005"]
        assert first.has_next_page
        rest = log.page(AuditFilter(), PageRequest(first=10, after=first.end_cursor))
        assert [e.node.id for e in rest.edges] == [f"entry-000{n}" for n in (4, 3, 2, 1)]
        assert not rest.has_next_page
        back = log.page(AuditFilter(), PageRequest(last=2, before=rest.start_cursor))
        assert [e.node.id for e in back.edges] == ["entry-0006", "entry-0005"]
        assert back.has_previous_page

    def test_filters_all_hold(self, audit_backend: AuditBackend) -> None:
        log = audit_backend.log
        log.append(
            [
                _entry(1, object_type="Customer", object_id="c-1"),
                _entry(2, minutes=1, actor_id="admin-1", operation="mergeCustomers"),
                _entry(3, minutes=2, object_type="Company", object_id="co-1"),
            ]
        )
        assert log.count(AuditFilter()) == 3
        assert log.count(AuditFilter(actor_id="agent-1")) == 2
        assert log.count(AuditFilter(actor_id="agent-1", object_type="Company")) == 1
        assert log.count(AuditFilter(operation="mergeCustomers")) == 1
        after = AuditFilter(occurred_after=T0, occurred_before=T0 + timedelta(minutes=2))
        assert [e.id for e in _all(log, after)] == ["entry-0002"]

    def test_purge_removes_only_entries_older_than_the_cutoff(
        self, audit_backend: AuditBackend
    ) -> None:
        log = audit_backend.log
        log.append([_entry(1, minutes=-10), _entry(2), _entry(3, minutes=10)])
        assert log.purge_before(T0) == 1
        assert [e.id for e in _all(log)] == ["entry-0003", "entry-0002"]

    def test_redaction_replaces_values_of_one_object_only(
        self, audit_backend: AuditBackend
    ) -> None:
        log = audit_backend.log
        change = (FieldChange("email", "a@x.com", None), FieldChange("last_name", "A", "B"))
        log.append(
            [
                _entry(1, object_type="Customer", object_id="c-1", changes=change),
                _entry(2, object_type="Customer", object_id="c-2", changes=change),
            ]
        )
        assert log.redact_object("Customer", "c-1") == 1
        redacted, kept = (
            _all(log, AuditFilter(object_id="c-1"))[0],
            _all(log, AuditFilter(object_id="c-2"))[0],
        )
        assert redacted.changes == (
            FieldChange("email", REDACTED, None),
            FieldChange("last_name", REDACTED, REDACTED),
        )
        assert (redacted.operation, redacted.actor_id) == ("updateCustomer", "agent-1")
        assert kept.changes == change

    def test_entries_mentioning_an_object_in_a_value(self, audit_backend: AuditBackend) -> None:
        log = audit_backend.log
        log.append(
            [
                _entry(1, object_type="Customer", object_id="c-1"),
                _entry(2, object_type="Company", object_id="co-1"),
                _entry(
                    3,
                    object_type="Opportunity",
                    object_id="o-1",
                    changes=(FieldChange("customer_id", "c-2", "c-1"),),
                ),
            ]
        )
        assert [e.id for e in log.entries_mentioning("c-1")] == ["entry-0001", "entry-0003"]


class AuditJournalContract:
    """The journal writes in the change's own transaction: both or neither."""

    def test_a_committed_change_has_its_entry(self, audit_backend: AuditBackend) -> None:
        customer = new_customer(first="Ada")
        with audit_backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        context = AuditContext.of(AGENT, "updateCustomer", audit_backend.trail)
        with audited(context), audit_backend.uow() as uow:
            loaded = uow.customers.get(customer.id)
            assert loaded is not None
            loaded.update(CustomerChanges(last_name="King"), at=T0, by=AGENT.actor_id)
            uow.commit()
        (entry,) = _all(audit_backend.log)
        assert (entry.object_type, entry.object_id, entry.api_key_id) == (
            "Customer",
            customer.id,
            "key-1",
        )
        assert FieldChange("last_name", "Lovelace", "King") in entry.changes
        assert context.recorded == 1

    def test_a_change_that_fails_to_commit_leaves_no_entry(
        self, audit_backend: AuditBackend
    ) -> None:
        with audit_backend.uow() as uow:
            uow.customers.add(new_customer(first="Ada", email="ada@example.com"))
            uow.commit()
        context = AuditContext.of(AGENT, "createCustomer", audit_backend.trail)
        with audited(context), audit_backend.uow() as uow:
            uow.customers.add(new_customer(first="Eve", email="ada@example.com"))
            with pytest.raises(AlreadyTaken):
                uow.commit()
        assert _all(audit_backend.log) == []

    def test_a_new_record_is_recorded_with_its_creation_event(
        self, audit_backend: AuditBackend
    ) -> None:
        context = AuditContext.of(AGENT, "createCustomer", audit_backend.trail)
        customer = new_customer(first="Ada")
        with audited(context), audit_backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        (entry,) = _all(audit_backend.log)
        assert (entry.object_id, entry.changes) == (customer.id, ())
        assert entry.events == ("rapport.customer.created.v1",)
