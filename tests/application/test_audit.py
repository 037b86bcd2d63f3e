"""The audit log on the in-memory composition: what operations record, and who may read it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.audit.bundle import Audit
from application.audit.context import AuditContext, audited, in_request
from application.audit.ports import AuditFilter
from application.customers.commands import CustomerPatch, NewCustomer
from application.errors import Forbidden, StaleVersion
from application.pagination import PageRequest
from application.principal import Principal
from domain.access.roles import Role
from domain.audit import REDACTED, AuditEntry, FieldChange, Outcome
from tests.application.conftest import App

ADMIN = Principal(actor_id="admin-1", role=Role.ADMIN, name="Admin", api_key_id="key-1")


def _audit(app: App) -> Audit:
    return app.container.use(Audit)


def _entries(app: App, **conditions: object) -> list[AuditEntry]:
    page = _audit(app).read(ADMIN, AuditFilter(**conditions), PageRequest(first=100))  # type: ignore[arg-type]
    return [edge.node for edge in page.edges]


def test_an_update_is_recorded_with_the_fields_it_changed(app: App, agent: Principal) -> None:
    audit = _audit(app)
    with audit.trail.operation(agent, "createCustomer"):
        created = app.customers.create(agent, NewCustomer(first_name="Ada", email="a@x.com"))
    app.clock.advance(timedelta(minutes=1))
    with in_request("req-7"), audit.trail.operation(agent, "updateCustomer"):
        app.customers.update(
            agent,
            CustomerPatch(customer_id=created.id, expected_version=1, last_name="King"),
        )
    update, creation = _entries(app, object_id=created.id)
    assert (update.operation, update.outcome, update.actor_id, update.request_id) == (
        "updateCustomer",
        Outcome.SUCCEEDED,
        agent.actor_id,
        "req-7",
    )
    assert FieldChange("last_name", "", "King") in update.changes
    assert {change.field for change in update.changes} >= {"last_name", "updated_at"}
    assert update.events == ("rapport.customer.updated.v1",)
    assert (creation.operation, creation.object_type, creation.changes) == (
        "createCustomer",
        "Customer",
        (),
    )
    assert "rapport.customer.created.v1" in creation.events


def test_a_refused_operation_is_recorded_and_changes_nothing(app: App, agent: Principal) -> None:
    audit = _audit(app)
    created = app.customers.create(agent, NewCustomer(first_name="Ada"))
    app.customers.update(
        agent, CustomerPatch(customer_id=created.id, expected_version=1, last_name="King")
    )
    with pytest.raises(StaleVersion), audit.trail.operation(agent, "updateCustomer") as op:
        op.subject = ("Customer", created.id)
        app.customers.update(
            agent, CustomerPatch(customer_id=created.id, expected_version=1, first_name="Eve")
        )
    (entry,) = _entries(app)
    assert (entry.outcome, entry.error_codes, entry.object_id, entry.changes) == (
        Outcome.REFUSED,
        ("STALE_VERSION",),
        created.id,
        (),
    )
    assert app.customers.get(agent, [created.id])[created.id].first_name == "Ada"


def test_a_forbidden_attempt_is_recorded(app: App, viewer: Principal) -> None:
    with pytest.raises(Forbidden), _audit(app).trail.operation(viewer, "createCustomer"):
        app.customers.create(viewer, NewCustomer(first_name="Grace"))
    (entry,) = _entries(app, actor_id=viewer.actor_id)
    assert (entry.outcome, entry.error_codes) == (Outcome.REFUSED, ("FORBIDDEN",))


def test_rolls_back_uncommitted_work_by_default_and_records_none_of_it(
    app: App, agent: Principal
) -> None:
    created = app.customers.create(agent, NewCustomer(first_name="Ada"))
    uow_factory = app.backend.uow
    context = AuditContext.of(agent, "experiment", _audit(app).trail)
    with audited(context), uow_factory() as uow:
        customer = uow.customers.get(created.id)
        assert customer is not None
        customer.first_name = "Changed"
        # Left without commit: rolled back.
    assert context.recorded == 0
    assert _entries(app) == []


def test_unaudited_work_is_not_recorded(app: App, agent: Principal) -> None:
    app.customers.create(agent, NewCustomer(first_name="Ada"))
    assert _entries(app) == []


def test_only_those_allowed_may_read_the_log(app: App, manager: Principal) -> None:
    with pytest.raises(Forbidden):
        _audit(app).read(manager, AuditFilter(), PageRequest())
    with pytest.raises(Forbidden):
        _audit(app).read.count(manager, AuditFilter())


def test_the_log_filters_by_user_and_operation_newest_first(
    app: App, agent: Principal, manager: Principal
) -> None:
    trail = _audit(app).trail
    for actor, name in ((agent, "Ada"), (manager, "Grace"), (agent, "Linus")):
        app.clock.advance(timedelta(seconds=1))
        with trail.operation(actor, "createCustomer"):
            app.customers.create(actor, NewCustomer(first_name=name))
    mine = _entries(app, actor_id=agent.actor_id)
    assert [e.occurred_at for e in mine] == sorted((e.occurred_at for e in mine), reverse=True)
    assert len(mine) == 2
    assert _audit(app).read.count(ADMIN, AuditFilter(operation="createCustomer")) == 3
    assert _entries(app, operation="updateCustomer") == []


def test_the_purge_removes_only_entries_older_than_the_policy(app: App, agent: Principal) -> None:
    audit = _audit(app)
    with audit.trail.operation(agent, "createCustomer"):
        old = app.customers.create(agent, NewCustomer(first_name="Old"))
    app.clock.advance(timedelta(days=audit.purge.retention_days + 1))
    with audit.trail.operation(agent, "createCustomer"):
        recent = app.customers.create(agent, NewCustomer(first_name="Recent"))
    assert audit.purge(Principal.system()) == 1
    assert [e.object_id for e in _entries(app)] == [recent.id]
    assert _entries(app, object_id=old.id) == []


def test_the_purge_is_a_daily_job(app: App) -> None:
    jobs = app.container.module("audit").jobs()
    assert "audit-purge" in jobs


def test_redaction_hides_values_and_keeps_who_did_what(app: App, agent: Principal) -> None:
    audit = _audit(app)
    created = app.customers.create(agent, NewCustomer(first_name="Ada"))
    with audit.trail.operation(agent, "updateCustomer"):
        app.customers.update(
            agent, CustomerPatch(customer_id=created.id, expected_version=1, last_name="King")
        )
    assert audit.redact(Principal.system(), "Customer", created.id) == 1
    (entry,) = _entries(app, object_id=created.id)
    assert entry.operation == "updateCustomer"
    assert FieldChange("last_name", REDACTED, REDACTED) in entry.changes
    assert all(REDACTED in (c.before, c.after) for c in entry.changes)


def test_a_refused_login_is_recorded(app: App) -> None:
    failures = _audit(app).login_failures
    with in_request("req-1"):
        failures.refused("UNKNOWN_KEY", "key-9", app.clock.now())
    (entry,) = _entries(app, operation="login_failed")
    assert (entry.outcome, entry.error_codes, entry.api_key_id, entry.request_id) == (
        Outcome.REFUSED,
        ("UNKNOWN_KEY",),
        "key-9",
        "req-1",
    )


def test_an_unexpected_failure_is_recorded_as_failed(app: App, agent: Principal) -> None:
    with pytest.raises(RuntimeError), _audit(app).trail.operation(agent, "updateCustomer"):
        raise RuntimeError("the database went away")
    (entry,) = _entries(app)
    assert (entry.outcome, entry.error_codes) == (Outcome.FAILED, ("INTERNAL",))


def test_an_operation_that_changed_nothing_is_recorded_once(app: App, agent: Principal) -> None:
    with _audit(app).trail.operation(agent, "export") as operation:
        operation.subject = ("Segment", "s-1")
    (entry,) = _entries(app)
    assert (entry.operation, entry.outcome, entry.object_type, entry.object_id) == (
        "export",
        Outcome.SUCCEEDED,
        "Segment",
        "s-1",
    )
