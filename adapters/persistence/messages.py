"""The outbox of messages on SQL: ``uow.messages`` in the unit of work's session, the claim
the dispatcher makes, and the readers of stats, touches and a customer's messages.

A claim locks the rows it takes (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers share the queue; SQLite's single writer serialises claims instead) and marks them
sending in one statement. A changed message is written on flush by one ``UPDATE`` that
also checks its version, so recording an outcome costs no read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Row,
    and_,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.sql import Select

from adapters.persistence.consent import SqlSuppressions
from adapters.persistence.keyset import walking_order, window
from adapters.persistence.messages_tables import messages
from adapters.persistence.transaction import SqlTransaction
from adapters.persistence.unit_of_work import SqlUnitOfWork
from adapters.persistence.upserts import insert_for
from adapters.persistence.visibility import of_visible_customers
from adapters.transaction import repository
from application.errors import StaleVersion
from application.messages.ports import MessageCounts, MessageView, StatsKey
from application.messages.records import changing_fields, message_record
from application.pagination import SortKey
from domain.access.visibility import Visibility
from domain.campaigns.attribution import Touch
from domain.campaigns.channels import Channel
from domain.campaigns.messages import (
    CLAIM_LEASE,
    Message,
    MessageSource,
    MessageSourceKind,
    MessageStatus,
)
from domain.campaigns.policy import DeferReason, SkipReason

# Long id lists go in chunks, under SQLite's limit on bound parameters.
_ID_CHUNK = 5_000
# Rows of about 40 values each: a few hundred per statement stays under the limit too.
_ROW_CHUNK = 400
_WAITING = (MessageStatus.QUEUED.value, MessageStatus.DEFERRED.value)


def _chunks(items: Sequence[Any], size: int = _ID_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def message_of(row: Row[Any]) -> Message:
    """A message as its row holds it."""
    source = MessageSource(
        kind=MessageSourceKind(row.source_kind),
        campaign_id=row.campaign_id,
        variant=row.variant,
        journey_id=row.journey_id,
        journey_version=row.journey_version,
        step_id=row.step_id,
        step_visit=row.step_visit,
        enrolment_id=row.enrolment_id,
        reference=row.reference,
    )
    return Message(
        id=row.id,
        customer_id=row.customer_id,
        channel=Channel(row.channel),
        to=row.address,
        source=source,
        template_id=row.template_id,
        template_version=row.template_version,
        marketing=row.marketing,
        dedupe_key=row.dedupe_key or "",
        status=MessageStatus(row.status),
        due_at=row.due_at,
        queued_at=row.queued_at,
        updated_at=row.updated_at,
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        provider_id=row.provider_id,
        subject=row.subject,
        parts=row.parts,
        skip_reason=SkipReason(row.skip_reason) if row.skip_reason else None,
        defer_reason=DeferReason(row.defer_reason) if row.defer_reason else None,
        failure=row.failure,
        sent_at=row.sent_at,
        delivered_at=row.delivered_at,
        opened_at=row.opened_at,
        clicked_at=row.clicked_at,
        bounced_at=row.bounced_at,
        hard_bounce=row.hard_bounce,
        unsubscribed_at=row.unsubscribed_at,
        finished_at=row.finished_at,
        open_count=row.open_count,
        click_count=row.click_count,
        version=row.version,
    )


def _due(now: datetime) -> ColumnElement[bool]:
    """Waiting messages whose time has come, and those whose worker's lease ran out."""
    return and_(
        messages.c.status.in_([*_WAITING, MessageStatus.SENDING.value]),
        messages.c.due_at <= now,
        or_(
            messages.c.status != MessageStatus.SENDING.value,
            messages.c.claimed_at <= now - CLAIM_LEASE,
        ),
    )


class SqlMessageRepository:
    """``uow.messages``: adds are written at once (the unique dedupe key decides whether
    they are new), changes on flush."""

    def __init__(self, transaction: SqlTransaction) -> None:
        self._transaction = transaction
        self._session = transaction.session
        self._seen: dict[str, Message] = {}
        self._written: dict[str, int] = {}
        transaction.writes(self)

    def _track(self, message: Message, written: int) -> Message:
        known = self._seen.get(message.id)
        if known is not None:
            return known
        self._seen[message.id] = self._transaction.saw(message)
        self._written[message.id] = written
        return message

    def add(self, message: Message) -> bool:
        statement = (
            insert_for(self._session, messages)
            .values(message_record(message))
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(messages.c.id)
        )
        if self._session.execute(statement).first() is None:
            return False
        self._track(message, message.version)
        return True

    def add_many(self, batch: Sequence[Message]) -> int:
        unique = list({message.dedupe_key: message for message in reversed(batch)}.values())
        unique.reverse()
        by_id = {message.id: message for message in unique}
        added = 0
        for chunk in _chunks(unique, _ROW_CHUNK):
            statement = (
                insert_for(self._session, messages)
                .values([message_record(message) for message in chunk])
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
                .returning(messages.c.id)
            )
            for message_id in self._session.scalars(statement):
                self._track(by_id[message_id], by_id[message_id].version)
                added += 1
        return added

    def get(self, message_id: str) -> Message | None:
        return self.get_many([message_id]).get(message_id)

    def get_many(self, message_ids: Collection[str]) -> dict[str, Message]:
        found = {i: self._seen[i] for i in message_ids if i in self._seen}
        wanted = sorted(set(message_ids) - set(found))
        for chunk in _chunks(wanted):
            for row in self._session.execute(select(messages).where(messages.c.id.in_(chunk))):
                found[row.id] = self._track(message_of(row), row.version)
        return found

    def save(self, message: Message, *, expected_version: int | None = None) -> None:
        if expected_version is not None:
            self._seen[message.id] = self._transaction.saw(message)
            self._written[message.id] = expected_version
        elif message.id not in self._written:
            raise LookupError("give the version the message was read at")
        else:
            self._seen[message.id] = self._transaction.saw(message)

    def claim_due(self, now: datetime, limit: int) -> list[Message]:
        query: Select[Any] = (
            select(messages).where(_due(now)).order_by(messages.c.due_at, messages.c.id)
        ).limit(limit)
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = [message_of(row) for row in self._session.execute(query)]
        if not claimed:
            return []
        for message in claimed:
            message.claim(now)
        # Every claimed row changes the same way: one statement marks them all.
        for chunk in _chunks([message.id for message in claimed]):
            self._session.execute(
                update(messages)
                .where(messages.c.id.in_(chunk))
                .values(
                    status=MessageStatus.SENDING.value,
                    claimed_at=now,
                    updated_at=now,
                    version=messages.c.version + 1,
                )
            )
        return [self._track(message, message.version) for message in claimed]

    def flush(self) -> None:
        for message in self._seen.values():
            written = self._written[message.id]
            if message.version == written:
                continue
            changed = self._session.execute(
                update(messages)
                .where(messages.c.id == message.id, messages.c.version == written)
                .values(changing_fields(message))
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleVersion(written)
            self._written[message.id] = message.version


class SqlMessagesUnitOfWork(SqlUnitOfWork):
    messages = repository(SqlMessageRepository)
    suppressions = repository(SqlSuppressions)


def _view(row: Row[Any]) -> MessageView:
    return MessageView.of(message_of(row))


class SqlMessageReader:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, message_id: str, *, visible: Visibility) -> MessageView | None:
        query = select(messages).where(
            messages.c.id == message_id, *of_visible_customers(visible, messages.c.customer_id)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _view(row)

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
        sort, id_column = messages.c.queued_at, messages.c.id
        query = (
            select(messages)
            .where(
                messages.c.customer_id == customer_id,
                *of_visible_customers(visible, messages.c.customer_id),
                *window(sort, id_column, descending=True, after=after, before=before),
            )
            .order_by(*walking_order(sort, id_column, descending=True, from_end=from_end))
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_view(row) for row in connection.execute(query)]

    def count_of_customer(self, customer_id: str, *, visible: Visibility) -> int:
        query = select(func.count()).where(
            messages.c.customer_id == customer_id,
            *of_visible_customers(visible, messages.c.customer_id),
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def recent_sends(
        self, customer_ids: Collection[str], channel: Channel, since: datetime
    ) -> Mapping[str, list[datetime]]:
        found: dict[str, list[datetime]] = {}
        with self._engine.connect() as connection:
            for chunk in _chunks(sorted(set(customer_ids))):
                query = select(messages.c.customer_id, messages.c.sent_at).where(
                    messages.c.customer_id.in_(chunk),
                    messages.c.channel == channel.value,
                    messages.c.marketing.is_(True),
                    messages.c.sent_at >= since,
                )
                for row in connection.execute(query):
                    found.setdefault(row.customer_id, []).append(row.sent_at)
        for times in found.values():
            times.sort()
        return found


def _status_is(*statuses: MessageStatus) -> ColumnElement[int]:
    return func.coalesce(
        func.sum(case((messages.c.status.in_([s.value for s in statuses]), 1), else_=0)), 0
    )


_COUNTS = (
    _status_is(MessageStatus.QUEUED, MessageStatus.DEFERRED, MessageStatus.SENDING).label("queued"),
    func.count(messages.c.sent_at).label("sent"),
    func.count(messages.c.delivered_at).label("delivered"),
    _status_is(MessageStatus.BOUNCED).label("bounced"),
    func.count(messages.c.opened_at).label("opened"),
    func.count(messages.c.clicked_at).label("clicked"),
    func.count(messages.c.unsubscribed_at).label("unsubscribed"),
    _status_is(MessageStatus.SKIPPED).label("skipped"),
    _status_is(MessageStatus.FAILED).label("failed"),
    _status_is(MessageStatus.DEFERRED).label("deferred"),
)
_COUNT_NAMES = tuple(column.name for column in _COUNTS)


def _counts(row: Any) -> MessageCounts:
    return MessageCounts(**{name: int(getattr(row, name) or 0) for name in _COUNT_NAMES})


def add_counts(first: MessageCounts, second: MessageCounts) -> MessageCounts:
    return MessageCounts(
        **{name: getattr(first, name) + getattr(second, name) for name in _COUNT_NAMES}
    )


class SqlMessageStats:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _grouped(
        self, owner: ColumnElement[Any], part: ColumnElement[Any], owner_ids: Collection[str]
    ) -> dict[StatsKey, MessageCounts]:
        wanted = sorted(set(owner_ids))
        found: dict[StatsKey, MessageCounts] = {(i, None): MessageCounts() for i in wanted}
        with self._engine.connect() as connection:
            for chunk in _chunks(wanted):
                query = (
                    select(owner.label("owner"), part.label("part"), *_COUNTS)
                    .where(owner.in_(chunk))
                    .group_by(owner, part)
                )
                for row in connection.execute(query):
                    counts = _counts(row)
                    found[(row.owner, None)] = add_counts(found[(row.owner, None)], counts)
                    if row.part is not None:
                        found[(row.owner, row.part)] = counts
        return found

    def by_campaign(self, campaign_ids: Collection[str]) -> dict[StatsKey, MessageCounts]:
        return self._grouped(messages.c.campaign_id, messages.c.variant, campaign_ids)

    def by_journey(self, journey_ids: Collection[str]) -> dict[StatsKey, MessageCounts]:
        return self._grouped(messages.c.journey_id, messages.c.step_id, journey_ids)

    def touches(
        self, customer_ids: Collection[str], since: datetime, until: datetime
    ) -> dict[str, list[Touch]]:
        found: dict[str, list[Touch]] = {}
        with self._engine.connect() as connection:
            for chunk in _chunks(sorted(set(customer_ids))):
                query = (
                    select(
                        messages.c.id,
                        messages.c.customer_id,
                        messages.c.opened_at,
                        messages.c.campaign_id,
                        messages.c.journey_id,
                    )
                    .where(
                        messages.c.customer_id.in_(chunk),
                        messages.c.source_kind != MessageSourceKind.TRANSACTIONAL.value,
                        messages.c.opened_at >= since,
                        messages.c.opened_at <= until,
                    )
                    .order_by(messages.c.opened_at, messages.c.id)
                )
                for row in connection.execute(query):
                    found.setdefault(row.customer_id, []).append(
                        Touch(
                            message_id=row.id,
                            at=row.opened_at,
                            campaign_id=row.campaign_id,
                            journey_id=None if row.campaign_id else row.journey_id,
                        )
                    )
        return found


__all__ = [
    "SqlMessageReader",
    "SqlMessageRepository",
    "SqlMessageStats",
    "SqlMessagesUnitOfWork",
    "add_counts",
    "message_of",
]
