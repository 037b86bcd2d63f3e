"""Importing customers: create the new, update the known, report the rest, change nothing twice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial

from attrs import field, frozen

from application.custom_fields.rules import (
    BatchUniqueValues,
    load_schema,
    require_unique_values,
    unique_clashes,
)
from application.customers.commands import ContactParser
from application.customers.file_keys import FileKeys
from application.customers.merging import move_history, require_merge
from application.errors import AlreadyTaken
from application.field_security import require_writable_input
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.visibility import is_visible
from domain.access.roles import Permission, Resource
from domain.custom_fields import CustomFieldSchema, CustomValue, FieldType, ObjectType
from domain.custom_fields.schema import FIELD
from domain.customers import KEEP, Customer, CustomerChanges, EmailAddress, ExternalId, PhoneNumber
from domain.customers.customer import clean_name
from domain.customers.merging import MergePlan, MergePolicy
from domain.errors import DomainError, ErrorCode, Problem, ProblemCollector

_NAMED = {"email": "email", "externalIds": "external id"}


@frozen(kw_only=True)
class CustomerRow:
    """One customer from a file. ``None`` (an empty cell) leaves a known customer's value alone."""

    row: int
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    external_ids: tuple[str, ...] = ()
    custom_fields: Mapping[str, object] = field(factory=dict)


@frozen
class RowProblem:
    row: int
    problem: Problem


@frozen
class CustomerImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    problems: tuple[RowProblem, ...] = field(factory=tuple)


@frozen
class CheckedRow:
    """A row whose contact points and external ids are valid and in their normal form."""

    row: CustomerRow
    email: EmailAddress | None
    phone: PhoneNumber | None
    external_ids: tuple[ExternalId, ...]


@frozen
class CheckedRows:
    """The rows that passed :class:`CustomerRowChecker`, and the problems of the rest."""

    rows: tuple[CheckedRow, ...] = ()
    problems: tuple[RowProblem, ...] = ()


@frozen
class CustomerRowChecker:
    """The part of an import that needs no storage: each row's email, phone and external
    ids, validated and normalised. Pure, and picklable, so it can run in other processes."""

    parser: ContactParser = field(factory=ContactParser)

    def __call__(self, rows: Iterable[CustomerRow]) -> CheckedRows:
        problems: list[RowProblem] = []
        checked: list[CheckedRow] = []
        for row in rows:
            try:
                checked.append(self._check(row))
            except DomainError as error:
                problems.extend(RowProblem(row.row, p) for p in error.problems)
        return CheckedRows(tuple(checked), tuple(problems))

    def _check(self, row: CustomerRow) -> CheckedRow:
        collector = ProblemCollector()
        email = collector.check(partial(self.parser.email, row.email))
        phone = collector.check(partial(self.parser.phone, row.phone))
        external = collector.check(partial(_external_ids, row.external_ids))
        collector.raise_if_any()
        return CheckedRow(row, email, phone, external or ())


@frozen
class ImportCustomers:
    """Upsert a batch in one transaction, matching by external id, then by email.

    A row that matches two different customers (its email one, its external id another)
    names one person twice: with ``auto_merge`` they are merged (into the one its external
    id names), which needs the permission to merge, otherwise the row is refused and
    reported for someone to decide.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    parser: ContactParser = field(factory=ContactParser)
    policy: MergePolicy = field(factory=MergePolicy)

    @property
    def checker(self) -> CustomerRowChecker:
        """The storage-free first half of this use case, to run wherever is fastest."""
        return CustomerRowChecker(self.parser)

    def __call__(
        self, actor: Principal, rows: Sequence[CustomerRow], *, auto_merge: bool = False
    ) -> CustomerImportResult:
        require_import(actor)
        return self.store(actor, self.checker(rows), auto_merge=auto_merge)

    def store(
        self,
        actor: Principal,
        checked: CheckedRows,
        *,
        auto_merge: bool = False,
        earlier: FileKeys | None = None,
    ) -> CustomerImportResult:
        """The second half: match the checked rows to stored customers and save them.

        ``earlier`` holds what the file's earlier batches named: a row that names an email,
        an external id or a customer that an earlier row of the file named is refused.
        """
        require_import(actor)
        if auto_merge:
            require_merge(actor)
        keys = earlier if earlier is not None else FileKeys()
        problems = list(checked.problems)
        rows: list[CheckedRow] = []
        for item in checked.rows:
            try:
                require_writable_input(actor, Resource.CUSTOMERS, item.row, identifying={"row"})
            except DomainError as error:
                problems.extend(RowProblem(item.row.row, p) for p in error.problems)
                continue
            duplicate = keys.claim(item.row.row, item.email, item.external_ids)
            if duplicate is None:
                rows.append(item)
            else:
                problems.append(RowProblem(item.row.row, duplicate))
        now = self.clock.now()
        with self.uow() as uow:
            schema = load_schema(uow.custom_fields, ObjectType.CUSTOMER)
            by_external = uow.customers.find_by_external_ids(
                {i for c in rows for i in c.external_ids}
            )
            by_email = uow.customers.find_by_emails({c.email for c in rows if c.email})
            if not by_external and not by_email:
                counts = self._create_all(uow, rows, actor, now, schema, problems)
            else:
                counts = self._upsert(
                    uow, rows, actor, now, schema, problems, auto_merge,
                    by_external, by_email, keys,
                )  # fmt: skip
            uow.commit()
        created, updated, unchanged, merged = counts
        return CustomerImportResult(
            created=created,
            updated=updated,
            unchanged=unchanged,
            merged=merged,
            problems=tuple(sorted(problems, key=lambda p: p.row)),
        )

    def _create_all(
        self,
        uow: UnitOfWork,
        rows: Sequence[CheckedRow],
        actor: Principal,
        now: datetime,
        schema: CustomFieldSchema,
        problems: list[RowProblem],
    ) -> tuple[int, int, int, int]:
        """Every row is a new customer: register them all and check unique values at once."""
        registered: list[tuple[int, Customer]] = []
        for item in rows:
            try:
                registered.append((item.row.row, self._register(item, actor, now, schema)))
            except DomainError as error:
                problems.extend(RowProblem(item.row.row, p) for p in error.problems)
        clashes = unique_clashes(
            uow.customers, schema, [customer.custom_fields for _, customer in registered]
        )
        new_customers: list[Customer] = []
        for position, (row, customer) in enumerate(registered):
            if position in clashes:
                taken = AlreadyTaken(
                    f"{FIELD}.{clashes[position]}", "another record has this value"
                )
                problems.extend(RowProblem(row, p) for p in taken.problems)
            else:
                new_customers.append(customer)
        uow.customers.add_many(new_customers)
        return len(new_customers), 0, 0, 0

    def _upsert(
        self,
        uow: UnitOfWork,
        rows: Sequence[CheckedRow],
        actor: Principal,
        now: datetime,
        schema: CustomFieldSchema,
        problems: list[RowProblem],
        auto_merge: bool,
        by_external: dict[ExternalId, str],
        by_email: dict[EmailAddress, str],
        keys: FileKeys,
    ) -> tuple[int, int, int, int]:
        """Rows in file order, each seeing what the rows before it changed."""
        created = updated = unchanged = merged = 0
        new_customers: list[Customer] = []
        batch_values = BatchUniqueValues(schema)
        # Load every matched customer at once; each row then finds its own already loaded.
        uow.customers.get_many({*by_external.values(), *by_email.values()})
        for item in rows:
            try:
                matches = _matches(item, by_external, by_email)
                named_by = "externalIds" if set(item.external_ids) & by_external.keys() else "email"
                if duplicate := keys.claim_customers(item.row.row, matches, field=named_by):
                    raise DomainError([duplicate])
                if not matches:
                    customer = self._register(item, actor, now, schema)
                    require_unique_values(
                        uow.customers, schema, customer.custom_fields,
                        record_id=customer.id, keys=item.row.custom_fields,
                    )  # fmt: skip
                    batch_values.require(customer.custom_fields, record_id=customer.id)
                    new_customers.append(customer)
                    created += 1
                    continue
                values = _checked_values(item, schema)
                matched = _loaded(uow, matches)
                if not all(
                    is_visible(actor, Resource.CUSTOMERS, found.owner_id, found.id)
                    for found in matched
                ):
                    # As a mature CRM's import does, only customers the actor may see are
                    # matched; one hidden from them fails the row as a value already taken,
                    # neither updated nor shown.
                    raise AlreadyTaken(named_by, f"another customer has this {_NAMED[named_by]}")
                emails = [customer.email for customer in matched]
                if len(matched) == 1:
                    customer = matched[0]
                elif auto_merge:
                    customer = self._merge(uow, matches, actor, now)
                    merged += len(matches) - 1
                else:
                    raise AlreadyTaken(
                        "email", "the email and the external id belong to two different customers"
                    )
                require_unique_values(
                    uow.customers, schema, values, record_id=customer.id, keys=values
                )
                batch_values.require(values, record_id=customer.id)
                version = customer.version
                self._apply(customer, item, actor, now, schema)
                _follow(customer, emails, by_external, by_email)
                if customer.version == version:
                    unchanged += 1
                else:
                    updated += 1
            except DomainError as error:
                problems.extend(RowProblem(item.row.row, p) for p in error.problems)
        # An earlier row may have taken an email off a stored customer for a new one.
        uow.flush()
        uow.customers.add_many(new_customers)
        return created, updated, unchanged, merged

    def custom_fields(self) -> dict[str, FieldType]:
        """The custom fields of customers that a file may fill, with their types."""
        with self.uow() as uow:
            definitions = load_schema(uow.custom_fields, ObjectType.CUSTOMER).definitions
        return {key: rule.field_type for key, rule in definitions.items()}

    def _merge(
        self, uow: UnitOfWork, ids: Sequence[str], actor: Principal, now: datetime
    ) -> Customer:
        survivor, *duplicates = _loaded(uow, ids)
        plan = MergePlan.of(survivor, duplicates, self.policy)
        handed_over = plan.retire(at=now, by=actor.actor_id)
        uow.flush()
        move_history(uow, survivor.id, [d.id for d in plan.duplicates])
        plan.complete(
            handed_over,
            schema=load_schema(uow.custom_fields, ObjectType.CUSTOMER),
            at=now,
            by=actor.actor_id,
        )
        return survivor

    def _register(
        self, item: CheckedRow, actor: Principal, now: datetime, schema: CustomFieldSchema
    ) -> Customer:
        row = item.row
        return Customer.register(
            id=self.ids.new_id(),
            first_name=row.first_name or "",
            last_name=row.last_name or "",
            email=item.email,
            phone=item.phone,
            custom_fields=row.custom_fields,
            schema=schema,
            owner_id=actor.actor_id,
            at=now,
            by=actor.actor_id,
            external_ids=item.external_ids,
        )

    @staticmethod
    def _apply(
        customer: Customer,
        item: CheckedRow,
        actor: Principal,
        now: datetime,
        schema: CustomFieldSchema,
    ) -> None:
        row = item.row
        changes = CustomerChanges(
            first_name=row.first_name if row.first_name is not None else KEEP,
            last_name=row.last_name if row.last_name is not None else KEEP,
            email=item.email if item.email is not None else KEEP,
            phone=item.phone if item.phone is not None else KEEP,
            custom_fields=row.custom_fields if row.custom_fields else KEEP,
        )
        customer.update(changes, at=now, by=actor.actor_id, schema=schema)
        customer.link(item.external_ids, at=now, by=actor.actor_id)


def _external_ids(texts: Iterable[str]) -> tuple[ExternalId, ...]:
    return tuple(ExternalId.parse(text) for text in texts)


def _matches(
    item: CheckedRow, by_external: Mapping[ExternalId, str], by_email: Mapping[EmailAddress, str]
) -> list[str]:
    """Ids of the stored customers the row names: its external ids first, then its email."""
    matches = [by_external[i] for i in item.external_ids if i in by_external]
    if item.email is not None and item.email in by_email:
        matches.append(by_email[item.email])
    return list(dict.fromkeys(matches))


def _checked_values(item: CheckedRow, schema: CustomFieldSchema) -> dict[str, CustomValue]:
    """The row's names and custom fields checked, and the values it sets, before it changes
    anything: a refused row leaves every customer (and every merge) as it was."""
    row = item.row
    problems = ProblemCollector()
    for raw, name in ((row.first_name, "firstName"), (row.last_name, "lastName")):
        if raw is not None:
            problems.check(partial(clean_name, raw, field_name=name))
    values = problems.check(partial(schema.merge, {}, row.custom_fields))
    problems.raise_if_any()
    return values or {}


def _loaded(uow: UnitOfWork, customer_ids: Sequence[str]) -> list[Customer]:
    customers = [uow.customers.get(customer_id) for customer_id in customer_ids]
    found = [customer for customer in customers if customer is not None]
    if len(found) < len(customers):
        raise DomainError([Problem("email", ErrorCode.NOT_FOUND, "a matched customer is gone")])
    return found


def _follow(
    customer: Customer,
    emails_before: Iterable[EmailAddress | None],
    by_external: dict[ExternalId, str],
    by_email: dict[EmailAddress, str],
) -> None:
    """Keep a batch's lookups true to what a row changed, so that later rows match as they
    would in a batch of their own: an email the row (or a merge) took away names nobody,
    and the keys of merged customers name the one they were merged into."""
    for address in emails_before:
        if address is not None and address != customer.email:
            by_email.pop(address, None)
    if customer.email is not None and customer.email in by_email:
        by_email[customer.email] = customer.id
    for identity in customer.external_ids:
        if identity in by_external:
            by_external[identity] = customer.id


def require_import(actor: Principal) -> None:
    """An import both creates customers and updates the ones it matches."""
    actor.require(Permission.CREATE_CUSTOMERS)
    actor.require(Permission.UPDATE_CUSTOMERS)
