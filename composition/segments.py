"""Segments: rules over customers, their snapshot and evaluators, RFM and clustering."""

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.persistence.segment_rules import SqlSegmentEvaluator
from adapters.segments.clustering import NumpyClusterer
from adapters.segments.live import LiveSnapshot, SegmentWatcher
from adapters.segments.numpy_engine import NumpySegmentEvaluator
from adapters.segments.single import PythonRuleMatcher
from application.segments.bundle import Segments
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
from composition.wiring import ALL_EVENTS, Reaction, every, use_case
from domain.scheduling import Schedule


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    config = providers.Configuration()

    currency = config.segment_currency
    snapshot = providers.Singleton(
        LiveSnapshot,
        facts=storage.segment_facts,
        clock=platform.clock,
        currency=currency,
        max_age=providers.Factory(timedelta, seconds=config.segment_snapshot_max_age),
    )
    evaluator = providers.Selector(
        config.segment_evaluator,
        numpy=providers.Singleton(NumpySegmentEvaluator, snapshot=snapshot),
        sql=providers.Singleton(
            SqlSegmentEvaluator, engine=storage.database.provided.reader, currency=currency
        ),
    )
    rules = providers.Singleton(
        SegmentRules,
        sources=providers.Singleton(
            RuleSources,
            definitions=storage.custom_field_reader,
            tags=storage.tag_reader,
            lifecycle=storage.lifecycle_reader,
            segments=storage.segment_reader,
            currency=currency,
        ),
    )
    refresh = use_case(RefreshSegments, platform, storage, rules=rules, evaluator=evaluator)
    compute_rfm = use_case(
        ComputeRfm, platform, storage, facts=storage.segment_facts, currency=currency
    )
    recheck = use_case(
        RecheckCustomers,
        platform,
        storage,
        rules=rules,
        facts=storage.segment_facts,
        matcher=providers.Singleton(PythonRuleMatcher, currency=currency),
        currency=currency,
    )
    watcher = providers.Singleton(SegmentWatcher, recheck=recheck, segments=storage.segment_reader)
    bundle = providers.Singleton(
        Segments,
        preview=use_case(
            PreviewSegment,
            platform,
            storage,
            rules=rules,
            evaluator=evaluator,
            customers=storage.customer_reader,
        ),
        create=use_case(CreateSegment, platform, storage, rules=rules, evaluator=evaluator),
        update=use_case(UpdateSegment, platform, storage, rules=rules, evaluator=evaluator),
        refresh=refresh,
        recheck=recheck,
        compute_rfm=compute_rfm,
        read=use_case(ReadSegments, platform, storage, reader=storage.segment_reader),
        cluster=use_case(
            ClusterCustomers,
            platform,
            storage,
            facts=storage.segment_facts,
            clusterer=providers.Singleton(NumpyClusterer),
            currency=currency,
        ),
    )

    # A committed change makes the snapshot stale (it rebuilds on its next use), and the
    # changed customers are re-checked against every dynamic segment.
    reactions = providers.List(
        providers.Factory(Reaction, ALL_EVENTS, snapshot.provided.changed),
        providers.Factory(Reaction, ALL_EVENTS, watcher.provided.changed),
    )
    tracked = providers.List(snapshot.provided.tracked, watcher.provided.tracked)
    jobs = providers.Dict(
        # After the lifecycle sweep: RFM classes and stages feed segment rules.
        rfm=every(Schedule.daily_at(3), compute_rfm),
        # Rules relative to today ("in the last 30 days") change with the date alone.
        segments=every(Schedule.daily_at(3, 30), refresh),
    )
