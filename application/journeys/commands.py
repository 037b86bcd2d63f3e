"""Creating, changing, activating and pausing journeys, and reading them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from attrs import frozen

from application.errors import NotFound, StaleVersion
from application.journeys.checking import JourneyReferences
from application.journeys.ports import JourneyReader, JourneyStats, JourneysUnitOfWorkFactory
from application.messages.ports import MessageCounts, MessageStatsReader
from application.pagination import Page, PageRequest, SortKey, SortValue, keyset_page, read_time
from application.ports import Clock, IdGenerator
from application.principal import Principal
from domain.access.roles import Permission
from domain.campaigns.journeys import Enrolment, Journey, JourneyStatus, JourneyVersion
from domain.errors import ErrorCode, RuleViolated


@frozen(kw_only=True)
class JourneyDefinition:
    name: str
    version: JourneyVersion
    """Trigger, steps, entry step, re-entry policy, goal and exit rules."""


@frozen
class CreateJourney:
    """Check a definition and store it as the journey's first version. Nobody enters until
    the journey is activated."""

    uow: JourneysUnitOfWorkFactory
    references: JourneyReferences
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, definition: JourneyDefinition) -> Journey:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        now = self.clock.now()
        journey = Journey.create(
            id=self.ids.new_id(), name=definition.name, at=now, by=actor.actor_id
        )
        self.references.check(definition.version)
        journey.publish(definition.version, now)
        # Published, but not live: a created journey waits for activateJourney.
        journey.status = JourneyStatus.DRAFT
        with self.uow() as uow:
            uow.journeys.add(journey)
            uow.commit()
        return journey


@frozen
class UpdateJourney:
    """Publish a new version: new customers enter it, those on the journey keep theirs."""

    uow: JourneysUnitOfWorkFactory
    references: JourneyReferences
    clock: Clock

    def __call__(
        self,
        actor: Principal,
        journey_id: str,
        definition: JourneyDefinition,
        expected_revision: int | None = None,
    ) -> Journey:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        self.references.check(definition.version)
        now = self.clock.now()
        with self.uow() as uow:
            journey = _journey(uow.journeys.get(journey_id))
            if expected_revision is not None and journey.revision != expected_revision:
                raise StaleVersion(expected_revision, journey.revision)
            status = journey.status
            journey.rename(definition.name, now)
            journey.publish(definition.version, now)
            journey.status = status
            uow.journeys.save(journey)
            uow.commit()
        return journey


@frozen
class ActivateJourney:
    """Let customers enter: a created journey for the first time, a paused one again."""

    uow: JourneysUnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, journey_id: str) -> Journey:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        now = self.clock.now()
        with self.uow() as uow:
            journey = _journey(uow.journeys.get(journey_id))
            if journey.status is JourneyStatus.PAUSED:
                journey.resume(now)
            elif journey.status is JourneyStatus.DRAFT:
                journey.status = JourneyStatus.ACTIVE
                journey.updated_at = now
                journey.revision += 1
            else:
                raise RuleViolated(
                    "status", ErrorCode.TRANSITION_NOT_ALLOWED, "the journey is active already"
                )
            uow.journeys.save(journey)
            uow.commit()
        return journey


@frozen
class PauseJourney:
    """Nobody new enters; customers on the journey carry on."""

    uow: JourneysUnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, journey_id: str) -> Journey:
        actor.require(Permission.MANAGE_CAMPAIGNS)
        with self.uow() as uow:
            journey = _journey(uow.journeys.get(journey_id))
            journey.pause(self.clock.now())
            uow.journeys.save(journey)
            uow.commit()
        return journey


def _journey(found: Journey | None) -> Journey:
    if found is None:
        raise NotFound("journeyId", "no journey has this id")
    return found


class _ByCreation:
    """The one ordering of journey lists: oldest first, then by id."""

    name = "journeys.by_creation"

    def key_of(self, journey: Journey) -> SortKey:
        return SortKey(journey.created_at, journey.id)

    def read_cursor_value(self, raw: object) -> SortValue:
        return read_time(raw)


_ORDER = _ByCreation()


@frozen
class ReadJourneys:
    reader: JourneyReader
    messages: MessageStatsReader

    def get(self, actor: Principal, journey_id: str) -> Journey | None:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.get(journey_id)

    def page(self, actor: Principal, page: PageRequest) -> Page[Journey]:
        """Journeys, oldest first."""
        actor.require(Permission.READ_CAMPAIGNS)

        def slice_of(
            *, after: SortKey | None, before: SortKey | None, limit: int, from_end: bool
        ) -> Sequence[Journey]:
            return self.reader.slice(after=after, before=before, limit=limit, from_end=from_end)

        return keyset_page(page, _ORDER, slice_of)

    def count(self, actor: Principal) -> int:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.count()

    def stats(self, actor: Principal, journey_ids: Collection[str]) -> dict[str, JourneyStats]:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.stats(journey_ids)

    def message_counts(
        self, actor: Principal, journey_ids: Collection[str]
    ) -> dict[tuple[str, str | None], MessageCounts]:
        """What became of the journeys' messages: by (journey id, step id), and by
        (journey id, ``None``) for the whole journey."""
        actor.require(Permission.READ_CAMPAIGNS)
        return self.messages.by_journey(journey_ids)

    def enrolments_of(self, actor: Principal, customer_id: str) -> list[Enrolment]:
        actor.require(Permission.READ_CAMPAIGNS)
        return self.reader.enrolments_of(customer_id)
