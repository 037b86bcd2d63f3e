"""Clustering: k-means++ finds well-separated groups; clusters are saved as static segments."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from adapters.segments.clustering import NumpyClusterer, kmeans, standardise
from application.errors import InvalidInput
from application.principal import Principal
from application.segments.clustering import ClusterCustomers, Feature
from domain.segments.segment import SegmentKind
from tests.conftest import memory_backend
from tests.contracts.customers import T0, new_customer
from tests.contracts.orders import new_order


def test_kmeans_recovers_well_separated_groups_whatever_the_seed() -> None:
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    truth = np.repeat(np.arange(3), 50)
    points = centres[truth] + rng.normal(0, 0.5, (150, 2))
    for seed in range(5):
        labels, _ = kmeans(standardise(points), 3, seed=seed)
        # Same partition as the truth, up to the numbering of clusters.
        pairs = {(int(a), int(b)) for a, b in zip(truth, labels, strict=True)}
        assert len(pairs) == 3


def test_standardised_columns_have_mean_zero_and_unit_spread() -> None:
    scaled = standardise(np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]]))
    assert np.allclose(scaled.mean(axis=0), 0)
    assert np.allclose(scaled[:, 0].std(), 1) and np.allclose(scaled[:, 1], 0)


def test_clusters_become_static_segments_with_profiles() -> None:
    backend = memory_backend(InProcessEventBus())
    clock = ManualClock(T0 + timedelta(days=10))
    big = [new_customer(first=f"big{i}") for i in range(6)]
    small = [new_customer(first=f"small{i}") for i in range(4)]
    with backend.uow() as uow:
        uow.customers.add_many(big + small)
        for number, customer in enumerate(big):
            uow.orders.add(new_order(customer.id, f"o-big-{number}", at=T0, total="900.00"))
        for number, customer in enumerate(small):
            uow.orders.add(new_order(customer.id, f"o-small-{number}", at=T0, total="5.00"))
        uow.commit()
    cluster = ClusterCustomers(
        backend.uow, backend.segment_facts, NumpyClusterer(), clock, SequentialIdGenerator("s")
    )  # type: ignore[arg-type]
    views = cluster(
        Principal.system(), k=2, features=[Feature.MONETARY, Feature.RECENCY], name="Spend"
    )
    assert [(v.name, v.kind, v.size) for v in views] == [
        ("Spend 1", SegmentKind.STATIC, 6),
        ("Spend 2", SegmentKind.STATIC, 4),
    ]
    assert views[0].description == "6 customers; on average monetary 900.0, recency 10.0 days"
    assert backend.segments is not None
    assert backend.segments.all_members(views[1].id) == {c.id for c in small}
    with pytest.raises(InvalidInput):
        cluster(Principal.system(), k=2, features=[Feature.MONETARY], name="Spend")
    with pytest.raises(InvalidInput):
        cluster(Principal.system(), k=11, features=[Feature.MONETARY], name="Other")
