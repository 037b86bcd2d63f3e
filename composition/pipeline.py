"""The sales pipeline: leads, scoring, deals, tasks, teams and their automation."""

from datetime import timedelta

from dependency_injector import containers, providers

from application.lifecycle.bundle import Lifecycle
from application.pipeline.analytics import SalesAnalytics
from application.pipeline.bundle import Sales
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
from composition.wiring import every, use_case
from domain.scheduling import Schedule


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    lifecycle = providers.Dependency(instance_of=Lifecycle)

    create_lead = use_case(
        CreateLead,
        platform,
        storage,
        counts=storage.behaviour_counts,
        lifecycle=lifecycle.provided.change_stage,
    )
    rescore_leads = use_case(
        RescoreLeads,
        platform,
        storage,
        counts=storage.behaviour_counts,
        lifecycle=lifecycle.provided.change_stage,
    )
    send_reminders = use_case(SendReminders, platform, storage)
    run_automation_rules = use_case(RunAutomationRules, platform, storage)
    bundle = providers.Singleton(
        Sales,
        clock=platform.clock,
        read_pipeline=use_case(ReadPipeline, platform, storage, reader=storage.pipeline_reader),
        analytics=use_case(
            SalesAnalytics,
            platform,
            storage,
            reader=storage.sales_analytics_reader,
            pipelines=storage.pipeline_reader,
        ),
        create_opportunity=use_case(CreateOpportunity, platform, storage),
        update_opportunity=use_case(UpdateOpportunity, platform, storage),
        move_opportunity=use_case(MoveOpportunity, platform, storage),
        close_opportunity=use_case(CloseOpportunity, platform, storage),
        create_lead=create_lead,
        capture_form_lead=use_case(CaptureFormLead, platform, storage, create=create_lead),
        convert_lead=use_case(ConvertLead, platform, storage),
        update_lead=use_case(UpdateLead, platform, storage),
        mark_lead_contacted=use_case(MarkLeadContacted, platform, storage),
        rescore_leads=rescore_leads,
        read_leads=use_case(ReadLeads, platform, storage, reader=storage.lead_reader),
        create_task=use_case(CreateTask, platform, storage),
        update_task=use_case(UpdateTask, platform, storage),
        complete_task=use_case(CompleteTask, platform, storage),
        read_tasks=use_case(ReadTasks, platform, storage, reader=storage.task_reader),
        send_reminders=send_reminders,
        create_sales_team=use_case(CreateSalesTeam, platform, storage),
        update_sales_team=use_case(UpdateSalesTeam, platform, storage),
        set_rep_away=use_case(SetRepAway, platform, storage),
        define_automation_rule=use_case(DefineAutomationRule, platform, storage),
        list_automation_rules=use_case(ListAutomationRules, platform, storage),
        run_automation_rules=run_automation_rules,
    )
    jobs = providers.Dict(
        {
            # Due tasks and lapsing first-touch SLAs are minutes-sensitive.
            "pipeline-reminders": every(timedelta(minutes=5), send_reminders),
            "pipeline-rules": every(Schedule.daily_at(4), run_automation_rules),
            # Scores decay with time, so they move even when nothing happens.
            "lead-scoring": every(
                Schedule(timedelta(hours=1), timedelta(minutes=30)), rescore_leads
            ),
        }
    )
