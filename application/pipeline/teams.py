"""Sales teams: who takes new leads, how they are shared out, and who is away."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from application.errors import NotFound, StaleVersion
from application.ports import IdGenerator
from application.principal import Principal
from application.references import require_user
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission
from domain.errors import ErrorCode, InvalidValue
from domain.pipeline import SalesTeam, Strategy, TeamMember


@frozen(kw_only=True)
class TeamMemberInput:
    user_id: str
    regions: Sequence[str] = ()
    industries: Sequence[str] = ()


@frozen
class CreateSalesTeam:
    uow: UnitOfWorkFactory
    ids: IdGenerator

    def __call__(
        self,
        actor: Principal,
        *,
        name: str,
        strategy: str,
        members: Sequence[TeamMemberInput],
        first_touch_hours: float = 2.0,
    ) -> SalesTeam:
        actor.require(Permission.MANAGE_PIPELINE)
        try:
            chosen = Strategy(strategy)
        except ValueError:
            raise InvalidValue(
                "strategy", ErrorCode.INVALID_CHOICE, f"one of {', '.join(Strategy)}"
            ) from None
        if first_touch_hours <= 0:
            raise InvalidValue("firstTouchHours", ErrorCode.INVALID, "must be more than 0")
        team = SalesTeam(
            id=self.ids.new_id(),
            name=name.strip() or "Sales",
            strategy=chosen,
            first_touch_hours=first_touch_hours,
            members=[
                TeamMember(
                    user_id=m.user_id,
                    regions=frozenset(r.casefold() for r in m.regions),
                    industries=frozenset(i.casefold() for i in m.industries),
                )
                for m in members
            ],
        )
        with self.uow() as uow:
            for index, member in enumerate(team.members):
                require_user(uow, member.user_id, field=f"members.{index}.userId")
            uow.sales_teams.add(team)
            uow.commit()
        return team


@frozen(kw_only=True)
class SalesTeamPatch:
    """An edit of a team; ``None`` leaves a field alone."""

    team_id: str
    expected_version: int
    name: str | None = None
    strategy: str | None = None
    first_touch_hours: float | None = None


@frozen
class UpdateSalesTeam:
    uow: UnitOfWorkFactory

    def __call__(self, actor: Principal, patch: SalesTeamPatch) -> SalesTeam:
        actor.require(Permission.MANAGE_PIPELINE)
        strategy = None
        if patch.strategy is not None:
            try:
                strategy = Strategy(patch.strategy)
            except ValueError:
                raise InvalidValue(
                    "strategy", ErrorCode.INVALID_CHOICE, f"one of {', '.join(Strategy)}"
                ) from None
        with self.uow() as uow:
            team = uow.sales_teams.get(patch.team_id)
            if team is None:
                raise NotFound("id", "no team has this id")
            if team.version != patch.expected_version:
                raise StaleVersion(patch.expected_version, team.version)
            if team.revise(
                name=patch.name, strategy=strategy, first_touch_hours=patch.first_touch_hours
            ):
                uow.commit()
        return team


@frozen
class SetRepAway:
    """A rep away (holiday, sick) is skipped by assignment until back."""

    uow: UnitOfWorkFactory

    def __call__(self, actor: Principal, team_id: str, user_id: str, *, away: bool) -> SalesTeam:
        actor.require(Permission.MANAGE_PIPELINE)
        with self.uow() as uow:
            team = uow.sales_teams.get(team_id)
            if team is None:
                raise NotFound("teamId", "no team has this id")
            team.set_away(user_id, away)
            uow.commit()
        return team
