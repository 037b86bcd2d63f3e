"""Consent: per-channel consent, double opt-in, suppression and one-click unsubscribe."""

from __future__ import annotations

import secrets

from dependency_injector import containers, providers

from adapters.channels.select import ChannelSettings, channel_senders
from adapters.links.signed import SignedLinks
from adapters.memory.consent import (
    InMemoryConsentReader,
    InMemoryConsentUnitOfWork,
    InMemorySecrets,
)
from adapters.memory.store import InMemoryStore
from adapters.persistence.consent import (
    SqlConsentReader,
    SqlConsentUnitOfWork,
    SqlSecrets,
)
from adapters.persistence.database import Database
from application.campaigns.channels import ChannelSender
from application.campaigns.consent import (
    ConfirmOptIn,
    IsSuppressed,
    MergeConsents,
    PublicLinks,
    ReadConsents,
    RequestOptIn,
    SetConsent,
    Suppress,
    Unsubscribe,
)
from application.campaigns.consent_bundle import Consents
from application.campaigns.ports import SecretStore
from composition.wiring import Reaction
from domain.campaigns.channels import Channel
from domain.customers.events import CustomerMerged

SIGNING_KEY_NAME = "link_signing_key"


class SqlPorts(containers.DeclarativeContainer):
    database = providers.Dependency(instance_of=Database)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(
        SqlConsentUnitOfWork, sessions=database.provided.sessions, publisher=publisher
    )
    consent_reader = providers.Singleton(SqlConsentReader, database.provided.reader)
    secrets = providers.Singleton(SqlSecrets, database.provided.writer)


class MemoryPorts(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=InMemoryStore)
    publisher: providers.Dependency[object] = providers.Dependency()
    unit_of_work = providers.Factory(InMemoryConsentUnitOfWork, store=store, publisher=publisher)
    consent_reader = providers.Singleton(InMemoryConsentReader, store)
    secrets = providers.Singleton(InMemorySecrets)


def email_channel(settings: ChannelSettings) -> ChannelSender:
    """The email sender configured (SMTP, or the file outbox of the embedded default)."""
    return channel_senders(settings)[Channel.EMAIL]


def signing_key(configured: str | None, store: SecretStore) -> str:
    """The configured key, or one made on first start and kept by the storage, so links
    in mails already sent keep working after a restart."""
    if configured:
        return configured
    return store.get_or_create(SIGNING_KEY_NAME, secrets.token_urlsafe(32))


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    ports = providers.DependenciesContainer()
    config = providers.Configuration()

    email_sender: providers.Provider[object] = providers.Singleton(email_channel, config.channels)
    """The email ``ChannelSender`` of opt-in confirmations; tests override it."""
    links = providers.Singleton(
        SignedLinks, providers.Callable(signing_key, config.signing_key, ports.secrets)
    )
    public_links = providers.Singleton(
        PublicLinks, links=links.provider, public_url=config.public_url
    )
    merge_consents = providers.Singleton(
        MergeConsents, uow=ports.unit_of_work.provider, clock=platform.clock
    )
    bundle = providers.Singleton(
        Consents,
        set_consent=providers.Singleton(
            SetConsent, uow=ports.unit_of_work.provider, clock=platform.clock
        ),
        read_consents=providers.Singleton(
            ReadConsents, uow=ports.unit_of_work.provider, reader=ports.consent_reader
        ),
        request_opt_in=providers.Singleton(
            RequestOptIn,
            uow=ports.unit_of_work.provider,
            clock=platform.clock,
            ids=platform.ids,
            links=public_links,
            email=email_sender.provider,
        ),
        confirm_opt_in=providers.Singleton(
            ConfirmOptIn,
            uow=ports.unit_of_work.provider,
            clock=platform.clock,
            links=links.provider,
        ),
        unsubscribe=providers.Singleton(
            Unsubscribe, uow=ports.unit_of_work.provider, clock=platform.clock, links=links.provider
        ),
        links=public_links,
        suppress=providers.Singleton(
            Suppress, uow=ports.unit_of_work.provider, clock=platform.clock
        ),
        is_suppressed=providers.Singleton(IsSuppressed, reader=ports.consent_reader),
        consent_reader=ports.consent_reader,
    )
    reactions = providers.List(
        # The survivor of a merge takes in its duplicates' consent; an opt-out wins.
        providers.Factory(Reaction, CustomerMerged.event_type, merge_consents),
    )
