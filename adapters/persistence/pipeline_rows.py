"""The pipeline's aggregates as rows and back: money as minor units, value objects as JSON."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.orders.money import Currency, Money
from domain.pipeline import (
    AutomationRule,
    DealField,
    DealTerms,
    Lead,
    LeadProfile,
    LeadStatus,
    LineItem,
    Opportunity,
    OpportunityStatus,
    Pipeline,
    PipelineStage,
    SalesTeam,
    ScoreChange,
    StageEntry,
    Strategy,
    Task,
    TaskKind,
    TaskStatus,
    TeamMember,
)


def pipeline_row(pipeline: Pipeline) -> dict[str, Any]:
    return {
        "id": pipeline.id,
        "name": pipeline.name,
        "is_default": pipeline.is_default,
        "stale_after_days": pipeline.stale_after_days,
        "stages": [
            {
                "id": s.id,
                "key": s.key,
                "label": s.label,
                "probability": s.probability,
                "required": sorted(field.value for field in s.required),
                "position": s.position,
            }
            for s in pipeline.stages
        ],
    }


def pipeline_of(row: Any) -> Pipeline:
    return Pipeline(
        id=row.id,
        name=row.name,
        is_default=row.is_default,
        stale_after_days=row.stale_after_days,
        stages=tuple(
            PipelineStage(
                id=s["id"],
                key=s["key"],
                label=s["label"],
                probability=s["probability"],
                required=frozenset(DealField(name) for name in s["required"]),
                position=s["position"],
            )
            for s in row.stages
        ),
    )


def opportunity_row(o: Opportunity) -> dict[str, Any]:
    terms = o.terms
    close = terms.expected_close_date
    return {
        "id": o.id,
        "pipeline_id": o.pipeline_id,
        "stage_id": o.stage_id,
        "name": o.name,
        "customer_id": o.customer_id,
        "company_id": o.company_id,
        "owner_id": o.owner_id,
        "currency": terms.currency.code,
        "amount_minor": terms.amount.minor_units if terms.amount else None,
        "expected_close_date": close,
        "close_month": close.replace(day=1) if close else None,
        "next_step": terms.next_step,
        "line_items": [
            {
                "product": i.product,
                "quantity": i.quantity,
                "unitPrice": str(i.unit_price.amount),
                "discount": str(i.discount.amount),
            }
            for i in terms.line_items
        ],
        "status": o.status.value,
        "close_reason": o.close_reason,
        "closed_at": o.closed_at,
        "cycle_seconds": o.cycle_seconds,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
        "last_activity_at": o.last_activity_at,
        "version": o.version,
    }


def opportunity_of(row: Any, entries: list[StageEntry]) -> Opportunity:
    currency = Currency(row.currency)
    opportunity = Opportunity(
        id=row.id,
        pipeline_id=row.pipeline_id,
        stage_id=row.stage_id,
        name=row.name,
        customer_id=row.customer_id,
        company_id=row.company_id,
        owner_id=row.owner_id,
        terms=DealTerms(
            currency=currency,
            amount=(
                Money.from_minor_units(row.amount_minor, currency)
                if row.amount_minor is not None
                else None
            ),
            line_items=tuple(
                LineItem(
                    i["product"],
                    i["quantity"],
                    Money(Decimal(i["unitPrice"]), currency),
                    Money(Decimal(i["discount"]), currency),
                )
                for i in row.line_items
            ),
            expected_close_date=row.expected_close_date,
            next_step=row.next_step,
        ),
        status=OpportunityStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_activity_at=row.last_activity_at,
        close_reason=row.close_reason,
        closed_at=row.closed_at,
        version=row.version,
    )
    opportunity.entries.extend(entries)
    return opportunity


ENTRY_FIELDS = (
    "id",
    "opportunity_id",
    "pipeline_id",
    "stage_id",
    "entered_at",
    "left_at",
    "first_entry",
    "amount_minor",
    "currency",
    "actor_id",
)


def entry_row(entry: StageEntry) -> dict[str, Any]:
    return {**{name: getattr(entry, name) for name in ENTRY_FIELDS}, "seconds": entry.seconds}


def entry_of(row: Any) -> StageEntry:
    return StageEntry(**{name: getattr(row, name) for name in ENTRY_FIELDS})


def lead_row(lead: Lead) -> dict[str, Any]:
    p = lead.profile
    return {
        "id": lead.id,
        "customer_id": lead.customer_id,
        "email": lead.email,
        "profile": {
            "firstName": p.first_name,
            "lastName": p.last_name,
            "companyName": p.company_name,
            "title": p.title,
            "industry": p.industry,
            "companySize": p.company_size,
            "region": p.region,
        },
        "source": lead.source,
        "utm": dict(lead.utm),
        "status": lead.status.value,
        "owner_id": lead.owner_id,
        "score": lead.score,
        "grade": lead.grade,
        "score_history": [
            [c.at.isoformat(), c.from_score, c.to_score, c.grade] for c in lead.score_history
        ],
        "first_touch_due_at": lead.first_touch_due_at,
        "contacted_at": lead.contacted_at,
        "first_touch_reminded": lead.first_touch_reminded,
        "opportunity_id": lead.opportunity_id,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
        "version": lead.version,
    }


def score_changes_of(stored: list[list[Any]]) -> list[ScoreChange]:
    return [
        ScoreChange(datetime.fromisoformat(at), old, new, grade) for at, old, new, grade in stored
    ]


def lead_of(row: Any) -> Lead:
    p = row.profile
    return Lead(
        id=row.id,
        customer_id=row.customer_id,
        email=row.email,
        profile=LeadProfile(
            first_name=p["firstName"],
            last_name=p["lastName"],
            company_name=p["companyName"],
            title=p["title"],
            industry=p["industry"],
            company_size=p["companySize"],
            region=p["region"],
        ),
        source=row.source,
        utm=dict(row.utm),
        status=LeadStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        owner_id=row.owner_id,
        score=row.score,
        grade=row.grade,
        score_history=score_changes_of(row.score_history),
        first_touch_due_at=row.first_touch_due_at,
        contacted_at=row.contacted_at,
        first_touch_reminded=row.first_touch_reminded,
        opportunity_id=row.opportunity_id,
        version=row.version,
    )


def team_row(team: SalesTeam) -> dict[str, Any]:
    return {
        "id": team.id,
        "name": team.name,
        "strategy": team.strategy.value,
        "first_touch_hours": team.first_touch_hours,
        "members": [
            {
                "userId": m.user_id,
                "away": m.away,
                "regions": sorted(m.regions),
                "industries": sorted(m.industries),
                "turns": m.turns,
                "lastTurn": m.last_turn,
            }
            for m in team.members
        ],
        "version": team.version,
    }


def team_of(row: Any) -> SalesTeam:
    return SalesTeam(
        id=row.id,
        name=row.name,
        strategy=Strategy(row.strategy),
        first_touch_hours=row.first_touch_hours,
        members=[
            TeamMember(
                user_id=m["userId"],
                away=m["away"],
                regions=frozenset(m["regions"]),
                industries=frozenset(m["industries"]),
                turns=m["turns"],
                last_turn=m.get("lastTurn", 0),
            )
            for m in row.members
        ],
        version=row.version,
    )


TASK_FIELDS = (
    "id",
    "title",
    "due_at",
    "assignee_id",
    "customer_id",
    "opportunity_id",
    "created_at",
    "created_by",
    "rule_key",
    "dedupe_key",
    "reminded_at",
    "completed_at",
    "version",
)


def task_row(task: Task) -> dict[str, Any]:
    return {
        **{name: getattr(task, name) for name in TASK_FIELDS},
        "kind": task.kind.value,
        "status": task.status.value,
    }


def task_of(row: Any) -> Task:
    return Task(
        **{name: getattr(row, name) for name in TASK_FIELDS},
        kind=TaskKind(row.kind),
        status=TaskStatus(row.status),
    )


def rule_row(rule: AutomationRule) -> dict[str, Any]:
    return {
        "key": rule.key,
        "name": rule.name,
        "condition": rule.condition_data(),
        "action": rule.action_data(),
        "enabled": rule.enabled,
    }


def rule_of(row: Any) -> AutomationRule:
    return AutomationRule.from_data(
        key=row.key, name=row.name, condition=row.condition, action=row.action, enabled=row.enabled
    )
