"""The outbox of messages in memory, staged until the unit of work commits, and its readers."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from adapters.memory.consent import InMemorySuppressions
from adapters.memory.store import InMemoryStore
from adapters.memory.transaction import InMemoryTransaction
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.transaction import repository
from application.errors import AlreadyTaken, StaleVersion
from application.messages.ports import MessageCounts, MessageView, StatsKey
from application.pagination import MemoryOrder, SortKey, read_time, slice_in_memory
from domain.access.visibility import Visibility
from domain.campaigns.attribution import Touch
from domain.campaigns.channels import Channel
from domain.campaigns.messages import Message, MessageSourceKind, MessageStatus


class InMemoryMessageRepository:
    """``uow.messages``: copies out of the store, checked against it and written on commit."""

    def __init__(self, transaction: InMemoryTransaction) -> None:
        self._transaction = transaction
        self._store = transaction.store
        self._added: dict[str, Message] = {}
        self._keys: set[str] = set()
        self._seen: dict[str, Message] = {}
        self._loaded: dict[str, int] = {}
        transaction.checks(self._check)
        transaction.stages(write_back=self._write_back, clear=self._clear)

    def add(self, message: Message) -> bool:
        key = message.dedupe_key
        if key in self._keys or key in self._store.message_keys:
            return False
        self._keys.add(key)
        self._added[message.id] = self._transaction.saw(message)
        return True

    def add_many(self, messages: Sequence[Message]) -> int:
        return sum(1 for message in messages if self.add(message))

    def get(self, message_id: str) -> Message | None:
        return self.get_many([message_id]).get(message_id)

    def get_many(self, message_ids: Collection[str]) -> dict[str, Message]:
        found: dict[str, Message] = {}
        for message_id in message_ids:
            message = self._added.get(message_id) or self._seen.get(message_id)
            if message is None:
                stored = self._store.messages.get(message_id)
                if stored is None:
                    continue
                message = self._take(copy.deepcopy(stored))
            found[message_id] = message
        return found

    def _take(self, message: Message) -> Message:
        self._seen[message.id] = self._transaction.saw(message)
        self._loaded[message.id] = message.version
        return message

    def save(self, message: Message, *, expected_version: int | None = None) -> None:
        if message.id in self._added:
            return
        if expected_version is not None:
            self._loaded[message.id] = expected_version
        elif message.id not in self._loaded:
            raise LookupError("give the version the message was read at")
        self._seen[message.id] = self._transaction.saw(message)

    def claim_due(self, now: datetime, limit: int) -> list[Message]:
        with self._store.lock:
            due = sorted(
                (
                    message
                    for message in self._store.messages.values()
                    if message.id not in self._seen and message.is_due(now)
                ),
                key=lambda message: (message.due_at, message.id),
            )[:limit]
            claimed = [self._take(copy.deepcopy(message)) for message in due]
        for message in claimed:
            message.claim(now)
        return claimed

    def _check(self) -> None:
        for message_id, loaded in self._loaded.items():
            stored = self._store.messages.get(message_id)
            if stored is None or stored.version != loaded:
                raise StaleVersion(loaded, stored.version if stored else None)
        for message_id in self._added:
            if message_id in self._store.messages:
                raise AlreadyTaken("id", "another message has this id")

    def _write_back(self) -> None:
        for message in self._added.values():
            # A message with this key committed meanwhile: this one was never enqueued,
            # as the unique index would have it in SQL.
            if message.dedupe_key in self._store.message_keys:
                continue
            self._store.message_keys[message.dedupe_key] = message.id
            self._store.messages[message.id] = _stored(message)
        for message_id, message in self._seen.items():
            if message.version != self._loaded[message_id]:
                self._store.messages[message_id] = _stored(message)

    def _clear(self) -> None:
        self._added.clear()
        self._keys.clear()
        self._seen.clear()
        self._loaded.clear()


def _stored(message: Message) -> Message:
    stored = copy.deepcopy(message)
    stored.events.clear()
    return stored


class InMemoryMessagesUnitOfWork(InMemoryUnitOfWork):
    messages = repository(InMemoryMessageRepository)
    suppressions = repository(InMemorySuppressions)


NEWEST_FIRST = MemoryOrder[MessageView](
    name="messages.newest_first",
    value_of=lambda view: view.queued_at,
    id_of=lambda view: view.id,
    read=read_time,
    descending=True,
)


class InMemoryMessageReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _admits(self, visible: Visibility, customer_id: str) -> bool:
        customer = self._store.customers.get(customer_id)
        owner = customer.owner_id if customer is not None else None
        return visible.admits(owner, customer_id)

    def get(self, message_id: str, *, visible: Visibility) -> MessageView | None:
        message = self._store.messages.get(message_id)
        if message is None or not self._admits(visible, message.customer_id):
            return None
        return MessageView.of(message)

    def _of_customer(self, customer_id: str, visible: Visibility) -> list[MessageView]:
        if not self._admits(visible, customer_id):
            return []
        with self._store.lock:
            return [
                MessageView.of(m)
                for m in self._store.messages.values()
                if m.customer_id == customer_id
            ]

    def slice_of_customer(
        self,
        customer_id: str,
        *,
        visible: Visibility,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[MessageView]:
        return slice_in_memory(
            self._of_customer(customer_id, visible),
            NEWEST_FIRST,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def count_of_customer(self, customer_id: str, *, visible: Visibility) -> int:
        return len(self._of_customer(customer_id, visible))

    def recent_sends(
        self, customer_ids: Collection[str], channel: Channel, since: datetime
    ) -> Mapping[str, list[datetime]]:
        wanted = set(customer_ids)
        found: dict[str, list[datetime]] = {}
        with self._store.lock:
            for message in self._store.messages.values():
                if (
                    message.customer_id in wanted
                    and message.channel is channel
                    and message.marketing
                    and message.sent_at is not None
                    and message.sent_at >= since
                ):
                    found.setdefault(message.customer_id, []).append(message.sent_at)
        for times in found.values():
            times.sort()
        return found


_QUEUED = frozenset({MessageStatus.QUEUED, MessageStatus.DEFERRED, MessageStatus.SENDING})


def counts_of(found: Sequence[Message]) -> MessageCounts:
    """What became of ``found``, counted as the SQL reader counts."""
    return MessageCounts(
        queued=sum(1 for m in found if m.status in _QUEUED),
        sent=sum(1 for m in found if m.sent_at is not None),
        delivered=sum(1 for m in found if m.delivered_at is not None),
        bounced=sum(1 for m in found if m.status is MessageStatus.BOUNCED),
        opened=sum(1 for m in found if m.opened_at is not None),
        clicked=sum(1 for m in found if m.clicked_at is not None),
        unsubscribed=sum(1 for m in found if m.unsubscribed_at is not None),
        skipped=sum(1 for m in found if m.status is MessageStatus.SKIPPED),
        failed=sum(1 for m in found if m.status is MessageStatus.FAILED),
        deferred=sum(1 for m in found if m.status is MessageStatus.DEFERRED),
    )


class InMemoryMessageStats:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _grouped(
        self, owner_ids: Collection[str], campaigns: bool
    ) -> dict[StatsKey, MessageCounts]:
        wanted = set(owner_ids)
        groups: dict[StatsKey, list[Message]] = {(owner, None): [] for owner in wanted}
        with self._store.lock:
            every = list(self._store.messages.values())
        for message in every:
            source = message.source
            owner = source.campaign_id if campaigns else source.journey_id
            part = source.variant if campaigns else source.step_id
            if owner not in wanted or owner is None:
                continue
            groups[(owner, None)].append(message)
            if part is not None:
                groups.setdefault((owner, part), []).append(message)
        return {key: counts_of(found) for key, found in groups.items()}

    def by_campaign(self, campaign_ids: Collection[str]) -> dict[StatsKey, MessageCounts]:
        return self._grouped(campaign_ids, campaigns=True)

    def by_journey(self, journey_ids: Collection[str]) -> dict[StatsKey, MessageCounts]:
        return self._grouped(journey_ids, campaigns=False)

    def touches(
        self, customer_ids: Collection[str], since: datetime, until: datetime
    ) -> dict[str, list[Touch]]:
        wanted = set(customer_ids)
        with self._store.lock:
            opened = [
                m
                for m in self._store.messages.values()
                if m.customer_id in wanted
                and m.source.kind is not MessageSourceKind.TRANSACTIONAL
                and m.opened_at is not None
                and since <= m.opened_at <= until
            ]
        found: dict[str, list[Touch]] = {}
        for m in sorted(opened, key=lambda m: (m.opened_at, m.id)):
            assert m.opened_at is not None
            found.setdefault(m.customer_id, []).append(
                Touch(
                    message_id=m.id,
                    at=m.opened_at,
                    campaign_id=m.source.campaign_id,
                    journey_id=None if m.source.campaign_id else m.source.journey_id,
                )
            )
        return found
