"""What the command line needs, handed over by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from attrs import frozen
from starlette.types import ASGIApp

from adapters.demo.seeding import DemoServices
from application.access.api_keys import IssueApiKey
from application.customers.importing import ImportCustomers
from application.customers.queries import GetCustomers, ListCustomers
from application.lifecycle.rules import RunLifecycleSweep
from application.orders.importing import ImportOrders
from application.pipeline.leads import RescoreLeads
from application.pipeline.tasks import DefineAutomationRule, RunAutomationRules, SendReminders
from application.pipeline.teams import CreateSalesTeam
from application.scheduling.running import WorkReport
from application.segments.commands import ComputeRfm, RefreshSegments
from application.tags.rules import RunAutoTagRules
from application.tags.views import TagView
from domain.scheduling import RecurringJob


@frozen(kw_only=True)
class PipelineJobs:
    send_reminders: SendReminders
    run_automation_rules: RunAutomationRules
    define_automation_rule: DefineAutomationRule
    create_sales_team: CreateSalesTeam
    rescore_leads: RescoreLeads


@frozen
class CliRuntime:
    settings_summary: str
    host: str
    port: int
    migrate: Callable[[], str]
    issue_api_key: IssueApiKey
    demo: DemoServices
    list_customers: ListCustomers
    import_orders: ImportOrders
    import_customers: ImportCustomers
    get_customers: GetCustomers
    run_auto_tag_rules: RunAutoTagRules
    lifecycle_sweep: RunLifecycleSweep
    pipeline: PipelineJobs
    build_app: Callable[[], ASGIApp]
    """The API over this runtime's own container (and so its in-memory store, if any)."""
    app_factory: str
    """Import path of the ASGI app factory, so that several workers can each build one."""
    close: Callable[[], None]
    all_tags: Callable[[], Sequence[TagView]] = tuple
    """The tag catalogue, for commands that take tags by name."""
    recurring_jobs: Callable[[], Sequence[RecurringJob]] = tuple
    """Every recurring job with its schedule and the outcome of its last run."""
    run_due_work: Callable[[], WorkReport] = WorkReport
    """One round of whatever jobs and timers are due now."""
    run_worker: Callable[[], None] = lambda: None
    """Relays the outbox and sends webhooks until interrupted."""
    import_workers: int = 0
    """Worker processes that check a customer file's rows while the import stores them."""
    refresh_segments: RefreshSegments | None = None
    compute_rfm: ComputeRfm | None = None
