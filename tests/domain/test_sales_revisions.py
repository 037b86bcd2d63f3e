"""Editing tasks, teams and leads: each change a new version, no change no version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError, ErrorCode
from domain.pipeline import (
    Lead,
    LeadProfile,
    SalesTeam,
    ScoringModel,
    Strategy,
    Task,
    TaskKind,
    TeamMember,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_new_due_time_makes_the_reminder_due_again() -> None:
    task = Task.create(
        id="t1", kind=TaskKind.CALL, title="Call", due_at=T0, assignee_id="u1", at=T0, by="u1"
    )
    task.remind(T0, "system")
    assert not task.revise(title="Call", kind=TaskKind.CALL)
    assert task.revise(due_at=T0 + timedelta(days=1), title=" Call back ")
    assert (task.title, task.reminded_at, task.version) == ("Call back", None, 3)
    with pytest.raises(DomainError) as error:
        task.revise(title="  ")
    assert error.value.problems[0].code is ErrorCode.REQUIRED


def test_a_team_is_renamed_and_changes_its_rule() -> None:
    team = SalesTeam(
        id="s1", name="Inside", strategy=Strategy.ROUND_ROBIN, members=[TeamMember(user_id="a")]
    )
    assert not team.revise(name="Inside")
    assert team.revise(name="Field", strategy=Strategy.TERRITORY, first_touch_hours=4)
    assert (team.name, team.strategy, team.first_touch_hours, team.version) == (
        "Field",
        Strategy.TERRITORY,
        4,
        2,
    )
    for bad in ({"first_touch_hours": 0.0}, {"name": " "}):
        with pytest.raises(DomainError):
            team.revise(**bad)
    assert team.version == 2


def test_a_lead_is_corrected_and_grades_are_a_to_d() -> None:
    lead = Lead.capture(
        id="l1",
        customer_id="c1",
        email="a@example.com",
        profile=LeadProfile(title="VP"),
        source="api",
        utm={},
        at=T0,
        by="u",
    )
    assert not lead.revise(LeadProfile(title="VP"), at=T0)
    assert lead.revise(LeadProfile(title="CTO", company_size="201-500"), at=T0)
    assert (lead.profile.title, lead.version) == ("CTO", 2)
    assert ScoringModel(grades=(("A", 50), ("D", 0))).grade(10) == "D"
    with pytest.raises(DomainError) as error:
        ScoringModel(grades=(("Hot", 50), ("Cold", 0)))
    assert error.value.problems[0].code is ErrorCode.INVALID_CHOICE
