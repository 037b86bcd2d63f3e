"""Sales teams in the API: who takes new leads, by which rule, and who is away."""

from __future__ import annotations

from enum import Enum

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, local_ids_by_field, to_global_id
from adapters.graphql.type_names import TEAM, USER
from application.pipeline.bundle import Sales
from application.pipeline.teams import TeamMemberInput
from domain.pipeline import SalesTeam, TeamMember


@strawberry.enum(description="How a team shares new leads out.")
class AssignmentStrategy(Enum):
    ROUND_ROBIN = "round_robin"
    TERRITORY = "territory"
    LEAST_LOADED = "least_loaded"


@strawberry.type(name="SalesTeamMember")
class SalesTeamMemberNode:
    away: bool = strawberry.field(description="Skipped by assignment until back.")
    regions: list[str]
    industries: list[str]
    user_id: strawberry.Private[str]

    @classmethod
    def from_member(cls, member: TeamMember) -> SalesTeamMemberNode:
        return cls(
            away=member.away,
            regions=sorted(member.regions),
            industries=sorted(member.industries),
            user_id=member.user_id,
        )

    @strawberry.field
    async def user(self, info: Info) -> UserNode | None:
        return await load_user(info, self.user_id)


@strawberry.type(name="SalesTeam", description="Reps who share new leads by one rule.")
class SalesTeamNode(Node):
    name: str
    strategy: AssignmentStrategy
    first_touch_hours: float = strawberry.field(description="Working hours to first contact.")
    members: list[SalesTeamMemberNode]

    @classmethod
    def from_team(cls, team: SalesTeam) -> SalesTeamNode:
        return cls(
            id=strawberry.ID(to_global_id(TEAM, team.id)),
            name=team.name,
            strategy=AssignmentStrategy(team.strategy.value),
            first_touch_hours=team.first_touch_hours,
            members=[SalesTeamMemberNode.from_member(m) for m in team.members],
        )


@strawberry.input
class SalesTeamMemberInput:
    user_id: strawberry.ID
    regions: list[str] = strawberry.field(default_factory=list)
    industries: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class CreateSalesTeamInput:
    name: str
    strategy: AssignmentStrategy = AssignmentStrategy.ROUND_ROBIN
    members: list[SalesTeamMemberInput] = strawberry.field(default_factory=list)
    first_touch_hours: float = 2.0


@strawberry.input
class SetRepAwayInput:
    team_id: strawberry.ID
    user_id: strawberry.ID
    away: bool


@strawberry.type
class SalesTeamPayload:
    team: SalesTeamNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SalesTeamQuery:
    @strawberry.field(description="Every sales team, by name.", extensions=[QueryErrors()])
    def sales_teams(self, info: Info) -> list[SalesTeamNode]:
        context = info.context
        teams = context.services.use(Sales).read_pipeline.teams(context.principal)
        return [SalesTeamNode.from_team(team) for team in teams]


@strawberry.type
class SalesTeamMutation:
    @strawberry.mutation(
        description="A team that new leads are assigned within.", extensions=[UserErrors()]
    )
    def create_sales_team(self, info: Info, input: CreateSalesTeamInput) -> SalesTeamPayload:
        context = info.context
        members = []
        for index, member in enumerate(input.members):
            members.append(
                TeamMemberInput(
                    user_id=local_id(member.user_id, USER, field=f"members.{index}.userId"),
                    regions=member.regions,
                    industries=member.industries,
                )
            )
        team = context.services.use(Sales).create_sales_team(
            context.principal,
            name=input.name,
            strategy=input.strategy.value,
            members=members,
            first_touch_hours=input.first_touch_hours,
        )
        return SalesTeamPayload(team=SalesTeamNode.from_team(team))

    @strawberry.mutation(
        description="Mark a rep away (skipped by assignment) or back.", extensions=[UserErrors()]
    )
    def set_rep_away(self, info: Info, input: SetRepAwayInput) -> SalesTeamPayload:
        context = info.context
        ids = local_ids_by_field({"teamId": (input.team_id, TEAM), "userId": (input.user_id, USER)})
        team = context.services.use(Sales).set_rep_away(
            context.principal, ids["teamId"] or "", ids["userId"] or "", away=input.away
        )
        return SalesTeamPayload(team=SalesTeamNode.from_team(team))


PART = SchemaPart(
    queries=(SalesTeamQuery,),
    mutations=(SalesTeamMutation,),
)
