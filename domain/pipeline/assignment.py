"""Who gets a new lead: round-robin within a team, by territory, or the least loaded rep."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from attrs import define, evolve, field, frozen

from domain.errors import ErrorCode, InvalidValue, RuleViolated


class Strategy(StrEnum):
    ROUND_ROBIN = "round_robin"
    TERRITORY = "territory"
    """Round-robin among the reps whose territory covers the lead; all reps if none does."""
    LEAST_LOADED = "least_loaded"


@frozen(kw_only=True)
class TeamMember:
    user_id: str
    away: bool = False
    regions: frozenset[str] = frozenset()
    industries: frozenset[str] = frozenset()
    turns: int = 0
    """Leads taken in the rotation; a rep back from absence rejoins at the lowest count."""
    last_turn: int = 0
    """When the rep last took a lead, as the team's running count (0: never)."""

    def covers(self, region: str, industry: str) -> bool:
        by_region = not self.regions or region.casefold() in self.regions
        by_industry = not self.industries or industry.casefold() in self.industries
        return bool(self.regions or self.industries) and by_region and by_industry


@define(slots=False, eq=False)
class SalesTeam:
    id: str
    name: str
    strategy: Strategy
    members: list[TeamMember] = field(factory=list)
    first_touch_hours: float = 2.0
    """The promise: contact a new lead within this many working hours."""
    version: int = 1

    def __attrs_post_init__(self) -> None:
        ids = [member.user_id for member in self.members]
        if len(set(ids)) != len(ids):
            raise InvalidValue("members", ErrorCode.INVALID, "a rep is on a team once")

    @property
    def available(self) -> list[TeamMember]:
        return [member for member in self.members if not member.away]

    def revise(
        self,
        *,
        name: str | None = None,
        strategy: Strategy | None = None,
        first_touch_hours: float | None = None,
    ) -> bool:
        """Rename the team, change its rule or its promise; False when nothing changes."""
        if first_touch_hours is not None and first_touch_hours <= 0:
            raise InvalidValue("firstTouchHours", ErrorCode.INVALID, "must be more than 0")
        clean = self.name if name is None else name.strip()
        if not clean:
            raise InvalidValue("name", ErrorCode.REQUIRED, "a team needs a name")
        after = (clean, strategy or self.strategy, first_touch_hours or self.first_touch_hours)
        if after == (self.name, self.strategy, self.first_touch_hours):
            return False
        self.name, self.strategy, self.first_touch_hours = after
        self.version += 1
        return True

    def set_away(self, user_id: str, away: bool) -> None:
        """Mark a rep away or back; coming back joins the rotation at its lowest turn count,
        so a rep returning from leave is not handed every new lead until caught up."""
        index = self._index(user_id)
        member = self.members[index]
        if member.away == away:
            return
        turns = member.turns
        if not away:
            others = [m.turns for m in self.available]
            turns = min(others) if others else member.turns
        self.members[index] = evolve(member, away=away, turns=turns)
        self.version += 1

    def next_rep(
        self, *, region: str = "", industry: str = "", open_leads: Mapping[str, int] | None = None
    ) -> str:
        """The rep to assign the next lead to, taking the turn in the rotation."""
        candidates = self.available
        if not candidates:
            raise RuleViolated("teamId", ErrorCode.INVALID, f"every rep of {self.name} is away")
        if self.strategy is Strategy.TERRITORY:
            covering = [m for m in candidates if m.covers(region, industry)]
            candidates = covering or candidates
        if self.strategy is Strategy.LEAST_LOADED:
            load = open_leads or {}
            chosen = min(candidates, key=lambda m: (load.get(m.user_id, 0), m.turns))
        else:
            # Fewest turns first, and among equals whoever took a lead longest ago (roster
            # order before anyone has): a true rotation, so that between two changes of
            # who is away no available rep gets a second lead before each has had one.
            chosen = min(candidates, key=lambda m: (m.turns, m.last_turn))
        index = self._index(chosen.user_id)
        latest = max(member.last_turn for member in self.members)
        self.members[index] = evolve(chosen, turns=chosen.turns + 1, last_turn=latest + 1)
        self.version += 1
        return chosen.user_id

    def _index(self, user_id: str) -> int:
        for index, member in enumerate(self.members):
            if member.user_id == user_id:
                return index
        raise RuleViolated("userId", ErrorCode.NOT_FOUND, f"not a member of {self.name}")
