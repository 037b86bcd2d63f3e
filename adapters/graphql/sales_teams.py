"""Sales teams in the API: who takes new leads, by which rule, and who is away."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, local_ids_by_field, to_global_id
from adapters.graphql.type_names import TEAM, USER
from application.pipeline.bundle import Sales
from application.pipeline.teams import SalesTeamPatch, TeamMemberInput
from domain.pipeline import SalesTeam, TeamMember


@strawberry.enum(description="How a team shares new leads out.")
class AssignmentStrategy(Enum):
    ROUND_ROBIN = strawberry.enum_value("round_robin", description="Each available rep in turn.")
    TERRITORY = strawberry.enum_value(
        "territory",
        description="In turn among the reps whose regions and industries cover the lead; "
        "all reps when none does.",
    )
    LEAST_LOADED = strawberry.enum_value(
        "least_loaded", description="The rep holding the fewest unconverted leads."
    )


@strawberry.type(name="SalesTeamMember", description="A rep on a sales team.")
class SalesTeamMemberNode:
    away: bool = strawberry.field(description="Skipped by assignment until back.")
    regions: list[str] = strawberry.field(
        description="The regions the rep covers, lower case; none covers every region."
    )
    industries: list[str] = strawberry.field(
        description="The industries the rep covers, lower case; none covers every industry."
    )
    user_id: strawberry.Private[str]

    @classmethod
    def from_member(cls, member: TeamMember) -> SalesTeamMemberNode:
        return cls(
            away=member.away,
            regions=sorted(member.regions),
            industries=sorted(member.industries),
            user_id=member.user_id,
        )

    @strawberry.field(description="The rep.")
    async def user(self, info: Info) -> UserNode | None:
        return await load_user(info, self.user_id)


@strawberry.type(name="SalesTeam", description="Reps who share new leads by one rule.")
class SalesTeamNode(Node):
    name: str = strawberry.field(description="The team's name.")
    strategy: AssignmentStrategy = strawberry.field(description="How new leads are shared out.")
    first_touch_hours: float = strawberry.field(description="Working hours to first contact.")
    members: list[SalesTeamMemberNode] = strawberry.field(description="The team's reps.")
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update so no change is lost."
    )

    @classmethod
    def from_team(cls, team: SalesTeam) -> SalesTeamNode:
        return cls(
            id=strawberry.ID(to_global_id(TEAM, team.id)),
            name=team.name,
            strategy=AssignmentStrategy(team.strategy.value),
            first_touch_hours=team.first_touch_hours,
            members=[SalesTeamMemberNode.from_member(m) for m in team.members],
            version=team.version,
        )


@strawberry.input(description="A rep to put on a new team.")
class SalesTeamMemberInput:
    user_id: strawberry.ID = strawberry.field(description="The rep.")
    regions: list[str] = strawberry.field(
        default_factory=list, description="The regions the rep covers; none covers all."
    )
    industries: list[str] = strawberry.field(
        default_factory=list, description="The industries the rep covers; none covers all."
    )


@strawberry.input(description="A new sales team.")
class CreateSalesTeamInput:
    name: str = strawberry.field(description="The team's name; Sales when empty.")
    strategy: AssignmentStrategy = strawberry.field(
        default=AssignmentStrategy.ROUND_ROBIN, description="How new leads are shared out."
    )
    members: list[SalesTeamMemberInput] = strawberry.field(
        default_factory=list, description="The team's reps, each once."
    )
    first_touch_hours: float = strawberry.field(
        default=2.0, description="Working hours a rep has to contact a new lead."
    )


@strawberry.type(description="The team made, or why it was not.")
class CreateSalesTeamPayload:
    sales_team: SalesTeamNode | None = strawberry.field(
        default=None, description="The new team; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the team was not made; empty on success."
    )


@strawberry.input(description="Changes to a team; fields left out stay as they are.")
class UpdateSalesTeamInput:
    id: strawberry.ID = strawberry.field(description="The team to change.")
    version: int = strawberry.field(
        description="The version you read; a team changed since (a lead assigned by it, a rep "
        "away) is refused with STALE_VERSION and nothing changes."
    )
    name: str | None = strawberry.field(default=None, description="A new name.")
    strategy: AssignmentStrategy | None = strawberry.field(
        default=None, description="Another way of sharing new leads out."
    )
    first_touch_hours: float | None = strawberry.field(
        default=None, description="Working hours a rep has to contact a new lead."
    )


@strawberry.type(description="The team as changed, or why it was not.")
class UpdateSalesTeamPayload:
    sales_team: SalesTeamNode | None = strawberry.field(
        default=None, description="The team after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="A rep away from, or back at, work.")
class SetRepAwayInput:
    team_id: strawberry.ID = strawberry.field(description="The rep's team.")
    user_id: strawberry.ID = strawberry.field(description="The rep.")
    away: bool = strawberry.field(description="True when away, false when back.")


@strawberry.type(description="The team with the rep away or back, or why not.")
class SetRepAwayPayload:
    sales_team: SalesTeamNode | None = strawberry.field(
        default=None, description="The team after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


def fetch_sales_team(info: Info, team_id: str) -> SalesTeamNode | None:
    context = info.context
    for team in context.services.use(Sales).read_pipeline.teams(context.principal):
        if team.id == team_id:
            return SalesTeamNode.from_team(team)
    return None


@strawberry.type
class SalesTeamQuery:
    @strawberry.field(
        description="Every sales team, by name. A plain list: teams are a handful of "
        "configuration records, never a growing list.",
        extensions=[QueryErrors()],
    )
    def sales_teams(self, info: Info) -> list[SalesTeamNode]:
        context = info.context
        teams = context.services.use(Sales).read_pipeline.teams(context.principal)
        return [SalesTeamNode.from_team(team) for team in teams]

    @strawberry.field(
        description="One sales team by id; null when there is none.", extensions=[QueryErrors()]
    )
    def sales_team(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The team's id.")],
    ) -> SalesTeamNode | None:
        return fetch_sales_team(info, local_id(id, TEAM, field="id"))


@strawberry.type
class SalesTeamMutation:
    @strawberry.mutation(
        description="A team that new leads are assigned within.", extensions=[UserErrors()]
    )
    def create_sales_team(
        self,
        info: Info,
        input: Annotated[
            CreateSalesTeamInput, strawberry.argument(description="The team to make.")
        ],
    ) -> CreateSalesTeamPayload:
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
            strategy=enum_value(input.strategy),
            members=members,
            first_touch_hours=input.first_touch_hours,
        )
        return CreateSalesTeamPayload(sales_team=SalesTeamNode.from_team(team))

    @strawberry.mutation(
        description="Rename a team, change how it shares leads out, or its first-touch promise.",
        extensions=[UserErrors()],
    )
    def update_sales_team(
        self,
        info: Info,
        input: Annotated[
            UpdateSalesTeamInput,
            strawberry.argument(description="The team, the version read, and the changes."),
        ],
    ) -> UpdateSalesTeamPayload:
        context = info.context
        patch = SalesTeamPatch(
            team_id=local_id(input.id, TEAM, field="id"),
            expected_version=input.version,
            name=input.name,
            strategy=enum_value(input.strategy) if input.strategy else None,
            first_touch_hours=input.first_touch_hours,
        )
        team = context.services.use(Sales).update_sales_team(context.principal, patch)
        return UpdateSalesTeamPayload(sales_team=SalesTeamNode.from_team(team))

    @strawberry.mutation(
        description="Mark a rep away (skipped by assignment) or back.", extensions=[UserErrors()]
    )
    def set_rep_away(
        self,
        info: Info,
        input: Annotated[
            SetRepAwayInput, strawberry.argument(description="The team, the rep, and whether away.")
        ],
    ) -> SetRepAwayPayload:
        context = info.context
        ids = local_ids_by_field({"teamId": (input.team_id, TEAM), "userId": (input.user_id, USER)})
        team = context.services.use(Sales).set_rep_away(
            context.principal, ids["teamId"] or "", ids["userId"] or "", away=input.away
        )
        return SetRepAwayPayload(sales_team=SalesTeamNode.from_team(team))


PART = SchemaPart(
    queries=(SalesTeamQuery,),
    mutations=(SalesTeamMutation,),
    nodes={TEAM: fetch_sales_team},
)
