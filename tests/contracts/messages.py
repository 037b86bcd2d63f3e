"""The outbox's contract: what memory, SQLite and PostgreSQL all hold to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from attrs import frozen

from application.errors import StaleVersion
from application.messages.ports import (
    MessageCounts,
    MessageReader,
    MessageStatsReader,
    MessagesUnitOfWorkFactory,
)
from application.pagination import SortKey
from domain.access.visibility import EVERYTHING, Visibility
from domain.campaigns.channels import Channel, SendOutcome, SendStatus
from domain.campaigns.messages import CLAIM_LEASE, Message, MessageSource, MessageStatus
from domain.campaigns.policy import DeferReason, SkipReason
from domain.customers import Customer, EmailAddress
from tests.contracts.backend import StorageBackend

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@frozen
class MessagesBackend:
    storage: StorageBackend
    uow: MessagesUnitOfWorkFactory
    reader: MessageReader
    stats: MessageStatsReader


def queued(
    message_id: str,
    customer_id: str = "c-1",
    *,
    source: MessageSource | None = None,
    at: datetime = AT,
    due_at: datetime | None = None,
    channel: Channel = Channel.EMAIL,
    marketing: bool = True,
) -> Message:
    return Message.queue(
        id=message_id,
        customer_id=customer_id,
        channel=channel,
        to=f"{customer_id}@example.com",
        source=source or MessageSource.campaign("camp-1", "A"),
        template_id="t-1",
        template_version=1,
        marketing=marketing,
        at=at,
        due_at=due_at,
    )


def add(backend: MessagesBackend, *messages: Message) -> int:
    with backend.uow() as uow:
        added = uow.messages.add_many(messages)
        uow.commit()
    return added


def claim(backend: MessagesBackend, now: datetime, limit: int = 100) -> list[Message]:
    with backend.uow() as uow:
        claimed = uow.messages.claim_due(now, limit)
        uow.commit()
    return claimed


def record(backend: MessagesBackend, message: Message, status: SendStatus, at: datetime) -> Message:
    read_at = message.version
    message.record(SendOutcome(message_id=message.id, status=status, detail="x"), at)
    with backend.uow() as uow:
        uow.messages.save(message, expected_version=read_at)
        uow.commit()
    return message


def customer(customer_id: str, owner_id: str = "u-1") -> Customer:
    return Customer(
        id=customer_id,
        first_name="Ada",
        last_name="Lovelace",
        email=EmailAddress(f"{customer_id}@example.com"),
        phone=None,
        custom_fields={},
        owner_id=owner_id,
        created_at=AT,
        updated_at=AT,
    )


class MessagesContract:
    @pytest.fixture
    def messages(self) -> MessagesBackend:
        raise NotImplementedError

    def test_a_message_reads_back_whole(self, messages: MessagesBackend) -> None:
        source = MessageSource.journey(
            journey_id="j-1", version=2, step_id="s-1", enrolment_id="e-1", visit=3
        )
        original = queued("m-1", source=source, due_at=AT + MINUTE)
        assert add(messages, original) == 1

        with messages.uow() as uow:
            loaded = uow.messages.get("m-1")
        assert loaded is not None
        assert loaded.source == source
        assert loaded.dedupe_key == "journey:e-1:s-1:3"
        assert (loaded.status, loaded.due_at, loaded.queued_at) == (
            MessageStatus.QUEUED,
            AT + MINUTE,
            AT,
        )
        assert (loaded.to, loaded.template_id, loaded.template_version, loaded.marketing) == (
            "c-1@example.com",
            "t-1",
            1,
            True,
        )
        assert loaded.version == original.version

    def test_enqueueing_is_idempotent_per_dedupe_key(self, messages: MessagesBackend) -> None:
        with messages.uow() as uow:
            assert uow.messages.add(queued("m-1"))
            assert not uow.messages.add(queued("m-2"))
            uow.commit()
        with messages.uow() as uow:
            assert not uow.messages.add(queued("m-3"))
            assert uow.messages.get("m-3") is None
            uow.commit()
        assert add(messages, queued("m-4"), queued("m-5", "c-2"), queued("m-6", "c-2")) == 1
        with messages.uow() as uow:
            assert set(uow.messages.get_many(["m-1", "m-2", "m-5", "m-6"])) == {"m-1", "m-5"}

    def test_bulk_enqueueing_counts_only_the_new(self, messages: MessagesBackend) -> None:
        add(messages, *(queued(f"m-{i}", f"c-{i}") for i in range(5)))
        batch = [queued(f"n-{i}", f"c-{i}") for i in range(1_200)]
        assert add(messages, *batch) == 1_195
        with messages.uow() as uow:
            found = uow.messages.get_many([f"n-{i}" for i in range(1_200)])
        assert len(found) == 1_195

    def test_nothing_is_stored_without_a_commit(self, messages: MessagesBackend) -> None:
        with messages.uow() as uow:
            uow.messages.add(queued("m-1"))
        assert add(messages, queued("m-2")) == 1

    def test_claims_take_due_messages_oldest_first(self, messages: MessagesBackend) -> None:
        add(
            messages,
            queued("m-late", "c-1", due_at=AT + 10 * MINUTE),
            queued("m-2", "c-2", due_at=AT + 2 * MINUTE),
            queued("m-1", "c-3", due_at=AT + MINUTE),
            queued("m-3", "c-4", due_at=AT + 3 * MINUTE),
        )
        first = claim(messages, AT + 5 * MINUTE, limit=2)
        assert [m.id for m in first] == ["m-1", "m-2"]
        assert all(m.status is MessageStatus.SENDING for m in first)
        assert [m.id for m in claim(messages, AT + 5 * MINUTE)] == ["m-3"]
        assert claim(messages, AT + 5 * MINUTE) == []
        with messages.uow() as uow:
            stored = uow.messages.get("m-1")
        assert stored is not None
        assert (stored.status, stored.claimed_at) == (MessageStatus.SENDING, AT + 5 * MINUTE)
        assert stored.version == first[0].version

    def test_a_lost_claim_is_taken_again_after_its_lease(self, messages: MessagesBackend) -> None:
        add(messages, queued("m-1"))
        claim(messages, AT)
        assert claim(messages, AT + CLAIM_LEASE - MINUTE) == []
        (again,) = claim(messages, AT + CLAIM_LEASE)
        assert again.id == "m-1"
        assert again.claimed_at == AT + CLAIM_LEASE

    def test_an_outcome_is_saved_without_reading_again(self, messages: MessagesBackend) -> None:
        add(messages, queued("m-1"), queued("m-2", "c-2"))
        sent, retried = claim(messages, AT)
        record(messages, sent, SendStatus.ACCEPTED, AT + MINUTE)
        record(messages, retried, SendStatus.RETRY, AT + MINUTE)
        with messages.uow() as uow:
            found = uow.messages.get_many(["m-1", "m-2"])
        assert (found["m-1"].status, found["m-1"].sent_at) == (MessageStatus.SENT, AT + MINUTE)
        assert found["m-2"].status is MessageStatus.QUEUED
        assert found["m-2"].due_at == AT + 2 * MINUTE
        assert found["m-2"].failure == "x"
        # The retry is due again, the sent one never.
        assert [m.id for m in claim(messages, AT + 2 * MINUTE)] == ["m-2"]

    def test_a_stale_save_is_refused(self, messages: MessagesBackend) -> None:
        add(messages, queued("m-1"))
        (claimed,) = claim(messages, AT)
        read_at = claimed.version
        claimed.skip(SkipReason.NO_CONSENT, AT)
        with messages.uow() as uow:
            uow.messages.save(claimed, expected_version=read_at - 1)
            with pytest.raises(StaleVersion):
                uow.commit()
        with messages.uow() as uow:
            loaded = uow.messages.get("m-1")
            assert loaded is not None
            loaded.defer(AT + MINUTE, DeferReason.QUIET_HOURS, AT)
            uow.messages.save(loaded)
            uow.commit()
        with messages.uow() as uow:
            stored = uow.messages.get("m-1")
        assert stored is not None
        assert (stored.status, stored.defer_reason) == (
            MessageStatus.DEFERRED,
            DeferReason.QUIET_HOURS,
        )

    def test_recorded_outcomes_send_their_events(self, messages: MessagesBackend) -> None:
        add(messages, queued("m-1"))
        (claimed,) = claim(messages, AT)
        record(messages, claimed, SendStatus.ACCEPTED, AT)
        assert ("rapport.message.sent.v1", "m-1") in messages.storage.outbox()

    def test_recent_sends_are_marketing_sends_on_the_channel(
        self, messages: MessagesBackend
    ) -> None:
        add(
            messages,
            queued("m-1", "c-1"),
            queued("m-2", "c-1", source=MessageSource.campaign("camp-2")),
            queued("m-3", "c-1", source=MessageSource.transactional("r-1"), marketing=False),
            queued("m-4", "c-1", source=MessageSource.campaign("camp-3"), channel=Channel.SMS),
            queued("m-5", "c-2"),
        )
        for message in claim(messages, AT):
            at = AT if message.id == "m-1" else AT + 2 * MINUTE
            record(messages, message, SendStatus.ACCEPTED, at)
        sends = messages.reader.recent_sends(["c-1", "c-2", "c-3"], Channel.EMAIL, AT + MINUTE)
        assert dict(sends) == {"c-1": [AT + 2 * MINUTE], "c-2": [AT + 2 * MINUTE]}
        assert dict(messages.reader.recent_sends(["c-1"], Channel.EMAIL, AT)) == {
            "c-1": [AT, AT + 2 * MINUTE]
        }

    def test_a_customers_messages_page_newest_first(self, messages: MessagesBackend) -> None:
        with messages.storage.uow() as uow:
            uow.customers.add(customer("c-1", owner_id="u-1"))
            uow.commit()
        add(
            messages,
            *(
                queued(f"m-{i}", source=MessageSource.campaign(f"camp-{i}"), at=AT + i * MINUTE)
                for i in range(5)
            ),
            queued("other", "c-2"),
        )
        reader = messages.reader
        first = reader.slice_of_customer(
            "c-1", visible=EVERYTHING, after=None, before=None, limit=2, from_end=False
        )
        assert [v.id for v in first] == ["m-4", "m-3"]
        after = SortKey(first[-1].queued_at, first[-1].id)
        rest = reader.slice_of_customer(
            "c-1", visible=EVERYTHING, after=after, before=None, limit=10, from_end=False
        )
        assert [v.id for v in rest] == ["m-2", "m-1", "m-0"]
        assert reader.count_of_customer("c-1", visible=EVERYTHING) == 5
        assert reader.get("m-4", visible=EVERYTHING) is not None

    def test_messages_follow_the_customers_visibility(self, messages: MessagesBackend) -> None:
        with messages.storage.uow() as uow:
            uow.customers.add(customer("c-1", owner_id="u-1"))
            uow.commit()
        add(messages, queued("m-1"))
        theirs = Visibility.owned_by(["u-2"])
        assert messages.reader.get("m-1", visible=theirs) is None
        assert messages.reader.count_of_customer("c-1", visible=theirs) == 0
        assert (
            messages.reader.slice_of_customer(
                "c-1", visible=theirs, after=None, before=None, limit=10, from_end=False
            )
            == []
        )
        mine = Visibility.owned_by(["u-1"])
        assert messages.reader.count_of_customer("c-1", visible=mine) == 1

    def test_stats_count_by_campaign_and_variant(self, messages: MessagesBackend) -> None:
        add(
            messages,
            queued("a-1", "c-1", source=MessageSource.campaign("camp-1", "A")),
            queued("a-2", "c-2", source=MessageSource.campaign("camp-1", "A")),
            queued("b-1", "c-3", source=MessageSource.campaign("camp-1", "B")),
            queued("b-2", "c-4", source=MessageSource.campaign("camp-1", "B")),
            queued("x-1", "c-5", source=MessageSource.campaign("camp-2")),
        )
        by_id = {m.id: m for m in claim(messages, AT, limit=4)}
        sent = record(messages, by_id["a-1"], SendStatus.ACCEPTED, AT)
        record(messages, by_id["a-2"], SendStatus.REJECTED, AT)
        record(messages, by_id["b-1"], SendStatus.ACCEPTED, AT)
        skipped = by_id["b-2"]
        read_at = skipped.version
        skipped.skip(SkipReason.NO_CONSENT, AT)
        read_sent = sent.version
        sent.clicked(AT + MINUTE)
        with messages.uow() as uow:
            uow.messages.save(skipped, expected_version=read_at)
            uow.messages.save(sent, expected_version=read_sent)
            uow.commit()

        stats = messages.stats.by_campaign(["camp-1", "camp-2", "camp-none"])
        assert stats[("camp-1", "A")] == MessageCounts(sent=1, bounced=1, opened=1, clicked=1)
        assert stats[("camp-1", "B")] == MessageCounts(sent=1, skipped=1)
        assert stats[("camp-1", None)] == MessageCounts(
            sent=2, bounced=1, opened=1, clicked=1, skipped=1
        )
        assert stats[("camp-2", None)] == MessageCounts(queued=1)
        assert stats[("camp-none", None)] == MessageCounts()
        assert ("camp-2", "A") not in stats

    def test_stats_count_by_journey_and_step(self, messages: MessagesBackend) -> None:
        def step(step_id: str, enrolment: str) -> MessageSource:
            return MessageSource.journey(
                journey_id="j-1", version=1, step_id=step_id, enrolment_id=enrolment
            )

        add(
            messages,
            queued("m-1", "c-1", source=step("s-1", "e-1")),
            queued("m-2", "c-2", source=step("s-1", "e-2")),
            queued("m-3", "c-1", source=step("s-2", "e-1")),
        )
        (first,) = claim(messages, AT, limit=1)
        read_at = first.version
        first.defer(AT + MINUTE, DeferReason.FREQUENCY_CAP, AT)
        with messages.uow() as uow:
            uow.messages.save(first, expected_version=read_at)
            uow.commit()
        stats = messages.stats.by_journey(["j-1"])
        assert stats[("j-1", None)] == MessageCounts(queued=3, deferred=1)
        assert stats[("j-1", "s-1")] == MessageCounts(queued=2, deferred=1)
        assert stats[("j-1", "s-2")] == MessageCounts(queued=1)

    def test_touches_are_opened_campaign_and_journey_messages(
        self, messages: MessagesBackend
    ) -> None:
        journey = MessageSource.journey(
            journey_id="j-1", version=1, step_id="s-1", enrolment_id="e-1"
        )
        add(
            messages,
            queued("m-1", "c-1"),
            queued("m-2", "c-1", source=journey),
            queued("m-3", "c-1", source=MessageSource.campaign("camp-2")),
            queued("m-4", "c-1", source=MessageSource.transactional("r-1"), marketing=False),
        )
        for message in claim(messages, AT):
            record(messages, message, SendStatus.ACCEPTED, AT)
        with messages.uow() as uow:
            found = uow.messages.get_many(["m-1", "m-2", "m-4"])
            found["m-2"].opened(AT + 2 * MINUTE)
            found["m-1"].clicked(AT + 3 * MINUTE)
            found["m-4"].opened(AT + MINUTE)
            for message in found.values():
                uow.messages.save(message)
            uow.commit()
        touches = messages.stats.touches(["c-1"], AT, AT + 10 * MINUTE)
        assert [(t.message_id, t.at, t.campaign_id, t.journey_id) for t in touches["c-1"]] == [
            ("m-2", AT + 2 * MINUTE, None, "j-1"),
            ("m-1", AT + 3 * MINUTE, "camp-1", None),
        ]
        assert messages.stats.touches(["c-1"], AT + 4 * MINUTE, AT + 10 * MINUTE) == {}
