"""Use cases that preview, create, change and refresh segments, and score RFM."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta

from attrs import evolve, frozen

from application.customers.ports import CustomerReader
from application.customers.views import CustomerFilter
from application.errors import InvalidInput, NotFound, StaleVersion
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.segments.ports import (
    Evaluation,
    RuleMatcher,
    SegmentEvaluator,
    SegmentFactsSource,
    SegmentRepository,
    SegmentView,
)
from application.segments.rules import SegmentRules, require_readable_fields
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission, Resource
from domain.errors import ErrorCode
from domain.segments import rfm
from domain.segments.rules import (
    MAX_EVENT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    EventCount,
    predicates,
)
from domain.segments.segment import Segment, SegmentKind
from domain.tags.tag import name_key

MAX_SAMPLE = 100


@frozen
class Preview:
    count: int
    evaluation_ms: float
    sample: Sequence[str]


@frozen
class PreviewSegment:
    """How many customers a rule finds now, and the first of them; nothing is saved."""

    rules: SegmentRules
    evaluator: SegmentEvaluator
    clock: Clock
    customers: CustomerReader

    def __call__(self, actor: Principal, text: str, *, first: int = 10) -> Preview:
        actor.require(Permission.READ_CUSTOMERS)
        prepared = self.rules.prepare(text)
        require_readable_fields(actor, prepared.rule)
        resolved = self.rules.resolve(prepared.rule)
        limit = max(0, min(first, MAX_SAMPLE))
        visible = actor.visibility(Resource.CUSTOMERS)
        started = time.perf_counter()
        if visible.unrestricted:
            found = self.evaluator.evaluate(resolved, _today(self.clock), limit=limit)
            count, sample = found.count, found.ids
        else:
            # The evaluators find every member; the actor counts and sees only theirs.
            every = self.evaluator.evaluate(resolved, _today(self.clock), limit=None)
            seen = self.customers.ids_matching(CustomerFilter(), visible=visible)
            members = sorted(set(every.ids) & seen)
            count, sample = len(members), members[:limit]
        elapsed = (time.perf_counter() - started) * 1000.0
        return Preview(count, elapsed, sample)


@frozen
class NewSegment:
    name: str
    rule: str
    kind: SegmentKind = SegmentKind.DYNAMIC
    description: str = ""


@frozen
class CreateSegment:
    """A new segment with its members as of now; a static one keeps them as they are."""

    uow: UnitOfWorkFactory
    rules: SegmentRules
    evaluator: SegmentEvaluator
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewSegment) -> SegmentView:
        actor.require(Permission.MANAGE_SEGMENTS)
        prepared = self.rules.prepare(new.rule)
        require_readable_fields(actor, prepared.rule)
        now = self.clock.now()
        members = self.evaluator.evaluate(self.rules.resolve(prepared.rule), _today(self.clock))
        with self.uow() as uow:
            segment = Segment.create(
                id=self.ids.new_id(),
                name=new.name,
                kind=new.kind,
                rule=prepared.text,
                at=now,
                actor_id=actor.actor_id,
                description=new.description,
            )
            if uow.segments.by_name(segment.name) is not None:
                raise InvalidInput("name", ErrorCode.TAKEN, "another segment has this name")
            uow.segments.add(segment)
            _store_members(uow.segments, segment, members, now, actor, announce=False)
            uow.commit()
        return SegmentView.from_segment(segment)


@frozen
class UpdateSegment:
    """Rename a segment or change its rule; a dynamic one is refreshed at once."""

    uow: UnitOfWorkFactory
    rules: SegmentRules
    evaluator: SegmentEvaluator
    clock: Clock

    def __call__(
        self,
        actor: Principal,
        segment_id: str,
        *,
        name: str | None,
        rule: str | None,
        expected_version: int | None = None,
    ) -> SegmentView:
        """With ``expected_version``, a segment changed since is a ``StaleVersion``."""
        actor.require(Permission.MANAGE_SEGMENTS)
        prepared = None if rule is None else self.rules.prepare(rule)
        if prepared is not None:
            require_readable_fields(actor, prepared.rule)
        now = self.clock.now()
        with self.uow() as uow:
            segment = uow.segments.get(segment_id)
            if segment is None:
                raise NotFound("id", "no segment has this id")
            if expected_version is not None and segment.version != expected_version:
                raise StaleVersion(expected_version, segment.version)
            if prepared is not None:
                # The rule must not name this segment itself, however indirectly.
                self.rules.resolve(prepared.rule, within=(name_key(segment.name),))
            segment.change(
                name=name,
                rule=None if prepared is None else prepared.text,
                at=now,
                actor_id=actor.actor_id,
            )
            other = uow.segments.by_name(segment.name)
            if other is not None and other.id != segment.id:
                raise InvalidInput("name", ErrorCode.TAKEN, "another segment has this name")
            if segment.kind is SegmentKind.DYNAMIC and prepared is not None:
                members = self.evaluator.evaluate(
                    self.rules.resolve(prepared.rule), _today(self.clock)
                )
                _store_members(uow.segments, segment, members, now, actor, announce=True)
            uow.commit()
        return SegmentView.from_segment(segment)


@frozen
class RefreshSegments:
    """Re-evaluate every dynamic segment: the scheduled job for time-relative rules."""

    uow: UnitOfWorkFactory
    rules: SegmentRules
    evaluator: SegmentEvaluator
    clock: Clock

    def __call__(self, actor: Principal) -> int:
        """Refresh and return how many segments changed membership."""
        actor.require(Permission.MANAGE_SEGMENTS)
        changed = 0
        today = _today(self.clock)
        with self.uow() as uow:
            for segment in uow.segments.dynamic():
                rule = self.rules.resolve(self.rules.stored(segment.rule))
                members = self.evaluator.evaluate(rule, today)
                entered, exited = _store_members(
                    uow.segments, segment, members, self.clock.now(), actor, announce=True
                )
                changed += bool(entered or exited)
            uow.commit()
        return changed


def _store_members(
    segments: SegmentRepository,
    segment: Segment,
    members: Evaluation,
    now: datetime,
    actor: Principal,
    *,
    announce: bool,
) -> tuple[set[str], set[str]]:
    entered, exited = segments.set_members(segment, members.ids, now)
    segment.refreshed(
        entered=entered,
        exited=exited,
        size=members.count,
        at=now,
        actor_id=actor.actor_id,
        announce=announce,
    )
    return entered, exited


@frozen
class RecheckCustomers:
    """After a change, re-check the changed customers against every dynamic segment.

    Members enter and leave one by one, each with its event; sizes follow. A customer no
    longer active leaves every segment.
    """

    uow: UnitOfWorkFactory
    rules: SegmentRules
    facts: SegmentFactsSource
    matcher: RuleMatcher
    clock: Clock
    currency: str = "USD"

    def __call__(self, actor: Principal, customer_ids: Collection[str]) -> int:
        """Re-check and return how many memberships changed."""
        actor.require(Permission.MANAGE_SEGMENTS)
        ids = set(customer_ids)
        if not ids:
            return 0
        today, now = _today(self.clock), self.clock.now()
        changed = 0
        with self.uow() as uow:
            dynamic = uow.segments.dynamic()
            if not dynamic:
                return 0
            rules = {s.id: self.rules.resolve(self.rules.stored(s.rule)) for s in dynamic}
            facts = self.facts.facts(
                currency=self.currency,
                events_since=today - timedelta(days=MAX_EVENT_WINDOW_DAYS),
                customer_ids=ids,
            )
            wanted = {
                (p.name, p.where)
                for rule in rules.values()
                for p in predicates(rule)
                if isinstance(p, EventCount) and p.where is not None
            }
            facts = evolve(
                facts,
                matching_events={
                    (name, where): self.facts.matching_events(
                        name=name,
                        where=where,
                        since=today - timedelta(days=MAX_EVENT_WINDOW_DAYS),
                        customer_ids=ids,
                    )
                    for name, where in wanted
                },
            )
            meets = self.matcher.matching(rules, facts, today)
            current = uow.segments.memberships(ids)
            for segment in dynamic:
                now_in = {c for c in ids if segment.id in meets.get(c, ())}
                was_in = {c for c in ids if segment.id in current.get(c, ())}
                entered, exited = now_in - was_in, was_in - now_in
                if entered or exited:
                    uow.segments.change_members(segment, entered, exited)
                    segment.refreshed(
                        entered=entered,
                        exited=exited,
                        size=segment.size + len(entered) - len(exited),
                        at=now,
                        actor_id=actor.actor_id,
                    )
                    changed += len(entered) + len(exited)
            uow.commit()
        return changed


@frozen
class RfmSettings:
    """Scores look at orders placed in the last ``window_days`` days (None: every order)."""

    window_days: int | None = 365


@frozen
class ComputeRfm:
    """Score every customer with orders in the window; the previous run's scores go."""

    uow: UnitOfWorkFactory
    facts: SegmentFactsSource
    clock: Clock
    currency: str = "USD"

    def __call__(self, actor: Principal, settings: RfmSettings = RfmSettings()) -> int:
        actor.require(Permission.MANAGE_SEGMENTS)
        window = settings.window_days
        if window is not None and not 1 <= window <= MAX_WINDOW_DAYS:
            raise InvalidInput("windowDays", ErrorCode.INVALID, f"between 1 and {MAX_WINDOW_DAYS}")
        today = _today(self.clock)
        since = None if window is None else today - timedelta(days=window - 1)
        purchases = self.facts.purchases(currency=self.currency, since=since, until=today)
        scores = rfm.score(purchases, as_of=today)
        with self.uow() as uow:
            uow.segments.replace_rfm(scores, self.clock.now())
            uow.commit()
        return len(scores)


def _today(clock: Clock) -> date:
    return clock.now().astimezone(UTC).date()
