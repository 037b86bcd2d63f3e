"""Use cases that change customers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from attrs import field, frozen

from application.customers.views import CustomerView
from application.errors import AlreadyTaken, NotFound, StaleVersion
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission
from domain.customers import KEEP, Customer, CustomerChanges, EmailAddress, PhoneNumber
from domain.customers.customer import Keep
from domain.errors import DomainError, Problem, ProblemCollector


@frozen(kw_only=True)
class NewCustomer:
    """A customer as a client sends it: raw strings, checked by the use case."""

    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    attributes: Mapping[str, object] = field(factory=dict)
    owner_id: str | None = None


@frozen(kw_only=True)
class CustomerPatch:
    """Changes to one customer; ``KEEP`` leaves a field alone and ``None`` clears it."""

    customer_id: str
    expected_version: int | None = None
    first_name: str | Keep = KEEP
    last_name: str | Keep = KEEP
    email: str | Keep | None = KEEP
    phone: str | Keep | None = KEEP
    attributes: Mapping[str, object | None] | Keep = KEEP
    owner_id: str | Keep = KEEP


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


def _require_owner(uow: UnitOfWork, owner_id: str, actor: Principal) -> None:
    if owner_id != actor.actor_id and uow.users.get(owner_id) is None:
        raise NotFound("ownerId", "no user has this id")


def _build(
    new: NewCustomer, *, customer_id: str, actor: Principal, parser: ContactParser, clock: Clock
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
            attributes=new.attributes,
            owner_id=new.owner_id or actor.actor_id,
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
        actor.require(Permission.WRITE_CUSTOMERS)
        customer = _build(
            new, customer_id=self.ids.new_id(), actor=actor, parser=self.parser, clock=self.clock
        )
        with self.uow() as uow:
            _require_owner(uow, customer.owner_id, actor)
            if customer.email and uow.customers.emails_in_use([customer.email]):
                raise AlreadyTaken("email", "another customer has this email")
            uow.customers.add(customer)
            uow.commit()
        return CustomerView.from_customer(customer)


@frozen
class UpdateCustomer:
    uow: UnitOfWorkFactory
    clock: Clock
    parser: ContactParser = ContactParser()

    def __call__(self, actor: Principal, patch: CustomerPatch) -> CustomerView:
        actor.require(Permission.WRITE_CUSTOMERS)
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
            attributes=patch.attributes,
            owner_id=patch.owner_id,
        )
        with self.uow() as uow:
            customer = _load_current(uow, patch.customer_id, patch.expected_version)
            if patch.owner_id is not KEEP and patch.owner_id != customer.owner_id:
                _require_owner(uow, patch.owner_id, actor)
            if isinstance(email, EmailAddress) and email != customer.email:
                other = uow.customers.get_by_email(email)
                if other is not None and other.id != customer.id:
                    raise AlreadyTaken("email", "another customer has this email")
            customer.update(changes, at=self.clock.now(), by=actor.actor_id)
            uow.commit()
        return CustomerView.from_customer(customer)


@frozen
class ArchiveCustomer:
    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(
        self, actor: Principal, customer_id: str, expected_version: int | None = None
    ) -> CustomerView:
        actor.require(Permission.ARCHIVE_CUSTOMERS)
        with self.uow() as uow:
            customer = _load_current(uow, customer_id, expected_version)
            customer.archive(at=self.clock.now(), by=actor.actor_id)
            uow.commit()
        return CustomerView.from_customer(customer)


def _load_current(uow: UnitOfWork, customer_id: str, expected_version: int | None) -> Customer:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFound("id", "no customer has this id")
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
        actor.require(Permission.WRITE_CUSTOMERS)
        refused: list[RowProblem] = []
        accepted: list[tuple[int, Customer]] = []
        for offset, new in enumerate(rows):
            try:
                customer = _build(
                    new,
                    customer_id=self.ids.new_id(),
                    actor=actor,
                    parser=self.parser,
                    clock=self.clock,
                )
            except DomainError as error:
                refused.extend(RowProblem(first_row + offset, p) for p in error.problems)
                continue
            accepted.append((first_row + offset, customer))
        with self.uow() as uow:
            taken = uow.customers.emails_in_use(
                [customer.email for _, customer in accepted if customer.email]
            )
            owners_checked: set[str] = {actor.actor_id}
            fresh: list[Customer] = []
            for row, customer in accepted:
                if customer.email and customer.email in taken:
                    refused.append(
                        RowProblem(
                            row,
                            AlreadyTaken("email", "another customer has this email").problems[0],
                        )
                    )
                    continue
                if customer.owner_id not in owners_checked:
                    if uow.users.get(customer.owner_id) is None:
                        refused.append(
                            RowProblem(row, NotFound("ownerId", "no user has this id").problems[0])
                        )
                        continue
                    owners_checked.add(customer.owner_id)
                if customer.email:
                    taken.add(customer.email)
                fresh.append(customer)
            uow.customers.add_many(fresh)
            uow.commit()
        return BulkResult(len(fresh), tuple(sorted(refused, key=lambda r: r.row)))
