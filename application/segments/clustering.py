"""Clustering customers by what they bought: k-means results saved as static segments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from enum import StrEnum
from typing import Final, Protocol

from attrs import frozen

from application.errors import InvalidInput
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.segments.ports import SegmentFactsSource, SegmentView
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission
from domain.errors import ErrorCode
from domain.orders.money import MINOR_UNITS
from domain.segments.segment import Segment, SegmentKind

MAX_CLUSTERS: Final = 20


class Feature(StrEnum):
    RECENCY = "recency"
    """Days since the last order."""
    FREQUENCY = "frequency"
    """Orders placed."""
    MONETARY = "monetary"
    """Amount kept, in major units of the currency."""
    TENURE = "tenure"
    """Days since the customer was created."""


_UNITS: Final = {
    Feature.RECENCY: "days",
    Feature.FREQUENCY: "orders",
    Feature.MONETARY: "",
    Feature.TENURE: "days",
}


@frozen
class Clusters:
    labels: Sequence[int]
    """The cluster of each row, numbered from 0, largest cluster first."""
    means: Sequence[Sequence[float]]
    """Per cluster, the mean of each feature in the units it was given in."""


class Clusterer(Protocol):
    def cluster(self, features: Sequence[Sequence[float]], k: int, *, seed: int) -> Clusters:
        """Cluster the rows of ``features`` (standardising them first) into ``k`` groups."""
        ...


@frozen
class ClusterCustomers:
    """k-means over customers with orders; each cluster becomes a static segment."""

    uow: UnitOfWorkFactory
    facts: SegmentFactsSource
    clusterer: Clusterer
    clock: Clock
    ids: IdGenerator
    currency: str = "USD"

    def __call__(
        self,
        actor: Principal,
        *,
        k: int,
        features: Sequence[Feature],
        name: str,
        seed: int = 0,
    ) -> list[SegmentView]:
        actor.require(Permission.MANAGE_SEGMENTS)
        if not 2 <= k <= MAX_CLUSTERS:
            raise InvalidInput("k", ErrorCode.INVALID, f"between 2 and {MAX_CLUSTERS}")
        chosen = list(dict.fromkeys(features))
        if not chosen:
            raise InvalidInput("features", ErrorCode.REQUIRED, "choose at least one feature")
        today = self.clock.now().astimezone(UTC).date()
        bought = self.facts.purchases(currency=self.currency, since=None, until=today)
        if len(bought) < k:
            raise InvalidInput("k", ErrorCode.INVALID, f"only {len(bought)} customers have orders")
        created = {}
        if Feature.TENURE in chosen:
            rows = self.facts.facts(
                currency=self.currency,
                events_since=today,
                customer_ids=[b.customer_id for b in bought],
            ).customers
            created = {row.id: row.created_at.date() for row in rows}
        scale = 10 ** MINOR_UNITS.get(self.currency, 2)
        values = {
            Feature.RECENCY: [float((today - b.last_order_day).days) for b in bought],
            Feature.FREQUENCY: [float(b.orders) for b in bought],
            Feature.MONETARY: [b.amount_minor / scale for b in bought],
            Feature.TENURE: [
                float((today - created.get(b.customer_id, today)).days) for b in bought
            ],
        }
        matrix = [list(row) for row in zip(*(values[f] for f in chosen), strict=True)]
        clusters = self.clusterer.cluster(matrix, k, seed=seed)
        now = self.clock.now()
        views = []
        with self.uow() as uow:
            for number in range(k):
                members = [
                    b.customer_id
                    for b, c in zip(bought, clusters.labels, strict=True)
                    if c == number
                ]
                segment = Segment.create(
                    id=self.ids.new_id(),
                    name=f"{name} {number + 1}",
                    kind=SegmentKind.STATIC,
                    rule="",
                    at=now,
                    actor_id=actor.actor_id,
                    description=_profile(len(members), chosen, clusters.means[number]),
                )
                if uow.segments.by_name(segment.name) is not None:
                    raise InvalidInput("name", ErrorCode.TAKEN, f"{segment.name!r} exists already")
                uow.segments.add(segment)
                uow.segments.set_members(segment, members, now)
                segment.refreshed(
                    entered=members,
                    exited=(),
                    size=len(members),
                    at=now,
                    actor_id=actor.actor_id,
                    announce=False,
                )
                views.append(SegmentView.from_segment(segment))
            uow.commit()
        return views


def _profile(size: int, features: Sequence[Feature], means: Sequence[float]) -> str:
    """What the cluster's members have in common, on average, in plain words."""
    parts = [
        f"{feature} {mean:,.1f} {_UNITS[feature]}".rstrip()
        for feature, mean in zip(features, means, strict=True)
    ]
    return f"{size:,} customers; on average " + ", ".join(parts)
