"""What recipients do with messages: opens, clicks, bounces and unsubscribes.

The open pixel and click redirects carry signed tokens (``application.campaigns.tracking``),
so a changed byte is refused and nothing is recorded; a click only ever redirects to the
URL we signed, never to one a request names. Each of these also becomes a behaviour event
of the customer (``email_opened``, ``email_clicked``, ``email_bounced``,
``email_unsubscribed``, and ``sms_``/``webhook_`` ones), so segment rules such as
``event("email_clicked", 30d) >= 1`` and the timeline see them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from attrs import frozen

from application.behaviour.bundle import Behaviour
from application.behaviour.tracking import IncomingEvent
from application.campaigns.links import LinkSigner
from application.campaigns.ports import ConsentReader
from application.campaigns.tracking import verify_click, verify_open
from application.errors import NotFound
from application.messages.ports import DispatchUnitOfWorkFactory, MessageView
from application.ports import Clock
from application.principal import Principal
from domain.access.roles import Permission
from domain.campaigns.channels import Channel
from domain.campaigns.consent import UNSUBSCRIBE_SOURCE, ConsentStatus
from domain.campaigns.events import ConsentChanged
from domain.campaigns.messages import (
    Message,
    MessageBounced,
    MessageClicked,
    MessageOpened,
)
from domain.campaigns.suppression import Suppression, SuppressionReason
from domain.errors import ErrorCode, InvalidValue
from domain.events import DomainEvent

log = logging.getLogger("rapport.messages")

Links = Callable[[], LinkSigner]
NO_MESSAGE = "no message has this id"
REASON_MAX_LENGTH = 500


def behaviour_name(channel: Channel, what: str) -> str:
    """``email_opened``, ``sms_clicked``, ``webhook_bounced`` …"""
    return f"{channel.value}_{what}"


def _change(
    uow_factory: DispatchUnitOfWorkFactory,
    message_id: str,
    change: Callable[[Message], object],
) -> Message | None:
    """Apply ``change`` to a message that went out, in a commit of its own; a message that
    is gone (its customer erased) or never went out is left alone."""
    with uow_factory() as uow:
        message = uow.messages.get(message_id)
        if message is None or not message.status.went_out:
            return None
        change(message)
        uow.messages.save(message)
        uow.commit()
    return message


@frozen
class TrackOpen:
    """The open pixel was loaded: the first open is kept and every one counted."""

    uow: DispatchUnitOfWorkFactory
    clock: Clock
    links: Links

    def __call__(self, token: str) -> None:
        message_id = verify_open(self.links(), token)
        now = self.clock.now()
        _change(self.uow, message_id, lambda message: message.opened(now))


@frozen
class TrackClick:
    """A tracked link was followed: the click is recorded (it proves an open too) and the
    URL it was signed for, with its UTM parameters, is where the recipient goes."""

    uow: DispatchUnitOfWorkFactory
    clock: Clock
    links: Links

    def __call__(self, token: str) -> str:
        click = verify_click(self.links(), token)
        now = self.clock.now()
        _change(self.uow, click.message_id, lambda message: message.clicked(now))
        return click.url


@frozen
class RecordBounce:
    """A bounce processor reports a message undeliverable; a hard bounce suppresses the
    address on the message's channel for good."""

    uow: DispatchUnitOfWorkFactory
    clock: Clock

    def __call__(
        self, actor: Principal, message_id: str, *, hard: bool, reason: str = ""
    ) -> MessageView:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        if len(reason) > REASON_MAX_LENGTH:
            raise InvalidValue(
                "reason", ErrorCode.TOO_LONG, f"at most {REASON_MAX_LENGTH} characters"
            )
        now = self.clock.now()
        with self.uow() as uow:
            message = uow.messages.get(message_id)
            if message is None:
                raise NotFound("messageId", NO_MESSAGE)
            message.bounced(now, hard=hard, detail=reason, by=actor.actor_id)
            if hard and message.to:
                uow.suppressions.add(
                    Suppression.of(message.to, message.channel, SuppressionReason.HARD_BOUNCE, now)
                )
            uow.messages.save(message)
            uow.commit()
        return MessageView.of(message)


@frozen
class MarkUnsubscribed:
    """Reacts to ``rapport.consent.changed.v1``: an opt-out made through a message's
    unsubscribe link marks that message (the consent change keeps the message's id)."""

    uow: DispatchUnitOfWorkFactory
    consents: ConsentReader
    behaviour: Behaviour

    def __call__(self, event: DomainEvent) -> None:
        if not isinstance(event, ConsentChanged):
            return
        if event.to_status is not ConsentStatus.OPTED_OUT or event.source != UNSUBSCRIBE_SOURCE:
            return
        consent = next(
            (c for c in self.consents.history(event.aggregate_id) if c.channel is event.channel),
            None,
        )
        change = consent.history[-1] if consent and consent.history else None
        if change is None or not change.message_id:
            return
        marked = _change(
            self.uow, change.message_id, lambda message: message.unsubscribed(event.occurred_at)
        )
        if marked is not None:
            _track(
                self.behaviour,
                marked.customer_id,
                behaviour_name(marked.channel, "unsubscribed"),
                f"{marked.id}:unsubscribed",
                event.occurred_at,
                marked,
            )


_VERBS: dict[type[DomainEvent], str] = {
    MessageOpened: "opened",
    MessageClicked: "clicked",
    MessageBounced: "bounced",
}


@frozen
class EngagementToBehaviour:
    """Reacts to message opens, clicks and bounces: each becomes a behaviour event of the
    customer, once (its event id is derived from the message event)."""

    behaviour: Behaviour

    def __call__(self, event: DomainEvent) -> None:
        verb = _VERBS.get(type(event))
        if verb is None or not isinstance(event, MessageOpened | MessageClicked | MessageBounced):
            return
        _track(
            self.behaviour,
            event.customer_id,
            behaviour_name(event.channel, verb),
            f"{event.aggregate_id}:{verb}:{event.occurred_at.timestamp():.6f}",
            event.occurred_at,
            None,
            message_id=event.aggregate_id,
            campaign_id=event.campaign_id,
            journey_id=event.journey_id,
        )


def _track(
    behaviour: Behaviour,
    customer_id: str,
    name: str,
    event_id: str,
    at: datetime,
    message: Message | None,
    **ids: str | None,
) -> None:
    if message is not None:
        ids = {
            "message_id": message.id,
            "campaign_id": message.source.campaign_id,
            "journey_id": message.source.journey_id,
        }
    properties = {key: value for key, value in ids.items() if value}
    result = behaviour.track(
        Principal.system(),
        [
            IncomingEvent(
                customer_id=customer_id,
                name=name,
                occurred_at=at,
                properties=properties,
                event_id=event_id,
            )
        ],
    )
    if result.problems:
        # The customer was erased or merged meanwhile: nothing to draw on a timeline.
        log.info("behaviour event %s not tracked: %s", name, result.problems[0].problem)
