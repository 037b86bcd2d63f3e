"""The sales pipeline's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.pipeline.analytics import SalesAnalytics
from application.pipeline.leads import (
    CaptureFormLead,
    ConvertLead,
    CreateLead,
    MarkLeadContacted,
    RescoreLeads,
    UpdateLead,
)
from application.pipeline.opportunities import (
    CloseOpportunity,
    CreateOpportunity,
    MoveOpportunity,
    UpdateOpportunity,
)
from application.pipeline.queries import ReadLeads, ReadPipeline, ReadTasks
from application.pipeline.tasks import (
    CompleteTask,
    CreateTask,
    DefineAutomationRule,
    ListAutomationRules,
    RunAutomationRules,
    SendReminders,
    UpdateTask,
)
from application.pipeline.teams import CreateSalesTeam, SetRepAway, UpdateSalesTeam
from application.ports import Clock


@frozen(kw_only=True)
class Sales:
    clock: Clock
    read_pipeline: ReadPipeline
    analytics: SalesAnalytics
    create_opportunity: CreateOpportunity
    update_opportunity: UpdateOpportunity
    move_opportunity: MoveOpportunity
    close_opportunity: CloseOpportunity
    create_lead: CreateLead
    capture_form_lead: CaptureFormLead
    convert_lead: ConvertLead
    update_lead: UpdateLead
    mark_lead_contacted: MarkLeadContacted
    rescore_leads: RescoreLeads
    read_leads: ReadLeads
    create_task: CreateTask
    update_task: UpdateTask
    complete_task: CompleteTask
    read_tasks: ReadTasks
    send_reminders: SendReminders
    create_sales_team: CreateSalesTeam
    update_sales_team: UpdateSalesTeam
    set_rep_away: SetRepAway
    define_automation_rule: DefineAutomationRule
    list_automation_rules: ListAutomationRules
    run_automation_rules: RunAutomationRules
