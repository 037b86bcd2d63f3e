"""Entering customers and moving them along: the step runner on batch timers.

Entering stores the enrolment and sets a timer due at once; every move runs on timers of
kind ``journey.wake``, a batch in one transaction: the enrolments, their versions (cached:
a published version never changes), the facts for the batch's customers at once, each
``Enrolment.advance``, the actions carried out, and each next wake-up set.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from attrs import define, evolve, field

from application.campaigns.template_ports import TemplateReader
from application.custom_fields.rules import load_schema
from application.journeys.ports import (
    Contact,
    Entry,
    JourneyFacts,
    JourneysUnitOfWork,
    JourneysUnitOfWorkFactory,
)
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.segments.ports import RuleMatcher, SegmentFactsSource
from application.segments.rules import SegmentRules
from application.tags.commands import changes_of, record
from application.tags.ports import TagReader
from application.tags.views import TagView
from domain.campaigns.channels import Channel
from domain.campaigns.journeys import (
    Enrolment,
    Facts,
    Journey,
    JourneyVersion,
    SendAction,
    TaskAction,
    UpdateAction,
    UpdateKind,
    WaitStep,
)
from domain.campaigns.messages import Message
from domain.campaigns.time_zones import customer_time_zone
from domain.custom_fields import ObjectType
from domain.customers.customer import CustomerChanges
from domain.errors import DomainError
from domain.pipeline.tasks import Task
from domain.scheduling import Timer
from domain.segments.rules import EventCount, Rule, predicates
from domain.tags.tag import name_key

log = logging.getLogger("rapport.journeys")

WAKE = "journey.wake"
"""The timer kind an enrolment moves on; its subject is the enrolment."""
EVENT_LOOKBACK = timedelta(days=400)
"""How far back rules' event counts reach (their windows are shorter)."""
TIME_ZONE_FIELD = "time_zone"


def wake_timer(timer_id: str, enrolment_id: str, due_at: datetime) -> Timer:
    """The enrolment's next move. Each is a timer of its own id, so one set while the timer
    firing is claimed replaces it, instead of being marked fired with it."""
    return Timer(id=timer_id, kind=WAKE, subject_id=enrolment_id, due_at=due_at)


@define
class JourneyEngine:
    uow: JourneysUnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    facts: JourneyFacts
    rules: SegmentRules
    segment_facts: SegmentFactsSource
    matcher: RuleMatcher
    templates: TemplateReader
    tags: TagReader
    currency: str = "USD"
    default_zone: str = "UTC"
    _versions: dict[tuple[str, int], JourneyVersion] = field(factory=dict, init=False)
    _parsed: dict[str, Rule] = field(factory=dict, init=False)

    # --- entering ---------------------------------------------------------------------

    def enter(
        self, uow: JourneysUnitOfWork, journey: Journey, customer_ids: Collection[str]
    ) -> list[Enrolment]:
        """Enrol those of the customers the re-entry policy lets in, in ``uow``; each gets
        a timer due now, so the first steps run on the step runner."""
        version = journey.current
        if version is None or not journey.accepts_entries or not customer_ids:
            return []
        now = self.clock.now()
        wanted = sorted(set(customer_ids))
        live = {i for i, c in self.facts.contacts(wanted).items() if c.active}
        histories = uow.enrolments.histories(journey.id, wanted)
        entries = []
        for customer_id in wanted:
            previous = histories.get(customer_id, [])
            if customer_id not in live or not version.reentry.may_enter(previous, now):
                continue
            enrolment = Enrolment.enter(
                id=self.ids.new_id(),
                journey_id=journey.id,
                version=version,
                customer_id=customer_id,
                at=now,
            )
            entries.append(Entry(enrolment, len(previous)))
        stored = uow.enrolments.add_many(entries)
        uow.timers.set_many([wake_timer(self.ids.new_id(), e.id, now) for e in stored])
        return stored

    def enter_where(
        self, actor: Principal, journeys: Iterable[Journey], customer_ids: Collection[str]
    ) -> int:
        """Enrol the customers in each journey, one transaction per journey."""
        entered = 0
        for journey in journeys:
            with self.uow() as uow:
                entered += len(self.enter(uow, journey, customer_ids))
                uow.commit()
        return entered

    # --- moving -----------------------------------------------------------------------

    def fire_many(self, actor: Principal, timers: Sequence[Timer]) -> None:
        """Move every enrolment whose timer is due, all in one transaction."""
        now = self.clock.now()
        with self.uow() as uow:
            enrolments = [
                e
                for e in uow.enrolments.get_many([t.subject_id for t in timers]).values()
                if e.is_active
            ]
            if not enrolments:
                return
            versions = {e.id: self._version(uow, e.journey_id, e.version) for e in enrolments}
            customer_ids = {e.customer_id for e in enrolments}
            contacts = self.facts.contacts(customer_ids)
            outcomes = self._outcomes(set(versions.values()), customer_ids, now)
            arrived = self._arrived(enrolments, versions)
            sends: list[tuple[Enrolment, SendAction]] = []
            tasks: list[tuple[Enrolment, TaskAction]] = []
            updates: list[tuple[Enrolment, UpdateAction]] = []
            reached: dict[tuple[str, str], int] = {}
            wakes: list[Timer] = []
            for enrolment in enrolments:
                version = versions[enrolment.id]
                contact = contacts.get(enrolment.customer_id)
                visits_before = dict(enrolment.visits)
                facts = Facts(
                    rules={
                        text: text in outcomes.get(enrolment.customer_id, ())
                        for text in version.rules
                    },
                    arrived_events=arrived.get(enrolment.id, frozenset()),
                )
                advance = enrolment.advance(version, now, facts, zone=self.zone_of(contact))
                for step_id, times in enrolment.visits.items():
                    more = times - visits_before.get(step_id, 0)
                    if more:
                        key = (enrolment.journey_id, step_id)
                        reached[key] = reached.get(key, 0) + more
                for action in advance.actions:
                    if isinstance(action, SendAction):
                        sends.append((enrolment, action))
                    elif isinstance(action, TaskAction):
                        tasks.append((enrolment, action))
                    else:
                        updates.append((enrolment, action))
                if advance.wake_at is not None:
                    wakes.append(wake_timer(self.ids.new_id(), enrolment.id, advance.wake_at))
            uow.timers.set_many(wakes)
            self._send(uow, sends, contacts, now)
            self._tasks(uow, tasks, contacts, now, actor)
            self._updates(uow, updates, now, actor)
            uow.enrolments.save_many(enrolments)
            uow.enrolments.count_reached(reached)
            uow.commit()

    def wake_waiting(self, actor: Principal, customer_ids: frozenset[str]) -> int:
        """Customers did something: enrolments waiting for one of those events wake now.
        One read of the events for all of them."""
        now = self.clock.now()
        with self.uow() as uow:
            awaited: list[tuple[Enrolment, str, datetime]] = []
            for enrolment in uow.enrolments.active_of(customer_ids):
                if enrolment.waiting_since is None:
                    continue
                version = self._version(uow, enrolment.journey_id, enrolment.version)
                step = version.step(enrolment.current_step_id or "")
                if isinstance(step, WaitStep) and step.until_event is not None:
                    awaited.append((enrolment, step.until_event, enrolment.waiting_since))
            if not awaited:
                return 0
            events = self.facts.events_since(
                {e.customer_id for e, _, _ in awaited},
                {name for _, name, _ in awaited},
                min(since for _, _, since in awaited),
            )
            # Oldest first, so each key ends with the latest time its event was received.
            latest = {(event.customer_id, event.name): event.received_at for event in events}
            due = [
                wake_timer(self.ids.new_id(), enrolment.id, now)
                for enrolment, name, since in awaited
                if latest.get((enrolment.customer_id, name), since - timedelta(1)) >= since
            ]
            uow.timers.set_many(due)
            uow.commit()
        return len(due)

    def _version(self, uow: JourneysUnitOfWork, journey_id: str, number: int) -> JourneyVersion:
        key = (journey_id, number)
        found = self._versions.get(key)
        if found is None:
            journey = uow.journeys.get(journey_id)
            if journey is None:
                raise LookupError(f"no journey {journey_id}")
            for version in journey.versions:
                self._versions[(journey_id, version.number)] = version
            found = self._versions[key]
        return found

    def _rule(self, text: str) -> Rule:
        found = self._parsed.get(text)
        if found is None:
            found = self._parsed[text] = self.rules.resolve(self.rules.stored(text))
        return found

    def _outcomes(
        self, versions: Collection[JourneyVersion], customer_ids: Collection[str], now: datetime
    ) -> dict[str, set[str]]:
        """For each customer, the rule texts (of the versions' goal, exits and branches)
        they meet now: one read of facts and one matching for the whole batch."""
        texts = {text for version in versions for text in version.rules}
        if not texts:
            return {}
        rules = {text: self._rule(text) for text in texts}
        today = now.astimezone(UTC).date()
        facts = self.segment_facts.facts(
            currency=self.currency, events_since=today - EVENT_LOOKBACK, customer_ids=customer_ids
        )
        wanted = {
            (p.name, p.where)
            for rule in rules.values()
            for p in predicates(rule)
            if isinstance(p, EventCount) and p.where is not None
        }
        if wanted:
            facts = evolve(
                facts,
                matching_events={
                    (name, where): self.segment_facts.matching_events(
                        name=name,
                        where=where,
                        since=today - EVENT_LOOKBACK,
                        customer_ids=customer_ids,
                    )
                    for name, where in wanted
                },
            )
        return self.matcher.matching(rules, facts, today)

    def _arrived(
        self, enrolments: Sequence[Enrolment], versions: Mapping[str, JourneyVersion]
    ) -> dict[str, frozenset[str]]:
        """Per enrolment waiting for an event: the awaited events tracked since it began."""
        waiting = [
            e for e in enrolments if e.waiting_since is not None and versions[e.id].awaited_events
        ]
        if not waiting:
            return {}
        since = min(e.waiting_since for e in waiting if e.waiting_since is not None)
        names = set().union(*(versions[e.id].awaited_events for e in waiting))
        events = self.facts.events_since({e.customer_id for e in waiting}, names, since)
        found: dict[str, frozenset[str]] = {}
        for enrolment in waiting:
            assert enrolment.waiting_since is not None
            found[enrolment.id] = frozenset(
                event.name
                for event in events
                if event.customer_id == enrolment.customer_id
                and event.received_at >= enrolment.waiting_since
            )
        return found

    def zone_of(self, contact: Contact | None) -> ZoneInfo:
        """The customer's time zone: their ``time_zone`` field, their phone's, or the default."""
        if contact is None:
            return customer_time_zone(None, None, self.default_zone)
        return customer_time_zone(
            contact.custom_fields.get(TIME_ZONE_FIELD), contact.phone, self.default_zone
        )

    # --- actions ----------------------------------------------------------------------

    def _send(
        self,
        uow: JourneysUnitOfWork,
        sends: Sequence[tuple[Enrolment, SendAction]],
        contacts: Mapping[str, Contact],
        now: datetime,
    ) -> None:
        """Queue a message per send; the outbox checks consent, caps and quiet hours when it
        sends, and its dedupe key keeps a repeated move from queueing twice."""
        messages: list[Message] = []
        versions: dict[str, int | None] = {}
        for enrolment, action in sends:
            contact = contacts.get(enrolment.customer_id)
            address = _address(contact, action.channel)
            if address is None:
                continue  # nowhere to send: the step is passed, as a send would be skipped
            if action.template_id not in versions:
                template = self.templates.get(action.template_id)
                versions[action.template_id] = None if template is None else template.version
            template_version = versions[action.template_id]
            if template_version is None:
                continue
            messages.append(
                Message.queue(
                    id=self.ids.new_id(),
                    customer_id=enrolment.customer_id,
                    channel=action.channel,
                    to=address,
                    source=action.source,
                    template_id=action.template_id,
                    template_version=template_version,
                    marketing=True,
                    at=now,
                )
            )
        if messages:
            uow.messages.add_many(messages)

    def _tasks(
        self,
        uow: JourneysUnitOfWork,
        tasks: Sequence[tuple[Enrolment, TaskAction]],
        contacts: Mapping[str, Contact],
        now: datetime,
        actor: Principal,
    ) -> None:
        """A task for each customer's owner; one per enrolment and step visit."""
        if not tasks:
            return
        taken = uow.tasks.dedupe_keys_in_use([action.dedupe_key for _, action in tasks])
        for enrolment, action in tasks:
            contact = contacts.get(enrolment.customer_id)
            if action.dedupe_key in taken or contact is None:
                continue
            uow.tasks.add(
                Task.create(
                    id=self.ids.new_id(),
                    kind=action.task_kind,
                    title=action.title,
                    due_at=action.due_at,
                    assignee_id=contact.owner_id,
                    customer_id=enrolment.customer_id,
                    dedupe_key=action.dedupe_key,
                    at=now,
                    by=actor.actor_id,
                )
            )
            taken.add(action.dedupe_key)

    def _updates(
        self,
        uow: JourneysUnitOfWork,
        updates: Sequence[tuple[Enrolment, UpdateAction]],
        now: datetime,
        actor: Principal,
    ) -> None:
        """Tags in bulk through the tags module's changes, stages through the lifecycle."""
        if not updates:
            return
        tag_updates = [
            (e, a) for e, a in updates if a.kind in (UpdateKind.ADD_TAG, UpdateKind.REMOVE_TAG)
        ]
        if tag_updates:
            self._tag(uow, tag_updates, now, actor)
        stage_updates = [(e, a) for e, a in updates if a.kind is UpdateKind.SET_STAGE]
        if stage_updates:
            catalogue = uow.lifecycle.catalogue()
            lifecycles = uow.lifecycle.get_many({e.customer_id for e, _ in stage_updates})
            for enrolment, action in stage_updates:
                assert action.track is not None and action.stage is not None
                change = lifecycles[enrolment.customer_id].move(
                    catalogue.track(action.track),
                    action.stage,
                    change_id=self.ids.new_id(),
                    at=now,
                    by=actor.actor_id,
                    reason=f"journey {enrolment.journey_id}",
                    override=True,
                )
                if change is not None:
                    uow.timeline.record([change.timeline_entry()])
        for enrolment, action in updates:
            if action.kind is UpdateKind.SET_CUSTOM_FIELD:
                self._set_field(uow, enrolment, action, now, actor)

    def _tag(
        self,
        uow: JourneysUnitOfWork,
        updates: Sequence[tuple[Enrolment, UpdateAction]],
        now: datetime,
        actor: Principal,
    ) -> None:
        names = {name_key(a.tag or "") for _, a in updates}
        every = {name_key(t.name): t for t in self.tags.all()}
        known: dict[str, TagView] = {t.id: t for key, t in every.items() if key in names}
        for added in (True, False):
            pairs = {
                (e.customer_id, every[name_key(a.tag or "")].id)
                for e, a in updates
                if (a.kind is UpdateKind.ADD_TAG) == added and name_key(a.tag or "") in every
            }
            if not pairs:
                continue
            existing = uow.tags.assignments({c for c, _ in pairs}, {t for _, t in pairs})
            wanted = sorted(p for p in pairs if (p in existing) != added)
            record(
                uow, changes_of(wanted, known, added=added, at=now, by=actor.actor_id, ids=self.ids)
            )

    def _set_field(
        self,
        uow: JourneysUnitOfWork,
        enrolment: Enrolment,
        action: UpdateAction,
        now: datetime,
        actor: Principal,
    ) -> None:
        customer = uow.customers.get(enrolment.customer_id)
        # An archived or merged customer is read-only: the step passes them by.
        if (
            customer is None
            or action.field_key is None
            or customer.archived_at is not None
            or customer.merged_into is not None
        ):
            return
        try:
            customer.update(
                CustomerChanges(custom_fields={action.field_key: action.value}),
                at=now,
                by=actor.actor_id,
                schema=load_schema(uow.custom_fields, ObjectType.CUSTOMER),
            )
        except DomainError as refused:
            # The field changed type since the journey was published: the one change is
            # dropped, the batch (everyone else's steps) goes on.
            log.warning(
                "journey %s: %s not set: %s", enrolment.journey_id, action.field_key, refused
            )


def _address(contact: Contact | None, channel: Channel) -> str | None:
    if contact is None or not contact.active:
        return None
    if channel is Channel.EMAIL:
        return contact.email
    if channel is Channel.SMS:
        return contact.phone
    return contact.customer_id


def date_of(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
