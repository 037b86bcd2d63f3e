"""Importing customers: create the new, update the known, report the rest, change nothing twice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial

from attrs import field, frozen

from application.custom_fields.rules import load_schema, require_unique_values, unique_clashes
from application.customers.commands import ContactParser
from application.customers.merging import move_history, require_merge
from application.errors import AlreadyTaken
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission
from domain.custom_fields import CustomFieldSchema, ObjectType
from domain.custom_fields.schema import FIELD
from domain.customers import KEEP, Customer, CustomerChanges, EmailAddress, ExternalId, PhoneNumber
from domain.customers.merging import MergePlan, MergePolicy
from domain.errors import DomainError, ErrorCode, Problem, ProblemCollector


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
        actor.require(Permission.WRITE_CUSTOMERS)
        return self.store(actor, self.checker(rows), auto_merge=auto_merge)

    def store(
        self, actor: Principal, checked: CheckedRows, *, auto_merge: bool = False
    ) -> CustomerImportResult:
        """The second half: match the checked rows to stored customers and save them."""
        if auto_merge:
            require_merge(actor)
        else:
            actor.require(Permission.WRITE_CUSTOMERS)
        problems = list(checked.problems)
        now = self.clock.now()
        with self.uow() as uow:
            schema = load_schema(uow.custom_fields, ObjectType.CUSTOMER)
            by_external = uow.customers.find_by_external_ids(
                {i for c in checked.rows for i in c.external_ids}
            )
            by_email = uow.customers.find_by_emails({c.email for c in checked.rows if c.email})
            if not by_external and not by_email and _names_each_once(checked.rows):
                counts = self._create_all(uow, checked.rows, actor, now, schema, problems)
            else:
                counts = self._upsert(
                    uow, checked.rows, actor, now, schema, problems, auto_merge,
                    by_external, by_email,
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
    ) -> tuple[int, int, int, int]:
        created = updated = unchanged = merged = 0
        fresh: dict[object, Customer] = {}
        # Load every matched customer at once; each row then finds its own already loaded.
        uow.customers.get_many({*by_external.values(), *by_email.values()})
        for item in rows:
            try:
                matches = self._matches(item, by_external, by_email, fresh)
                customer: Customer | None
                if len(matches) > 1 and auto_merge:
                    customer = self._merge(uow, matches, actor, now)
                    merged += len(matches) - 1
                    # Later rows that name a merged customer now name the survivor.
                    survivor_id = customer.id
                    for external_id, customer_id in list(by_external.items()):
                        if customer_id in matches:
                            by_external[external_id] = survivor_id
                    for email, customer_id in list(by_email.items()):
                        if customer_id in matches:
                            by_email[email] = survivor_id
                else:
                    customer = self._match(uow, item, matches, fresh)
                if customer is None:
                    customer = self._register(item, actor, now, schema)
                    require_unique_values(
                        uow.customers,
                        schema,
                        customer.custom_fields,
                        record_id=customer.id,
                        keys=item.row.custom_fields,
                    )
                    for new_key in (*item.external_ids, item.email):
                        if new_key is not None:
                            fresh[new_key] = customer
                    created += 1
                    continue
                version = customer.version
                self._apply(customer, item, actor, now, schema)
                require_unique_values(
                    uow.customers,
                    schema,
                    customer.custom_fields,
                    record_id=customer.id,
                    keys=item.row.custom_fields,
                )
                if customer.version == version:
                    unchanged += 1
                elif customer.id in {c.id for c in fresh.values()}:
                    unchanged += 1  # a later row of the same new customer
                else:
                    updated += 1
            except DomainError as error:
                problems.extend(RowProblem(item.row.row, p) for p in error.problems)
        new_customers = list({c.id: c for c in fresh.values()}.values())
        uow.customers.add_many(new_customers)
        return created, updated, unchanged, merged

    def custom_field_keys(self) -> set[str]:
        """The custom fields of customers that a file may fill."""
        with self.uow() as uow:
            return set(load_schema(uow.custom_fields, ObjectType.CUSTOMER).definitions)

    @staticmethod
    def _matches(
        item: CheckedRow,
        by_external: Mapping[ExternalId, str],
        by_email: Mapping[EmailAddress, str],
        fresh: Mapping[object, Customer],
    ) -> list[str]:
        """Ids of the stored customers the row names: its external ids first, then its email."""
        if any(key is not None and key in fresh for key in (*item.external_ids, item.email)):
            return []
        matches = [by_external[i] for i in item.external_ids if i in by_external]
        if item.email is not None and item.email in by_email:
            matches.append(by_email[item.email])
        return list(dict.fromkeys(matches))

    def _merge(
        self, uow: UnitOfWork, ids: Sequence[str], actor: Principal, now: datetime
    ) -> Customer:
        survivor, *duplicates = [uow.customers.get(customer_id) for customer_id in ids]
        if survivor is None or any(d is None for d in duplicates):
            raise DomainError([Problem("email", ErrorCode.NOT_FOUND, "a matched customer is gone")])
        plan = MergePlan.of(survivor, [d for d in duplicates if d is not None], self.policy)
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

    @staticmethod
    def _match(
        uow: UnitOfWork, item: CheckedRow, matches: list[str], fresh: Mapping[object, Customer]
    ) -> Customer | None:
        for key in (*item.external_ids, item.email):
            if key is not None and key in fresh:
                return fresh[key]
        if len(matches) > 1:
            raise DomainError(
                [
                    Problem(
                        "email",
                        ErrorCode.TAKEN,
                        "the email and the external id belong to two different customers",
                    )
                ]
            )
        if not matches:
            return None
        return uow.customers.get(matches[0])

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


def _names_each_once(rows: Sequence[CheckedRow]) -> bool:
    """No two rows share an external id or an email, so no row can name another's customer."""
    keys: set[object] = set()
    for item in rows:
        for key in (*item.external_ids, item.email):
            if key is not None:
                if key in keys:
                    return False
                keys.add(key)
    return True
