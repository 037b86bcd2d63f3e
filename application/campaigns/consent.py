"""Consent use cases: set it, ask for it by double opt-in, lose it by one-click unsubscribe,
and the suppression list that stops bounced and complaining addresses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum

from attrs import frozen

from application.campaigns.channels import ChannelSender
from application.campaigns.links import LinkPurpose, LinkSigner, TamperedLink
from application.campaigns.ports import ConsentReader, ConsentUnitOfWork, ConsentUnitOfWorkFactory
from application.errors import NotFound
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.visibility import require_visible
from domain.access.roles import Permission, Resource
from domain.campaigns.channels import Channel, OutboundMessage
from domain.campaigns.consent import (
    DOUBLE_OPT_IN_SOURCE,
    OPT_IN_LINK_LIFETIME,
    OPT_IN_MAIL_INTERVAL,
    UNSUBSCRIBE_SOURCE,
    Consent,
    ConsentStatus,
    LawfulBasis,
    OptInRequest,
    consent_source,
)
from domain.campaigns.suppression import Suppression, SuppressionReason, address_key
from domain.customers import Customer
from domain.customers.events import CustomerMerged
from domain.errors import DomainError, ErrorCode, InvalidValue, Problem, RuleViolated

NO_CUSTOMER = "no customer has this id"

Senders = Callable[[], ChannelSender]
"""The email channel, looked up when a mail goes out (so a test or an adapter can swap it)."""
Links = Callable[[], LinkSigner]
"""The link signer, built on first use (its key may live in the database)."""


class ExpiredLink(DomainError):
    """A confirmation link signed by us, but too long ago to be honoured."""

    def __init__(self) -> None:
        super().__init__(
            [Problem("token", ErrorCode.INVALID, "this link has expired; ask for a new one")]
        )


def _visible_customer(uow: ConsentUnitOfWork, actor: Principal, customer_id: str) -> Customer:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFound("customerId", NO_CUSTOMER)
    require_visible(
        actor,
        Resource.CUSTOMERS,
        customer.owner_id,
        customer.id,
        field="customerId",
        message=NO_CUSTOMER,
    )
    return customer


def _live_customer(uow: ConsentUnitOfWork, actor: Principal, customer_id: str) -> Customer:
    """A customer whose consent may change: visible, not archived and not merged away."""
    customer = _visible_customer(uow, actor, customer_id)
    if customer.merged_into is not None:
        raise RuleViolated(
            "customerId",
            ErrorCode.ARCHIVED,
            "the customer was merged into another; change the consent of that one",
        )
    if customer.is_archived:
        raise RuleViolated("customerId", ErrorCode.ARCHIVED, "the customer is archived")
    return customer


def _consent_of(uow: ConsentUnitOfWork, customer_id: str, channel: Channel) -> Consent:
    return uow.consents.get(customer_id, channel) or Consent(
        customer_id=customer_id, channel=channel
    )


@frozen
class SetConsent:
    """Record a customer's consent or refusal on one channel, as told by staff or an API."""

    uow: ConsentUnitOfWorkFactory
    clock: Clock

    def __call__(
        self,
        actor: Principal,
        customer_id: str,
        channel: Channel,
        status: ConsentStatus,
        source: str | None = None,
        lawful_basis: LawfulBasis | None = None,
    ) -> Consent:
        actor.require(Permission.UPDATE_CONSENT)
        stored_source = consent_source(source)
        with self.uow() as uow:
            _live_customer(uow, actor, customer_id)
            consent = _consent_of(uow, customer_id, channel)
            if consent.change(
                status,
                source=stored_source,
                at=self.clock.now(),
                actor_id=actor.actor_id,
                lawful_basis=lawful_basis,
            ):
                uow.consents.save(consent)
                uow.commit()
        return consent


@frozen
class ReadConsents:
    """A customer's consent on every channel; a channel never recorded is ``UNKNOWN``."""

    uow: ConsentUnitOfWorkFactory
    reader: ConsentReader

    def __call__(self, actor: Principal, customer_id: str) -> list[Consent]:
        actor.require(Permission.READ_CONSENT)
        with self.uow() as uow:
            _visible_customer(uow, actor, customer_id)
        return self.of_visible(actor, [customer_id])[customer_id]

    def of_visible(self, actor: Principal, customer_ids: Sequence[str]) -> dict[str, list[Consent]]:
        """The consents of customers the caller already sees (the customers of a list it
        read), in one read."""
        actor.require(Permission.READ_CONSENT)
        stored = self.reader.histories(customer_ids)
        every: dict[str, list[Consent]] = {}
        for customer_id in customer_ids:
            by_channel = {consent.channel: consent for consent in stored.get(customer_id, [])}
            every[customer_id] = [
                by_channel.get(channel) or Consent(customer_id=customer_id, channel=channel)
                for channel in Channel
            ]
        return every


@frozen
class PublicLinks:
    """The signed URLs on ``RAPPORT_PUBLIC_URL`` that customers click without logging in."""

    links: Links
    public_url: str

    def _url(self, path: str, purpose: LinkPurpose, claims: dict[str, str]) -> str:
        return f"{self.public_url.rstrip('/')}/{path}/{self.links().sign(purpose, claims)}"

    def unsubscribe_url(
        self, customer_id: str, channel: Channel, message_id: str | None = None
    ) -> str:
        """The one-click unsubscribe URL of one message (the ``List-Unsubscribe`` header)."""
        claims = {"customer_id": customer_id, "channel": channel.value}
        if message_id:
            claims["message_id"] = message_id
        return self._url("unsubscribe", LinkPurpose.UNSUBSCRIBE, claims)

    def confirmation_url(self, customer_id: str, channel: Channel, requested_at: datetime) -> str:
        claims = {
            "customer_id": customer_id,
            "channel": channel.value,
            "requested_at": requested_at.isoformat(),
        }
        return self._url("consent/confirm", LinkPurpose.CONFIRM_OPT_IN, claims)


class OptInOutcome(StrEnum):
    SENT = "sent"
    """A confirmation mail went out."""
    RECENTLY_SENT = "recently_sent"
    """A confirmation went to this address less than 24 hours ago: nothing was sent."""
    ALREADY_OPTED_IN = "already_opted_in"
    NOT_SENT = "not_sent"
    """The mail channel did not take the mail; asking again later may work."""


CONFIRMATION_SUBJECT = "Please confirm your subscription"
CONFIRMATION_TEXT = (
    "Please confirm that you want to receive our messages by opening this link:\n\n{url}\n\n"
    "If you did not ask for this, ignore this mail and nothing will be sent to you."
)


@frozen
class RequestOptIn:
    """Double opt-in: one transactional mail with a one-click confirmation link.

    At most one such mail goes to an address in 24 hours, however often it is asked for,
    so a form cannot be used to flood someone's inbox; the answer says nothing was sent,
    and is the same whoever the address belongs to.
    """

    uow: ConsentUnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    links: PublicLinks
    email: Senders

    def __call__(
        self, actor: Principal, customer_id: str, channel: Channel = Channel.EMAIL
    ) -> OptInOutcome:
        actor.require(Permission.UPDATE_CONSENT)
        if channel is not Channel.EMAIL:
            raise InvalidValue("channel", ErrorCode.INVALID, "double opt-in is done by email")
        now = self.clock.now()
        with self.uow() as uow:
            customer = _live_customer(uow, actor, customer_id)
            if customer.email is None:
                raise RuleViolated(
                    "customerId", ErrorCode.REQUIRED, "the customer has no email address"
                )
            consent = _consent_of(uow, customer_id, channel)
            if consent.status is ConsentStatus.OPTED_IN:
                return OptInOutcome.ALREADY_OPTED_IN
            address = customer.email.value
            request = OptInRequest(
                address_key=address_key(address, channel),
                customer_id=customer_id,
                channel=channel,
                requested_at=now,
            )
            if not uow.opt_in_requests.claim(request, OPT_IN_MAIL_INTERVAL):
                return OptInOutcome.RECENTLY_SENT
            consent.request_opt_in(now)
            uow.consents.save(consent)
            uow.commit()
        # The claim is committed before the mail goes, so a second request racing this one
        # sends nothing; a mail the channel refuses gives the claim back.
        url = self.links.confirmation_url(customer_id, channel, now)
        message = OutboundMessage(
            id=self.ids.new_id(),
            channel=channel,
            customer_id=customer_id,
            to=address,
            subject=CONFIRMATION_SUBJECT,
            text=CONFIRMATION_TEXT.format(url=url),
            marketing=False,
            metadata={"purpose": "double_opt_in"},
        )
        (outcome,) = self.email().send([message])
        if outcome.accepted:
            return OptInOutcome.SENT
        with self.uow() as uow:
            uow.opt_in_requests.release(request)
            uow.commit()
        return OptInOutcome.NOT_SENT


def _claims(links: Links, purpose: LinkPurpose, token: str) -> tuple[str, Channel, dict[str, str]]:
    claims = links().verify(purpose, token)
    try:
        return claims["customer_id"], Channel(claims["channel"]), claims
    except (KeyError, ValueError):
        raise TamperedLink() from None


def _linked_consent(uow: ConsentUnitOfWork, customer_id: str, channel: Channel) -> Consent:
    """The consent a signed link speaks of; a customer since erased is no one."""
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFound("token", "this link is for no one we know")
    # A link in a merged duplicate's old mail acts on the customer it became.
    while customer.merged_into is not None:
        survivor = uow.customers.get(customer.merged_into)
        if survivor is None:
            break
        customer = survivor
    return _consent_of(uow, customer.id, channel)


@frozen
class ConfirmOptIn:
    """One click on the confirmation link opts the customer in (source ``double_opt_in``)."""

    uow: ConsentUnitOfWorkFactory
    clock: Clock
    links: Links

    def __call__(self, token: str) -> Consent:
        customer_id, channel, claims = _claims(self.links, LinkPurpose.CONFIRM_OPT_IN, token)
        try:
            requested_at = datetime.fromisoformat(claims["requested_at"])
        except (KeyError, ValueError):
            raise TamperedLink() from None
        now = self.clock.now()
        if now - requested_at > OPT_IN_LINK_LIFETIME:
            raise ExpiredLink()
        with self.uow() as uow:
            consent = _linked_consent(uow, customer_id, channel)
            if consent.change(
                ConsentStatus.OPTED_IN,
                source=DOUBLE_OPT_IN_SOURCE,
                at=now,
                actor_id=consent.customer_id,
                lawful_basis=LawfulBasis.CONSENT,
            ):
                uow.consents.save(consent)
                uow.commit()
        return consent


@frozen
class Unsubscribe:
    """One-click unsubscribe (RFC 8058): the link's customer is opted out of its channel,
    the message it came in kept on the change. Clicking twice changes nothing more."""

    uow: ConsentUnitOfWorkFactory
    clock: Clock
    links: Links

    def check(self, token: str) -> None:
        """Refuse a token that is not one of our unsubscribe links, changing nothing."""
        _claims(self.links, LinkPurpose.UNSUBSCRIBE, token)

    def __call__(self, token: str) -> Consent:
        customer_id, channel, claims = _claims(self.links, LinkPurpose.UNSUBSCRIBE, token)
        with self.uow() as uow:
            consent = _linked_consent(uow, customer_id, channel)
            if consent.change(
                ConsentStatus.OPTED_OUT,
                source=UNSUBSCRIBE_SOURCE,
                at=self.clock.now(),
                actor_id=consent.customer_id,
                message_id=claims.get("message_id") or None,
            ):
                uow.consents.save(consent)
                uow.commit()
        return consent


@frozen
class Suppress:
    """Put an address on the suppression list: a hard bounce, a complaint or by hand."""

    uow: ConsentUnitOfWorkFactory
    clock: Clock

    def __call__(self, address: str, channel: Channel, reason: SuppressionReason) -> bool:
        """``True`` when the address was not suppressed before."""
        if not address.strip():
            raise InvalidValue("address", ErrorCode.REQUIRED, "give the address to suppress")
        with self.uow() as uow:
            added = uow.suppressions.add(Suppression.of(address, channel, reason, self.clock.now()))
            uow.commit()
        return added


@frozen
class IsSuppressed:
    reader: ConsentReader

    def __call__(self, address: str, channel: Channel) -> bool:
        return bool(self.reader.suppressed([address], channel))


@frozen
class MergeConsents:
    """When customers merge, the survivor takes in the duplicates' consent on each channel:
    their changes join its history, and an opt-out on any of them wins."""

    uow: ConsentUnitOfWorkFactory
    clock: Clock

    def __call__(self, event: object) -> None:
        if not isinstance(event, CustomerMerged):
            return
        survivor_id = event.aggregate_id
        with self.uow() as uow:
            found = uow.consents.of_customers([survivor_id, *event.merged_ids])
            for channel in Channel:
                losers = [c for c in found if c.channel is channel and c.customer_id != survivor_id]
                if not losers:
                    continue
                survivor = next(
                    (c for c in found if c.channel is channel and c.customer_id == survivor_id),
                    Consent(customer_id=survivor_id, channel=channel),
                )
                survivor.absorb(losers, at=self.clock.now(), actor_id=event.actor_id)
                uow.consents.save(survivor)
                for loser in losers:
                    uow.consents.remove(loser.customer_id, channel)
            uow.commit()
