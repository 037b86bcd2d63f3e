"""Use cases that change customers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from attrs import field, frozen

from application.custom_fields.rules import load_schema, require_unique_values, unique_clashes
from application.customers.views import CustomerView
from application.errors import AlreadyTaken, Forbidden, NotFound, StaleVersion
from application.field_security import require_writable_input
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import (
    company_refusal,
    require_active_company,
    require_user,
    sees_company,
    user_refusal,
)
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.visibility import require_assignable, require_visible
from domain.access.roles import Permission, Resource
from domain.changes import Keep
from domain.custom_fields import CustomFieldSchema, ObjectType
from domain.customers import KEEP, Customer, CustomerChanges, EmailAddress, PhoneNumber
from domain.errors import DomainError, Problem, ProblemCollector


@frozen(kw_only=True)
class NewCustomer:
    """A customer as a client sends it: raw strings, checked by the use case."""

    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    custom_fields: Mapping[str, object] = field(factory=dict)
    owner_id: str | None = None
    company_id: str | None = None


@frozen(kw_only=True)
class CustomerPatch:
    """Changes to one customer; ``KEEP`` leaves a field alone and ``None`` clears it."""

    customer_id: str
    expected_version: int | None = None
    first_name: str | Keep = KEEP
    last_name: str | Keep = KEEP
    email: str | Keep | None = KEEP
    phone: str | Keep | None = KEEP
    custom_fields: Mapping[str, object | None] | Keep = KEEP
    owner_id: str | Keep = KEEP
    company_id: str | Keep | None = KEEP


@frozen
class ContactParser:
    """Reads raw email and phone input; numbers without ``+`` use the default region."""

    default_region: str = "US"

    def email(self, raw: str | None) -> EmailAddress | None:
        return EmailAddress.parse(raw) if raw and raw.strip() else None

    def phone(self, raw: str | None) -> PhoneNumber | None:
        if raw is None or not raw.strip():
            return None
        return PhoneNumber.parse(raw, default_region=self.default_region)


def _build(
    new: NewCustomer,
    *,
    customer_id: str,
    actor: Principal,
    parser: ContactParser,
    clock: Clock,
    schema: CustomFieldSchema,
) -> Customer:
    problems = ProblemCollector()
    email = problems.check(lambda: parser.email(new.email))
    phone = problems.check(lambda: parser.phone(new.phone))
    try:
        customer = Customer.register(
            id=customer_id,
            first_name=new.first_name,
            last_name=new.last_name,
            email=email,
            phone=phone,
            custom_fields=new.custom_fields,
            schema=schema,
            owner_id=new.owner_id or actor.actor_id,
            company_id=new.company_id,
            at=clock.now(),
            by=actor.actor_id,
        )
    except DomainError as error:
        problems.problems.extend(error.problems)
    problems.raise_if_any()
    return customer


@frozen
class CreateCustomer:
    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    parser: ContactParser = ContactParser()

    def __call__(self, actor: Principal, new: NewCustomer) -> CustomerView:
        actor.require(Permission.CREATE_CUSTOMERS)
        require_writable_input(actor, Resource.CUSTOMERS, new)
        with self.uow() as uow:
            schema = load_schema(uow.custom_fields, ObjectType.CUSTOMER)
            customer = _build(
                new,
                customer_id=self.ids.new_id(),
                actor=actor,
                parser=self.parser,
                clock=self.clock,
                schema=schema,
            )
            require_user(uow, customer.owner_id, actor=actor)
            require_assignable(
                actor, Permission.ASSIGN_CUSTOMERS, customer.owner_id, current_owner_id=None
            )
            require_active_company(uow, customer.company_id, actor=actor)
            if customer.email and uow.customers.emails_in_use([customer.email]):
                raise AlreadyTaken("email", "another customer has this email")
            require_unique_values(
                uow.customers, schema, customer.custom_fields, record_id=customer.id
            )
            uow.customers.add(customer)
            uow.commit()
        return CustomerView.from_customer(customer)


@frozen
class UpdateCustomer:
    uow: UnitOfWorkFactory
    clock: Clock
    parser: ContactParser = ContactParser()

    def __call__(self, actor: Principal, patch: CustomerPatch) -> CustomerView:
        actor.require(Permission.UPDATE_CUSTOMERS)
        require_writable_input(actor, Resource.CUSTOMERS, patch)
        problems = ProblemCollector()
        email = (
            KEEP
            if patch.email is KEEP
            else problems.check(lambda: self.parser.email(cast(str | None, patch.email)))
        )
        phone = (
            KEEP
            if patch.phone is KEEP
            else problems.check(lambda: self.parser.phone(cast(str | None, patch.phone)))
        )
        problems.raise_if_any()
        changes = CustomerChanges(
            first_name=patch.first_name,
            last_name=patch.last_name,
            email=email,
            phone=phone,
            custom_fields=patch.custom_fields,
            owner_id=patch.owner_id,
            company_id=patch.company_id,
        )
        with self.uow() as uow:
            customer = _load_current(uow, actor, patch.customer_id, patch.expected_version)
            if patch.owner_id is not KEEP and patch.owner_id != customer.owner_id:
                require_user(uow, patch.owner_id, actor=actor)
                require_assignable(
                    actor,
                    Permission.ASSIGN_CUSTOMERS,
                    patch.owner_id,
                    current_owner_id=customer.owner_id,
                )
            if patch.company_id is not KEEP and patch.company_id != customer.company_id:
                require_active_company(uow, patch.company_id, actor=actor)
            schema = (
                load_schema(uow.custom_fields, ObjectType.CUSTOMER)
                if patch.custom_fields is not KEEP
                else None
            )
            if isinstance(email, EmailAddress) and email != customer.email:
                other = uow.customers.get_by_email(email)
                if other is not None and other.id != customer.id:
                    raise AlreadyTaken("email", "another customer has this email")
            customer.update(changes, at=self.clock.now(), by=actor.actor_id, schema=schema)
            if schema is not None and patch.custom_fields is not KEEP:
                require_unique_values(
                    uow.customers,
                    schema,
                    customer.custom_fields,
                    record_id=customer.id,
                    keys=patch.custom_fields.keys(),
                )
            uow.commit()
        return CustomerView.from_customer(customer)


@frozen
class ArchiveCustomer:
    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(
        self, actor: Principal, customer_id: str, expected_version: int | None = None
    ) -> CustomerView:
        actor.require(Permission.DELETE_CUSTOMERS)
        with self.uow() as uow:
            customer = _load_current(uow, actor, customer_id, expected_version)
            customer.archive(at=self.clock.now(), by=actor.actor_id)
            uow.commit()
        return CustomerView.from_customer(customer)


def _load_current(
    uow: UnitOfWork, actor: Principal, customer_id: str, expected_version: int | None
) -> Customer:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFound("id", "no customer has this id")
    require_visible(
        actor,
        Resource.CUSTOMERS,
        customer.owner_id,
        customer.id,
        field="id",
        message="no customer has this id",
    )
    if expected_version is not None and customer.version != expected_version:
        raise StaleVersion(expected_version, customer.version)
    return customer


@frozen
class RowProblem:
    """A row of a bulk request that was refused, and why."""

    row: int
    problem: Problem


@frozen
class BulkResult:
    created: int
    problems: tuple[RowProblem, ...]


@frozen
class CreateCustomersInBulk:
    """The fast path for many new customers: one transaction and one statement per batch.

    Every row is checked as the single-customer path checks it; refused rows are
    reported with their position and the rest are stored.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    parser: ContactParser = ContactParser()

    def __call__(
        self, actor: Principal, rows: Sequence[NewCustomer], *, first_row: int = 0
    ) -> BulkResult:
        actor.require(Permission.UPDATE_CUSTOMERS)
        refused: list[RowProblem] = []
        with self.uow() as uow:
            schema = load_schema(uow.custom_fields, ObjectType.CUSTOMER)
            accepted: list[tuple[int, Customer]] = []
            for offset, new in enumerate(rows):
                try:
                    require_writable_input(actor, Resource.CUSTOMERS, new)
                    customer = _build(
                        new,
                        customer_id=self.ids.new_id(),
                        actor=actor,
                        parser=self.parser,
                        clock=self.clock,
                        schema=schema,
                    )
                except DomainError as error:
                    refused.extend(RowProblem(first_row + offset, p) for p in error.problems)
                    continue
                accepted.append((first_row + offset, customer))
            fresh = self._checked(uow, actor, schema, accepted, refused)
            uow.customers.add_many(fresh)
            uow.commit()
        return BulkResult(len(fresh), tuple(sorted(refused, key=lambda r: r.row)))

    def _checked(
        self,
        uow: UnitOfWork,
        actor: Principal,
        schema: CustomFieldSchema,
        accepted: list[tuple[int, Customer]],
        refused: list[RowProblem],
    ) -> list[Customer]:
        """The accepted rows that pass the checks against stored data; the rest refused."""
        taken = uow.customers.emails_in_use(
            [customer.email for _, customer in accepted if customer.email]
        )
        companies = {
            company_id: archived
            for company_id, archived in uow.companies.archived_flags(
                {customer.company_id for _, customer in accepted if customer.company_id}
            ).items()
            # A company the actor may not see is as unknown as a missing one.
            if sees_company(uow, actor, company_id)
        }
        owners_checked: set[str] = {actor.actor_id}
        candidates: list[tuple[int, Customer]] = []
        for row, customer in accepted:
            problem = self._problem(uow, actor, customer, taken, companies, owners_checked)
            if problem is not None:
                refused.append(RowProblem(row, problem))
                continue
            if customer.email:
                taken.add(customer.email)
            candidates.append((row, customer))
        clashes = unique_clashes(
            uow.customers, schema, [customer.custom_fields for _, customer in candidates]
        )
        fresh: list[Customer] = []
        for position, (row, customer) in enumerate(candidates):
            if position in clashes:
                field_path = f"customFields.{clashes[position]}"
                taken_value = AlreadyTaken(field_path, "another record has this value")
                refused.append(RowProblem(row, taken_value.problems[0]))
                continue
            fresh.append(customer)
        return fresh

    @staticmethod
    def _problem(
        uow: UnitOfWork,
        actor: Principal,
        customer: Customer,
        taken: set[EmailAddress],
        companies: Mapping[str, bool],
        owners_checked: set[str],
    ) -> Problem | None:
        if customer.email and customer.email in taken:
            return AlreadyTaken("email", "another customer has this email").problems[0]
        if customer.owner_id not in owners_checked:
            if (missing_owner := user_refusal(uow, customer.owner_id)) is not None:
                return missing_owner.problems[0]
            owners_checked.add(customer.owner_id)
        if customer.owner_id != actor.actor_id and not actor.may(Permission.ASSIGN_CUSTOMERS):
            return Forbidden(
                f"the {actor.role.key} role may not {Permission.ASSIGN_CUSTOMERS.value}"
            ).problems[0]
        if customer.company_id is not None:
            unusable_company = company_refusal(companies.get(customer.company_id))
            if unusable_company is not None:
                return unusable_company.problems[0]
        return None
