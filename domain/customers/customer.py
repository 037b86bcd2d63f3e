"""The customer aggregate: one person the company has a relationship with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, cast

from attrs import define, field, frozen

from domain.changes import KEEP, Keep
from domain.custom_fields import CustomFieldSchema, CustomValue
from domain.customers.contact import EmailAddress, PhoneNumber
from domain.customers.events import (
    CustomerArchived,
    CustomerCreated,
    CustomerMerged,
    CustomerUpdated,
)
from domain.customers.identity import ExternalId
from domain.errors import ErrorCode, ProblemCollector, RuleViolated
from domain.events import DomainEvent
from domain.text import clean_line

NAME_MAX_LENGTH: Final = 100


@frozen(kw_only=True)
class CustomerChanges:
    """A partial update; ``KEEP`` leaves a field as it is, ``None`` clears email or phone."""

    first_name: str | Keep = KEEP
    last_name: str | Keep = KEEP
    email: EmailAddress | Keep | None = KEEP
    phone: PhoneNumber | Keep | None = KEEP
    custom_fields: Mapping[str, object | None] | Keep = KEEP
    """Merged into the current values; ``None`` for a key removes it."""
    owner_id: str | Keep = KEEP
    company_id: str | Keep | None = KEEP


def clean_name(raw: str, *, field_name: str) -> str:
    return clean_line(raw, field=field_name, max_length=NAME_MAX_LENGTH)


@define(slots=False, eq=False)
class Customer:
    """A person, their contact points and custom fields; ``version`` counts accepted changes."""

    id: str
    first_name: str
    last_name: str
    email: EmailAddress | None
    phone: PhoneNumber | None
    custom_fields: dict[str, CustomValue]
    owner_id: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None
    company_id: str | None = None
    version: int = 1
    external_ids: frozenset[ExternalId] = frozenset()
    merged_into: str | None = None
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def register(
        cls,
        *,
        id: str,
        first_name: str,
        last_name: str,
        email: EmailAddress | None,
        phone: PhoneNumber | None,
        custom_fields: Mapping[str, object],
        schema: CustomFieldSchema,
        owner_id: str,
        company_id: str | None = None,
        at: datetime,
        by: str,
        external_ids: Iterable[ExternalId] = (),
    ) -> Customer:
        problems = ProblemCollector()
        first = problems.check(lambda: clean_name(first_name, field_name="firstName"))
        last = problems.check(lambda: clean_name(last_name, field_name="lastName"))
        clean_values = problems.check(lambda: schema.validate(custom_fields))
        problems.raise_if_any()
        customer = cls(
            id=id,
            first_name=cast(str, first),
            last_name=cast(str, last),
            email=email,
            phone=phone,
            custom_fields=cast(dict[str, CustomValue], clean_values),
            owner_id=owner_id,
            company_id=company_id,
            created_at=at,
            updated_at=at,
            external_ids=frozenset(external_ids),
        )
        customer._require_identity()
        customer.events.append(
            CustomerCreated(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                first_name=customer.first_name,
                last_name=customer.last_name,
                email=email.value if email else None,
                phone=phone.e164 if phone else None,
                owner_id=owner_id,
                external_ids=sorted(str(external_id) for external_id in customer.external_ids),
                company_id=company_id,
            )
        )
        return customer

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.email, self.phone) or min(
            (str(external_id) for external_id in self.external_ids), default=""
        )

    def link(self, external_ids: Iterable[ExternalId], *, at: datetime, by: str) -> None:
        """Record how other systems name this customer; known ids change nothing."""
        self._require_active()
        new = frozenset(external_ids) - self.external_ids
        if not new:
            return
        self.external_ids = self.external_ids | new
        self._changed({"external_ids": sorted(str(i) for i in self.external_ids)}, at=at, by=by)

    def update(
        self,
        changes: CustomerChanges,
        *,
        at: datetime,
        by: str,
        schema: CustomFieldSchema | None = None,
    ) -> None:
        """Apply ``changes``; a change that alters nothing records no event and no version.

        Custom field values are checked against ``schema``; without one, no key is defined.
        """
        self._require_active()
        problems = ProblemCollector()
        new_values: dict[str, Any] = {}
        if changes.first_name is not KEEP:
            first = changes.first_name
            new_values["first_name"] = problems.check(
                lambda: clean_name(first, field_name="firstName")
            )
        if changes.last_name is not KEEP:
            last = changes.last_name
            new_values["last_name"] = problems.check(
                lambda: clean_name(last, field_name="lastName")
            )
        if changes.custom_fields is not KEEP:
            patch = changes.custom_fields
            fields = schema or CustomFieldSchema(())
            new_values["custom_fields"] = problems.check(
                lambda: fields.merge(self.custom_fields, patch)
            )
        problems.raise_if_any()
        if changes.email is not KEEP:
            new_values["email"] = changes.email
        if changes.phone is not KEEP:
            new_values["phone"] = changes.phone
        if changes.owner_id is not KEEP:
            new_values["owner_id"] = changes.owner_id
        if changes.company_id is not KEEP:
            new_values["company_id"] = changes.company_id

        changed = {
            name: value for name, value in new_values.items() if getattr(self, name) != value
        }
        if not changed:
            return
        previous = {name: getattr(self, name) for name in changed}
        for name, value in changed.items():
            setattr(self, name, value)
        try:
            self._require_identity()
        except RuleViolated:
            for name, value in previous.items():
                setattr(self, name, value)
            raise
        self._changed({name: _plain(value) for name, value in changed.items()}, at=at, by=by)

    def _changed(self, changes: dict[str, Any], *, at: datetime, by: str) -> None:
        self.updated_at = at
        self.version += 1
        self.events.append(
            CustomerUpdated(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                changes=changes,
                version=self.version,
            )
        )

    def merge_into(self, survivor_id: str, *, at: datetime, by: str) -> frozenset[ExternalId]:
        """Become part of ``survivor_id``: archived, its email and external ids handed over.

        Returns the external ids, which now belong to the survivor.
        """
        self._require_active()
        if survivor_id == self.id:
            raise RuleViolated(
                "duplicateIds", ErrorCode.INVALID, "a customer cannot merge into itself"
            )
        handed_over = self.external_ids
        self.external_ids = frozenset()
        self.email = None
        self.merged_into = survivor_id
        self.archived_at = at
        self.updated_at = at
        self.version += 1
        return handed_over

    def absorb(
        self,
        changes: CustomerChanges,
        external_ids: Iterable[ExternalId],
        merged_ids: Sequence[str],
        *,
        schema: CustomFieldSchema,
        at: datetime,
        by: str,
    ) -> None:
        """Take in what survives of merged duplicates, recorded as one merge event."""
        self._require_active()
        self.update(changes, at=at, by=by, schema=schema)
        self.external_ids = self.external_ids | frozenset(external_ids)
        self.updated_at = at
        self.version += 1
        self.events.append(
            CustomerMerged(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                merged_ids=list(merged_ids),
                version=self.version,
            )
        )

    def archive(self, *, at: datetime, by: str) -> None:
        """Take the customer out of active use; archived customers are read-only."""
        self._require_active()
        self.archived_at = at
        self.updated_at = at
        self.version += 1
        self.events.append(CustomerArchived(aggregate_id=self.id, occurred_at=at, actor_id=by))

    def _require_active(self) -> None:
        if self.is_archived:
            raise RuleViolated("id", ErrorCode.ARCHIVED, "an archived customer cannot change")

    def _require_identity(self) -> None:
        if not (self.first_name or self.last_name or self.email or self.phone or self.external_ids):
            raise RuleViolated(
                "email",
                ErrorCode.REQUIRED,
                "a customer needs a name, an email, a phone or an external id",
            )


def display_name(
    first_name: str,
    last_name: str,
    email: EmailAddress | str | None,
    phone: PhoneNumber | str | None,
) -> str:
    """What people see for a customer: the name, else the email, else the phone.

    Chinese, Japanese and Korean names are written family name first, with no space.
    """
    if first_name and last_name and _is_cjk(first_name) and _is_cjk(last_name):
        return f"{last_name}{first_name}"
    name = f"{first_name} {last_name}".strip()
    return name or str(email or phone or "")


def _is_cjk(text: str) -> bool:
    return all(
        "\u2e80" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" or "\uf900" <= char <= "\ufaff"
        for char in text
    )


def sort_name(first_name: str, last_name: str, email: str | None) -> str:
    """The key people expect names to sort by: last name, then first, ignoring case."""
    return f"{last_name} {first_name}".strip().casefold() or (email or "")


def search_text(first_name: str, last_name: str, email: str | None, phone: str | None) -> str:
    """The case-folded text that a free-text customer search matches against."""
    return " ".join(part for part in (first_name, last_name, email, phone) if part).casefold()


def _plain(value: object) -> object:
    if isinstance(value, EmailAddress):
        return value.value
    if isinstance(value, PhoneNumber):
        return value.e164
    return value
