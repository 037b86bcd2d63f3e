"""Registering the users who act in Rapport and own its records, and their teams."""

from __future__ import annotations

from attrs import frozen

from application.access.ports import UserView
from application.access.principals import ResolvePrincipal, RoleCatalogue
from application.errors import AlreadyTaken, NotFound
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission, role_key
from domain.access.team import Team
from domain.access.user import User
from domain.customers import EmailAddress


@frozen
class RegisterUser:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    resolve: ResolvePrincipal

    def __call__(
        self,
        actor: Principal,
        *,
        name: str,
        email: str,
        role: str,
        team: str | None = None,
        team_id: str | None = None,
        manager_email: str | None = None,
        manager_id: str | None = None,
        existing_ok: bool = False,
    ) -> UserView:
        """Register a user in ``team`` (a team name, created if new) reporting to the user
        with ``manager_email``; with ``existing_ok`` the user who has ``email`` already is
        returned."""
        actor.require(Permission.MANAGE_ACCESS)
        address = EmailAddress.parse(email)
        key = role_key(role)
        if RoleCatalogue(self.resolve.reader).get(key) is None:
            raise NotFound("role", f"there is no role {key!r}")
        with self.uow() as uow:
            existing = uow.users.get_by_email(address)
            if existing is not None:
                if existing_ok:
                    return UserView.from_user(existing)
                raise AlreadyTaken("email", "another user has this email")
            if manager_id is not None and uow.users.get(manager_id) is None:
                raise NotFound("managerId", "no user has this id")
            if team_id is not None and uow.teams.get(team_id) is None:
                raise NotFound("teamId", "no team has this id")
            if manager_email is not None:
                manager = uow.users.get_by_email(
                    EmailAddress.parse(manager_email, field_name="managerEmail")
                )
                if manager is None:
                    raise NotFound("managerEmail", "no user has this email")
                manager_id = manager.id
            user = User.register(
                id=self.ids.new_id(),
                name=name,
                email=address,
                role=key,
                at=self.clock.now(),
                team_id=self._team_id(uow, team) if team else team_id,
                manager_id=manager_id,
            )
            uow.users.add(user)
            uow.commit()
        return UserView.from_user(user)

    def _team_id(self, uow: UnitOfWork, name: str) -> str:
        found = uow.teams.get_by_name(name.strip())
        if found is not None:
            return found.id
        team = Team.create(id=self.ids.new_id(), name=name, at=self.clock.now())
        uow.teams.add(team)
        return team.id
