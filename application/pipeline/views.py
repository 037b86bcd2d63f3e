"""Read models of the sales pipeline, and the filters of its lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Generic, Literal, TypeVar

from attrs import frozen

from application.pagination import SortKey, SortValue, read_text, read_time
from domain.orders.money import Currency
from domain.pipeline import Lead, Opportunity, ScoreChange, StageEntry, Task

V = TypeVar("V")
S = TypeVar("S", bound=StrEnum)


def _read_int(raw: object) -> SortValue:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise ValueError(raw)
    return raw


def _read_date(raw: object) -> SortValue:
    if not isinstance(raw, str):
        raise ValueError(raw)
    return date.fromisoformat(raw)


READERS: Mapping[type, Callable[[object], SortValue]] = {
    datetime: read_time,
    date: _read_date,
    int: _read_int,
    str: read_text,
}


@frozen
class FieldOrder(Generic[S, V]):
    """A list's order by one of its fields, ties broken by id: a keyset order.

    Each list names its fields (``FIELDS``: the value of a view and the type its cursors
    hold) and which of them may be missing (``NULLABLE``); missing values come last."""

    field: S
    descending: bool
    LIST: ClassVar[str]
    FIELDS: ClassVar[Mapping[str, tuple[Callable[[object], SortValue], type]]]
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @property
    def name(self) -> str:
        return f"{self.LIST}:{self.field.value}:{'desc' if self.descending else 'asc'}"

    @property
    def nullable(self) -> bool:
        return self.field.value in self.NULLABLE

    def key_of(self, view: V) -> SortKey:
        value_of, _ = self.FIELDS[self.field.value]
        return SortKey(value_of(view), getattr(view, "id"))  # noqa: B009

    def read_cursor_value(self, raw: object) -> SortValue:
        if raw is None and self.nullable:
            return None
        _, kind = self.FIELDS[self.field.value]
        return READERS[kind](raw)


@frozen
class LineItemView:
    product: str
    quantity: int
    unit_price: Decimal
    discount: Decimal


@frozen(kw_only=True)
class OpportunityView:
    id: str
    pipeline_id: str
    stage_id: str
    name: str
    customer_id: str
    company_id: str | None
    owner_id: str
    currency: str
    amount: Decimal | None
    expected_close_date: date | None
    next_step: str
    line_items: tuple[LineItemView, ...]
    status: str
    close_reason: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    version: int

    @classmethod
    def from_opportunity(cls, o: Opportunity) -> OpportunityView:
        terms = o.terms
        return cls(
            id=o.id,
            pipeline_id=o.pipeline_id,
            stage_id=o.stage_id,
            name=o.name,
            customer_id=o.customer_id,
            company_id=o.company_id,
            owner_id=o.owner_id,
            currency=terms.currency.code,
            amount=terms.amount.amount if terms.amount else None,
            expected_close_date=terms.expected_close_date,
            next_step=terms.next_step,
            line_items=tuple(
                LineItemView(i.product, i.quantity, i.unit_price.amount, i.discount.amount)
                for i in terms.line_items
            ),
            status=o.status.value,
            close_reason=o.close_reason,
            closed_at=o.closed_at,
            created_at=o.created_at,
            updated_at=o.updated_at,
            last_activity_at=o.last_activity_at,
            version=o.version,
        )


def amount_minor(view: OpportunityView) -> int | None:
    """The deal's amount in minor units of its currency: what lists sort amounts by."""
    if view.amount is None:
        return None
    return int(view.amount.scaleb(Currency(view.currency).minor_units))


class OpportunitySort(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    AMOUNT = "amount"
    EXPECTED_CLOSE_DATE = "expected_close_date"
    NAME = "name"


def _of(name: str) -> Callable[[object], SortValue]:
    return lambda view: getattr(view, name)


@frozen
class OpportunityOrder(FieldOrder[OpportunitySort, OpportunityView]):
    field: OpportunitySort = OpportunitySort.CREATED_AT
    descending: bool = True
    LIST: ClassVar[str] = "opportunities"
    FIELDS: ClassVar[Mapping[str, tuple[Callable[[object], SortValue], type]]] = {
        "created_at": (_of("created_at"), datetime),
        "updated_at": (_of("updated_at"), datetime),
        "amount": (lambda v: amount_minor(v), int),  # type: ignore[arg-type]
        "expected_close_date": (_of("expected_close_date"), date),
        "name": (_of("name"), str),
    }
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"amount", "expected_close_date"})


OpportunityGroup = Literal["customer_id", "company_id", "stage_id"]
"""What a deal's page may be one of many by: its customer's, its company's, or its column's
on a board."""


@frozen(kw_only=True)
class OpportunityFilter:
    pipeline_id: str | None = None
    stage_id: str | None = None
    owner_id: str | None = None
    owner_ids: frozenset[str] | None = None
    """Only deals one of these users owns (a team's members, say)."""
    customer_id: str | None = None
    company_id: str | None = None
    status: str | None = None
    inactive_since: datetime | None = None
    """Only deals whose last activity was at or before this moment."""


@frozen(kw_only=True)
class LeadView:
    id: str
    customer_id: str
    email: str
    first_name: str
    last_name: str
    company_name: str
    title: str
    industry: str
    company_size: str
    region: str
    source: str
    utm: tuple[tuple[str, str], ...]
    status: str
    owner_id: str | None
    score: int
    grade: str
    first_touch_due_at: datetime | None
    contacted_at: datetime | None
    opportunity_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    score_history: tuple[ScoreChange, ...] = ()

    @classmethod
    def from_lead(cls, lead: Lead) -> LeadView:
        p = lead.profile
        return cls(
            id=lead.id,
            customer_id=lead.customer_id,
            email=lead.email,
            first_name=p.first_name,
            last_name=p.last_name,
            company_name=p.company_name,
            title=p.title,
            industry=p.industry,
            company_size=p.company_size,
            region=p.region,
            source=lead.source,
            utm=tuple(sorted(lead.utm.items())),
            status=lead.status.value,
            owner_id=lead.owner_id,
            score=lead.score,
            grade=lead.grade,
            first_touch_due_at=lead.first_touch_due_at,
            contacted_at=lead.contacted_at,
            opportunity_id=lead.opportunity_id,
            created_at=lead.created_at,
            updated_at=lead.updated_at,
            version=lead.version,
            score_history=tuple(lead.score_history),
        )


class LeadSort(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    SCORE = "score"
    EMAIL = "email"


@frozen
class LeadOrder(FieldOrder[LeadSort, LeadView]):
    field: LeadSort = LeadSort.CREATED_AT
    descending: bool = True
    LIST: ClassVar[str] = "leads"
    FIELDS: ClassVar[Mapping[str, tuple[Callable[[object], SortValue], type]]] = {
        "created_at": (_of("created_at"), datetime),
        "updated_at": (_of("updated_at"), datetime),
        "score": (_of("score"), int),
        "email": (_of("email"), str),
    }


@frozen(kw_only=True)
class LeadFilter:
    customer_id: str | None = None
    status: str | None = None
    owner_ids: frozenset[str] | None = None
    """Only leads assigned to one of these users."""
    grade: str | None = None
    source: str | None = None


@frozen(kw_only=True)
class TaskView:
    id: str
    kind: str
    title: str
    due_at: datetime
    assignee_id: str
    customer_id: str | None
    opportunity_id: str | None
    status: str
    rule_key: str | None
    created_at: datetime
    completed_at: datetime | None
    version: int

    @classmethod
    def from_task(cls, task: Task) -> TaskView:
        return cls(
            id=task.id,
            kind=task.kind.value,
            title=task.title,
            due_at=task.due_at,
            assignee_id=task.assignee_id,
            customer_id=task.customer_id,
            opportunity_id=task.opportunity_id,
            status=task.status.value,
            rule_key=task.rule_key,
            created_at=task.created_at,
            completed_at=task.completed_at,
            version=task.version,
        )


class TaskSort(StrEnum):
    DUE_AT = "due_at"
    CREATED_AT = "created_at"
    TITLE = "title"


@frozen
class TaskOrder(FieldOrder[TaskSort, TaskView]):
    field: TaskSort = TaskSort.DUE_AT
    descending: bool = False
    LIST: ClassVar[str] = "tasks"
    FIELDS: ClassVar[Mapping[str, tuple[Callable[[object], SortValue], type]]] = {
        "due_at": (_of("due_at"), datetime),
        "created_at": (_of("created_at"), datetime),
        "title": (_of("title"), str),
    }


@frozen(kw_only=True)
class TaskFilter:
    assignee_ids: frozenset[str] | None = None
    """Only tasks assigned to one of these users."""
    status: str | None = None
    due_before: datetime | None = None
    """With ``status`` open and ``due_before`` now: the overdue tasks."""
    customer_id: str | None = None
    opportunity_id: str | None = None
    company_id: str | None = None
    """Tasks about the company's people or its deals."""


TaskGroup = Literal["customer_id", "company_id"]
"""What a task's page may be one of many by: its customer's, or its company's (the tasks
about the company's people or its deals, as ``TaskFilter.company_id`` selects them)."""


@frozen
class CurrencyAmount:
    """A sum in one currency, exact; sums are never converted between currencies."""

    currency: str
    amount: Decimal


@frozen(kw_only=True)
class StageFlow:
    """What entered one stage in a window, as storage counts it."""

    stage_id: str
    entered: int
    values: tuple[CurrencyAmount, ...]
    median_seconds: float | None
    """Median time spent in the stage by the entries that have left it."""


@frozen
class CurrencyTotal:
    currency: str
    count: int
    amount: Decimal


@frozen(kw_only=True)
class ClosedDeals:
    """Deals of a pipeline closed in a window."""

    won: int
    lost: int
    won_values: tuple[CurrencyTotal, ...]
    won_cycle_seconds: int
    """Sum of the won deals' sales cycles, from opening to closing."""


@frozen(kw_only=True)
class OpenDealSlice:
    """Open deals sharing a close month, owner, stage and currency: the forecast's rows."""

    close_month: date | None
    owner_id: str
    stage_id: str
    currency: str
    count: int
    amount: Decimal


@frozen(kw_only=True)
class BoardColumnTotals:
    stage_id: str
    count: int
    values: tuple[CurrencyAmount, ...]


@frozen(kw_only=True)
class FunnelStage:
    stage_id: str
    entered: int
    values: tuple[CurrencyAmount, ...]
    conversion_to_next: Decimal | None
    """Share of this stage's entries that the next stage saw enter, to 4 places."""
    median_days_in_stage: Decimal | None


@frozen(kw_only=True)
class Funnel:
    pipeline_id: str
    start: datetime
    end: datetime
    stages: tuple[FunnelStage, ...]
    won: int
    lost: int
    win_rate: Decimal | None
    average_deal_sizes: tuple[CurrencyAmount, ...]
    average_cycle_days: Decimal | None


@frozen(kw_only=True)
class ForecastLine:
    """Open deals closing in one period: their amount, and amount times probability."""

    period: str
    group: str | None
    """The owner or team the line is for; None on the totals per period."""
    currency: str
    count: int
    amount: Decimal
    weighted: Decimal


@frozen
class StageHistory:
    opportunity_id: str
    entries: tuple[StageEntry, ...]
