"""Events to partners: webhooks, the outbox relay, event streams and live subscriptions."""

import base64
import secrets

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.delivery.streams.memory import InMemoryEventStream
from adapters.delivery.streams.nats import NatsEventStream
from adapters.delivery.streams.redis import RedisEventStream
from adapters.delivery.tail import StreamTail
from adapters.delivery.webhooks import WebhookDispatcher
from adapters.delivery.worker import DeliveryWorker
from adapters.messaging.live import InProcessLiveEvents
from adapters.persistence.relay import OutboxRelay
from adapters.persistence.webhook_deliveries import SqlWebhookDeliveries
from application.events.bundle import Events
from application.events.catalogue import catalogue
from application.events.redaction import RedactEvents
from application.events.webhooks import ManageWebhooks
from composition.wiring import use_case


def _event_types() -> list[str]:
    return [entry.name for entry in catalogue()]


def _webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    config = providers.Configuration()

    event_stream = providers.Selector(
        config.event_stream,
        none=providers.Object(None),
        memory=providers.Singleton(InMemoryEventStream),
        redis=providers.Singleton(RedisEventStream.from_url, config.event_stream_url),
        nats=providers.Singleton(NatsEventStream.from_url, config.event_stream_url),
    )
    live_events = providers.Singleton(InProcessLiveEvents)
    writer = storage.database.provided.writer
    outbox_relay = providers.Factory(
        OutboxRelay,
        engine=writer,
        clock=platform.clock,
        stream=event_stream,
        live=live_events,
        source=config.event_source,
    )
    webhook_dispatcher = providers.Factory(
        WebhookDispatcher,
        deliveries=providers.Factory(SqlWebhookDeliveries, writer),
        clock=platform.clock,
        wall_clock=providers.Factory(SystemClock),
        allow_private_targets=config.webhooks_allow_private,
        redact=providers.Singleton(RedactEvents, storage.access_reader),
    )
    stream_tail = providers.Singleton(StreamTail, stream=event_stream, live=live_events)
    delivery_worker = providers.Singleton(
        DeliveryWorker, relay=outbox_relay, dispatcher=webhook_dispatcher
    )
    bundle = providers.Singleton(
        Events,
        webhooks=use_case(
            ManageWebhooks,
            platform,
            storage,
            store=storage.webhook_store,
            new_secret=providers.Object(_webhook_secret),
            allow_private_targets=config.webhooks_allow_private,
            known_types=providers.Object(_event_types),
            roles=storage.access_reader,
        ),
        live=live_events,
    )
