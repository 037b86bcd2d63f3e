"""Use cases that open, move and close opportunities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

from attrs import frozen

from application.errors import NotFound, StaleVersion
from application.field_security import DEAL_AMOUNT_INPUTS, IDENTIFYING, require_writable_input
from application.pipeline.ownership import require_assign, require_reassign, require_visible
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import require_active_company, require_live_customer, require_user
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission, Resource
from domain.changes import KEEP, Keep
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
    amount_currency: str | None = None
    """The amount's own currency when the client names one; it must be the deal's."""
    expected_close_date: date | None = None
    next_step: str = ""
    line_items: Sequence[NewLineItem] = ()


def read_terms(new: NewOpportunity) -> DealTerms:
    """Exact money in one currency, with every problem of the input reported at once."""
    currency = _currency(new.currency, "currency")
    problems = ProblemCollector()
    amount_in = (
        _currency(new.amount_currency, "amount.currency")
        if new.amount_currency is not None
        else currency
    )
    amount = (
        problems.check(lambda: Money.of(new.amount or "", amount_in, field_name="amount"))
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
        actor.require(Permission.CREATE_DEALS)
        if new.owner_id is not None:
            require_assign(actor, Resource.DEALS, new.owner_id)
        require_writable_input(
            actor,
            Resource.DEALS,
            new,
            identifying=IDENTIFYING | {"currency"},
            governed_by=DEAL_AMOUNT_INPUTS,
        )
        with self.uow() as uow:
            opportunity = open_opportunity(uow, actor, new, ids=self.ids, clock=self.clock)
            uow.commit()
        return opportunity


NO_OPPORTUNITY = "no opportunity has this id"


def load_visible(
    uow: UnitOfWork, actor: Principal, opportunity_id: str, *, field: str = "opportunityId"
) -> Opportunity:
    """The deal, for change; one the actor may not see is as missing as one never made."""
    found = uow.opportunities.get(opportunity_id)
    if found is None:
        raise NotFound(field, NO_OPPORTUNITY)
    require_visible(
        actor, Resource.DEALS, found.owner_id, found.id, field=field, message=NO_OPPORTUNITY
    )
    return found


def _load(
    uow: UnitOfWork,
    actor: Principal,
    opportunity_id: str,
    expected_version: int | None = None,
    *,
    field: str = "opportunityId",
) -> Opportunity:
    found = load_visible(uow, actor, opportunity_id, field=field)
    if expected_version is not None and found.version != expected_version:
        raise StaleVersion(expected_version, found.version)
    return found


@frozen(kw_only=True)
class OpportunityPatch:
    """A partial edit of a deal; ``KEEP`` leaves a field alone, ``None`` clears it."""

    opportunity_id: str
    expected_version: int
    """The version the client last read; another is a ``StaleVersion``."""
    name: str | Keep = KEEP
    amount: tuple[str, str] | Keep | None = KEEP
    """``(amount, currency)``: the deal takes the amount's currency."""
    expected_close_date: date | Keep | None = KEEP
    next_step: str | Keep = KEEP
    line_items: Sequence[NewLineItem] | Keep = KEEP
    owner_id: str | Keep = KEEP
    company_id: str | Keep | None = KEEP


def _revised_terms(current: DealTerms, patch: OpportunityPatch) -> DealTerms | Keep:
    if all(
        value is KEEP
        for value in (patch.amount, patch.expected_close_date, patch.next_step, patch.line_items)
    ):
        return KEEP
    amount = patch.amount
    currency = amount[1] if isinstance(amount, tuple) else current.currency.code
    items: Sequence[NewLineItem] = (
        [
            NewLineItem(
                product=i.product,
                quantity=i.quantity,
                unit_price=str(i.unit_price.amount),
                currency=i.unit_price.currency.code,
                discount=str(i.discount.amount),
            )
            for i in current.line_items
        ]
        if isinstance(patch.line_items, Keep)
        else patch.line_items
    )
    if isinstance(amount, tuple):
        value: str | None = amount[0]
    elif amount is None:
        value = None
    else:
        value = str(current.amount.amount) if current.amount else None
    return read_terms(
        NewOpportunity(
            name="",
            customer_id="",
            currency=currency,
            amount=value,
            expected_close_date=current.expected_close_date
            if isinstance(patch.expected_close_date, Keep)
            else patch.expected_close_date,
            next_step=current.next_step if isinstance(patch.next_step, Keep) else patch.next_step,
            line_items=items,
        )
    )


@frozen
class UpdateOpportunity:
    """Edit an open deal: its name, value, dates, owner, company and line items."""

    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, patch: OpportunityPatch) -> Opportunity:
        actor.require(Permission.UPDATE_DEALS)
        require_writable_input(actor, Resource.DEALS, patch, governed_by=DEAL_AMOUNT_INPUTS)
        with self.uow() as uow:
            opportunity = _load(
                uow, actor, patch.opportunity_id, patch.expected_version, field="id"
            )
            terms = _revised_terms(opportunity.terms, patch)
            if isinstance(patch.owner_id, str):
                require_reassign(actor, Resource.DEALS, opportunity.owner_id, patch.owner_id)
                require_user(uow, patch.owner_id, field="ownerId", actor=actor)
            if isinstance(patch.company_id, str):
                require_active_company(uow, patch.company_id)
            pipeline = require_pipeline(uow, opportunity.pipeline_id)
            if opportunity.revise(
                pipeline,
                name=patch.name,
                terms=terms,
                owner_id=patch.owner_id,
                company_id=patch.company_id,
                at=self.clock.now(),
                by=actor.actor_id,
            ):
                uow.commit()
        return opportunity


@frozen
class MoveOpportunity:
    """Move a deal to another stage of its pipeline; the stay is kept in its history."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(
        self,
        actor: Principal,
        opportunity_id: str,
        stage_id: str,
        expected_version: int | None = None,
    ) -> Opportunity:
        """``expected_version``: the version the mover saw; another is a ``StaleVersion``,
        so of two reps dragging one card the second is told, and nothing moves."""
        actor.require(Permission.UPDATE_DEALS)
        with self.uow() as uow:
            opportunity = _load(uow, actor, opportunity_id, expected_version)
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
        self,
        actor: Principal,
        opportunity_id: str,
        outcome: Outcome,
        reason: str,
        *,
        expected_version: int | None = None,
    ) -> Opportunity:
        actor.require(Permission.UPDATE_DEALS)
        with self.uow() as uow:
            opportunity = _load(uow, actor, opportunity_id, expected_version)
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
