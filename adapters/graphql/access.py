"""Users, teams and roles: who acts, who owns records, and what each may do and see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

import strawberry
from strawberry.types.unset import UnsetType

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import (
    MalformedId,
    Node,
    from_global_id,
    local_id,
    local_ids_by_field,
    to_global_id,
)
from adapters.graphql.type_names import (
    ACCESS_TEAM,
    COMPANY,
    CUSTOMER,
    LEAD,
    OPPORTUNITY,
    TASK,
    USER,
)
from application.access.administration import KEEP, UserPatch, parse_role
from application.access.bundle import Access
from application.access.ports import UserView
from domain.access.roles import Resource, RoleDefinition
from domain.access.team import Team

T = TypeVar("T")


@strawberry.type(name="RecordAccess", description="Which records of one kind a role reaches.")
class RecordAccessNode:
    resource: str = strawberry.field(
        description="The kind of record: customers, companies, deals, leads or tasks."
    )
    scope: str = strawberry.field(
        description="`own`: records the user owns or that are shared with them or their team; "
        "`team`: also those of their team mates and of everyone reporting to them; `all`."
    )


@strawberry.type(name="FieldRule", description="What a role may do with one field.")
class FieldRuleNode:
    resource: str = strawberry.field(description="The kind of record the field belongs to.")
    field: str = strawberry.field(
        description="The field, in snake case (`email`, `amount`), or `custom_fields.<key>`."
    )
    access: str = strawberry.field(
        description="`editable`, `read_only`, `masked` (read in part, never changed, "
        "filtered or sorted by) or `hidden` (null with a FORBIDDEN_FIELD error)."
    )


@strawberry.type(name="Role", description="A permission set, its record reach and field rules.")
class RoleNode:
    key: str = strawberry.field(description="The role's key, as users and API keys name it.")
    name: str = strawberry.field(description="The name to show.")
    description: str = strawberry.field(description="What the role is for.")
    built_in: bool = strawberry.field(
        description="True for the six roles every deployment starts with."
    )
    permissions: list[str] = strawberry.field(
        description="What holders may do, each `resource:action`, sorted."
    )
    record_access: list[RecordAccessNode] = strawberry.field(
        description="Which records of each owned kind holders reach; a kind not listed is "
        "reached in full."
    )
    field_rules: list[FieldRuleNode] = strawberry.field(
        description="The fields holders may not simply edit; every other field is editable."
    )

    @classmethod
    def from_definition(cls, role: RoleDefinition) -> RoleNode:
        return cls(
            key=role.key,
            name=role.name,
            description=role.description,
            built_in=role.built_in,
            permissions=sorted(p.value for p in role.permissions),
            record_access=[
                RecordAccessNode(resource=r.value, scope=s.value)
                for r, s in sorted(role.record_access.items())
            ],
            field_rules=[
                FieldRuleNode(resource=r.value, field=f, access=a.value)
                for (r, f), a in sorted(role.field_rules.items())
            ],
        )


@strawberry.type(name="Team", description="A group whose members see each other's records.")
class TeamNode(Node):
    name: str = strawberry.field(description="The team's name; unique.")
    created_at: datetime = strawberry.field(description="When the team was made.")

    @classmethod
    def from_team(cls, team: Team) -> TeamNode:
        return cls(
            id=strawberry.ID(to_global_id(ACCESS_TEAM, team.id)),
            name=team.name,
            created_at=team.created_at,
        )

    @strawberry.field(description="The active and inactive users on the team, by name.")
    def members(self, info: Info) -> list[UserNode]:
        team_id = local_id(self.id, ACCESS_TEAM)
        users = info.context.services.use(Access).read.users(info.context.principal)
        return [UserNode.from_view(user) for user in users if user.team_id == team_id]


@strawberry.type(name="User", description="A person or integration that acts and owns records.")
class UserNode(Node):
    name: str = strawberry.field(description="The name to show.")
    email: str = strawberry.field(description="The user's email address; unique.")
    role_key: str = strawberry.field(
        description="The key of the user's role: `admin`, `sales_manager`, `sales_rep`, "
        "`marketer`, `support_agent`, `analyst` or a custom role's key."
    )
    active: bool = strawberry.field(description="False once the user is deactivated.")
    created_at: datetime = strawberry.field(description="When the user was created.")
    team_id: strawberry.Private[str | None]
    manager_id: strawberry.Private[str | None]

    @classmethod
    def from_view(cls, view: UserView) -> UserNode:
        return cls(
            id=strawberry.ID(to_global_id(USER, view.id)),
            name=view.name,
            email=view.email,
            role_key=view.role,
            active=view.active,
            created_at=view.created_at,
            team_id=view.team_id,
            manager_id=view.manager_id,
        )

    @strawberry.field(
        description="What the user may do, reach and see; null for a role since removed."
    )
    def role(self, info: Info) -> RoleNode | None:
        found = info.context.services.use(Access).read.role(info.context.principal, self.role_key)
        return RoleNode.from_definition(found) if found else None

    @strawberry.field(description="The user's team; null when they have none.")
    def team(self, info: Info) -> TeamNode | None:
        return fetch_team(info, self.team_id) if self.team_id else None

    @strawberry.field(description="Who the user reports to; null for nobody.")
    async def manager(self, info: Info) -> UserNode | None:
        return await load_user(info, self.manager_id) if self.manager_id else None


async def load_user(info: Info, user_id: str) -> UserNode | None:
    view = await info.context.loaders.users.load(user_id)
    return UserNode.from_view(view) if view else None


def fetch_team(info: Info, team_id: str) -> TeamNode | None:
    teams = info.context.services.use(Access).read.teams(info.context.principal)
    return next((TeamNode.from_team(team) for team in teams if team.id == team_id), None)


@strawberry.input(description="One kind of record and the scope a role reaches it with.")
class RecordAccessInput:
    resource: str = strawberry.field(
        description="One of customers, companies, deals, leads or tasks."
    )
    scope: str = strawberry.field(description="One of own, team or all.")


@strawberry.input(description="One field and what a role may do with it.")
class FieldRuleInput:
    resource: str = strawberry.field(description="The kind of record, e.g. customers or deals.")
    field: str = strawberry.field(description="The field in snake case, or custom_fields.<key>.")
    access: str = strawberry.field(description="One of editable, read_only, masked or hidden.")


@strawberry.input(description="A role to create, or the new definition of an existing one.")
class SaveRoleInput:
    key: str = strawberry.field(description="1 to 16 lower case letters, digits or '_'.")
    name: str = strawberry.field(description="The name to show.")
    description: str = strawberry.field(default="", description="What the role is for.")
    permissions: list[str] = strawberry.field(
        description="Every `resource:action` holders may do; what is left out is refused."
    )
    record_access: list[RecordAccessInput] = strawberry.field(
        default_factory=list,
        description="Scopes of owned kinds; a kind left out is reached in full.",
    )
    field_rules: list[FieldRuleInput] = strawberry.field(
        default_factory=list, description="Fields that are not simply editable."
    )


@strawberry.type(description="The role as saved, or why not.")
class SaveRolePayload:
    role: RoleNode | None = strawberry.field(default=None, description="Null when refused.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="A user to register.")
class CreateUserInput:
    email: str = strawberry.field(description="Their email address; unique among users.")
    name: str = strawberry.field(description="The name to show.")
    role: str = strawberry.field(description="The key of their role.")
    team_id: strawberry.ID | None = strawberry.field(default=None, description="Their team.")
    manager_id: strawberry.ID | None = strawberry.field(
        default=None, description="The user they report to."
    )


@strawberry.type(description="The new user, or why not.")
class CreateUserPayload:
    user: UserNode | None = strawberry.field(default=None, description="Null when refused.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="The changes to one user; fields left out stay as they are.")
class UpdateUserInput:
    id: strawberry.ID = strawberry.field(description="The user.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Cannot be null.")
    role: str | None = strawberry.field(
        default=strawberry.UNSET, description="A role key; nobody changes their own."
    )
    team_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null takes them off any team."
    )
    manager_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null: they report to nobody."
    )
    active: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="False deactivates them: their keys stop working at once.",
    )


@strawberry.type(description="The user after the change, or why not.")
class UpdateUserPayload:
    user: UserNode | None = strawberry.field(default=None, description="Null when refused.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="A team to make.")
class CreateTeamInput:
    name: str = strawberry.field(description="Unique among teams.")


@strawberry.type(description="The new team, or why not.")
class CreateTeamPayload:
    team: TeamNode | None = strawberry.field(default=None, description="Null when refused.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="One record and the user or team to share it with.")
class ShareRecordInput:
    record_id: strawberry.ID = strawberry.field(
        description="A customer, company, opportunity, lead or task."
    )
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="The user; give this or teamId."
    )
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="The team; give this or userId."
    )


@strawberry.type(description="Whether the record is now shared, or why not.")
class ShareRecordPayload:
    record_id: strawberry.ID | None = strawberry.field(
        default=None, description="The record; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="One record and the user or team to stop sharing it with.")
class UnshareRecordInput:
    record_id: strawberry.ID = strawberry.field(description="The shared record.")
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="The user; give this or teamId."
    )
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="The team; give this or userId."
    )


@strawberry.type(description="Whether the share is gone, or why not.")
class UnshareRecordPayload:
    record_id: strawberry.ID | None = strawberry.field(
        default=None, description="The record; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


SHARED_KINDS = {
    CUSTOMER: Resource.CUSTOMERS,
    COMPANY: Resource.COMPANIES,
    OPPORTUNITY: Resource.DEALS,
    LEAD: Resource.LEADS,
    TASK: Resource.TASKS,
}


def _shared_record(global_id: str) -> tuple[Resource, str]:
    type_name, record_id = from_global_id(global_id)
    if type_name not in SHARED_KINDS:
        raise MalformedId(global_id, field="recordId")
    return SHARED_KINDS[type_name], record_id


def _share(
    info: Info, record_id: str, user_id: str | None, team_id: str | None, *, shared: bool
) -> None:
    try:
        resource, local = _shared_record(record_id)
    except MalformedId:
        raise MalformedId(record_id, field="recordId") from None
    info.context.services.use(Access).share_record(
        info.context.principal,
        resource,
        local,
        user_id=local_id(user_id, USER, field="userId") if user_id else None,
        team_id=local_id(team_id, ACCESS_TEAM, field="teamId") if team_id else None,
        shared=shared,
    )


def _given(value: T | UnsetType | None, convert: Callable[[T], object] = lambda v: v) -> object:
    if value is strawberry.UNSET:
        return KEEP
    return None if value is None else convert(value)  # type: ignore[arg-type]


@strawberry.type
class AccessQuery:
    @strawberry.field(description="The user behind the credential of this request.")
    async def viewer(self, info: Info) -> UserNode | None:
        return await load_user(info, info.context.principal.actor_id)

    @strawberry.field(
        description="One user by id; null when there is none.", extensions=[QueryErrors()]
    )
    async def user(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The user's global id.")],
    ) -> UserNode | None:
        return await load_user(info, local_id(id, USER, field="id"))

    @strawberry.field(
        description="Every user, by name, for owner pickers. A plain list: users are a "
        "company's staff, not a growing list of records.",
        extensions=[QueryErrors()],
    )
    def users(self, info: Info) -> list[UserNode]:
        views = info.context.services.use(Access).read.users(info.context.principal)
        return [UserNode.from_view(view) for view in views]

    @strawberry.field(description="Every team, by name.", extensions=[QueryErrors()])
    def teams(self, info: Info) -> list[TeamNode]:
        teams = info.context.services.use(Access).read.teams(info.context.principal)
        return [TeamNode.from_team(team) for team in teams]

    @strawberry.field(
        description="One team by id; null when there is none.", extensions=[QueryErrors()]
    )
    def team(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The team's global id.")],
    ) -> TeamNode | None:
        return fetch_team(info, local_id(id, ACCESS_TEAM, field="id"))

    @strawberry.field(
        description="Every role: the six built-in ones first, then custom roles.",
        extensions=[QueryErrors()],
    )
    def roles(self, info: Info) -> list[RoleNode]:
        roles = info.context.services.use(Access).read.roles(info.context.principal)
        return [RoleNode.from_definition(role) for role in roles]


@strawberry.type
class AccessMutation:
    @strawberry.mutation(description="Register a user.", extensions=[UserErrors()])
    def create_user(
        self,
        info: Info,
        input: Annotated[CreateUserInput, strawberry.argument(description="The user to make.")],
    ) -> CreateUserPayload:
        ids = local_ids_by_field(
            {"teamId": (input.team_id, ACCESS_TEAM), "managerId": (input.manager_id, USER)}
        )
        view = info.context.services.use(Access).register_user(
            info.context.principal,
            name=input.name,
            email=input.email,
            role=input.role,
            team_id=ids["teamId"],
            manager_id=ids["managerId"],
        )
        return CreateUserPayload(user=UserNode.from_view(view))

    @strawberry.mutation(
        description="Rename a user, change their role, team or manager, or (de)activate them.",
        extensions=[UserErrors()],
    )
    def update_user(
        self,
        info: Info,
        input: Annotated[UpdateUserInput, strawberry.argument(description="The changes.")],
    ) -> UpdateUserPayload:
        patch = UserPatch(
            user_id=local_id(input.id, USER, field="id"),
            name=_given(input.name),  # type: ignore[arg-type]
            role=_given(input.role),  # type: ignore[arg-type]
            team_id=_given(input.team_id, lambda v: local_id(v, ACCESS_TEAM, field="teamId")),  # type: ignore[arg-type]
            manager_id=_given(input.manager_id, lambda v: local_id(v, USER, field="managerId")),  # type: ignore[arg-type]
            active=_given(input.active),  # type: ignore[arg-type]
        )
        view = info.context.services.use(Access).update_user(info.context.principal, patch)
        return UpdateUserPayload(user=UserNode.from_view(view))

    @strawberry.mutation(description="Make a team.", extensions=[UserErrors()])
    def create_team(
        self,
        info: Info,
        input: Annotated[CreateTeamInput, strawberry.argument(description="The team to make.")],
    ) -> CreateTeamPayload:
        team = info.context.services.use(Access).create_team(info.context.principal, input.name)
        return CreateTeamPayload(team=TeamNode.from_team(team))

    @strawberry.mutation(
        description="Create a custom role, or change what a role allows, reaches and shows; "
        "a role cannot change itself.",
        extensions=[UserErrors()],
    )
    def save_role(
        self,
        info: Info,
        input: Annotated[SaveRoleInput, strawberry.argument(description="The whole role.")],
    ) -> SaveRolePayload:
        role = parse_role(
            key=input.key,
            name=input.name,
            description=input.description,
            permissions=input.permissions,
            record_access={a.resource: a.scope for a in input.record_access},
            field_rules=[(r.resource, r.field, r.access) for r in input.field_rules],
        )
        saved = info.context.services.use(Access).save_role(info.context.principal, role)
        return SaveRolePayload(role=RoleNode.from_definition(saved))

    @strawberry.mutation(
        description="Share one record with a user or a team beyond their scope; the record's "
        "owner, or whoever may reassign it, shares it.",
        extensions=[UserErrors()],
    )
    def share_record(
        self,
        info: Info,
        input: Annotated[ShareRecordInput, strawberry.argument(description="What and with whom.")],
    ) -> ShareRecordPayload:
        _share(info, input.record_id, input.user_id, input.team_id, shared=True)
        return ShareRecordPayload(record_id=input.record_id)

    @strawberry.mutation(
        description="Stop sharing a record with a user or a team.", extensions=[UserErrors()]
    )
    def unshare_record(
        self,
        info: Info,
        input: Annotated[
            UnshareRecordInput, strawberry.argument(description="What and with whom.")
        ],
    ) -> UnshareRecordPayload:
        _share(info, input.record_id, input.user_id, input.team_id, shared=False)
        return UnshareRecordPayload(record_id=input.record_id)


PART = SchemaPart(
    queries=(AccessQuery,),
    mutations=(AccessMutation,),
    types=(UserNode, TeamNode),
    nodes={USER: load_user, ACCESS_TEAM: fetch_team},
)
