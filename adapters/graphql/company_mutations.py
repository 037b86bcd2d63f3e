"""Changing companies through the API: inputs, payloads and mutations."""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.companies import Company, CompanySizeBand, company_node
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.errors import UserError, UserErrors, not_an_object
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import local_id
from adapters.graphql.type_names import COMPANY, USER
from application.companies.bundle import Companies
from application.companies.commands import CompanyPatch, NewCompany
from domain.changes import KEEP
from domain.companies import Address, CompanySize
from domain.errors import ErrorCode, InvalidValue


@strawberry.input(description="A postal address; every part is optional.")
class AddressInput:
    street: str | None = strawberry.field(default=None, description="Street and number.")
    city: str | None = strawberry.field(default=None, description="City or town.")
    region: str | None = strawberry.field(default=None, description="State, county or province.")
    postal_code: str | None = strawberry.field(default=None, description="Postal or ZIP code.")
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")

    def to_address(self) -> Address:
        return Address.parse(
            street=self.street,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
        )


@strawberry.input(description="A new company.")
class CreateCompanyInput:
    name: str = strawberry.field(description="The company's name; required.")
    domain: str | None = strawberry.field(
        default=None, description="A host name or URL; stored as the lower-case host name."
    )
    industry: str | None = strawberry.field(default=None, description="The industry.")
    size: CompanySizeBand | None = strawberry.field(
        default=None, description="How many people it employs."
    )
    address: AddressInput | None = strawberry.field(default=None, description="Where it is.")
    custom_fields: JSON | None = strawberry.field(
        default=None, description="Values of defined custom fields, by key."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the acting user."
    )


@strawberry.input(description="Changes to a company; fields left out are kept.")
class UpdateCompanyInput:
    id: strawberry.ID = strawberry.field(description="The company's global id.")
    version: int = strawberry.field(description="The version you read; a newer one is a conflict.")
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="The new name; cannot be null."
    )
    domain: str | None = strawberry.field(
        default=strawberry.UNSET, description="A host name or URL; a null clears it."
    )
    industry: str | None = strawberry.field(
        default=strawberry.UNSET, description="The industry; a null clears it."
    )
    size: CompanySizeBand | None = strawberry.field(
        default=strawberry.UNSET, description="The size band; a null clears it."
    )
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the whole address; null clears it."
    )
    custom_fields: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Merged into the current values; a null value removes a key.",
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The new owner; null keeps the current one."
    )


@strawberry.input(description="The company to archive.")
class ArchiveCompanyInput:
    id: strawberry.ID = strawberry.field(description="The company's global id.")
    version: int | None = strawberry.field(
        default=None, description="The version you read, if you want a conflict on a newer one."
    )


@strawberry.type(description="The result of createCompany.")
class CreateCompanyPayload:
    company: Company | None = strawberry.field(
        default=None, description="The company created; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type(description="The result of updateCompany.")
class UpdateCompanyPayload:
    company: Company | None = strawberry.field(
        default=None, description="The company as changed; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="Why the input was refused; a newer version is a STALE_VERSION.",
    )


@strawberry.type(description="The result of archiveCompany.")
class ArchiveCompanyPayload:
    company: Company | None = strawberry.field(
        default=None, description="The company, archived; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


def _size(value: Any) -> CompanySize | None:
    return CompanySize(enum_value(value)) if value is not None else None


def _patch(input: UpdateCompanyInput, company_id: str) -> CompanyPatch:
    """The patch for ``input``; raises ``DomainError`` for a bad address, ``MalformedId`` for a
    bad owner id."""
    unset = strawberry.UNSET
    if input.name is None:
        raise InvalidValue("name", ErrorCode.REQUIRED, "cannot be null; a company needs a name")
    address: Any = KEEP
    if input.address is not unset:
        address = input.address.to_address() if input.address is not None else None
    return CompanyPatch(
        company_id=company_id,
        expected_version=input.version,
        name=KEEP if input.name is unset else input.name,
        domain=KEEP if input.domain is unset else input.domain,
        industry=KEEP if input.industry is unset else input.industry,
        size=KEEP if input.size is unset else _size(input.size),
        address=address,
        custom_fields=KEEP
        if input.custom_fields is unset
        else cast(dict[str, Any], input.custom_fields),
        owner_id=(
            KEEP
            if input.owner_id is unset or input.owner_id is None
            else local_id(input.owner_id, USER, field="ownerId")
        ),
    )


@strawberry.type
class CompanyMutation:
    @strawberry.mutation(description="Create a company.", extensions=[UserErrors()])
    def create_company(
        self,
        info: Info,
        input: Annotated[CreateCompanyInput, strawberry.argument(description="The company.")],
    ) -> CreateCompanyPayload:
        context = info.context
        owner = local_id(input.owner_id, USER, field="ownerId") if input.owner_id else None
        if input.custom_fields is not None and not isinstance(input.custom_fields, dict):
            return CreateCompanyPayload(user_errors=not_an_object("customFields"))
        new = NewCompany(
            name=input.name,
            domain=input.domain,
            industry=input.industry,
            size=_size(input.size),
            address=input.address.to_address() if input.address else None,
            custom_fields=input.custom_fields or {},
            owner_id=owner,
        )
        view = context.services.use(Companies).create(context.principal, new)
        return CreateCompanyPayload(company=company_node(view))

    @strawberry.mutation(
        description="Change a company, if nobody changed it since you read it.",
        extensions=[UserErrors()],
    )
    def update_company(
        self,
        info: Info,
        input: Annotated[UpdateCompanyInput, strawberry.argument(description="The changes.")],
    ) -> UpdateCompanyPayload:
        context = info.context
        company_id = local_id(input.id, COMPANY, field="id")
        custom_fields = input.custom_fields
        if custom_fields is not strawberry.UNSET and not isinstance(custom_fields, dict):
            return UpdateCompanyPayload(user_errors=not_an_object("customFields"))
        patch = _patch(input, company_id)
        view = context.services.use(Companies).update(context.principal, patch)
        return UpdateCompanyPayload(company=company_node(view))

    @strawberry.mutation(
        description="Archive a company: hidden from lists, kept for history.",
        extensions=[UserErrors()],
    )
    def archive_company(
        self,
        info: Info,
        input: Annotated[ArchiveCompanyInput, strawberry.argument(description="The company.")],
    ) -> ArchiveCompanyPayload:
        context = info.context
        company_id = local_id(input.id, COMPANY, field="id")
        view = context.services.use(Companies).archive(context.principal, company_id, input.version)
        return ArchiveCompanyPayload(company=company_node(view))


PART = SchemaPart(
    mutations=(CompanyMutation,),
)
