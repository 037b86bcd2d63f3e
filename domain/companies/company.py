"""The company aggregate: an organisation (an account) that customers belong to."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, cast

from attrs import define, field, frozen

from domain.changes import KEEP, Keep
from domain.companies.address import Address
from domain.companies.events import CompanyArchived, CompanyCreated, CompanyUpdated
from domain.companies.host_name import parse_host_name
from domain.custom_fields import CustomFieldSchema, CustomValue
from domain.errors import ErrorCode, InvalidValue, ProblemCollector, RuleViolated
from domain.events import DomainEvent
from domain.text import clean_line

NAME_MAX_LENGTH: Final = 200
INDUSTRY_MAX_LENGTH: Final = 100


class CompanySize(StrEnum):
    """How many people a company employs, in the bands people usually report."""

    FROM_1_TO_10 = "1-10"
    FROM_11_TO_50 = "11-50"
    FROM_51_TO_200 = "51-200"
    FROM_201_TO_500 = "201-500"
    FROM_501_TO_1000 = "501-1000"
    FROM_1001_TO_5000 = "1001-5000"
    FROM_5001_TO_10000 = "5001-10000"
    OVER_10000 = "10001+"


@frozen(kw_only=True)
class CompanyChanges:
    """A partial update; ``KEEP`` leaves a field as it is, ``None`` clears an optional one."""

    name: str | Keep = KEEP
    domain: str | Keep | None = KEEP
    industry: str | Keep | None = KEEP
    size: CompanySize | Keep | None = KEEP
    address: Address | Keep | None = KEEP
    owner_id: str | Keep = KEEP
    custom_fields: Mapping[str, object | None] | Keep = KEEP
    """Merged into the current values; ``None`` for a key removes it."""


def clean_company_name(raw: str) -> str:
    name = clean_line(raw, field="name", max_length=NAME_MAX_LENGTH)
    if not name:
        raise InvalidValue("name", ErrorCode.REQUIRED, "a company needs a name")
    return name


def clean_domain(raw: str | None) -> str | None:
    return parse_host_name(raw) if raw and raw.strip() else None


def clean_industry(raw: str | None) -> str | None:
    return clean_line(raw or "", field="industry", max_length=INDUSTRY_MAX_LENGTH) or None


def clean_address(address: Address | None) -> Address | None:
    return None if address is None or address.is_empty else address


@define(slots=False, eq=False)
class Company:
    """An organisation; ``version`` counts accepted changes."""

    id: str
    name: str
    domain: str | None
    industry: str | None
    size: CompanySize | None
    address: Address | None
    custom_fields: dict[str, CustomValue]
    owner_id: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None
    version: int = 1
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def register(
        cls,
        *,
        id: str,
        name: str,
        domain: str | None = None,
        industry: str | None = None,
        size: CompanySize | None = None,
        address: Address | None = None,
        custom_fields: Mapping[str, object],
        schema: CustomFieldSchema,
        owner_id: str,
        at: datetime,
        by: str,
    ) -> Company:
        problems = ProblemCollector()
        clean_name = problems.check(lambda: clean_company_name(name))
        host = problems.check(lambda: clean_domain(domain))
        clean_values = problems.check(lambda: schema.validate(custom_fields))
        sector = problems.check(lambda: clean_industry(industry))
        problems.raise_if_any()
        company = cls(
            id=id,
            name=cast(str, clean_name),
            domain=host,
            industry=sector,
            size=size,
            address=clean_address(address),
            custom_fields=cast(dict[str, CustomValue], clean_values),
            owner_id=owner_id,
            created_at=at,
            updated_at=at,
        )
        company.events.append(
            CompanyCreated(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                name=company.name,
                domain=company.domain,
                owner_id=owner_id,
            )
        )
        return company

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def update(
        self,
        changes: CompanyChanges,
        *,
        at: datetime,
        by: str,
        schema: CustomFieldSchema | None = None,
    ) -> None:
        """Apply ``changes``; a change that alters nothing records no event and no version."""
        self._require_active()
        problems = ProblemCollector()
        new_values: dict[str, Any] = {}
        if changes.name is not KEEP:
            name = changes.name
            new_values["name"] = problems.check(lambda: clean_company_name(name))
        if changes.domain is not KEEP:
            domain = changes.domain
            new_values["domain"] = problems.check(lambda: clean_domain(domain))
        if changes.industry is not KEEP:
            industry = changes.industry
            new_values["industry"] = problems.check(lambda: clean_industry(industry))
        if changes.custom_fields is not KEEP:
            patch = changes.custom_fields
            fields = schema or CustomFieldSchema(())
            new_values["custom_fields"] = problems.check(
                lambda: fields.merge(self.custom_fields, patch)
            )
        problems.raise_if_any()
        if changes.size is not KEEP:
            new_values["size"] = changes.size
        if changes.address is not KEEP:
            new_values["address"] = clean_address(changes.address)
        if changes.owner_id is not KEEP:
            new_values["owner_id"] = changes.owner_id

        changed = {
            name: value for name, value in new_values.items() if getattr(self, name) != value
        }
        if not changed:
            return
        for name, value in changed.items():
            setattr(self, name, value)
        self.updated_at = at
        self.version += 1
        self.events.append(
            CompanyUpdated(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                changes={name: _plain(value) for name, value in changed.items()},
                version=self.version,
            )
        )

    def archive(self, *, at: datetime, by: str) -> None:
        """Take the company out of active use; archived companies are read-only."""
        self._require_active()
        self.archived_at = at
        self.updated_at = at
        self.version += 1
        self.events.append(CompanyArchived(aggregate_id=self.id, occurred_at=at, actor_id=by))

    def _require_active(self) -> None:
        if self.is_archived:
            raise RuleViolated("id", ErrorCode.ARCHIVED, "an archived company cannot change")


def company_sort_name(name: str) -> str:
    """The key company names sort by: ignoring case."""
    return name.casefold()


def company_search_text(name: str, domain: str | None) -> str:
    """The case-folded text that a free-text company search matches against."""
    return " ".join(part for part in (name, domain) if part).casefold()


def _plain(value: object) -> object:
    if isinstance(value, Address):
        return value.as_dict()
    if isinstance(value, CompanySize):
        return value.value
    return value
