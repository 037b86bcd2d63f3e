"""Opening, moving and closing deals; bad input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.errors import NotFound
from application.pagination import PageRequest
from application.pipeline.analytics import ForecastGrouping, Period
from application.pipeline.opportunities import NewLineItem, NewOpportunity
from application.pipeline.teams import TeamMemberInput
from application.pipeline.views import OpportunityFilter
from application.principal import Principal
from domain.access.roles import Role
from domain.access.visibility import EVERYTHING
from domain.errors import DomainError, ErrorCode
from domain.pipeline import Outcome, Pipeline, PipelineStage, default_pipeline
from tests.application.pipeline_app import Sales, build

PIPELINE = default_pipeline()
Q, D, P, N = (stage.id for stage in PIPELINE.stages)


@pytest.fixture
def sales(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> Sales:
    return build(clock, ids, bus)


@pytest.fixture
def actor(sales: Sales) -> Principal:
    return sales.rep("Rita")


def deal(customer_id: str, **changes: object) -> NewOpportunity:
    fields: dict[str, object] = {
        "name": "Fifty seats",
        "customer_id": customer_id,
        "currency": "EUR",
        "amount": "12000.00",
        "expected_close_date": date(2026, 3, 31),
    }
    fields.update(changes)
    return NewOpportunity(**fields)  # type: ignore[arg-type]


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, ErrorCode]]:
    return [(p.field, p.code) for p in error.value.problems]


def test_a_deal_opens_at_the_first_stage_and_moves_with_history(
    sales: Sales, actor: Principal
) -> None:
    customer = sales.customer(actor, "ada@example.com")
    opened = sales.pipeline.create_opportunity(actor, deal(customer))
    assert (opened.stage_id, opened.owner_id) == (Q, actor.actor_id)
    sales.clock.advance(timedelta(days=2))
    sales.pipeline.move_opportunity(actor, opened.id, P)
    sales.clock.advance(timedelta(days=3))
    closed = sales.pipeline.close_opportunity(actor, opened.id, Outcome.WON, "signed")
    history = sales.pipeline.read_pipeline.history(actor, [opened.id])[opened.id]
    assert [(e.stage_id, e.seconds) for e in history] == [(Q, 2 * 86_400), (P, 3 * 86_400)]
    assert (closed.status.value, closed.close_reason) == ("won", "signed")
    assert [t for t, _ in sales.outbox() if "opportunity" in t] == [
        "rapport.opportunity.created.v1",
        "rapport.opportunity.stage_changed.v1",
        "rapport.opportunity.closed.v1",
    ]


def test_line_items_sum_to_the_amount_exactly(sales: Sales, actor: Principal) -> None:
    customer = sales.customer(actor, "ada@example.com")
    items = [
        NewLineItem(product="Seat", quantity=3, unit_price="19.99", currency="EUR"),
        NewLineItem(
            product="Setup", quantity=1, unit_price="100.00", currency="EUR", discount="0.03"
        ),
    ]
    opened = sales.pipeline.create_opportunity(actor, deal(customer, amount=None, line_items=items))
    assert opened.amount is not None and str(opened.amount.amount) == "159.94"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"amount": "-1.00"}, [("amount", ErrorCode.NEGATIVE)]),
        ({"amount": "1.001"}, [("amount", ErrorCode.INVALID)]),
        ({"currency": "XXY"}, [("currency", ErrorCode.INVALID)]),
        ({"stage_id": "elsewhere-1"}, [("stageId", ErrorCode.WRONG_PIPELINE)]),
        (
            {"stage_id": N, "amount": None, "expected_close_date": None},
            [
                ("amount", ErrorCode.REQUIRED),
                ("expectedCloseDate", ErrorCode.REQUIRED),
                ("nextStep", ErrorCode.REQUIRED),
            ],
        ),
        (
            {
                "line_items": [
                    NewLineItem(product="Seat", quantity=1, unit_price="5", currency="USD")
                ]
            },
            [("lineItems.0.unitPrice", ErrorCode.CURRENCY_MISMATCH)],
        ),
        (
            {
                "line_items": [
                    NewLineItem(product="Seat", quantity=1, unit_price="-5", currency="EUR")
                ]
            },
            [("lineItems.0.unitPrice", ErrorCode.NEGATIVE)],
        ),
        ({"name": "  "}, [("name", ErrorCode.REQUIRED)]),
    ],
)
def test_bad_deals_are_refused_and_nothing_is_stored(
    sales: Sales,
    actor: Principal,
    changes: dict[str, object],
    expected: list[tuple[str, ErrorCode]],
) -> None:
    customer = sales.customer(actor, "ada@example.com")
    before = sales.outbox()
    with pytest.raises(DomainError) as error:
        sales.pipeline.create_opportunity(actor, deal(customer, **changes))
    assert codes(error) == expected
    assert sales.outbox() == before
    assert sales.pipeline.read_pipeline.count(actor, OpportunityFilter()) == 0


def test_moving_to_a_stage_of_another_pipeline_is_refused(sales: Sales, actor: Principal) -> None:
    other = Pipeline(
        id="renewals",
        name="Renewals",
        stages=(PipelineStage(id="renewals-due", key="due", label="Due", probability=60),),
    )
    with sales.uow() as uow:
        uow.pipelines.add(other)
        uow.commit()
    customer = sales.customer(actor, "ada@example.com")
    opened = sales.pipeline.create_opportunity(actor, deal(customer))
    with pytest.raises(DomainError) as error:
        sales.pipeline.move_opportunity(actor, opened.id, "renewals-due")
    assert codes(error) == [("stageId", ErrorCode.WRONG_PIPELINE)]
    assert sales.pipeline.read_pipeline.get_many(actor, [opened.id])[opened.id].stage_id == Q


def test_a_stage_needs_its_required_fields_before_entry(sales: Sales, actor: Principal) -> None:
    customer = sales.customer(actor, "ada@example.com")
    opened = sales.pipeline.create_opportunity(
        actor, deal(customer, amount=None, expected_close_date=None)
    )
    with pytest.raises(DomainError) as error:
        sales.pipeline.move_opportunity(actor, opened.id, P)
    assert codes(error) == [
        ("amount", ErrorCode.REQUIRED),
        ("expectedCloseDate", ErrorCode.REQUIRED),
    ]
    sales.pipeline.move_opportunity(actor, opened.id, D)  # discovery needs nothing


def test_closing_needs_a_reason_and_happens_once(sales: Sales, actor: Principal) -> None:
    customer = sales.customer(actor, "ada@example.com")
    opened = sales.pipeline.create_opportunity(actor, deal(customer))
    with pytest.raises(DomainError) as error:
        sales.pipeline.close_opportunity(actor, opened.id, Outcome.LOST, "   ")
    assert codes(error) == [("reason", ErrorCode.REQUIRED)]
    sales.pipeline.close_opportunity(actor, opened.id, Outcome.LOST, "went with a rival")
    with pytest.raises(DomainError) as again:
        sales.pipeline.close_opportunity(actor, opened.id, Outcome.WON, "changed their mind")
    assert codes(again) == [("opportunityId", ErrorCode.CLOSED)]
    with pytest.raises(DomainError):
        sales.pipeline.move_opportunity(actor, opened.id, D)


def test_a_deal_without_activity_goes_stale(sales: Sales, actor: Principal) -> None:
    customer = sales.customer(actor, "ada@example.com")
    opened = sales.pipeline.create_opportunity(actor, deal(customer))
    assert not opened.is_stale(sales.clock.now() + timedelta(days=29), PIPELINE.stale_after_days)
    assert opened.is_stale(sales.clock.now() + timedelta(days=30), PIPELINE.stale_after_days)


def test_the_stale_filter_finds_open_deals_idle_for_the_pipelines_days(
    sales: Sales, actor: Principal
) -> None:
    customer = sales.customer(actor, "ada@example.com")
    idle = sales.pipeline.create_opportunity(actor, deal(customer, name="Idle"))
    sales.clock.advance(timedelta(days=20))
    sales.pipeline.create_opportunity(actor, deal(customer, name="Fresh"))
    sales.clock.advance(timedelta(days=10))
    stale = sales.pipeline.read_pipeline.stale(actor, OpportunityFilter())
    page = sales.pipeline.read_pipeline.opportunities(actor, stale, PageRequest(first=10))
    assert [e.node.id for e in page.edges] == [idle.id]
    with pytest.raises(NotFound):
        sales.pipeline.read_pipeline.stale(actor, OpportunityFilter(pipeline_id="nope"))


def test_unknown_references_are_not_found(sales: Sales, actor: Principal) -> None:
    with pytest.raises(NotFound):
        sales.pipeline.create_opportunity(actor, deal("nobody"))
    customer = sales.customer(actor, "ada@example.com")
    with pytest.raises(NotFound):
        sales.pipeline.create_opportunity(actor, deal(customer, pipeline_id="nope"))
    with pytest.raises(NotFound):
        sales.pipeline.move_opportunity(actor, "nope", D)


def test_viewers_may_read_but_not_sell(sales: Sales, actor: Principal) -> None:
    viewer = Principal(actor_id="v", role=Role.ANALYST, name="V")
    customer = sales.customer(actor, "ada@example.com")
    with pytest.raises(DomainError) as error:
        sales.pipeline.create_opportunity(viewer, deal(customer))
    assert codes(error) == [("", ErrorCode.FORBIDDEN)]
    assert list(sales.pipeline.read_pipeline.pipelines(viewer)) == [PIPELINE]


def test_deals_appear_on_the_customer_timeline(sales: Sales, actor: Principal) -> None:
    customer = sales.customer(actor, "ada@example.com")
    opened = sales.pipeline.create_opportunity(actor, deal(customer))
    sales.pipeline.move_opportunity(actor, opened.id, D)
    assert sales.backend.timeline is not None
    entries = sales.backend.timeline.slice(
        customer, kinds=["opportunity"], after=None, limit=10, visible=EVERYTHING
    )
    assert [e.title for e in entries] == ["Fifty seats: moved to Discovery", "Fifty seats: opened"]


def test_the_forecast_groups_by_team(sales: Sales, actor: Principal) -> None:
    other = sales.rep("Otto")
    sales.pipeline.create_sales_team(
        Principal.system(),
        name="Inside",
        strategy="round_robin",
        members=[TeamMemberInput(user_id=actor.actor_id)],
    )
    customer = sales.customer(actor, "ada@example.com")
    sales.pipeline.create_opportunity(actor, deal(customer, stage_id=P))
    sales.pipeline.create_opportunity(other, deal(customer, amount="100.00"))
    lines = sales.pipeline.analytics.forecast(
        actor, PIPELINE.id, Period.QUARTER, ForecastGrouping.TEAM
    )
    assert [(f.period, f.group, f.amount, f.weighted) for f in lines] == [
        ("2026-Q1", "Inside", Decimal("12000.00"), Decimal("6000.00")),
        ("2026-Q1", "no team", Decimal("100.00"), Decimal("10.00")),
    ]


def test_a_deal_is_edited_at_the_version_read_and_moved_at_the_version_seen(
    sales: Sales, actor: Principal
) -> None:
    from application.errors import StaleVersion
    from application.pipeline.opportunities import OpportunityPatch

    customer = sales.customer(actor, "ada@example.com")
    opened = sales.pipeline.create_opportunity(actor, deal(customer, amount=None))
    patch = OpportunityPatch(
        opportunity_id=opened.id,
        expected_version=opened.version,
        amount=("250.50", "USD"),
        next_step="demo",
        line_items=[NewLineItem(product="Seat", quantity=2, unit_price="125.25", currency="USD")],
    )
    edited = sales.pipeline.update_opportunity(actor, patch)
    assert (edited.terms.currency.code, str(edited.amount.amount if edited.amount else None)) == (
        "USD",
        "250.50",
    )
    assert edited.version == opened.version + 1
    with pytest.raises(StaleVersion):
        sales.pipeline.update_opportunity(actor, patch)
    with pytest.raises(StaleVersion):
        sales.pipeline.move_opportunity(actor, opened.id, N, opened.version)
    moved = sales.pipeline.move_opportunity(actor, opened.id, N, edited.version)
    assert moved.stage_id == N
    view = sales.pipeline.read_pipeline.get_many(actor, [opened.id])[opened.id]
    assert (view.stage_id, view.version) == (N, moved.version)
