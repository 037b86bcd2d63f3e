"""Use cases that change companies."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen

from application.companies.views import CompanyView
from application.custom_fields.rules import load_schema, require_unique_values
from application.errors import NotFound, StaleVersion
from application.field_security import require_writable_input
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import require_user
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.visibility import require_assignable, require_visible
from domain.access.roles import Permission, Resource
from domain.changes import KEEP, Keep
from domain.companies import Address, Company, CompanyChanges, CompanySize
from domain.custom_fields import ObjectType


@frozen(kw_only=True)
class NewCompany:
    """A company as a client sends it, checked by the aggregate."""

    name: str
    domain: str | None = None
    industry: str | None = None
    size: CompanySize | None = None
    address: Address | None = None
    custom_fields: Mapping[str, object] = field(factory=dict)
    owner_id: str | None = None


@frozen(kw_only=True)
class CompanyPatch:
    """Changes to one company; ``KEEP`` leaves a field alone and ``None`` clears it."""

    company_id: str
    expected_version: int | None = None
    name: str | Keep = KEEP
    domain: str | Keep | None = KEEP
    industry: str | Keep | None = KEEP
    size: CompanySize | Keep | None = KEEP
    address: Address | Keep | None = KEEP
    custom_fields: Mapping[str, object | None] | Keep = KEEP
    owner_id: str | Keep = KEEP


@frozen
class CreateCompany:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewCompany) -> CompanyView:
        actor.require(Permission.CREATE_COMPANIES)
        require_writable_input(actor, Resource.COMPANIES, new)
        with self.uow() as uow:
            schema = load_schema(uow.custom_fields, ObjectType.COMPANY)
            company = Company.register(
                id=self.ids.new_id(),
                name=new.name,
                domain=new.domain,
                industry=new.industry,
                size=new.size,
                address=new.address,
                custom_fields=new.custom_fields,
                schema=schema,
                owner_id=new.owner_id or actor.actor_id,
                at=self.clock.now(),
                by=actor.actor_id,
            )
            require_user(uow, company.owner_id, actor=actor)
            require_assignable(
                actor, Permission.ASSIGN_COMPANIES, company.owner_id, current_owner_id=None
            )
            require_unique_values(
                uow.companies, schema, company.custom_fields, record_id=company.id
            )
            uow.companies.add(company)
            uow.commit()
        return CompanyView.from_company(company)


@frozen
class UpdateCompany:
    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, patch: CompanyPatch) -> CompanyView:
        actor.require(Permission.UPDATE_COMPANIES)
        require_writable_input(actor, Resource.COMPANIES, patch)
        changes = CompanyChanges(
            name=patch.name,
            domain=patch.domain,
            industry=patch.industry,
            size=patch.size,
            address=patch.address,
            custom_fields=patch.custom_fields,
            owner_id=patch.owner_id,
        )
        with self.uow() as uow:
            company = _load_current(uow, actor, patch.company_id, patch.expected_version)
            if patch.owner_id is not KEEP and patch.owner_id != company.owner_id:
                require_user(uow, patch.owner_id, actor=actor)
                require_assignable(
                    actor,
                    Permission.ASSIGN_COMPANIES,
                    patch.owner_id,
                    current_owner_id=company.owner_id,
                )
            schema = None
            if patch.custom_fields is not KEEP:
                schema = load_schema(uow.custom_fields, ObjectType.COMPANY)
            company.update(changes, at=self.clock.now(), by=actor.actor_id, schema=schema)
            if schema is not None and patch.custom_fields is not KEEP:
                require_unique_values(
                    uow.companies,
                    schema,
                    company.custom_fields,
                    record_id=company.id,
                    keys=patch.custom_fields.keys(),
                )
            uow.commit()
        return CompanyView.from_company(company)


@frozen
class ArchiveCompany:
    """Archive a company; its people keep their link, but no one new may join it."""

    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(
        self, actor: Principal, company_id: str, expected_version: int | None = None
    ) -> CompanyView:
        actor.require(Permission.DELETE_COMPANIES)
        with self.uow() as uow:
            company = _load_current(uow, actor, company_id, expected_version)
            company.archive(at=self.clock.now(), by=actor.actor_id)
            uow.commit()
        return CompanyView.from_company(company)


def _load_current(
    uow: UnitOfWork, actor: Principal, company_id: str, expected_version: int | None
) -> Company:
    company = uow.companies.get(company_id)
    if company is None:
        raise NotFound("id", "no company has this id")
    require_visible(
        actor,
        Resource.COMPANIES,
        company.owner_id,
        company.id,
        field="id",
        message="no company has this id",
    )
    if expected_version is not None and company.version != expected_version:
        raise StaleVersion(expected_version, company.version)
    return company
