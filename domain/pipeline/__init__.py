"""The sales pipeline: leads, assignment, pipelines and opportunities, tasks and rules."""

from domain.pipeline.assignment import SalesTeam, Strategy, TeamMember
from domain.pipeline.automation import AutomationRule, BoughtWithout, CreateTaskAction
from domain.pipeline.leads import Lead, LeadProfile, LeadStatus, ScoreChange
from domain.pipeline.opportunity import (
    DealTerms,
    LineItem,
    Opportunity,
    OpportunityStatus,
    Outcome,
    StageEntry,
)
from domain.pipeline.pipelines import DealField, Pipeline, PipelineStage, default_pipeline
from domain.pipeline.scoring import ScoringModel, default_scoring_model
from domain.pipeline.tasks import Task, TaskKind, TaskStatus
from domain.pipeline.working_hours import WorkingHours

__all__ = [
    "AutomationRule",
    "BoughtWithout",
    "CreateTaskAction",
    "DealField",
    "DealTerms",
    "Lead",
    "LeadProfile",
    "LeadStatus",
    "LineItem",
    "Opportunity",
    "OpportunityStatus",
    "Outcome",
    "Pipeline",
    "PipelineStage",
    "SalesTeam",
    "ScoreChange",
    "ScoringModel",
    "StageEntry",
    "Strategy",
    "Task",
    "TaskKind",
    "TaskStatus",
    "TeamMember",
    "WorkingHours",
    "default_pipeline",
    "default_scoring_model",
]
