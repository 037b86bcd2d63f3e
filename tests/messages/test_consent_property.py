"""The rule that matters most: no marketing message is ever accepted by a channel without
OPTED_IN for its channel at send time, over any sequence of consent changes, merges,
enqueues and dispatch rounds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from dependency_injector import providers
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.memory.channels import InMemoryChannel
from adapters.messaging.in_process import InProcessEventBus
from application.campaigns.consent_bundle import Consents
from application.customers.bundle import Customers
from application.errors import NotFound
from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome
from domain.campaigns.consent import ConsentStatus
from domain.errors import DomainError
from tests.application.conftest import memory_container
from tests.messages.conftest import MORNING, SYSTEM, MessagesApp

CUSTOMERS = 4
CHANNELS = (Channel.EMAIL, Channel.SMS)


class CheckingChannel(InMemoryChannel):
    """Takes messages like the in-memory channel, and notes every marketing message it is
    handed whose customer has not opted in on its channel at that moment."""

    def __init__(self, channel: Channel, consents: Consents) -> None:
        super().__init__(channel)
        self._consents = consents
        self.violations: list[OutboundMessage] = []

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendOutcome]:
        for message in messages:
            if message.marketing:
                status = self._consents.consent_reader.statuses(
                    [message.customer_id], message.channel
                )[message.customer_id]
                if status is not ConsentStatus.OPTED_IN:
                    self.violations.append(message)
        return super().send(messages)


consent_change = st.tuples(
    st.just("consent"),
    st.integers(0, CUSTOMERS - 1),
    st.sampled_from(CHANNELS),
    st.sampled_from(list(ConsentStatus)),
)
merge = st.tuples(st.just("merge"), st.integers(0, CUSTOMERS - 1), st.integers(0, CUSTOMERS - 1))
enqueue = st.tuples(st.just("enqueue"), st.integers(0, CUSTOMERS - 1), st.sampled_from(CHANNELS))
dispatch = st.tuples(st.just("dispatch"), st.integers(0, 30))
steps = st.lists(st.one_of(consent_change, merge, enqueue, dispatch), min_size=1, max_size=25)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=steps)
def test_no_marketing_message_goes_out_without_opt_in(steps: list[tuple[object, ...]]) -> None:
    clock = ManualClock(MORNING)
    container = memory_container(clock, SequentialIdGenerator("c"), InProcessEventBus())
    consents = container.use(Consents)
    checking = {channel: CheckingChannel(channel, consents) for channel in Channel}
    container.module("messages").senders.override(providers.Object(checking))
    app = MessagesApp(container=container, clock=clock, channels=dict(checking))
    customers = [
        app.customer(f"p{i}@example.org", consent=None, phone=f"+44 7911 12345{i}")
        for i in range(CUSTOMERS)
    ]
    templates = {channel: app.template(channel) for channel in CHANNELS}

    for step in [*steps, ("dispatch", 0)]:
        kind = step[0]
        try:
            if kind == "consent":
                _, who, channel, status = step
                consents.set_consent(SYSTEM, customers[who], channel, status)  # type: ignore[index, arg-type]
            elif kind == "merge":
                _, survivor, duplicate = step
                if survivor != duplicate:
                    container.use(Customers).merge(
                        SYSTEM,
                        customers[survivor],  # type: ignore[index]
                        [customers[duplicate]],  # type: ignore[index]
                    )
            elif kind == "enqueue":
                _, who, channel = step
                app.enqueue(customers[who], templates[channel], channel=channel)  # type: ignore[index, arg-type]
            else:
                _, minutes = step
                clock.advance(timedelta(minutes=minutes))  # type: ignore[arg-type]
                app.dispatch()
        except (DomainError, NotFound):
            # A merged or archived customer refuses changes: the sequence goes on.
            continue

    # Steer the search toward sequences that send a lot: those the rule is tested by.
    target(float(sum(len(channel.accepted) for channel in checking.values())))
    for channel in checking.values():
        assert channel.violations == []
