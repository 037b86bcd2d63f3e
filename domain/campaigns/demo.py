"""The classic 7-day nurture, as data: a journey anyone can publish to see journeys work."""

from __future__ import annotations

from datetime import timedelta

from domain.campaigns.channels import Channel
from domain.campaigns.journeys import (
    JourneyVersion,
    ReentryPolicy,
    SendStep,
    TaskStep,
    Trigger,
    WaitStep,
)
from domain.pipeline.tasks import TaskKind

NURTURE_NAME = "7-day nurture"
NURTURE_GOAL = "orders.count(7d) >= 1"
"""Placing an order ends the nurture: its job is done."""


def seven_day_nurture(
    *,
    segment_id: str,
    brochure_template_id: str,
    case_study_template_id: str,
    webinar_template_id: str,
    goal_rule: str = NURTURE_GOAL,
    channel: Channel = Channel.EMAIL,
) -> JourneyVersion:
    """Day 1 (on entering the segment) the product brochure, day 3 a case study, day 5 an
    invitation to a webinar, day 7 a call for the account owner; an order ends it early."""
    two_days = timedelta(days=2)
    return JourneyVersion(
        trigger=Trigger.segment_entered(segment_id),
        entry_step_id="brochure",
        steps=(
            SendStep(
                id="brochure", template_id=brochure_template_id, channel=channel, next="to-day-3"
            ),
            WaitStep.for_duration("to-day-3", two_days, next="case-study"),
            SendStep(
                id="case-study",
                template_id=case_study_template_id,
                channel=channel,
                next="to-day-5",
            ),
            WaitStep.for_duration("to-day-5", two_days, next="webinar"),
            SendStep(
                id="webinar", template_id=webinar_template_id, channel=channel, next="to-day-7"
            ),
            WaitStep.for_duration("to-day-7", two_days, next="owner-call"),
            TaskStep(
                id="owner-call",
                title="Call to follow up the 7-day nurture",
                due_in=timedelta(days=1),
                task_kind=TaskKind.CALL,
            ),
        ),
        goal_rule=goal_rule,
        reentry=ReentryPolicy.never(),
    )
