"""Messages: the outbox storage, the dispatcher that sends what is due, engagement tracking."""

from __future__ import annotations

from collections.abc import Mapping

from dependency_injector import containers, providers

from adapters.channels.select import ChannelSettings, channel_senders
from adapters.delivery.worker import PollingLoop
from adapters.memory.messages import (
    InMemoryMessageReader,
    InMemoryMessageStats,
    InMemoryMessagesUnitOfWork,
)
from adapters.memory.store import InMemoryStore
from adapters.persistence.database import Database
from adapters.persistence.messages import (
    SqlMessageReader,
    SqlMessageStats,
    SqlMessagesUnitOfWork,
)
from application.behaviour.bundle import Behaviour
from application.campaigns.channels import ChannelSender
from application.campaigns.consent_bundle import Consents
from application.campaigns.templates import Templates
from application.messages.bundle import Messages
from application.messages.dispatch import DispatchDueMessages
from application.messages.engagement import (
    EngagementToBehaviour,
    MarkUnsubscribed,
    RecordBounce,
    TrackClick,
    TrackOpen,
)
from application.messages.queries import ReadMessages
from application.messages.settings import DispatchSettings
from composition.wiring import Reaction
from domain.campaigns.channels import Channel
from domain.campaigns.events import ConsentChanged
from domain.campaigns.messages import MessageBounced, MessageClicked, MessageOpened
from domain.events import DomainEvent

DISPATCH_IDLE_SECONDS = 1.0
"""How often an idle dispatcher looks for due messages; a commit in process wakes it."""
WAKING_EVENTS = ("rapport.message.", "rapport.campaign.", "rapport.journey.")
"""Events after which messages may be due: the dispatcher looks at once."""


class SqlPorts(containers.DeclarativeContainer):
    database = providers.Dependency(instance_of=Database)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(
        SqlMessagesUnitOfWork, sessions=database.provided.sessions, publisher=publisher
    )
    message_reader = providers.Singleton(SqlMessageReader, database.provided.reader)
    message_stats = providers.Singleton(SqlMessageStats, database.provided.reader)


class MemoryPorts(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=InMemoryStore)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(InMemoryMessagesUnitOfWork, store=store, publisher=publisher)
    message_reader = providers.Singleton(InMemoryMessageReader, store)
    message_stats = providers.Singleton(InMemoryMessageStats, store)


def _senders(settings: ChannelSettings) -> Mapping[Channel, ChannelSender]:
    return channel_senders(settings)


def _step(dispatch: DispatchDueMessages) -> int:
    return dispatch()


def _waker(loop: PollingLoop) -> object:
    def wake(event: DomainEvent) -> None:
        if event.event_type.startswith(WAKING_EVENTS):
            loop.wake()

    return wake


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    ports = providers.DependenciesContainer()
    config = providers.Configuration()
    consent = providers.Dependency(instance_of=Consents)
    templates = providers.Dependency(instance_of=Templates)
    behaviour = providers.Dependency(instance_of=Behaviour)

    senders: providers.Provider[Mapping[Channel, ChannelSender]] = providers.Singleton(
        _senders, config.channels
    )
    """Every channel's ``ChannelSender``, built once; tests override it."""
    settings: providers.Provider[DispatchSettings] = providers.Callable(
        lambda given: given or DispatchSettings(), config.dispatch
    )
    dispatch = providers.Singleton(
        DispatchDueMessages,
        uow=ports.unit_of_work.provider,
        clock=platform.clock,
        customers=storage.customer_reader,
        companies=storage.company_reader,
        orders=storage.order_reader,
        messages=ports.message_reader,
        consents=consent,
        templates=templates,
        senders=senders.provider,
        settings=settings,
    )
    links = providers.Callable(lambda consents: consents.links.links, consent)
    """The link signer, looked up when first used (its key may live in the database)."""
    loop = providers.Singleton(
        PollingLoop,
        step=providers.Callable(lambda dispatch: lambda: _step(dispatch), dispatch),
        name="rapport-messages",
        idle_seconds=DISPATCH_IDLE_SECONDS,
    )
    loops = providers.List(loop)
    bundle = providers.Singleton(
        Messages,
        dispatch=dispatch,
        read=providers.Singleton(ReadMessages, reader=ports.message_reader),
        track_open=providers.Singleton(
            TrackOpen, uow=ports.unit_of_work.provider, clock=platform.clock, links=links
        ),
        track_click=providers.Singleton(
            TrackClick, uow=ports.unit_of_work.provider, clock=platform.clock, links=links
        ),
        record_bounce=providers.Singleton(
            RecordBounce, uow=ports.unit_of_work.provider, clock=platform.clock
        ),
        stats=ports.message_stats,
    )
    to_behaviour = providers.Singleton(EngagementToBehaviour, behaviour=behaviour)
    mark_unsubscribed = providers.Singleton(
        MarkUnsubscribed,
        uow=ports.unit_of_work.provider,
        consents=consent.provided.consent_reader,
        behaviour=behaviour,
    )
    reactions = providers.List(
        providers.Factory(Reaction, "*", providers.Callable(_waker, loop)),
        # Opens, clicks and bounces become behaviour events of the customer.
        providers.Factory(Reaction, MessageOpened.event_type, to_behaviour),
        providers.Factory(Reaction, MessageClicked.event_type, to_behaviour),
        providers.Factory(Reaction, MessageBounced.event_type, to_behaviour),
        # An unsubscribe through a message's link marks that message.
        providers.Factory(Reaction, ConsentChanged.event_type, mark_unsubscribed),
    )
