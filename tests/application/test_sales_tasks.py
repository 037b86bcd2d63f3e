"""Tasks, reminders, and the cross-sell rule on a fixed data set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.orders.commands import NewOrder, NewOrderLine
from application.pagination import PageRequest
from application.pipeline.tasks import NewTask
from application.pipeline.views import TaskFilter
from application.principal import Principal
from domain.errors import DomainError, ErrorCode
from domain.pipeline import AutomationRule
from tests.application.pipeline_app import Sales, build

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
CROSS_SELL = AutomationRule.from_data(
    key="support_after_licence",
    name="Offer support to licence buyers",
    condition={"type": "bought_without", "product": "LIC", "days": 182, "neverBought": "SUP"},
    action={"type": "create_task", "kind": "call", "title": "Offer a support plan", "dueInDays": 5},
)


@pytest.fixture
def sales(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> Sales:
    clock.set(NOW)
    return build(clock, ids, bus)


@pytest.fixture
def admin() -> Principal:
    return Principal.system()


def buy(sales: Sales, customer: str, sku: str, days_ago: int) -> None:
    sales.orders.record(
        Principal.system(),
        NewOrder(
            customer_id=customer,
            placed_at=NOW - timedelta(days=days_ago),
            currency="EUR",
            lines=[NewOrderLine(sku=sku, name=sku, quantity=1, unit_price="10.00")],
            paid=True,
        ),
    )


def test_the_cross_sell_rule_makes_exactly_the_expected_tasks(
    sales: Sales, admin: Principal
) -> None:
    ana, ben = sales.rep("Ana"), sales.rep("Ben")
    c = {
        name: sales.customer(admin, f"{name}@example.com", owner=owner)
        for name, owner in [
            ("old_licence", ana.actor_id),  # LIC 200 days ago, no SUP: task for Ana
            ("two_licences", ben.actor_id),  # LIC 300 and 10 days ago: first is old: task for Ben
            ("recent_licence", ana.actor_id),  # LIC 100 days ago: too recent
            ("has_support", ana.actor_id),  # LIC 400 days ago, SUP 20 days ago: has B
            ("support_only", ben.actor_id),  # SUP only
            ("nothing", ben.actor_id),  # no orders
            ("edge", ana.actor_id),  # LIC exactly 182 days ago: "more than" includes the day
        ]
    }
    buy(sales, c["old_licence"], "LIC", 200)
    buy(sales, c["two_licences"], "LIC", 300)
    buy(sales, c["two_licences"], "LIC", 10)
    buy(sales, c["recent_licence"], "LIC", 100)
    buy(sales, c["has_support"], "LIC", 400)
    buy(sales, c["has_support"], "SUP", 20)
    buy(sales, c["support_only"], "SUP", 300)
    buy(sales, c["edge"], "LIC", 182)
    sales.pipeline.define_automation_rule(admin, CROSS_SELL)

    assert sales.pipeline.run_automation_rules(admin) == 3
    tasks = sales.pipeline.read_tasks.page(admin, TaskFilter(), PageRequest(first=50)).edges
    made = sorted((t.node.customer_id, t.node.assignee_id, t.node.title) for t in tasks)
    assert made == sorted(
        [
            (c["old_licence"], ana.actor_id, "Offer a support plan"),
            (c["two_licences"], ben.actor_id, "Offer a support plan"),
            (c["edge"], ana.actor_id, "Offer a support plan"),
        ]
    )
    assert {t.node.due_at for t in tasks} == {NOW + timedelta(days=5)}
    assert {t.node.rule_key for t in tasks} == {"support_after_licence"}
    # Running again, or later, never doubles a customer's task.
    assert sales.pipeline.run_automation_rules(admin) == 0
    sales.clock.advance(timedelta(days=90))
    assert sales.pipeline.run_automation_rules(admin) == 1  # recent_licence is now 190 days old


def test_my_open_and_overdue_tasks(sales: Sales, admin: Principal) -> None:
    ana = sales.rep("Ana")
    customer = sales.customer(admin, "ada@example.com")
    for hours, title in [(2, "Call back"), (-1, "Send deck"), (30, "Demo")]:
        sales.pipeline.create_task(
            ana,
            NewTask(
                kind="call",
                title=title,
                due_at=NOW + timedelta(hours=hours),
                customer_id=customer,
            ),
        )
    mine = TaskFilter(assignee_ids=frozenset({ana.actor_id}), status="open")
    page = sales.pipeline.read_tasks.page(admin, mine, PageRequest(first=2))
    assert [e.node.title for e in page.edges] == ["Send deck", "Call back"]
    rest = sales.pipeline.read_tasks.page(admin, mine, PageRequest(first=2, after=page.end_cursor))
    assert [e.node.title for e in rest.edges] == ["Demo"]
    overdue = TaskFilter(assignee_ids=frozenset({ana.actor_id}), status="open", due_before=NOW)
    assert sales.pipeline.read_tasks.count(admin, overdue) == 1


def test_reminders_are_events_sent_once(sales: Sales, admin: Principal) -> None:
    task = sales.pipeline.create_task(
        admin, NewTask(kind="meeting", title="Kick-off", due_at=NOW + timedelta(minutes=20))
    )
    assert sales.pipeline.send_reminders(admin) == (0, 0)
    sales.clock.advance(timedelta(minutes=6))
    assert sales.pipeline.send_reminders(admin) == (1, 0)
    assert sales.pipeline.send_reminders(admin) == (0, 0)
    assert ("rapport.task.reminder_due.v1", task.id) in sales.outbox()


@pytest.mark.parametrize(
    ("task", "field", "code"),
    [
        (NewTask(kind="fax", title="x", due_at=NOW), "kind", ErrorCode.INVALID_CHOICE),
        (NewTask(kind="call", title=" ", due_at=NOW), "title", ErrorCode.REQUIRED),
        (
            NewTask(kind="call", title="x", due_at=NOW.replace(tzinfo=None)),
            "dueAt",
            ErrorCode.INVALID,
        ),
        (
            NewTask(kind="call", title="x", due_at=NOW, customer_id="nobody"),
            "customerId",
            ErrorCode.NOT_FOUND,
        ),
        (
            NewTask(kind="call", title="x", due_at=NOW, assignee_id="nobody"),
            "assigneeId",
            ErrorCode.NOT_FOUND,
        ),
    ],
)
def test_bad_tasks_are_refused(
    sales: Sales, admin: Principal, task: NewTask, field: str, code: ErrorCode
) -> None:
    with pytest.raises(DomainError) as error:
        # A manager, who may give a task to someone else: the refusals are about the input.
        sales.pipeline.create_task(sales.manager("Ana"), task)
    assert [(p.field, p.code) for p in error.value.problems] == [(field, code)]
    assert sales.pipeline.read_tasks.count(admin, TaskFilter()) == 0
