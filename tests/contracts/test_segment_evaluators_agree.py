"""Random rules over random customers: the NumPy and SQL evaluators find the same members."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool

from adapters.persistence.database import Database
from adapters.persistence.segment_facts import SqlSegmentFacts
from adapters.persistence.segment_rules import SqlSegmentEvaluator
from adapters.persistence.tables import metadata
from adapters.segments.numpy_engine import NumpySegmentEvaluator
from adapters.segments.single import PythonRuleMatcher
from adapters.segments.snapshot import build_snapshot
from application.segments.language import parse_rule
from application.segments.printer import print_rule
from domain.segments.rules import EventCount, EventProperty, Members, predicates
from tests.contracts.segment_world import TODAY, rules, worlds, write_world

SLOW_OK = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@pytest.fixture(scope="module")
def sqlite_engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def check_agreement(engine: Engine, data: st.DataObject) -> None:
    world = data.draw(worlds())
    with engine.begin() as connection:
        write_world(connection, world)
    source = SqlSegmentFacts(engine)
    since = TODAY.replace(year=2025)
    facts = source.facts(currency="USD", events_since=since)

    def load_matching(name: str, where: EventProperty) -> list[tuple[str, date, int]]:
        return source.matching_events(name=name, where=where, since=since)

    snapshot = build_snapshot(facts, currency="USD", load_matching=load_matching)
    numpy_evaluator = NumpySegmentEvaluator(lambda: snapshot)
    sql_evaluator = SqlSegmentEvaluator(engine, currency="USD")
    drawn = data.draw(st.lists(rules(world.ids), min_size=1, max_size=4))
    wanted = {
        (p.name, p.where)
        for rule in drawn
        for p in predicates(rule)
        if isinstance(p, EventCount) and p.where is not None
    }
    facts = evolve(facts, matching_events={key: load_matching(*key) for key in wanted})
    one_by_one = PythonRuleMatcher().matching(
        {str(number): rule for number, rule in enumerate(drawn)}, facts, TODAY
    )
    for number, rule in enumerate(drawn):
        by_numpy = numpy_evaluator.evaluate(rule, TODAY)
        by_sql = sql_evaluator.evaluate(rule, TODAY)
        assert list(by_numpy.ids) == list(by_sql.ids), rule
        assert by_numpy.count == by_sql.count
        # The live re-check, one customer at a time, agrees with both.
        assert sorted(c for c, met in one_by_one.items() if str(number) in met) == list(
            by_numpy.ids
        ), rule
        if not any(isinstance(p, Members) for p in predicates(rule)):
            assert parse_rule(print_rule(rule)) == rule


@settings(max_examples=500, **SLOW_OK)
@given(data=st.data())
def test_numpy_and_sqlite_find_the_same_members(sqlite_engine: Engine, data: st.DataObject) -> None:
    check_agreement(sqlite_engine, data)


@pytest.mark.postgres
@settings(max_examples=150, **SLOW_OK)
@given(data=st.data())
def test_numpy_and_postgres_find_the_same_members(
    postgres_database: Database, data: st.DataObject
) -> None:
    check_agreement(postgres_database.writer, data)
