"""The dispatcher: one round claims due messages, decides each, sends and records it.

A round claims up to a batch of due messages in one short transaction, then reads what the
decisions need for the whole batch at once (customers, consent, suppressions, recent sends,
companies and last orders, template versions), decides each message with
``decide_delivery``, records the deferrals and skips in one commit, and sends the rest one by
one: each outcome is committed as soon as its channel answers, so a crash loses at most the
message in flight, which the next claim (after its lease) sends again with the same id, and
so the same ``Message-ID``. A cap or quiet hours defer one message; the others go on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from attrs import define, field, frozen

from application.campaigns.channels import ChannelSender
from application.campaigns.consent_bundle import Consents
from application.campaigns.template_context import render_context
from application.campaigns.template_ports import TemplateVersion
from application.campaigns.templates import RenderedMessage, Templates
from application.campaigns.tracking import LinkTracking, Utm, track_html, track_text
from application.companies.ports import CompanyReader
from application.companies.views import CompanyView
from application.customers.ports import CustomerReader
from application.customers.views import CustomerView
from application.messages.ports import DispatchUnitOfWorkFactory, MessageReader
from application.messages.settings import DispatchSettings
from application.orders.ports import OrderReader
from application.orders.views import OrderView
from application.ports import Clock
from domain.access.visibility import EVERYTHING
from domain.campaigns.channels import (
    Channel,
    OutboundMessage,
    SendOutcome,
    SendStatus,
)
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.messages import Message, MessageStatus
from domain.campaigns.policy import Defer, Send, Skip, decide_delivery, lookback
from domain.campaigns.suppression import Suppression, SuppressionReason
from domain.campaigns.time_zones import customer_time_zone, zone_named
from domain.errors import DomainError

log = logging.getLogger("rapport.messages")

TIME_ZONE_FIELD = "time_zone"
"""The customer custom field that names their IANA time zone, if they have one."""

Sleep = Callable[[float], None]
Senders = Callable[[], Mapping[Channel, ChannelSender]]


@define
class TokenBucket:
    """At most ``rate`` messages a second on average, ``burst`` at once; ``take`` waits
    (on ``sleep``) until a token is there. Time is read from ``clock``, so a test that
    fakes the clock and the sleep sees the exact waits."""

    rate: float
    clock: Clock
    sleep: Sleep
    burst: float = 1.0
    _tokens: float = field(init=False, default=0.0)
    _at: datetime | None = field(init=False, default=None)
    _lock: threading.Lock = field(init=False, factory=threading.Lock)

    def take(self) -> float:
        """Take one token; how many seconds were slept for it."""
        slept = 0.0
        with self._lock:
            while True:
                now = self.clock.now()
                if self._at is None:
                    self._tokens = self.burst
                else:
                    elapsed = (now - self._at).total_seconds()
                    self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
                self._at = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return slept
                wait = (1 - self._tokens) / self.rate
                self.sleep(wait)
                slept += wait


@frozen
class DispatchReport:
    """What one round did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    bounced: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"claimed {self.claimed}: sent {self.sent}, retried {self.retried}, "
            f"bounced {self.bounced}, failed {self.failed}, deferred {self.deferred}, "
            f"skipped {self.skipped}"
        )


@frozen
class _Facts:
    """What the batch's decisions and renders read, loaded once for the whole batch."""

    customers: Mapping[str, CustomerView]
    companies: Mapping[str, CompanyView]
    last_orders: Mapping[str, OrderView]
    consent: Mapping[tuple[str, Channel], ConsentStatus]
    suppressed: Mapping[Channel, set[str]]
    sent_times: dict[tuple[str, Channel], list[datetime]]


def address_of(customer: CustomerView | None, channel: Channel) -> str:
    """Where a message on ``channel`` goes: nowhere for a customer who is gone, archived or
    merged into another (the survivor gets their own messages)."""
    if customer is None or customer.archived_at is not None or customer.merged_into:
        return ""
    if channel is Channel.EMAIL:
        return customer.email or ""
    if channel is Channel.SMS:
        return customer.phone or ""
    return customer.id


@define
class DispatchDueMessages:
    """``rapport worker`` runs this in a loop; ``rapport messages send-due`` once."""

    uow: DispatchUnitOfWorkFactory
    clock: Clock
    customers: CustomerReader
    companies: CompanyReader
    orders: OrderReader
    messages: MessageReader
    consents: Consents
    templates: Templates
    senders: Senders
    settings: DispatchSettings = field(factory=DispatchSettings)
    sleep: Sleep = time.sleep
    _buckets: dict[Channel, TokenBucket] = field(init=False, factory=dict)
    _versions: dict[tuple[str, int], TemplateVersion | None] = field(init=False, factory=dict)
    _lock: threading.Lock = field(init=False, factory=threading.Lock)

    def __call__(self) -> int:
        """One round; how many messages it claimed (0: nothing was due)."""
        return self.run_once().claimed

    def run_once(self) -> DispatchReport:
        # One round at a time per process: the loop and a CLI call never interleave.
        with self._lock:
            return self._round()

    def _round(self) -> DispatchReport:
        now = self.clock.now()
        with self.uow() as uow:
            claimed = uow.messages.claim_due(now, self.settings.batch)
            uow.commit()
        if not claimed:
            return DispatchReport()
        facts = self._facts(claimed, now)
        to_send: list[tuple[Message, int]] = []
        decided: list[tuple[Message, int]] = []
        deferred = skipped = 0
        for message in claimed:
            read_at = message.version
            decision = self._decide(message, facts, now)
            if isinstance(decision, Send):
                to_send.append((message, read_at))
                if message.marketing:
                    facts.sent_times.setdefault((message.customer_id, message.channel), [])
                    facts.sent_times[(message.customer_id, message.channel)].append(now)
                continue
            if isinstance(decision, Defer):
                message.defer(decision.until, decision.reason, now)
                deferred += 1
            else:
                message.skip(decision.reason, now)
                skipped += 1
            decided.append((message, read_at))
        if decided:
            with self.uow() as uow:
                for message, read_at in decided:
                    uow.messages.save(message, expected_version=read_at)
                uow.commit()
        settled = [self._send(message, read_at, facts) for message, read_at in to_send]
        return DispatchReport(
            claimed=len(claimed),
            sent=settled.count(MessageStatus.SENT),
            retried=settled.count(MessageStatus.QUEUED),
            bounced=settled.count(MessageStatus.BOUNCED),
            failed=settled.count(MessageStatus.FAILED),
            deferred=deferred,
            skipped=skipped,
        )

    def _facts(self, claimed: Sequence[Message], now: datetime) -> _Facts:
        customer_ids = sorted({m.customer_id for m in claimed})
        customers = self.customers.get_many(customer_ids, visible=EVERYTHING)
        company_ids = sorted({c.company_id for c in customers.values() if c.company_id})
        companies = self.companies.get_many(company_ids, visible=EVERYTHING) if company_ids else {}
        newest = self.orders.newest_of_customers(customer_ids, 1, visible=EVERYTHING)
        reader = self.consents.consent_reader
        consent: dict[tuple[str, Channel], ConsentStatus] = {}
        suppressed: dict[Channel, set[str]] = {}
        sent_times: dict[tuple[str, Channel], list[datetime]] = {}
        by_channel: dict[Channel, list[Message]] = defaultdict(list)
        for message in claimed:
            by_channel[message.channel].append(message)
        for channel, on_channel in by_channel.items():
            ids = sorted({m.customer_id for m in on_channel})
            for customer_id, status in reader.statuses(ids, channel).items():
                consent[(customer_id, channel)] = status
            addresses = {address_of(customers.get(m.customer_id), channel) for m in on_channel}
            suppressed[channel] = reader.suppressed(sorted(a for a in addresses if a), channel)
            window = lookback(self.settings.caps, channel)
            if window is not None:
                marketing = sorted({m.customer_id for m in on_channel if m.marketing})
                for customer_id, times in self.messages.recent_sends(
                    marketing, channel, now - window
                ).items():
                    sent_times[(customer_id, channel)] = list(times)
        return _Facts(
            customers=customers,
            companies=companies,
            last_orders={cid: found[0] for cid, found in newest.items() if found},
            consent=consent,
            suppressed=suppressed,
            sent_times=sent_times,
        )

    def _zone(self, customer: CustomerView | None) -> ZoneInfo:
        default = zone_named(self.settings.default_time_zone) or ZoneInfo("UTC")
        if customer is None:
            return default
        return customer_time_zone(
            customer.custom_fields.get(TIME_ZONE_FIELD), customer.phone, default
        )

    def _decide(self, message: Message, facts: _Facts, now: datetime) -> Send | Defer | Skip:
        customer = facts.customers.get(message.customer_id)
        address = address_of(customer, message.channel)
        message.to = address
        return decide_delivery(
            channel=message.channel,
            marketing=message.marketing,
            consent=facts.consent.get((message.customer_id, message.channel))
            or ConsentStatus.UNKNOWN,
            suppressed=address in facts.suppressed.get(message.channel, set()),
            has_address=bool(address),
            sent_times=facts.sent_times.get((message.customer_id, message.channel), ()),
            caps=self.settings.caps,
            quiet_hours=self.settings.quiet_hours,
            zone=self._zone(customer),
            now=now,
        )

    def _version(self, message: Message) -> TemplateVersion | None:
        key = (message.template_id, message.template_version)
        if key not in self._versions:
            # A version never changes: read once per process.
            self._versions[key] = self.templates.render.reader.version(*key)
        return self._versions[key]

    def _render(self, message: Message, facts: _Facts) -> OutboundMessage | SendOutcome:
        """The message ready for its channel, or a refusal when it cannot be rendered."""
        version = self._version(message)
        if version is None:
            return SendOutcome(
                message_id=message.id,
                status=SendStatus.RETRY,
                detail="its template version does not exist",
            )
        customer = facts.customers.get(message.customer_id)
        company = (
            facts.companies.get(customer.company_id) if customer and customer.company_id else None
        )
        unsubscribe = (
            self.consents.links.unsubscribe_url(message.customer_id, message.channel, message.id)
            if message.marketing
            else None
        )
        context = render_context(
            customer,
            company=company,
            last_order=facts.last_orders.get(message.customer_id),
            unsubscribe_url=unsubscribe,
        )
        rendered = self.templates.render.compiled.render(version, context)
        return self._outbound(message, rendered, unsubscribe)

    def _outbound(
        self, message: Message, rendered: RenderedMessage, unsubscribe: str | None
    ) -> OutboundMessage:
        source = message.source
        metadata = {
            name: value
            for name, value in (
                ("campaign_id", source.campaign_id),
                ("variant", source.variant),
                ("journey_id", source.journey_id),
                ("step_id", source.step_id),
                ("template_id", message.template_id),
                ("source", source.kind.value),
            )
            if value
        }
        html, text = rendered.html, rendered.text
        if message.channel is Channel.EMAIL:
            links = self.consents.links
            tracking = LinkTracking(
                signer=links.links(),
                base_url=links.public_url,
                message_id=message.id,
                utm=Utm.of(
                    message.channel,
                    source.campaign_id or source.journey_id or source.kind.value,
                    source.variant or source.step_id or "",
                ),
                unsubscribe_url=unsubscribe,
            )
            html = track_html(html, tracking) if html else ""
            text = track_text(text, tracking)
        return OutboundMessage(
            id=message.id,
            channel=message.channel,
            customer_id=message.customer_id,
            to=message.to,
            subject=rendered.subject,
            text=text,
            html=html or None,
            marketing=message.marketing,
            unsubscribe_url=unsubscribe,
            metadata=metadata,
        )

    def _bucket(self, channel: Channel) -> TokenBucket | None:
        rate = self.settings.rates.get(channel)
        if rate is None:
            return None
        if channel not in self._buckets:
            self._buckets[channel] = TokenBucket(rate=rate, clock=self.clock, sleep=self.sleep)
        return self._buckets[channel]

    def _send(self, message: Message, read_at: int, facts: _Facts) -> MessageStatus:
        """Render, send and record one message; the status it is left in."""
        try:
            prepared = self._render(message, facts)
        except DomainError as error:
            # A message that cannot be rendered is retried, and given up in the end; it
            # says nothing about the address, which is never suppressed for it.
            prepared = SendOutcome(
                message_id=message.id, status=SendStatus.RETRY, detail=str(error)
            )
        if isinstance(prepared, SendOutcome):
            self._record(message, read_at, prepared, from_channel=False)
            return message.status
        message.subject = prepared.subject
        bucket = self._bucket(message.channel)
        if bucket is not None:
            bucket.take()
        self._record(message, read_at, self._hand_over(prepared), from_channel=True)
        return message.status

    def _hand_over(self, outbound: OutboundMessage) -> SendOutcome:
        sender = self.senders().get(outbound.channel)
        if sender is None:
            return SendOutcome(
                message_id=outbound.id,
                status=SendStatus.RETRY,
                detail=f"no {outbound.channel.value} channel is configured",
            )
        try:
            (outcome,) = sender.send([outbound])
        except Exception as error:  # a channel must answer; one that raises is retried
            log.exception("the %s channel failed on message %s", outbound.channel, outbound.id)
            return SendOutcome(message_id=outbound.id, status=SendStatus.RETRY, detail=str(error))
        return outcome

    def _record(
        self, message: Message, read_at: int, outcome: SendOutcome, *, from_channel: bool
    ) -> None:
        """The channel's answer, in a commit of its own; an address the channel refused
        for good is suppressed in the same commit."""
        now = self.clock.now()
        message.record(outcome, now)
        with self.uow() as uow:
            uow.messages.save(message, expected_version=read_at)
            if from_channel and outcome.status is SendStatus.REJECTED and message.to:
                uow.suppressions.add(
                    Suppression.of(message.to, message.channel, SuppressionReason.HARD_BOUNCE, now)
                )
            uow.commit()


def due_rounds(dispatch: DispatchDueMessages, rounds: int) -> Iterable[DispatchReport]:
    """Up to ``rounds`` rounds, stopping at the first that found nothing due."""
    for _ in range(rounds):
        report = dispatch.run_once()
        if not report.claimed:
            return
        yield report
