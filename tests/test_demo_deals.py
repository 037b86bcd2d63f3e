"""Demo data includes a sales team, deals at every stage and a few segments, made only on a
first seeding."""

from __future__ import annotations

from adapters.demo.seeding import seed_demo
from application.pipeline.bundle import Sales
from application.pipeline.views import OpportunityFilter
from application.principal import Principal
from application.segments.bundle import Segments
from bootstrap import Settings, build_container


def test_demo_seeding_makes_deals_once() -> None:
    container = build_container(Settings.from_env({"RAPPORT_STORAGE": "memory"}))
    seed_demo(container.bundles, customers=40)
    read = container.use(Sales).read_pipeline
    system = Principal.system()
    deals = read.count(system, OpportunityFilter())
    assert deals == 6  # one for every eighth of the 41 customers
    assert read.count(system, OpportunityFilter(status="open")) < deals
    seed_demo(container.bundles, customers=40)
    assert read.count(system, OpportunityFilter()) == deals


def test_demo_seeding_defines_a_few_segments_with_members_once() -> None:
    container = build_container(Settings.from_env({"RAPPORT_STORAGE": "memory"}))
    seed_demo(container.bundles, customers=120)
    read = container.use(Segments).read
    system = Principal.system()
    segments = {segment.name: segment.size for segment in read.all(system)}
    assert set(segments) == {"VIPs", "Repeat buyers", "Signing in"}
    assert all(size > 0 for size in segments.values()), segments
    seed_demo(container.bundles, customers=120)
    assert len(read.all(system)) == 3
