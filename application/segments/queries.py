"""Use cases that read segments, their members and history, and customers' RFM scores."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from attrs import frozen

from application.principal import Principal
from application.segments.ports import SegmentReader, SegmentView, SizePoint
from domain.access.roles import Permission
from domain.segments.rfm import RfmScore

MAX_PAGE = 1_000


@frozen
class ReadSegments:
    """Segments, members by keyset, size history, a customer's segments and RFM scores."""

    reader: SegmentReader

    def all(self, actor: Principal) -> Sequence[SegmentView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.all()

    def get_many(self, actor: Principal, ids: Collection[str]) -> Mapping[str, SegmentView]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.get_many(ids)

    def members(
        self, actor: Principal, segment_id: str, *, first: int, after: str | None
    ) -> Sequence[str]:
        """Up to ``first`` member ids after ``after``, one more to tell whether more follow."""
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.members(segment_id, first=max(0, min(first, MAX_PAGE)) + 1, after=after)

    def size_history(self, actor: Principal, segment_id: str) -> Sequence[SizePoint]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.size_history(segment_id)

    def segments_of(
        self, actor: Principal, customer_ids: Collection[str]
    ) -> Mapping[str, Sequence[SegmentView]]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.segments_of(customer_ids)

    def rfm_of(self, actor: Principal, customer_ids: Collection[str]) -> Mapping[str, RfmScore]:
        actor.require(Permission.READ_CUSTOMERS)
        return self.reader.rfm_of(customer_ids)
