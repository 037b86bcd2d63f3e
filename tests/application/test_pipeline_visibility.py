"""A deal, lead or task outside the actor's sight is refused as missing; handing one to
someone else needs the assign permission; what a rep creates is theirs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import attrs
import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.pipeline.leads import Conversion, LeadPatch, NewLead
from application.pipeline.opportunities import NewOpportunity, OpportunityPatch
from application.pipeline.tasks import NewTask, TaskPatch
from application.pipeline.teams import TeamMemberInput
from application.pipeline.views import OpportunityFilter
from application.principal import Principal
from domain.access.roles import Resource, Role
from domain.access.visibility import Reach, Visibility
from domain.errors import DomainError, ErrorCode
from domain.pipeline import Outcome
from tests.application.pipeline_app import Sales, build

DUE = datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.fixture
def sales(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> Sales:
    return build(clock, ids, bus)


def scoped(user: Principal, *, shared: set[str] | None = None) -> Principal:
    """``user`` as authentication makes them: seeing what they own and what is shared."""
    own = Visibility.owned_by({user.actor_id}, shared or set())
    return attrs.evolve(
        user,
        reach=Reach(dict.fromkeys((Resource.DEALS, Resource.LEADS, Resource.TASKS), own)),
    )


def problems(
    call: Callable[..., object], *args: object, **kwargs: object
) -> list[tuple[str, ErrorCode, str]]:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    return [(p.field, p.code, p.message) for p in error.value.problems]


def opened(sales: Sales, owner: Principal) -> str:
    customer = sales.customer(Principal.system(), f"{owner.name.lower()}-c@example.com")
    new = NewOpportunity(
        name="Pilot", customer_id=customer, owner_id=owner.actor_id, currency="EUR"
    )
    return sales.pipeline.create_opportunity(Principal.system(), new).id


def test_a_colleagues_deal_is_refused_exactly_like_a_missing_one(sales: Sales) -> None:
    rita, sam = scoped(sales.rep("Rita")), scoped(sales.rep("Sam"))
    theirs = opened(sales, sam)
    pipeline = sales.pipeline
    stage = pipeline.read_pipeline.pipelines(rita)[0].stages[1].id
    for deal_id in (theirs, "missing"):
        assert problems(pipeline.move_opportunity, rita, deal_id, stage) == [
            ("opportunityId", ErrorCode.NOT_FOUND, "no opportunity has this id")
        ]
        assert problems(pipeline.close_opportunity, rita, deal_id, Outcome.LOST, "no budget") == [
            ("opportunityId", ErrorCode.NOT_FOUND, "no opportunity has this id")
        ]
        patch = OpportunityPatch(opportunity_id=deal_id, expected_version=1, name="Mine now")
        assert problems(pipeline.update_opportunity, rita, patch) == [
            ("id", ErrorCode.NOT_FOUND, "no opportunity has this id")
        ]
        task = NewTask(kind="call", title="Call", due_at=DUE, opportunity_id=deal_id)
        assert problems(pipeline.create_task, rita, task) == [
            ("opportunityId", ErrorCode.NOT_FOUND, "no opportunity has this id")
        ]
    assert pipeline.read_pipeline.get_many(rita, [theirs]) == {}
    assert pipeline.read_pipeline.count(rita, OpportunityFilter()) == 0
    (stored,) = pipeline.read_pipeline.get_many(sam, [theirs]).values()
    assert (stored.name, stored.status, stored.version) == ("Pilot", "open", 1)
    # Shared with Rita, the deal is hers to work.
    shared = scoped(rita, shared={theirs})
    moved = pipeline.move_opportunity(shared, theirs, stage)
    assert moved.stage_id == stage and moved.owner_id == sam.actor_id


def test_a_colleagues_lead_and_task_are_refused_like_missing_ones(sales: Sales) -> None:
    rita, sam = scoped(sales.rep("Rita")), scoped(sales.rep("Sam"))
    pipeline = sales.pipeline
    lead = pipeline.create_lead(sam, NewLead(email="lead@example.com"))
    task = pipeline.create_task(sam, NewTask(kind="call", title="Call", due_at=DUE))
    assert (lead.owner_id, task.assignee_id) == (sam.actor_id, sam.actor_id)
    for lead_id in (lead.id, "missing"):
        missing = ("leadId", ErrorCode.NOT_FOUND, "no lead has this id")
        assert problems(pipeline.mark_lead_contacted, rita, lead_id) == [missing]
        conversion = Conversion(lead_id=lead_id, opportunity_name="Pilot", currency="EUR")
        assert problems(pipeline.convert_lead, rita, conversion) == [missing]
        patch = LeadPatch(lead_id=lead_id, expected_version=1, title="CEO")
        assert problems(pipeline.update_lead, rita, patch) == [
            ("id", ErrorCode.NOT_FOUND, "no lead has this id")
        ]
    for task_id in (task.id, "missing"):
        assert problems(pipeline.complete_task, rita, task_id) == [
            ("taskId", ErrorCode.NOT_FOUND, "no task has this id")
        ]
        edit = TaskPatch(task_id=task_id, expected_version=1, title="Mine")
        assert problems(pipeline.update_task, rita, edit) == [
            ("id", ErrorCode.NOT_FOUND, "no task has this id")
        ]
    assert pipeline.read_leads.get_many(rita, [lead.id]) == {}
    assert pipeline.read_tasks.get_many(rita, [task.id]) == {}
    assert pipeline.read_tasks.get_many(sam, [task.id])[task.id].title == "Call"
    assert pipeline.read_leads.get_many(sam, [lead.id])[lead.id].status == "new"


def test_giving_a_record_to_someone_else_needs_the_assign_permission(sales: Sales) -> None:
    rita, sam = scoped(sales.rep("Rita")), scoped(sales.rep("Sam"))
    manager = sales.manager("Maya")
    pipeline = sales.pipeline
    customer = sales.customer(Principal.system(), "ada@example.com")
    forbidden = [("", ErrorCode.FORBIDDEN, "the sales_rep role may not deals:assign")]
    for_sam = NewOpportunity(
        name="Pilot", customer_id=customer, owner_id=sam.actor_id, currency="EUR"
    )
    assert problems(pipeline.create_opportunity, rita, for_sam) == forbidden
    mine = pipeline.create_opportunity(
        rita, NewOpportunity(name="Mine", customer_id=customer, currency="EUR")
    )
    assert mine.owner_id == rita.actor_id
    give = OpportunityPatch(opportunity_id=mine.id, expected_version=1, owner_id=sam.actor_id)
    assert problems(pipeline.update_opportunity, rita, give) == forbidden
    # Taking a colleague's shared deal for oneself is a change of owner too.
    theirs = opened(sales, sam)
    take = OpportunityPatch(opportunity_id=theirs, expected_version=1, owner_id=rita.actor_id)
    assert problems(pipeline.update_opportunity, scoped(rita, shared={theirs}), take) == (forbidden)
    assert pipeline.read_pipeline.get_many(sam, [theirs])[theirs].owner_id == sam.actor_id
    assert pipeline.update_opportunity(manager, give).owner_id == sam.actor_id
    # Tasks likewise.
    task_forbidden = [("", ErrorCode.FORBIDDEN, "the sales_rep role may not tasks:assign")]
    for_sam_task = NewTask(kind="call", title="Call", due_at=DUE, assignee_id=sam.actor_id)
    assert problems(pipeline.create_task, rita, for_sam_task) == task_forbidden
    own = pipeline.create_task(rita, NewTask(kind="call", title="Call", due_at=DUE))
    hand = TaskPatch(task_id=own.id, expected_version=own.version, assignee_id=sam.actor_id)
    assert problems(pipeline.update_task, rita, hand) == task_forbidden
    assert pipeline.update_task(manager, hand).assignee_id == sam.actor_id


def test_a_rep_keeps_the_lead_they_capture_and_owns_the_deal_they_convert(
    sales: Sales,
) -> None:
    rita, sam = scoped(sales.rep("Rita")), scoped(sales.rep("Sam"))
    pipeline = sales.pipeline
    pipeline.create_sales_team(
        Principal.system(),
        name="Inside",
        strategy="round_robin",
        members=[TeamMemberInput(user_id=sam.actor_id)],
    )
    captured = pipeline.create_lead(rita, NewLead(email="ada@example.com"))
    assert captured.owner_id == rita.actor_id
    assert captured.first_touch_due_at is not None
    routed = pipeline.create_lead(Principal.system(), NewLead(email="bob@example.com"))
    assert routed.owner_id == sam.actor_id
    lead, deal_id = pipeline.convert_lead(
        scoped(rita, shared={routed.id}),
        Conversion(lead_id=routed.id, opportunity_name="Pilot", currency="EUR"),
    )
    assert lead.status.value == "converted"
    (deal,) = pipeline.read_pipeline.get_many(rita, [deal_id]).values()
    assert deal.owner_id == rita.actor_id


def test_roles_reach_the_pipeline_through_their_own_permissions(sales: Sales) -> None:
    pipeline = sales.pipeline
    marketer = sales.user("Mia", Role.MARKETER)
    support = sales.user("Sue", Role.SUPPORT_AGENT)
    analyst = sales.user("Al", Role.ANALYST)
    customer = sales.customer(Principal.system(), "ada@example.com")
    lead = pipeline.create_lead(marketer, NewLead(email="lead@example.com"))
    assert lead.id in pipeline.read_leads.get_many(marketer, [lead.id])
    new_deal = NewOpportunity(name="Pilot", customer_id=customer, currency="EUR")
    for actor, permission in ((marketer, "deals:create"), (support, "deals:create")):
        assert problems(pipeline.create_opportunity, actor, new_deal) == [
            ("", ErrorCode.FORBIDDEN, f"the {actor.role.key} role may not {permission}")
        ]
    task = pipeline.create_task(support, NewTask(kind="call", title="Call back", due_at=DUE))
    assert pipeline.complete_task(support, task.id).status.value == "done"
    assert problems(pipeline.create_lead, analyst, NewLead(email="x@example.com")) == [
        ("", ErrorCode.FORBIDDEN, "the analyst role may not leads:create")
    ]
    assert pipeline.read_pipeline.count(analyst, OpportunityFilter()) == 0
    assert problems(
        pipeline.create_sales_team, sales.rep("Rita"), name="X", strategy="round_robin", members=[]
    ) == [("", ErrorCode.FORBIDDEN, "the sales_rep role may not pipeline:manage")]
