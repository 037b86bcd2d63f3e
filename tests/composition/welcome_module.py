"""A module as small as one can be, composed from outside the package: it welcomes every
new customer, owns a job and a timer kind, and keeps its own port on either storage."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from attrs import define, field, frozen
from dependency_injector import containers, providers

from application.principal import Principal
from composition.wiring import Reaction, every
from domain.customers.events import CustomerCreated
from domain.events import DomainEvent
from domain.scheduling import Timer


@define
class WelcomeBook:
    """The module's own port: who was welcomed, and how often."""

    welcomed: Counter[str] = field(factory=Counter)
    digests: int = 0
    storage: str = "memory"


@frozen
class Welcome:
    book: WelcomeBook

    def customer_created(self, event: DomainEvent) -> None:
        self.book.welcomed[event.aggregate_id] += 1

    def digest(self, _actor: Principal) -> None:
        self.book.digests += 1

    def follow_up(self, _actor: Principal, timer: Timer) -> None:
        self.book.welcomed[timer.subject_id] += 1


@frozen
class Welcomes:
    """The module's bundle."""

    welcome: Welcome
    book: WelcomeBook


class SqlPorts(containers.DeclarativeContainer):
    database = providers.Dependency()
    publisher = providers.Dependency()
    book = providers.Singleton(WelcomeBook, storage="sql")


class MemoryPorts(containers.DeclarativeContainer):
    store = providers.Dependency()
    publisher = providers.Dependency()
    book = providers.Singleton(WelcomeBook)


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    ports = providers.DependenciesContainer()

    welcome = providers.Singleton(Welcome, book=ports.book)
    bundle = providers.Singleton(Welcomes, welcome=welcome, book=ports.book)
    reactions = providers.List(
        providers.Factory(Reaction, CustomerCreated.event_type, welcome.provided.customer_created)
    )
    jobs = providers.Dict({"welcome-digest": every(timedelta(days=1), welcome.provided.digest)})
    timers = providers.Dict({"welcome.follow_up": welcome.provided.follow_up})
