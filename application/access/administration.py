"""Administering access: users, teams, roles as data, and sharing single records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from attrs import define, frozen

from application.access.ports import AccessReader, UserView
from application.access.principals import RoleCatalogue
from application.errors import AlreadyTaken, Forbidden, InvalidInput, NotFound
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import (
    OWNED_RESOURCES,
    Action,
    FieldAccess,
    Permission,
    Resource,
    RoleDefinition,
    Scope,
    role_key,
)
from domain.access.sharing import RecordShare
from domain.access.team import Team
from domain.access.user import User
from domain.errors import ErrorCode
from domain.text import clean_line


class Keep:
    """Leave the value as it is."""


KEEP = Keep()


@define(kw_only=True)
class UserPatch:
    user_id: str
    name: str | Keep = KEEP
    role: str | Keep = KEEP
    team_id: str | Keep | None = KEEP
    manager_id: str | Keep | None = KEEP
    active: bool | Keep = KEEP


def _user(uow: UnitOfWork, user_id: str, field: str = "id") -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound(field, "no user has this id")
    return user


def _manager_chain(uow: UnitOfWork, manager_id: str) -> list[str]:
    chain: list[str] = []
    current = uow.users.get(manager_id)
    while current is not None and current.manager_id and current.manager_id not in chain:
        chain.append(current.manager_id)
        current = uow.users.get(current.manager_id)
    return chain


@frozen
class UpdateUser:
    uow: UnitOfWorkFactory
    clock: Clock
    reader: AccessReader

    def __call__(self, actor: Principal, patch: UserPatch) -> UserView:
        actor.require(Permission.MANAGE_ACCESS)
        with self.uow() as uow:
            user = _user(uow, patch.user_id)
            if user.id == actor.actor_id and (
                not isinstance(patch.role, Keep) or patch.active is False
            ):
                raise Forbidden("no one may change their own role or deactivate themselves")
            if not isinstance(patch.name, Keep):
                user.name = clean_line(patch.name, field="name", max_length=200)
            if not isinstance(patch.role, Keep):
                key = role_key(patch.role)
                if RoleCatalogue(self.reader).get(key) is None:
                    raise NotFound("role", f"there is no role {key!r}")
                user.role = key
            if not isinstance(patch.team_id, Keep):
                if patch.team_id is not None and uow.teams.get(patch.team_id) is None:
                    raise NotFound("teamId", "no team has this id")
                user.team_id = patch.team_id
            if not isinstance(patch.manager_id, Keep):
                if patch.manager_id is not None:
                    _user(uow, patch.manager_id, "managerId")
                    chain = _manager_chain(uow, patch.manager_id)
                else:
                    chain = []
                user.report_to(patch.manager_id, manager_chain=chain)
            if patch.active is True:
                user.reactivate()
            elif patch.active is False:
                user.deactivate(at=self.clock.now())
            uow.commit()
        return UserView.from_user(user)


@frozen
class CreateTeam:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, name: str) -> Team:
        actor.require(Permission.MANAGE_ACCESS)
        team = Team.create(id=self.ids.new_id(), name=name, at=self.clock.now())
        with self.uow() as uow:
            if uow.teams.get_by_name(team.name) is not None:
                raise AlreadyTaken("name", "another team has this name")
            uow.teams.add(team)
            uow.commit()
        return team


def parse_role(
    *,
    key: str,
    name: str,
    description: str,
    permissions: Iterable[str],
    record_access: Mapping[str, str],
    field_rules: Iterable[tuple[str, str, str]],
) -> RoleDefinition:
    """A role definition from plain values, each bad one refused with the field it is in."""
    granted: set[Permission] = set()
    for index, raw in enumerate(permissions):
        try:
            granted.add(Permission(raw.strip().lower()))
        except ValueError:
            raise InvalidInput(
                f"permissions[{index}]",
                ErrorCode.INVALID,
                f"{raw!r} is not a permission; permissions are resource:action, "
                f"e.g. {Permission.READ_CUSTOMERS.value}",
            ) from None
    scopes: dict[Resource, Scope] = {}
    for index, (raw_resource, raw_scope) in enumerate(record_access.items()):
        resource = _resource(raw_resource, f"recordAccess[{index}].resource")
        if resource not in OWNED_RESOURCES:
            raise InvalidInput(
                f"recordAccess[{index}].resource",
                ErrorCode.INVALID,
                f"{resource.value} records have no owner; record access applies to "
                + ", ".join(r.value for r in OWNED_RESOURCES),
            )
        try:
            scopes[resource] = Scope(raw_scope.strip().lower())
        except ValueError:
            raise InvalidInput(
                f"recordAccess[{index}].scope", ErrorCode.INVALID, "the scope is own, team or all"
            ) from None
    rules: dict[tuple[Resource, str], FieldAccess] = {}
    for index, (raw_resource, field_name, raw_access) in enumerate(field_rules):
        resource = _resource(raw_resource, f"fieldRules[{index}].resource")
        field_name = field_name.strip()
        if not field_name:
            raise InvalidInput(f"fieldRules[{index}].field", ErrorCode.REQUIRED, "name a field")
        try:
            rules[(resource, field_name)] = FieldAccess(raw_access.strip().lower())
        except ValueError:
            raise InvalidInput(
                f"fieldRules[{index}].access",
                ErrorCode.INVALID,
                "the access is editable, read_only, masked or hidden",
            ) from None
    return RoleDefinition(
        role_key(key, field_name="key"),
        clean_line(name, field="name", max_length=120),
        frozenset(granted),
        scopes,
        rules,
        description.strip(),
    )


def _resource(raw: str, field: str) -> Resource:
    try:
        return Resource(raw.strip().lower())
    except ValueError:
        raise InvalidInput(
            field,
            ErrorCode.INVALID,
            f"{raw!r} is not one of {', '.join(r.value for r in Resource)}",
        ) from None


@frozen
class SaveRole:
    """Create a custom role, or change what a role allows, reaches and shows."""

    uow: UnitOfWorkFactory
    reader: AccessReader

    def __call__(self, actor: Principal, role: RoleDefinition) -> RoleDefinition:
        actor.require(Permission.MANAGE_ACCESS)
        if role.key == actor.role.key:
            # Otherwise one compromised key could widen its own role for every holder.
            raise Forbidden("a role cannot change its own permissions")
        existing = RoleCatalogue(self.reader).get(role.key)
        stored = RoleDefinition(
            role.key,
            role.name,
            role.permissions,
            role.record_access,
            role.field_rules,
            role.description,
            built_in=existing.built_in if existing is not None else False,
        )
        with self.uow() as uow:
            uow.roles.put(stored)
            uow.commit()
        return stored


@frozen
class ShareRecord:
    """Make one record visible to a user or a team beyond their scope, or stop doing so."""

    uow: UnitOfWorkFactory
    clock: Clock
    reader: AccessReader

    def __call__(
        self,
        actor: Principal,
        resource: Resource,
        record_id: str,
        *,
        user_id: str | None = None,
        team_id: str | None = None,
        shared: bool = True,
    ) -> None:
        exists, owner_id = self.reader.owner_of(resource, record_id)
        if not exists or not actor.visibility(resource).admits(owner_id, record_id):
            raise NotFound("recordId", "no record has this id")
        assign = Permission.of(resource, Action.ASSIGN)
        owns = owner_id is not None and owner_id == actor.user_id
        if not owns and not (assign is not None and actor.may(assign)):
            raise Forbidden("only the record's owner, or who may reassign it, shares it")
        share = RecordShare.grant(
            resource=resource,
            record_id=record_id,
            user_id=user_id,
            team_id=team_id,
            shared_by=actor.actor_id,
            at=self.clock.now(),
        )
        with self.uow() as uow:
            if user_id is not None:
                _user(uow, user_id, "userId")
            if team_id is not None and uow.teams.get(team_id) is None:
                raise NotFound("teamId", "no team has this id")
            if shared:
                uow.record_shares.add(share)
            elif not uow.record_shares.remove(
                resource, record_id, user_id=user_id, team_id=team_id
            ):
                raise NotFound("recordId", "the record is not shared with them")
            uow.commit()


@frozen
class ReadAccess:
    """Users, teams and roles, for pickers and for administrators."""

    reader: AccessReader

    def users(self, actor: Principal) -> Sequence[UserView]:
        return self.reader.users()

    def teams(self, actor: Principal) -> Sequence[Team]:
        return self.reader.teams()

    def roles(self, actor: Principal) -> Sequence[RoleDefinition]:
        return RoleCatalogue(self.reader).all()

    def role(self, actor: Principal, key: str) -> RoleDefinition | None:
        return RoleCatalogue(self.reader).get(key)
