"""Use cases that open, move and close opportunities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

from attrs import frozen

from application.errors import NotFound
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import require_active_company, require_live_customer, require_user
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission
from domain.errors import DomainError, ErrorCode, ProblemCollector, RuleViolated
from domain.orders.money import Currency, Money
from domain.pipeline import DealTerms, LineItem, Opportunity, Outcome, Pipeline
from domain.pipeline.opportunity import timeline_entry


@frozen(kw_only=True)
class NewLineItem:
    product: str
    quantity: int
    unit_price: str
    currency: str
    discount: str | None = None


@frozen(kw_only=True)
class NewOpportunity:
    """An opportunity as a client sends it: amounts as text, checked by the use case."""

    name: str
    customer_id: str
    pipeline_id: str | None = None
    stage_id: str | None = None
    company_id: str | None = None
    owner_id: str | None = None
    currency: str
    amount: str | None = None
    expected_close_date: date | None = None
    next_step: str = ""
    line_items: Sequence[NewLineItem] = ()


def read_terms(new: NewOpportunity) -> DealTerms:
    """Exact money in one currency, with every problem of the input reported at once."""
    currency = _currency(new.currency, "currency")
    problems = ProblemCollector()
    amount = (
        problems.check(lambda: Money.of(new.amount or "", currency, field_name="amount"))
        if new.amount is not None
        else None
    )
    items = [
        item
        for index, raw in enumerate(new.line_items)
        if (item := problems.check(partial(_line_item, raw, index))) is not None
    ]
    problems.raise_if_any()
    return DealTerms.of(
        currency=currency,
        amount=amount,
        line_items=items,
        expected_close_date=new.expected_close_date,
        next_step=new.next_step,
    )


def _currency(raw: str, field_name: str) -> Currency:
    try:
        return Currency.parse(raw)
    except DomainError as error:
        raise RuleViolated(field_name, ErrorCode.INVALID, error.problems[0].message) from None


def _line_item(raw: NewLineItem, index: int) -> LineItem:
    path = f"lineItems.{index}"
    currency = _currency(raw.currency, f"{path}.currency")
    return LineItem.of(
        product=raw.product,
        quantity=raw.quantity,
        unit_price=Money.of(raw.unit_price, currency, field_name=f"{path}.unitPrice"),
        discount=(
            Money.of(raw.discount, currency, field_name=f"{path}.discount")
            if raw.discount is not None
            else None
        ),
        index=index,
    )


def require_pipeline(uow: UnitOfWork, pipeline_id: str | None) -> Pipeline:
    if pipeline_id is None:
        for pipeline in uow.pipelines.all():
            if pipeline.is_default:
                return pipeline
        raise NotFound("pipelineId", "there is no default pipeline")
    found = uow.pipelines.get(pipeline_id)
    if found is None:
        raise NotFound("pipelineId", "no pipeline has this id")
    return found


def open_opportunity(
    uow: UnitOfWork, actor: Principal, new: NewOpportunity, *, ids: IdGenerator, clock: Clock
) -> Opportunity:
    """Open a deal inside ``uow``'s transaction: the step ``convertLead`` shares."""
    terms = read_terms(new)
    pipeline = require_pipeline(uow, new.pipeline_id)
    owner_id = new.owner_id or actor.actor_id
    require_live_customer(uow, new.customer_id)
    require_active_company(uow, new.company_id)
    require_user(uow, owner_id, actor=actor)
    now = clock.now()
    opportunity = Opportunity.open(
        id=ids.new_id(),
        pipeline=pipeline,
        stage_id=new.stage_id,
        name=new.name,
        customer_id=new.customer_id,
        company_id=new.company_id,
        owner_id=owner_id,
        terms=terms,
        entry_id=ids.new_id(),
        at=now,
        by=actor.actor_id,
    )
    uow.opportunities.add(opportunity)
    uow.timeline.record(
        [
            timeline_entry(
                opportunity,
                entry_id=opportunity.entries[-1].id,
                title="opened",
                at=now,
                by=actor.actor_id,
            )
        ]
    )
    return opportunity


@frozen
class CreateOpportunity:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewOpportunity) -> Opportunity:
        actor.require(Permission.WRITE_CUSTOMERS)
        with self.uow() as uow:
            opportunity = open_opportunity(uow, actor, new, ids=self.ids, clock=self.clock)
            uow.commit()
        return opportunity


def _load(uow: UnitOfWork, opportunity_id: str) -> Opportunity:
    found = uow.opportunities.get(opportunity_id)
    if found is None:
        raise NotFound("opportunityId", "no opportunity has this id")
    return found


@frozen
class MoveOpportunity:
    """Move a deal to another stage of its pipeline; the stay is kept in its history."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, opportunity_id: str, stage_id: str) -> Opportunity:
        actor.require(Permission.WRITE_CUSTOMERS)
        with self.uow() as uow:
            opportunity = _load(uow, opportunity_id)
            pipeline = require_pipeline(uow, opportunity.pipeline_id)
            now = self.clock.now()
            entry_id = self.ids.new_id()
            if opportunity.advance(
                pipeline, stage_id, entry_id=entry_id, at=now, by=actor.actor_id
            ):
                stage = pipeline.stage(stage_id)
                uow.timeline.record(
                    [
                        timeline_entry(
                            opportunity,
                            entry_id=entry_id,
                            title=f"moved to {stage.label}",
                            at=now,
                            by=actor.actor_id,
                        )
                    ]
                )
                uow.commit()
        return opportunity


@frozen
class CloseOpportunity:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(
        self, actor: Principal, opportunity_id: str, outcome: Outcome, reason: str
    ) -> Opportunity:
        actor.require(Permission.WRITE_CUSTOMERS)
        with self.uow() as uow:
            opportunity = _load(uow, opportunity_id)
            now = self.clock.now()
            opportunity.close(outcome, reason, at=now, by=actor.actor_id)
            uow.timeline.record(
                [
                    timeline_entry(
                        opportunity,
                        entry_id=self.ids.new_id(),
                        title=outcome.value,
                        at=now,
                        by=actor.actor_id,
                    )
                ]
            )
            uow.commit()
        return opportunity
