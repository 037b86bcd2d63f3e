"""Campaigns: a message to a segment's members at send time, maybe as an A/B test, with
its stats and attribution."""

import sys
from datetime import timedelta

from dependency_injector import containers, providers

from adapters.memory.campaigns import InMemoryCampaignReader, InMemoryCampaignsUnitOfWork
from adapters.memory.messages import InMemoryMessageStats
from adapters.memory.store import InMemoryStore
from adapters.persistence.campaigns import SqlCampaignReader, SqlCampaignsUnitOfWork
from adapters.persistence.database import Database
from adapters.persistence.messages import SqlMessageStats
from adapters.persistence.segment_rules import SqlSegmentEvaluator
from adapters.segments.live import LiveSnapshot
from adapters.segments.numpy_engine import NumpySegmentEvaluator
from application.campaigns.attribution import AttributeCampaigns, ReadCampaignStats
from application.campaigns.campaign_bundle import Campaigns
from application.campaigns.campaigns import (
    AB_DECIDE,
    LAUNCH,
    AudienceQueue,
    CancelCampaign,
    CreateCampaign,
    DecideAbTest,
    EvaluatedAudience,
    LaunchCampaign,
    ReadCampaigns,
    ScheduleCampaign,
)
from application.campaigns.templates import Templates
from application.segments.rules import RuleSources, SegmentRules


class SqlPorts(containers.DeclarativeContainer):
    database = providers.Dependency(instance_of=Database)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(
        SqlCampaignsUnitOfWork, sessions=database.provided.sessions, publisher=publisher
    )
    campaign_reader = providers.Singleton(SqlCampaignReader, database.provided.reader)
    message_stats = providers.Singleton(SqlMessageStats, database.provided.reader)


class MemoryPorts(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=InMemoryStore)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(InMemoryCampaignsUnitOfWork, store=store, publisher=publisher)
    campaign_reader = providers.Singleton(InMemoryCampaignReader, store)
    message_stats = providers.Singleton(InMemoryMessageStats, store)


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    ports = providers.DependenciesContainer()
    config = providers.Configuration()
    templates = providers.Dependency(instance_of=Templates)

    currency = config.segment_currency
    # The audience is evaluated at send time over facts read then: a snapshot built for
    # each launch (never one kept from before), or the rule run in SQL.
    fresh_snapshot = providers.Singleton(
        LiveSnapshot,
        facts=storage.segment_facts,
        clock=platform.clock,
        currency=currency,
        max_age=providers.Factory(timedelta, 0),
        inline_up_to=sys.maxsize,
    )
    evaluator = providers.Selector(
        config.segment_evaluator,
        numpy=providers.Singleton(NumpySegmentEvaluator, snapshot=fresh_snapshot),
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
    audience = providers.Singleton(
        EvaluatedAudience,
        segments=storage.segment_reader,
        rules=rules,
        evaluator=evaluator,
        clock=platform.clock,
    )
    queue = providers.Singleton(
        AudienceQueue,
        uow=ports.unit_of_work.provider,
        audience=audience,
        customers=storage.customer_reader,
        templates=templates,
        clock=platform.clock,
        ids=platform.ids,
    )
    attribution = providers.Singleton(
        AttributeCampaigns,
        orders=storage.order_reader,
        touches=ports.message_stats,
        clock=platform.clock,
    )
    stats = providers.Singleton(
        ReadCampaignStats, counts=ports.message_stats, attribution=attribution
    )
    launch = providers.Singleton(
        LaunchCampaign,
        uow=ports.unit_of_work.provider,
        queue=queue,
        clock=platform.clock,
        ids=platform.ids,
    )
    decide = providers.Singleton(
        DecideAbTest,
        uow=ports.unit_of_work.provider,
        stats=stats,
        queue=queue,
        clock=platform.clock,
    )
    bundle = providers.Singleton(
        Campaigns,
        create=providers.Singleton(
            CreateCampaign,
            uow=ports.unit_of_work.provider,
            segments=storage.segment_reader,
            templates=templates,
            clock=platform.clock,
            ids=platform.ids,
        ),
        schedule=providers.Singleton(
            ScheduleCampaign,
            uow=ports.unit_of_work.provider,
            clock=platform.clock,
            ids=platform.ids,
        ),
        cancel=providers.Singleton(
            CancelCampaign,
            uow=ports.unit_of_work.provider,
            reader=ports.campaign_reader,
            clock=platform.clock,
        ),
        launch=launch,
        decide=decide,
        read=providers.Singleton(ReadCampaigns, reader=ports.campaign_reader),
        stats=stats,
        attribution=attribution,
    )
    timers = providers.Dict(
        {LAUNCH: launch.provided.fire, AB_DECIDE: decide.provided.fire},
    )
