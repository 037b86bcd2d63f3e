"""The opportunity aggregate: a deal moving through one pipeline until it is won or lost."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from attrs import define, evolve, field, frozen

from domain.changes import KEEP, Keep
from domain.errors import DomainError, ErrorCode, Problem, RuleViolated
from domain.events import DomainEvent
from domain.orders.money import Currency, Money
from domain.pipeline.events import (
    OpportunityClosed,
    OpportunityCreated,
    OpportunityStageChanged,
    OpportunityUpdated,
)
from domain.pipeline.pipelines import DealField, Pipeline, PipelineStage
from domain.text import clean_line
from domain.timeline import TimelineEntry

NAME_MAX_LENGTH = 200
REASON_MAX_LENGTH = 500
MAX_LINE_ITEMS = 200


class OpportunityStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Outcome(StrEnum):
    WON = "won"
    LOST = "lost"


@frozen
class LineItem:
    """A product on the deal: quantity times unit price, less a discount on the line."""

    product: str
    quantity: int
    unit_price: Money
    discount: Money

    @classmethod
    def of(
        cls, *, product: str, quantity: int, unit_price: Money, discount: Money | None, index: int
    ) -> LineItem:
        path = f"lineItems.{index}"
        problems: list[Problem] = []
        try:
            product = clean_line(product, field=f"{path}.product", max_length=120)
        except DomainError as error:
            problems.extend(error.problems)
        if not product:
            problems.append(Problem(f"{path}.product", ErrorCode.REQUIRED, "must not be empty"))
        if quantity <= 0:
            problems.append(Problem(f"{path}.quantity", ErrorCode.INVALID, "must be at least 1"))
        discount = discount or Money.zero(unit_price.currency)
        for name, money in (("unitPrice", unit_price), ("discount", discount)):
            if money.is_negative:
                problems.append(
                    Problem(f"{path}.{name}", ErrorCode.NEGATIVE, "must not be negative")
                )
        if discount.currency != unit_price.currency:
            problems.append(
                Problem(f"{path}.discount", ErrorCode.CURRENCY_MISMATCH, "is in another currency")
            )
        elif quantity > 0 and 0 <= unit_price.amount * quantity < discount.amount:
            problems.append(
                Problem(f"{path}.discount", ErrorCode.INVALID, "is more than the line is worth")
            )
        if problems:
            raise DomainError(problems)
        return cls(product, quantity, unit_price, discount)

    @property
    def total(self) -> Money:
        return self.unit_price.times(self.quantity) - self.discount


@frozen(kw_only=True)
class StageEntry:
    """One stay of an opportunity in one stage: the history a funnel is counted from."""

    id: str
    opportunity_id: str
    pipeline_id: str
    stage_id: str
    entered_at: datetime
    left_at: datetime | None = None
    first_entry: bool = True
    """False when the opportunity had been at this stage before: funnels count it once."""
    amount_minor: int | None = None
    """The deal's value when it entered, in minor units of ``currency``."""
    currency: str
    actor_id: str

    @property
    def seconds(self) -> int | None:
        """Time spent in the stage, once left."""
        if self.left_at is None:
            return None
        return int((self.left_at - self.entered_at).total_seconds())


@frozen(kw_only=True)
class DealTerms:
    """What a deal is worth and when it should close; checked together."""

    currency: Currency
    amount: Money | None = None
    line_items: tuple[LineItem, ...] = ()
    expected_close_date: date | None = None
    next_step: str = ""

    @classmethod
    def of(
        cls,
        *,
        currency: Currency,
        amount: Money | None,
        line_items: Sequence[LineItem] = (),
        expected_close_date: date | None = None,
        next_step: str = "",
    ) -> DealTerms:
        """Money is exact and in one currency; with line items and no amount, their sum."""
        problems: list[Problem] = []
        if amount is not None and amount.is_negative:
            problems.append(Problem("amount", ErrorCode.NEGATIVE, "must not be negative"))
        if amount is not None and amount.currency != currency:
            problems.append(
                Problem("amount", ErrorCode.CURRENCY_MISMATCH, f"the deal is in {currency}")
            )
        if len(line_items) > MAX_LINE_ITEMS:
            problems.append(Problem("lineItems", ErrorCode.TOO_LONG, f"at most {MAX_LINE_ITEMS}"))
        for index, item in enumerate(line_items):
            if item.unit_price.currency != currency:
                problems.append(
                    Problem(
                        f"lineItems.{index}.unitPrice",
                        ErrorCode.CURRENCY_MISMATCH,
                        f"the deal is in {currency}, the line in {item.unit_price.currency}",
                    )
                )
        try:
            step = clean_line(next_step, field="nextStep", max_length=300)
        except DomainError as error:
            problems.extend(error.problems)
            step = ""
        if problems:
            raise DomainError(problems)
        if amount is None and line_items:
            amount = sum((item.total for item in line_items), Money.zero(currency))
        return cls(
            currency=currency,
            amount=amount,
            line_items=tuple(line_items),
            expected_close_date=expected_close_date,
            next_step=step,
        )


@define(slots=False, eq=False)
class Opportunity:
    id: str
    pipeline_id: str
    stage_id: str
    name: str
    customer_id: str
    company_id: str | None
    owner_id: str
    terms: DealTerms
    status: OpportunityStatus
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    close_reason: str | None = None
    closed_at: datetime | None = None
    version: int = 1
    entries: list[StageEntry] = field(factory=list)
    """Every stay in a stage, oldest first; the last is the current one while open."""
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def open(
        cls,
        *,
        id: str,
        pipeline: Pipeline,
        stage_id: str | None,
        name: str,
        customer_id: str,
        company_id: str | None,
        owner_id: str,
        terms: DealTerms,
        entry_id: str,
        at: datetime,
        by: str,
    ) -> Opportunity:
        """A new opportunity at ``stage_id`` (the pipeline's first stage when None)."""
        stage = pipeline.stage(stage_id) if stage_id else pipeline.first_stage
        clean = clean_line(name, field="name", max_length=NAME_MAX_LENGTH)
        if not clean:
            raise RuleViolated("name", ErrorCode.REQUIRED, "must not be empty")
        opportunity = cls(
            id=id,
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            name=clean,
            customer_id=customer_id,
            company_id=company_id,
            owner_id=owner_id,
            terms=terms,
            status=OpportunityStatus.OPEN,
            created_at=at,
            updated_at=at,
            last_activity_at=at,
        )
        opportunity._require_fields_of(stage)
        opportunity.entries.append(opportunity._entry(entry_id, stage, at=at, by=by, first=True))
        opportunity.events.append(
            OpportunityCreated(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                pipeline_id=pipeline.id,
                stage_id=stage.id,
                customer_id=customer_id,
                owner_id=owner_id,
                amount=str(terms.amount.amount) if terms.amount else None,
                currency=terms.currency.code,
            )
        )
        return opportunity

    @property
    def amount(self) -> Money | None:
        return self.terms.amount

    @property
    def is_open(self) -> bool:
        return self.status is OpportunityStatus.OPEN

    def advance(
        self, pipeline: Pipeline, stage_id: str, *, entry_id: str, at: datetime, by: str
    ) -> bool:
        """Move to another stage of this pipeline, if its required fields are filled.

        Moving to the current stage changes nothing and returns False.
        """
        self._require_open()
        if pipeline.id != self.pipeline_id:
            raise RuleViolated("stageId", ErrorCode.WRONG_PIPELINE, "not this deal's pipeline")
        stage = pipeline.stage(stage_id)
        if stage.id == self.stage_id:
            return False
        self._require_fields_of(stage)
        been_there = any(entry.stage_id == stage.id for entry in self.entries)
        self._leave_current(at)
        self.entries.append(self._entry(entry_id, stage, at=at, by=by, first=not been_there))
        previous, self.stage_id = self.stage_id, stage.id
        self._touch(at)
        self.events.append(
            OpportunityStageChanged(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                pipeline_id=self.pipeline_id,
                from_stage_id=previous,
                to_stage_id=stage.id,
            )
        )
        return True

    def revise(
        self,
        pipeline: Pipeline,
        *,
        name: str | Keep = KEEP,
        terms: DealTerms | Keep = KEEP,
        owner_id: str | Keep = KEEP,
        company_id: str | Keep | None = KEEP,
        at: datetime,
        by: str,
    ) -> bool:
        """Edit an open deal; what its current stage requires must stay filled.

        Returns False, with nothing changed, when every given value is the current one."""
        self._require_open()
        clean = self.name
        if name is not KEEP:
            clean = clean_line(name, field="name", max_length=NAME_MAX_LENGTH)
            if not clean:
                raise RuleViolated("name", ErrorCode.REQUIRED, "must not be empty")
        before = (self.name, self.terms, self.owner_id, self.company_id)
        after = (
            clean,
            self.terms if terms is KEEP else terms,
            self.owner_id if owner_id is KEEP else owner_id,
            self.company_id if company_id is KEEP else company_id,
        )
        if after == before:
            return False
        self.name, self.terms, self.owner_id, self.company_id = after
        try:
            self._require_fields_of(pipeline.stage(self.stage_id))
        except DomainError:
            self.name, self.terms, self.owner_id, self.company_id = before
            raise
        self._touch(at)
        self.events.append(
            OpportunityUpdated(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                pipeline_id=self.pipeline_id,
                stage_id=self.stage_id,
                owner_id=self.owner_id,
                amount=str(self.terms.amount.amount) if self.terms.amount else None,
                currency=self.terms.currency.code,
            )
        )
        return True

    def close(self, outcome: Outcome, reason: str, *, at: datetime, by: str) -> None:
        """Won or lost; either needs a reason."""
        self._require_open()
        clean = clean_line(reason, field="reason", max_length=REASON_MAX_LENGTH)
        if not clean:
            raise RuleViolated("reason", ErrorCode.REQUIRED, "closing a deal needs a reason")
        self._leave_current(at)
        self.status = OpportunityStatus(outcome.value)
        self.close_reason = clean
        self.closed_at = at
        self._touch(at)
        self.events.append(
            OpportunityClosed(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                outcome=outcome.value,
                reason=clean,
                amount=str(self.amount.amount) if self.amount else None,
                currency=self.terms.currency.code,
            )
        )

    @property
    def cycle_seconds(self) -> int | None:
        """From opening to closing: the sales cycle, once closed."""
        if self.closed_at is None:
            return None
        return int((self.closed_at - self.created_at).total_seconds())

    def is_stale(self, now: datetime, stale_after_days: int) -> bool:
        return self.is_open and now - self.last_activity_at >= timedelta(days=stale_after_days)

    def _require_open(self) -> None:
        if not self.is_open:
            raise RuleViolated("opportunityId", ErrorCode.CLOSED, f"the deal is {self.status}")

    def _require_fields_of(self, stage: PipelineStage) -> None:
        present = {
            DealField.AMOUNT: self.terms.amount is not None,
            DealField.EXPECTED_CLOSE_DATE: self.terms.expected_close_date is not None,
            DealField.NEXT_STEP: bool(self.terms.next_step),
            DealField.COMPANY: self.company_id is not None,
            DealField.LINE_ITEMS: bool(self.terms.line_items),
        }
        missing = [name for name in sorted(stage.required) if not present[name]]
        if missing:
            raise DomainError(
                Problem(name.api_name, ErrorCode.REQUIRED, f"the {stage.label} stage needs it")
                for name in missing
            )

    def _leave_current(self, at: datetime) -> None:
        if self.entries and self.entries[-1].left_at is None:
            self.entries[-1] = evolve(self.entries[-1], left_at=at)

    def _entry(
        self, entry_id: str, stage: PipelineStage, *, at: datetime, by: str, first: bool
    ) -> StageEntry:
        amount = self.terms.amount
        return StageEntry(
            id=entry_id,
            opportunity_id=self.id,
            pipeline_id=self.pipeline_id,
            stage_id=stage.id,
            entered_at=at,
            first_entry=first,
            amount_minor=amount.minor_units if amount is not None else None,
            currency=self.terms.currency.code,
            actor_id=by,
        )

    def _touch(self, at: datetime) -> None:
        self.updated_at = at
        self.last_activity_at = at
        self.version += 1


TIMELINE_KIND = "opportunity"


def timeline_entry(
    opportunity: Opportunity, *, entry_id: str, title: str, at: datetime, by: str
) -> TimelineEntry:
    """A line on the customer's timeline for something that happened to the deal."""
    amount = opportunity.amount
    return TimelineEntry(
        id=entry_id,
        customer_id=opportunity.customer_id,
        kind=TIMELINE_KIND,
        occurred_at=at,
        subject_type="Opportunity",
        subject_id=opportunity.id,
        actor_id=by,
        title=f"{opportunity.name}: {title}",
        summary=opportunity.close_reason,
        data={
            "stageId": opportunity.stage_id,
            "status": opportunity.status.value,
            "amount": str(amount.amount) if amount else None,
            "currency": opportunity.terms.currency.code,
        },
    )
