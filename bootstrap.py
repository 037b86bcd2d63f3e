"""The composition root: reads configuration once and wires adapters to ports."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from attrs import field, frozen
from dependency_injector import containers, providers
from starlette.applications import Starlette

from adapters.clock import SystemClock
from adapters.delivery.relay import OutboxRelay
from adapters.delivery.streams.memory import InMemoryEventStream
from adapters.delivery.streams.nats import NatsEventStream
from adapters.delivery.streams.redis import RedisEventStream
from adapters.delivery.tail import StreamTail
from adapters.delivery.wakeup import PostgresWakeups
from adapters.delivery.webhooks import WebhookDispatcher
from adapters.delivery.worker import DeliveryWorker, PollingLoop
from adapters.demo.seeding import DemoServices
from adapters.graphql.app import create_app
from adapters.graphql.context import SalesServices, Services
from adapters.graphql.limits import ApiLimits
from adapters.ids import UuidV7Generator
from adapters.memory.activities import InMemoryActivityReader
from adapters.memory.behaviour import InMemoryBehaviourReader
from adapters.memory.companies import InMemoryCompanyReader
from adapters.memory.custom_fields import InMemoryCustomFieldDefinitionReader
from adapters.memory.lifecycle import InMemoryLifecycleReader
from adapters.memory.pipeline_reads import (
    InMemoryBehaviourCounts,
    InMemoryLeadReader,
    InMemoryPipelineReader,
    InMemorySalesAnalyticsReader,
    InMemoryTaskReader,
)
from adapters.memory.readers import (
    InMemoryCredentialReader,
    InMemoryCustomerReader,
    InMemoryOrderReader,
    InMemoryUserReader,
)
from adapters.memory.scheduling import InMemoryScheduledWork
from adapters.memory.segments import (
    InMemorySegmentFacts,
    InMemorySegmentReader,
)
from adapters.memory.store import InMemoryStore
from adapters.memory.tags import InMemoryTagReader
from adapters.memory.timeline import InMemoryTimelineReader
from adapters.memory.token_buckets import InMemoryTokenBuckets
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.memory.webhooks import InMemoryWebhookStore
from adapters.messaging.in_process import (
    ALL_EVENTS,
    InProcessEventBus,
    InProcessTrackedCustomers,
)
from adapters.messaging.live import InProcessLiveEvents
from adapters.persistence.activities import SqlActivityReader
from adapters.persistence.behaviour import SqlBehaviourReader
from adapters.persistence.companies import SqlCompanyReader
from adapters.persistence.custom_fields import SqlCustomFieldDefinitionReader
from adapters.persistence.database import open_database
from adapters.persistence.lifecycle import SqlLifecycleReader
from adapters.persistence.mapping import map_domain
from adapters.persistence.migrate import upgrade
from adapters.persistence.orders import SqlOrderReader
from adapters.persistence.pipeline_reads import (
    SqlBehaviourCounts,
    SqlLeadReader,
    SqlPipelineReader,
    SqlTaskReader,
)
from adapters.persistence.readers import (
    SqlCredentialReader,
    SqlCustomerReader,
    SqlUserReader,
)
from adapters.persistence.sales_analytics import SqlSalesAnalyticsReader
from adapters.persistence.scheduling import SqlScheduledWork
from adapters.persistence.segment_facts import SqlSegmentFacts
from adapters.persistence.segment_rules import SqlSegmentEvaluator
from adapters.persistence.segments import SqlSegmentReader
from adapters.persistence.tags import SqlTagReader
from adapters.persistence.timeline import SqlTimelineReader
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.persistence.webhooks import SqlWebhookStore
from adapters.redis.token_buckets import RedisTokenBuckets
from adapters.segments.clustering import NumpyClusterer
from adapters.segments.live import LiveSnapshot, SegmentWatcher
from adapters.segments.numpy_engine import NumpySegmentEvaluator
from adapters.segments.single import PythonRuleMatcher
from application.access.api_keys import AuthenticateApiKey, IssueApiKey
from application.access.users import RegisterUser
from application.activities.commands import DeleteActivity, LogActivity, UpdateActivity
from application.activities.queries import GetActivities
from application.behaviour.queries import EventFrequencies, GetTrackedEvents
from application.behaviour.tracking import TrackEvents
from application.companies.commands import ArchiveCompany, CreateCompany, UpdateCompany
from application.companies.queries import GetCompanies, ListCompanies
from application.custom_fields.commands import DefineCustomField
from application.custom_fields.queries import ListCustomFieldDefinitions
from application.customers.commands import (
    ArchiveCustomer,
    ContactParser,
    CreateCustomer,
    CreateCustomersInBulk,
    UpdateCustomer,
)
from application.customers.importing import ImportCustomers
from application.customers.merging import FindDuplicateCandidates, MergeCustomers
from application.customers.queries import GetCustomers, ListCustomers
from application.events.catalogue import catalogue
from application.events.envelope import DEFAULT_SOURCE
from application.events.webhooks import ManageWebhooks
from application.lifecycle.catalogue import SaveLifecycleTrack, SaveStageRule
from application.lifecycle.commands import ChangeLifecycleStage
from application.lifecycle.queries import ReadLifecycle
from application.lifecycle.rules import RunLifecycleSweep
from application.limits import BucketPolicy
from application.orders.commands import CancelOrder, MarkOrderPaid, RecordOrder, RefundOrder
from application.orders.importing import ImportOrders
from application.orders.queries import ReadOrders
from application.pipeline.analytics import SalesAnalytics
from application.pipeline.leads import (
    CaptureFormLead,
    ConvertLead,
    CreateLead,
    MarkLeadContacted,
    RescoreLeads,
)
from application.pipeline.opportunities import (
    CloseOpportunity,
    CreateOpportunity,
    MoveOpportunity,
)
from application.pipeline.queries import ReadLeads, ReadPipeline, ReadTasks
from application.pipeline.tasks import (
    CompleteTask,
    CreateTask,
    DefineAutomationRule,
    ListAutomationRules,
    RunAutomationRules,
    SendReminders,
)
from application.pipeline.teams import CreateSalesTeam, SetRepAway
from application.principal import Principal
from application.scheduling.running import JobDefinition, ListRecurringJobs, RunDueWork
from application.segments.clustering import ClusterCustomers
from application.segments.commands import (
    ComputeRfm,
    CreateSegment,
    PreviewSegment,
    RecheckCustomers,
    RefreshSegments,
    UpdateSegment,
)
from application.segments.queries import ReadSegments
from application.segments.rules import RuleSources, SegmentRules
from application.tags.commands import CreateTag, TagCustomers, UntagCustomers
from application.tags.conditions import ConditionSources
from application.tags.queries import GetTags, ListTags
from application.tags.rules import (
    DefineAutoTagRule,
    DeleteAutoTagRule,
    ListAutoTagRules,
    RunAutoTagRules,
)
from application.timeline.queries import GetTimeline
from domain.scheduling import RecurringJob, Schedule

PROFILES: Mapping[str, Mapping[str, Any]] = {
    "embedded": {
        "database_url": "sqlite:///rapport.db",
        "storage": "sql",
        "event_bus": "in_process",
        "graphiql": True,
        "event_stream": "none",
        "webhooks_allow_private": True,
        "relay_in_app": True,
        "limits_store": "memory",
        "introspection": True,
    },
    "production": {
        "database_url": "postgresql://127.0.0.1/rapport",
        "storage": "sql",
        "event_bus": "in_process",
        "graphiql": False,
        "event_stream": "none",
        "webhooks_allow_private": False,
        "relay_in_app": False,
        "limits_store": "redis",
        "introspection": False,
    },
}

DEFAULT_STREAM_URLS = {"redis": "redis://127.0.0.1:6379/0", "nats": "nats://127.0.0.1:4222"}


@frozen
class Settings:
    """Everything configurable, from ``RAPPORT_*`` variables over the chosen profile."""

    profile: str
    database_url: str
    storage: str
    event_bus: str
    graphiql: bool
    default_phone_region: str
    host: str
    port: int
    event_stream: str
    """Where the relay also publishes: ``none``, ``redis``, ``nats`` or ``memory``."""
    event_stream_url: str
    event_source: str
    webhooks_allow_private: bool
    relay_in_app: bool
    import_workers: int = 0
    """Processes that check the rows of a file import while this one stores them."""
    segment_evaluator: str = "numpy"
    """``numpy`` (a columnar snapshot in memory) or ``sql`` (one query per rule)."""
    segment_currency: str = "USD"
    """The currency of order amounts in segment rules and RFM scores."""
    segment_snapshot_max_age: float = 60.0
    """Seconds after which the NumPy snapshot is rebuilt even without a change."""
    limits: ApiLimits = field(factory=ApiLimits)
    limits_store: str = "memory"
    """Where rate limits and query budgets are counted: ``memory`` or ``redis``."""
    limits_redis_url: str = "redis://127.0.0.1:6379/0"
    execution_loops: int = 4
    """Worker loops per process that GraphQL operations run on."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        profile = env.get("RAPPORT_PROFILE", "embedded")
        if profile not in PROFILES:
            raise SystemExit(
                f"RAPPORT_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}"
            )
        defaults = PROFILES[profile]
        return cls(
            profile=profile,
            database_url=env.get("RAPPORT_DATABASE_URL", defaults["database_url"]),
            storage=env.get("RAPPORT_STORAGE", defaults["storage"]),
            event_bus=env.get("RAPPORT_EVENT_BUS", defaults["event_bus"]),
            graphiql=env.get("RAPPORT_GRAPHIQL", str(defaults["graphiql"])).lower()
            in ("1", "true", "yes", "on"),
            default_phone_region=env.get("RAPPORT_DEFAULT_PHONE_REGION", "US").upper(),
            host=env.get("RAPPORT_HOST", "127.0.0.1"),
            port=int(env.get("RAPPORT_PORT", "8000")),
            event_stream=env.get("RAPPORT_EVENT_STREAM", defaults["event_stream"]),
            event_stream_url=env.get("RAPPORT_EVENT_STREAM_URL", ""),
            event_source=env.get("RAPPORT_EVENT_SOURCE", DEFAULT_SOURCE),
            webhooks_allow_private=_flag(
                env.get("RAPPORT_WEBHOOKS_ALLOW_PRIVATE"), defaults["webhooks_allow_private"]
            ),
            relay_in_app=_flag(env.get("RAPPORT_RELAY_IN_APP"), defaults["relay_in_app"]),
            import_workers=int(env.get("RAPPORT_IMPORT_WORKERS", str(default_import_workers()))),
            segment_evaluator=env.get("RAPPORT_SEGMENT_EVALUATOR", "numpy"),
            segment_currency=env.get("RAPPORT_SEGMENT_CURRENCY", "USD").upper(),
            segment_snapshot_max_age=float(env.get("RAPPORT_SEGMENT_SNAPSHOT_MAX_AGE", "60")),
            limits=api_limits(env, introspection=defaults["introspection"]),
            limits_store=env.get("RAPPORT_LIMITS_STORE", defaults["limits_store"]),
            limits_redis_url=env.get("RAPPORT_LIMITS_REDIS_URL", DEFAULT_STREAM_URLS["redis"]),
            execution_loops=int(env.get("RAPPORT_EXECUTION_LOOPS", "4")),
        )


def api_limits(env: Mapping[str, str], *, introspection: bool) -> ApiLimits:
    """The API's limits from ``RAPPORT_*`` variables; "off" turns a limit off."""
    defaults = ApiLimits()

    def number(name: str, default: float | None) -> float | None:
        raw = env.get(name)
        if raw is None:
            return default
        return None if raw.strip().lower() in ("off", "none", "") else float(raw)

    def whole(name: str, default: int | None) -> int | None:
        value = number(name, default)
        return None if value is None else int(value)

    def bucket(name: str, default: BucketPolicy | None) -> BucketPolicy | None:
        """``RATE/BURST`` (per second / at once), e.g. ``50/500``."""
        raw = env.get(name)
        if raw is None:
            return default
        if raw.strip().lower() in ("off", "none", ""):
            return None
        rate, _, burst = raw.partition("/")
        return BucketPolicy(capacity=float(burst or rate), refill_per_second=float(rate))

    shown = _flag(env.get("RAPPORT_INTROSPECTION"), introspection)
    return ApiLimits(
        max_depth=whole("RAPPORT_GRAPHQL_MAX_DEPTH", defaults.max_depth),
        max_aliases=whole("RAPPORT_GRAPHQL_MAX_ALIASES", defaults.max_aliases),
        max_tokens=whole("RAPPORT_GRAPHQL_MAX_TOKENS", defaults.max_tokens),
        max_cost=whole("RAPPORT_GRAPHQL_MAX_COST", defaults.max_cost),
        cost_budget=bucket("RAPPORT_GRAPHQL_COST_BUDGET", defaults.cost_budget),
        key_rate=bucket("RAPPORT_RATE_LIMIT_KEY", defaults.key_rate),
        ip_rate=bucket("RAPPORT_RATE_LIMIT_IP", defaults.ip_rate),
        max_body_bytes=whole("RAPPORT_MAX_BODY_BYTES", defaults.max_body_bytes)
        or defaults.max_body_bytes,
        max_upload_bytes=whole("RAPPORT_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)
        or defaults.max_upload_bytes,
        request_timeout_seconds=number("RAPPORT_REQUEST_TIMEOUT", defaults.request_timeout_seconds),
        trusted_proxies=tuple(
            part.strip()
            for part in env.get("RAPPORT_TRUSTED_PROXIES", "").split(",")
            if part.strip()
        ),
        introspection=shown,
        field_suggestions=_flag(env.get("RAPPORT_FIELD_SUGGESTIONS"), shown),
    )


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


def _event_types() -> list[str]:
    return [entry.name for entry in catalogue()]


def _webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def default_import_workers() -> int:
    """One core stores what the others check: every core but one, and at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


def _open_mapped_database(url: str) -> Any:
    map_domain()
    return open_database(url)


SCHEDULER_POLL_SECONDS = 5.0
"""How often an idle worker looks for due jobs and timers."""


def recurring_jobs(
    lifecycle_sweep: RunLifecycleSweep,
    auto_tag: RunAutoTagRules,
    refresh_segments: RefreshSegments,
    compute_rfm: ComputeRfm,
    send_reminders: SendReminders,
    run_automation_rules: RunAutomationRules,
    rescore_leads: RescoreLeads,
) -> dict[str, JobDefinition]:
    """The jobs the worker runs, and when (UTC); ``rapport jobs list`` shows their state."""
    return {
        "lifecycle-sweep": JobDefinition(
            Schedule.daily_at(2), lambda actor, _at: lifecycle_sweep(actor)
        ),
        "auto-tag": JobDefinition(Schedule(timedelta(hours=1)), lambda actor, _at: auto_tag(actor)),
        # After the sweep: RFM classes and stages feed segment rules.
        "rfm": JobDefinition(Schedule.daily_at(3), lambda actor, _at: compute_rfm(actor)),
        # Rules relative to today ("in the last 30 days") change with the date alone.
        "segments": JobDefinition(
            Schedule.daily_at(3, 30), lambda actor, _at: refresh_segments(actor)
        ),
        # Due tasks and lapsing first-touch SLAs are minutes-sensitive.
        "pipeline-reminders": JobDefinition(
            Schedule(timedelta(minutes=5)), lambda actor, _at: send_reminders(actor)
        ),
        "pipeline-rules": JobDefinition(
            Schedule.daily_at(4), lambda actor, _at: run_automation_rules(actor)
        ),
        # Scores decay with time, so they move even when nothing happens.
        "lead-scoring": JobDefinition(
            Schedule(timedelta(hours=1), timedelta(minutes=30)),
            lambda actor, _at: rescore_leads(actor),
        ),
    }


def due_work_step(run_due_work: RunDueWork) -> Callable[[], int]:
    return lambda: run_due_work().amount


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidV7Generator)
    contact_parser = providers.Singleton(ContactParser, default_region=config.default_phone_region)

    event_bus = providers.Selector(
        config.event_bus,
        in_process=providers.Singleton(InProcessEventBus),
    )

    database = providers.Singleton(_open_mapped_database, config.database_url)
    memory_store = providers.Singleton(InMemoryStore)

    token_buckets = providers.Selector(
        config.limits_store,
        memory=providers.Singleton(InMemoryTokenBuckets),
        redis=providers.Singleton(RedisTokenBuckets.from_url, config.limits_redis_url),
    )

    unit_of_work = providers.Selector(
        config.storage,
        sql=providers.Factory(
            SqlUnitOfWork, sessions=database.provided.sessions, publisher=event_bus
        ),
        memory=providers.Factory(InMemoryUnitOfWork, store=memory_store, publisher=event_bus),
    )
    customer_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlCustomerReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryCustomerReader, store=memory_store),
    )
    company_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlCompanyReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryCompanyReader, store=memory_store),
    )
    custom_field_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlCustomFieldDefinitionReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryCustomFieldDefinitionReader, store=memory_store),
    )
    user_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlUserReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryUserReader, store=memory_store),
    )

    create_customer = providers.Singleton(
        CreateCustomer, uow=unit_of_work.provider, clock=clock, ids=ids, parser=contact_parser
    )
    create_customers_in_bulk = providers.Singleton(
        CreateCustomersInBulk,
        uow=unit_of_work.provider,
        clock=clock,
        ids=ids,
        parser=contact_parser,
    )
    update_customer = providers.Singleton(
        UpdateCustomer, uow=unit_of_work.provider, clock=clock, parser=contact_parser
    )
    archive_customer = providers.Singleton(ArchiveCustomer, uow=unit_of_work.provider, clock=clock)
    get_customers = providers.Singleton(GetCustomers, reader=customer_reader)
    list_customers = providers.Singleton(
        ListCustomers, reader=customer_reader, definitions=custom_field_reader
    )
    create_company = providers.Singleton(
        CreateCompany, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    update_company = providers.Singleton(UpdateCompany, uow=unit_of_work.provider, clock=clock)
    archive_company = providers.Singleton(ArchiveCompany, uow=unit_of_work.provider, clock=clock)
    get_companies = providers.Singleton(GetCompanies, reader=company_reader)
    list_companies = providers.Singleton(
        ListCompanies, reader=company_reader, definitions=custom_field_reader
    )
    define_custom_field = providers.Singleton(
        DefineCustomField, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    list_custom_field_definitions = providers.Singleton(
        ListCustomFieldDefinitions, reader=custom_field_reader
    )
    register_user = providers.Singleton(
        RegisterUser, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    issue_api_key = providers.Singleton(
        IssueApiKey, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    credential_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlCredentialReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryCredentialReader, store=memory_store),
    )
    authenticate = providers.Singleton(AuthenticateApiKey, credentials=credential_reader)

    order_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlOrderReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryOrderReader, store=memory_store),
    )
    record_order = providers.Singleton(RecordOrder, uow=unit_of_work.provider, clock=clock, ids=ids)
    mark_order_paid = providers.Singleton(
        MarkOrderPaid, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    refund_order = providers.Singleton(RefundOrder, uow=unit_of_work.provider, clock=clock)
    cancel_order = providers.Singleton(CancelOrder, uow=unit_of_work.provider, clock=clock)
    import_orders = providers.Singleton(
        ImportOrders, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    read_orders = providers.Singleton(ReadOrders, reader=order_reader)
    import_customers = providers.Singleton(
        ImportCustomers, uow=unit_of_work.provider, clock=clock, ids=ids, parser=contact_parser
    )

    find_duplicates = providers.Singleton(FindDuplicateCandidates, reader=customer_reader)
    merge_customers = providers.Singleton(MergeCustomers, uow=unit_of_work.provider, clock=clock)

    activity_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlActivityReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryActivityReader, store=memory_store),
    )
    behaviour_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlBehaviourReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryBehaviourReader, store=memory_store),
    )
    timeline_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlTimelineReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryTimelineReader, store=memory_store),
    )
    log_activity = providers.Singleton(LogActivity, uow=unit_of_work.provider, clock=clock, ids=ids)
    update_activity = providers.Singleton(UpdateActivity, uow=unit_of_work.provider, clock=clock)
    delete_activity = providers.Singleton(DeleteActivity, uow=unit_of_work.provider, clock=clock)
    get_activities = providers.Singleton(GetActivities, reader=activity_reader)
    tracked_customers = providers.Singleton(InProcessTrackedCustomers)
    track_events = providers.Singleton(
        TrackEvents, uow=unit_of_work.provider, clock=clock, ids=ids, listener=tracked_customers
    )
    get_tracked_events = providers.Singleton(GetTrackedEvents, reader=behaviour_reader)
    event_frequencies = providers.Singleton(EventFrequencies, reader=behaviour_reader, clock=clock)
    get_timeline = providers.Singleton(GetTimeline, reader=timeline_reader)
    lifecycle_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlLifecycleReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryLifecycleReader, store=memory_store),
    )
    change_lifecycle_stage = providers.Singleton(
        ChangeLifecycleStage, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    read_lifecycle = providers.Singleton(ReadLifecycle, reader=lifecycle_reader, clock=clock)
    save_lifecycle_track = providers.Singleton(SaveLifecycleTrack, uow=unit_of_work.provider)
    save_stage_rule = providers.Singleton(SaveStageRule, uow=unit_of_work.provider)
    lifecycle_sweep = providers.Singleton(
        RunLifecycleSweep, uow=unit_of_work.provider, orders=order_reader, clock=clock, ids=ids
    )

    tag_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlTagReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryTagReader, store=memory_store),
    )
    condition_sources = providers.Singleton(
        ConditionSources,
        customers=customer_reader,
        behaviour=behaviour_reader,
        definitions=custom_field_reader,
    )
    create_tag = providers.Singleton(CreateTag, uow=unit_of_work.provider, clock=clock, ids=ids)
    tag_customers = providers.Singleton(
        TagCustomers, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    untag_customers = providers.Singleton(
        UntagCustomers, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    list_tags = providers.Singleton(ListTags, reader=tag_reader)
    create_sales_team = providers.Singleton(CreateSalesTeam, uow=unit_of_work.provider, ids=ids)
    set_rep_away = providers.Singleton(SetRepAway, uow=unit_of_work.provider)
    create_opportunity = providers.Singleton(
        CreateOpportunity, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    move_opportunity = providers.Singleton(
        MoveOpportunity, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    close_opportunity = providers.Singleton(
        CloseOpportunity, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    get_tags = providers.Singleton(GetTags, reader=tag_reader)
    define_auto_tag_rule = providers.Singleton(
        DefineAutoTagRule,
        uow=unit_of_work.provider,
        sources=condition_sources,
        clock=clock,
        ids=ids,
    )
    delete_auto_tag_rule = providers.Singleton(
        DeleteAutoTagRule, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    list_auto_tag_rules = providers.Singleton(ListAutoTagRules, reader=tag_reader)
    run_auto_tag_rules = providers.Singleton(
        RunAutoTagRules, uow=unit_of_work.provider, sources=condition_sources, clock=clock, ids=ids
    )

    segment_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlSegmentReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemorySegmentReader, store=memory_store),
    )
    segment_facts = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlSegmentFacts, engine=database.provided.reader),
        memory=providers.Singleton(InMemorySegmentFacts, store=memory_store),
    )
    segment_snapshot = providers.Singleton(
        LiveSnapshot,
        facts=segment_facts,
        clock=clock,
        currency=config.segment_currency,
        max_age=config.segment_snapshot_max_age,
    )
    segment_evaluator = providers.Selector(
        config.segment_evaluator,
        numpy=providers.Singleton(NumpySegmentEvaluator, snapshot=segment_snapshot),
        sql=providers.Singleton(
            SqlSegmentEvaluator, engine=database.provided.reader, currency=config.segment_currency
        ),
    )
    segment_rules = providers.Singleton(
        SegmentRules,
        sources=providers.Singleton(
            RuleSources,
            definitions=custom_field_reader,
            tags=tag_reader,
            lifecycle=lifecycle_reader,
            segments=segment_reader,
            currency=config.segment_currency,
        ),
    )
    preview_segment = providers.Singleton(
        PreviewSegment, rules=segment_rules, evaluator=segment_evaluator, clock=clock
    )
    create_segment = providers.Singleton(
        CreateSegment,
        uow=unit_of_work.provider,
        rules=segment_rules,
        evaluator=segment_evaluator,
        clock=clock,
        ids=ids,
    )
    update_segment = providers.Singleton(
        UpdateSegment,
        uow=unit_of_work.provider,
        rules=segment_rules,
        evaluator=segment_evaluator,
        clock=clock,
    )
    refresh_segments = providers.Singleton(
        RefreshSegments,
        uow=unit_of_work.provider,
        rules=segment_rules,
        evaluator=segment_evaluator,
        clock=clock,
    )
    compute_rfm = providers.Singleton(
        ComputeRfm,
        uow=unit_of_work.provider,
        facts=segment_facts,
        clock=clock,
        currency=config.segment_currency,
    )
    read_segments = providers.Singleton(ReadSegments, reader=segment_reader)
    recheck_customers = providers.Singleton(
        RecheckCustomers,
        uow=unit_of_work.provider,
        rules=segment_rules,
        facts=segment_facts,
        matcher=providers.Singleton(PythonRuleMatcher, currency=config.segment_currency),
        clock=clock,
        currency=config.segment_currency,
    )
    cluster_customers = providers.Singleton(
        ClusterCustomers,
        uow=unit_of_work.provider,
        facts=segment_facts,
        clusterer=providers.Singleton(NumpyClusterer),
        clock=clock,
        ids=ids,
        currency=config.segment_currency,
    )
    segment_watcher = providers.Singleton(
        SegmentWatcher, recheck=recheck_customers, segments=segment_reader
    )

    webhook_store = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlWebhookStore, engine=database.provided.writer),
        memory=providers.Singleton(InMemoryWebhookStore),
    )
    manage_webhooks = providers.Singleton(
        ManageWebhooks,
        store=webhook_store,
        clock=clock,
        ids=ids,
        new_secret=providers.Object(_webhook_secret),
        allow_private_targets=config.webhooks_allow_private,
        known_types=providers.Object(_event_types),
    )
    event_stream = providers.Selector(
        config.event_stream,
        none=providers.Object(None),
        memory=providers.Singleton(InMemoryEventStream),
        redis=providers.Singleton(RedisEventStream.from_url, config.event_stream_url),
        nats=providers.Singleton(NatsEventStream.from_url, config.event_stream_url),
    )
    live_events = providers.Singleton(InProcessLiveEvents)
    outbox_relay = providers.Factory(
        OutboxRelay,
        engine=database.provided.writer,
        clock=clock,
        stream=event_stream,
        live=live_events,
        source=config.event_source,
    )
    webhook_dispatcher = providers.Factory(
        WebhookDispatcher,
        engine=database.provided.writer,
        clock=clock,
        allow_private_targets=config.webhooks_allow_private,
    )
    stream_tail = providers.Singleton(StreamTail, stream=event_stream, live=live_events)
    delivery_worker = providers.Singleton(
        DeliveryWorker, relay=outbox_relay, dispatcher=webhook_dispatcher
    )

    pipeline_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlPipelineReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryPipelineReader, store=memory_store),
    )
    sales_analytics_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlSalesAnalyticsReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemorySalesAnalyticsReader, store=memory_store),
    )
    lead_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlLeadReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryLeadReader, store=memory_store),
    )
    task_reader = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlTaskReader, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryTaskReader, store=memory_store),
    )
    behaviour_counts = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlBehaviourCounts, engine=database.provided.reader),
        memory=providers.Singleton(InMemoryBehaviourCounts, store=memory_store),
    )
    create_lead = providers.Singleton(
        CreateLead,
        uow=unit_of_work.provider,
        clock=clock,
        ids=ids,
        counts=behaviour_counts,
        lifecycle=change_lifecycle_stage,
    )
    rescore_leads = providers.Singleton(
        RescoreLeads,
        uow=unit_of_work.provider,
        clock=clock,
        counts=behaviour_counts,
        lifecycle=change_lifecycle_stage,
    )
    send_reminders = providers.Singleton(SendReminders, uow=unit_of_work.provider, clock=clock)
    run_automation_rules = providers.Singleton(
        RunAutomationRules, uow=unit_of_work.provider, clock=clock, ids=ids
    )
    define_automation_rule = providers.Singleton(DefineAutomationRule, uow=unit_of_work.provider)
    sales_services = providers.Singleton(
        SalesServices,
        clock=clock,
        read_pipeline=providers.Singleton(ReadPipeline, reader=pipeline_reader, clock=clock),
        analytics=providers.Singleton(
            SalesAnalytics, reader=sales_analytics_reader, pipelines=pipeline_reader
        ),
        create_opportunity=create_opportunity,
        move_opportunity=move_opportunity,
        close_opportunity=close_opportunity,
        create_lead=create_lead,
        capture_form_lead=providers.Singleton(
            CaptureFormLead, uow=unit_of_work.provider, create=create_lead
        ),
        convert_lead=providers.Singleton(
            ConvertLead, uow=unit_of_work.provider, clock=clock, ids=ids
        ),
        mark_lead_contacted=providers.Singleton(
            MarkLeadContacted, uow=unit_of_work.provider, clock=clock
        ),
        read_leads=providers.Singleton(ReadLeads, reader=lead_reader),
        create_task=providers.Singleton(
            CreateTask, uow=unit_of_work.provider, clock=clock, ids=ids
        ),
        complete_task=providers.Singleton(CompleteTask, uow=unit_of_work.provider, clock=clock),
        read_tasks=providers.Singleton(ReadTasks, reader=task_reader),
        create_sales_team=create_sales_team,
        set_rep_away=set_rep_away,
        define_automation_rule=define_automation_rule,
        list_automation_rules=providers.Singleton(ListAutomationRules, uow=unit_of_work.provider),
    )

    scheduled_work = providers.Selector(
        config.storage,
        sql=providers.Singleton(SqlScheduledWork, engine=database.provided.writer),
        memory=providers.Singleton(InMemoryScheduledWork, store=memory_store),
    )
    run_due_work = providers.Singleton(
        RunDueWork,
        work=scheduled_work,
        clock=clock,
        jobs=providers.Callable(
            recurring_jobs,
            lifecycle_sweep=lifecycle_sweep,
            auto_tag=run_auto_tag_rules,
            refresh_segments=refresh_segments,
            compute_rfm=compute_rfm,
            send_reminders=send_reminders,
            run_automation_rules=run_automation_rules,
            rescore_leads=rescore_leads,
        ),
    )
    list_recurring_jobs = providers.Singleton(ListRecurringJobs, work=scheduled_work)
    scheduler = providers.Singleton(
        PollingLoop,
        step=providers.Callable(due_work_step, run_due_work),
        name="rapport-scheduler",
        idle_seconds=SCHEDULER_POLL_SECONDS,
    )

    demo_services = providers.Singleton(
        DemoServices,
        register_user=register_user,
        create_customers_in_bulk=create_customers_in_bulk,
        create_company=create_company,
        define_custom_field=define_custom_field,
        list_custom_field_definitions=list_custom_field_definitions,
        import_orders=import_orders,
        track_events=track_events,
        list_customers=list_customers,
        log_activity=log_activity,
        create_tag=create_tag,
        tag_customers=tag_customers,
        create_sales_team=create_sales_team,
        create_opportunity=create_opportunity,
        move_opportunity=move_opportunity,
        close_opportunity=close_opportunity,
        create_segment=create_segment,
    )

    services = providers.Singleton(
        Services,
        sales=sales_services,
        manage_webhooks=manage_webhooks,
        live_events=live_events,
        create_customer=create_customer,
        update_customer=update_customer,
        archive_customer=archive_customer,
        get_customers=get_customers,
        list_customers=list_customers,
        user_reader=user_reader,
        read_orders=read_orders,
        record_order=record_order,
        mark_order_paid=mark_order_paid,
        refund_order=refund_order,
        cancel_order=cancel_order,
        import_customers=import_customers,
        find_duplicates=find_duplicates,
        merge_customers=merge_customers,
        create_company=create_company,
        update_company=update_company,
        archive_company=archive_company,
        get_companies=get_companies,
        list_companies=list_companies,
        define_custom_field=define_custom_field,
        list_custom_field_definitions=list_custom_field_definitions,
        log_activity=log_activity,
        update_activity=update_activity,
        delete_activity=delete_activity,
        get_activities=get_activities,
        track_events=track_events,
        get_tracked_events=get_tracked_events,
        get_timeline=get_timeline,
        create_tag=create_tag,
        tag_customers=tag_customers,
        untag_customers=untag_customers,
        list_tags=list_tags,
        get_tags=get_tags,
        define_auto_tag_rule=define_auto_tag_rule,
        delete_auto_tag_rule=delete_auto_tag_rule,
        list_auto_tag_rules=list_auto_tag_rules,
        change_lifecycle_stage=change_lifecycle_stage,
        read_lifecycle=read_lifecycle,
        save_lifecycle_track=save_lifecycle_track,
        save_stage_rule=save_stage_rule,
        preview_segment=preview_segment,
        create_segment=create_segment,
        update_segment=update_segment,
        refresh_segments=refresh_segments,
        compute_rfm=compute_rfm,
        read_segments=read_segments,
        cluster_customers=cluster_customers,
        token_buckets=token_buckets,
    )


def build_container(settings: Settings | None = None) -> Container:
    settings = settings or Settings.from_env()
    container = Container()
    container.config.from_dict(
        {
            "database_url": settings.database_url,
            "storage": settings.storage,
            "event_bus": settings.event_bus,
            "default_phone_region": settings.default_phone_region,
            "event_stream": settings.event_stream,
            "event_stream_url": settings.event_stream_url
            or DEFAULT_STREAM_URLS.get(settings.event_stream, ""),
            "event_source": settings.event_source,
            "webhooks_allow_private": settings.webhooks_allow_private,
            "segment_evaluator": settings.segment_evaluator,
            "segment_currency": settings.segment_currency,
            "segment_snapshot_max_age": timedelta(seconds=settings.segment_snapshot_max_age),
            "limits_store": settings.limits_store,
            "limits_redis_url": settings.limits_redis_url,
        }
    )
    # Committed changes make the segment snapshot stale; it rebuilds on its next use.
    container.event_bus().subscribe(ALL_EVENTS, container.segment_snapshot().changed)
    # ... and changed customers are re-checked against every dynamic segment.
    container.event_bus().subscribe(ALL_EVENTS, container.segment_watcher().changed)
    # Tracked events are not domain events: their customers are told of separately.
    container.tracked_customers().subscribe(container.segment_snapshot().tracked)
    container.tracked_customers().subscribe(container.segment_watcher().tracked)
    return container


def shutdown(container: Container, settings: Settings) -> None:
    if settings.storage == "sql":
        container.database().dispose()


def create_asgi_app() -> Starlette:
    """The app that ``uvicorn --factory bootstrap:create_asgi_app`` serves."""
    settings = Settings.from_env()
    # Several server processes must not each run a relay: `rapport worker` does it.
    return asgi_app(build_container(settings), settings, relay=False)


def asgi_app(container: Container, settings: Settings, *, relay: bool = True) -> Starlette:
    in_app = relay and settings.relay_in_app and settings.storage == "sql"

    # Without a relay in this process, live subscriptions follow the event stream instead.
    tail = not in_app and settings.event_stream != "none"

    def start() -> None:
        if in_app:
            start_delivery(container)
        elif tail:
            container.stream_tail().start()

    def stop() -> None:
        if in_app:
            container.scheduler().stop()
            container.delivery_worker().stop()
        elif tail:
            container.stream_tail().stop()
        shutdown(container, settings)

    return create_app(
        container.services(),
        container.authenticate(),
        graphiql=settings.graphiql,
        on_startup=start,
        on_shutdown=stop,
        limits=settings.limits,
        execution_loops=settings.execution_loops,
    )


def start_delivery(container: Container) -> None:
    """The delivery loop in a thread of this process, woken by every commit made here, and
    the scheduler in another."""
    worker = container.delivery_worker()
    container.event_bus().subscribe(ALL_EVENTS, worker.wake)
    worker.start()
    container.scheduler().start()


def run_worker(container: Container, settings: Settings) -> None:
    """Delivery in this thread, woken by commits of every process on PostgreSQL; the
    scheduler in another."""
    if settings.storage != "sql":
        raise SystemExit("the delivery worker needs SQL storage (RAPPORT_STORAGE=sql)")
    worker = container.delivery_worker()
    scheduler = container.scheduler()
    database = container.database()
    wakeups = None if database.is_sqlite else PostgresWakeups(database.writer, worker.wake)
    scheduler.start()
    if wakeups is not None:
        wakeups.start()
    try:
        worker.run()
    except KeyboardInterrupt:
        pass
    finally:
        if wakeups is not None:
            wakeups.stop()
        scheduler.stop()
        worker.stop()


def registered_jobs(container: Container) -> list[RecurringJob]:
    """The jobs and their state, registering them first so a new database lists them too."""
    container.run_due_work().register()
    return container.list_recurring_jobs()(Principal.system())


def main() -> None:
    """The ``rapport`` command."""
    from adapters.cli.main import build_cli
    from adapters.cli.runtime import CliRuntime, PipelineJobs

    def runtime() -> CliRuntime:
        settings = Settings.from_env()
        container = build_container(settings)
        return CliRuntime(
            settings_summary=f"{settings.profile} profile, {settings.database_url}",
            host=settings.host,
            port=settings.port,
            migrate=lambda: migrate(container, settings),
            issue_api_key=container.issue_api_key(),
            demo=container.demo_services(),
            list_customers=container.list_customers(),
            import_orders=container.import_orders(),
            import_customers=container.import_customers(),
            import_workers=settings.import_workers,
            get_customers=container.get_customers(),
            run_auto_tag_rules=container.run_auto_tag_rules(),
            all_tags=partial(container.list_tags().everything, Principal.system()),
            lifecycle_sweep=container.lifecycle_sweep(),
            pipeline=PipelineJobs(
                send_reminders=container.send_reminders(),
                run_automation_rules=container.run_automation_rules(),
                define_automation_rule=container.define_automation_rule(),
                create_sales_team=container.create_sales_team(),
                rescore_leads=container.rescore_leads(),
            ),
            build_app=lambda: asgi_app(container, settings),
            app_factory="bootstrap:create_asgi_app",
            close=lambda: shutdown(container, settings),
            run_worker=lambda: run_worker(container, settings),
            recurring_jobs=partial(registered_jobs, container),
            run_due_work=container.run_due_work(),
            refresh_segments=container.refresh_segments(),
            compute_rfm=container.compute_rfm(),
        )

    build_cli(runtime)()


def migrate(container: Container, settings: Settings) -> str:
    if settings.storage != "sql":
        return "in-memory storage needs no migration"
    database = container.database()
    upgrade(database.writer)
    return f"database at the latest schema ({database.writer.url.render_as_string()})"
