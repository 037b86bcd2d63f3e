"""Working hours, lead scoring and forms: plain domain values, no storage."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import DomainError, ErrorCode
from domain.pipeline import AutomationRule, ScoringModel, WorkingHours, default_scoring_model
from domain.pipeline.forms import LeadForm
from domain.pipeline.scoring import AttributeRule, BehaviourRule


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)  # 2026-01-05 is a Monday


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (at(5, 10), at(5, 12)),  # inside the day
        (at(5, 16), at(6, 10)),  # one hour today, one tomorrow
        (at(5, 20), at(6, 11)),  # after hours: from tomorrow's opening
        (at(9, 16, 30), at(12, 10, 30)),  # Friday afternoon to Monday morning
        (at(10, 12), at(12, 11)),  # Saturday counts from Monday
    ],
)
def test_working_hours_skip_nights_and_weekends(start: datetime, due: datetime) -> None:
    assert WorkingHours().add(start, 2) == due


def test_scores_add_attributes_and_decayed_behaviour() -> None:
    model = ScoringModel(
        attributes=(AttributeRule("title", "director", 20), AttributeRule("industry", "soft", 10)),
        behaviour=(BehaviourRule("Visited Pricing", 10, half_life_days=7),),
    )
    attributes = {"title": "Sales Director", "industry": "Software"}
    today = date(2026, 1, 15)
    counts = [("Visited Pricing", date(2026, 1, 15), 2), ("Visited Pricing", date(2026, 1, 8), 1)]
    assert model.score(attributes, counts, today) == 20 + 10 + 20 + 5  # a week old: half
    assert [model.grade(s) for s in (80, 79, 50, 0)] == ["A", "B", "B", "C"]


def test_a_scoring_model_round_trips_as_data() -> None:
    model = default_scoring_model()
    assert ScoringModel.from_data(model.to_data()) == model


def test_forms_refuse_bots_and_unknown_fields() -> None:
    form = LeadForm(key="website", source="website")
    assert form.read({"email": "a@b.co", "website": ""}) == {"email": "a@b.co"}
    with pytest.raises(DomainError) as bot:
        form.read({"email": "a@b.co", "website": "http://spam"})
    assert bot.value.problems[0].code is ErrorCode.SPAM
    with pytest.raises(DomainError) as unknown:
        form.read({"email": "a@b.co", "password": "x"})
    assert [(p.field, p.code) for p in unknown.value.problems] == [
        ("password", ErrorCode.UNKNOWN_FIELD)
    ]


def test_automation_rules_are_data_and_bad_data_is_refused() -> None:
    rule = AutomationRule.from_data(
        key="b_after_a",
        name="B after A",
        condition={"type": "bought_without", "product": "A", "days": 180, "neverBought": "B"},
        action={"type": "create_task", "kind": "call", "title": "Offer B"},
    )
    assert rule.condition_data()["neverBought"] == "B"
    assert rule.action_data()["dueInDays"] == 3
    with pytest.raises(DomainError):
        AutomationRule.from_data(key="x", name="x", condition={"type": "code"}, action={})
