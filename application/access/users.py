"""Registering the users who act in Rapport and own its records."""

from __future__ import annotations

from attrs import frozen

from application.access.ports import UserView
from application.errors import AlreadyTaken
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission, Role
from domain.access.user import User
from domain.customers import EmailAddress


@frozen
class RegisterUser:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(
        self, actor: Principal, *, name: str, email: str, role: Role, existing_ok: bool = False
    ) -> UserView:
        """Register a user; with ``existing_ok`` the user who has ``email`` already is returned."""
        actor.require(Permission.MANAGE_ACCESS)
        address = EmailAddress.parse(email)
        with self.uow() as uow:
            existing = uow.users.get_by_email(address)
            if existing is not None:
                if existing_ok:
                    return UserView.from_user(existing)
                raise AlreadyTaken("email", "another user has this email")
            user = User.register(
                id=self.ids.new_id(), name=name, email=address, role=role, at=self.clock.now()
            )
            uow.users.add(user)
            uow.commit()
        return UserView.from_user(user)
