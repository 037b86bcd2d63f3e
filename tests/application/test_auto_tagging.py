"""Auto-tag rules on the in-memory adapters: set-based, idempotent, and only their own tags."""

from __future__ import annotations

import pytest
from attrs import define

from adapters.ids import SequentialIdGenerator
from application.behaviour.tracking import IncomingEvent
from application.custom_fields.criteria import FieldCondition, Operator
from application.customers.commands import CustomerPatch, NewCustomer
from application.customers.views import CustomerView
from application.errors import Forbidden
from application.principal import Principal
from application.tags.commands import CreateTag, NewTag, TagCustomers
from application.tags.conditions import (
    ConditionSources,
    EventCondition,
    FieldsCondition,
    condition_from_json,
)
from application.tags.queries import GetTags
from application.tags.rules import DefineAutoTagRule, RunAutoTagRules
from domain.behaviour import EventFrequency
from domain.custom_fields import FieldType
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App

SYSTEM = Principal.system()
PRO = FieldsCondition((FieldCondition("plan", Operator.EQ, "pro"),))
ACTIVE = EventCondition(EventFrequency("Signed In", 2, 7))


@define
class Rules:
    define: DefineAutoTagRule
    run: RunAutoTagRules
    create_tag: CreateTag
    tag: TagCustomers
    tags: GetTags

    def new_tag(self, name: str) -> str:
        return self.create_tag(SYSTEM, NewTag(name=name, colour="#123456")).id

    def names(self, customer_id: str) -> list[str]:
        found = self.tags.of_customers(SYSTEM, [customer_id]).get(customer_id, ())
        return [view.name for view in found]


@pytest.fixture
def rules(app: App) -> Rules:
    ids = SequentialIdGenerator("r")
    sources = ConditionSources(
        app.backend.customers, app.backend.behaviour, app.backend.custom_fields
    )
    return Rules(
        define=DefineAutoTagRule(app.backend.uow, sources, app.clock, ids),
        run=RunAutoTagRules(app.backend.uow, sources, app.clock, ids),
        create_tag=CreateTag(app.backend.uow, app.clock, ids),
        tag=TagCustomers(app.backend.uow, app.clock, ids),
        tags=GetTags(app.backend.tags),
    )


@pytest.fixture
def people(app: App, agent: Principal) -> list[CustomerView]:
    app.define("plan", FieldType.TEXT)
    return [
        app.customers.create(agent, NewCustomer(first_name=name, custom_fields={"plan": plan}))
        for name, plan in (("Ada", "pro"), ("Grace", "free"), ("Linus", "pro"))
    ]


def signed_in(app: App, agent: Principal, customer_id: str, times: int) -> None:
    app.behaviour.track(
        agent,
        [
            IncomingEvent(customer_id=customer_id, name="Signed In", event_id=f"{customer_id}-{i}")
            for i in range(times)
        ],
    )


def test_customers_matching_a_field_condition_get_the_tag(
    app: App, rules: Rules, people: list[CustomerView]
) -> None:
    pro = rules.new_tag("Pro")
    rules.define(SYSTEM, pro, PRO)
    progress: list[tuple[int, int]] = []
    report = rules.run(SYSTEM, lambda done, total: progress.append((done, total)))
    assert (report.rules, report.added, report.removed) == (1, 2, 0)
    assert progress == [(1, 1)]
    assert [rules.names(p.id) for p in people] == [["Pro"], [], ["Pro"]]
    history = rules.tags.history(SYSTEM, people[0].id)
    assert history[0].rule_id is not None


def test_running_twice_changes_nothing(app: App, rules: Rules, people: list[CustomerView]) -> None:
    rules.define(SYSTEM, rules.new_tag("Pro"), PRO)
    rules.run(SYSTEM)
    events = len(app.backend.outbox())
    report = rules.run(SYSTEM)
    assert (report.added, report.removed) == (0, 0)
    assert len(app.backend.outbox()) == events


def test_a_customer_who_stops_matching_loses_the_tag(
    app: App, agent: Principal, rules: Rules, people: list[CustomerView]
) -> None:
    rules.define(SYSTEM, rules.new_tag("Pro"), PRO)
    rules.run(SYSTEM)
    ada = people[0]
    app.customers.update(
        agent,
        CustomerPatch(
            customer_id=ada.id, expected_version=ada.version, custom_fields={"plan": "free"}
        ),
    )
    report = rules.run(SYSTEM)
    assert (report.added, report.removed) == (0, 1)
    assert rules.names(ada.id) == []
    kinds = [e.node.kind for e in app.timeline.get(agent, ada.id, first=10).edges]
    assert kinds[:2] == ["untagged", "tagged"]


def test_a_rule_never_removes_a_tag_that_a_person_put_on(
    app: App, agent: Principal, rules: Rules, people: list[CustomerView]
) -> None:
    pro = rules.new_tag("Pro")
    grace = people[1].id
    rules.tag(agent, [grace], [pro])
    rules.define(SYSTEM, pro, PRO)
    report = rules.run(SYSTEM)
    assert (report.added, report.removed) == (2, 0)
    assert rules.names(grace) == ["Pro"]


def test_customers_doing_an_event_often_enough_get_the_tag(
    app: App, agent: Principal, rules: Rules, people: list[CustomerView]
) -> None:
    active = rules.new_tag("Active")
    rules.define(SYSTEM, active, ACTIVE)
    signed_in(app, agent, people[0].id, 2)
    signed_in(app, agent, people[1].id, 1)
    assert rules.run(SYSTEM).added == 1
    assert rules.names(people[0].id) == ["Active"]
    assert rules.names(people[1].id) == []


def test_archived_customers_are_left_alone(
    app: App, agent: Principal, manager: Principal, rules: Rules, people: list[CustomerView]
) -> None:
    active = rules.new_tag("Active")
    rules.define(SYSTEM, active, ACTIVE)
    signed_in(app, agent, people[0].id, 3)
    app.customers.archive(manager, people[0].id)
    assert rules.run(SYSTEM).added == 0


def test_a_rule_needs_a_known_tag_and_known_fields(
    app: App, agent: Principal, rules: Rules, people: list[CustomerView]
) -> None:
    with pytest.raises(DomainError) as raised:
        rules.define(SYSTEM, "no-tag", PRO)
    assert raised.value.problems[0].code is ErrorCode.NOT_FOUND
    unknown = FieldsCondition((FieldCondition("tier", Operator.EQ, "gold"),))
    with pytest.raises(DomainError) as raised:
        rules.define(SYSTEM, rules.new_tag("Gold"), unknown)
    assert raised.value.problems[0].code is ErrorCode.UNKNOWN_FIELD
    with pytest.raises(Forbidden):
        rules.define(agent, rules.new_tag("Silver"), PRO)


def test_conditions_round_trip_through_json() -> None:
    assert condition_from_json(PRO.to_json()) == PRO
    assert condition_from_json(ACTIVE.to_json()) == ACTIVE
    with pytest.raises(DomainError):
        condition_from_json({"type": "segment"})
