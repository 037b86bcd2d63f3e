"""Column types that carry domain value objects and keep every timestamp in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, DateTime, Dialect, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from domain.access.roles import role_key
from domain.companies import Address
from domain.customers import EmailAddress, PhoneNumber

JsonDocument: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
E = TypeVar("E", bound=StrEnum)


def sortable_text(length: int) -> TypeEngine[str]:
    """Text compared by code point on every database, as Python compares strings."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        # SQLite keeps text in SQLAlchemy's fixed ISO layout; the C parser reads it several
        # times faster than the generic regular-expression path, on every row of every list.
        def parse(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return parse


class EmailType(TypeDecorator[EmailAddress]):
    impl = String(254)
    cache_ok = True

    def process_bind_param(self, value: EmailAddress | str | None, dialect: Dialect) -> str | None:
        return value.value if isinstance(value, EmailAddress) else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> EmailAddress | None:
        return EmailAddress(value) if value is not None else None


class PhoneType(TypeDecorator[PhoneNumber]):
    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: PhoneNumber | str | None, dialect: Dialect) -> str | None:
        return value.e164 if isinstance(value, PhoneNumber) else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> PhoneNumber | None:
        return PhoneNumber(value) if value is not None else None


class RoleType(TypeDecorator[str]):
    """A role key; keys of the roles before roles became data read as their new keys."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return role_key(value) if value is not None else None

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return role_key(value) if value is not None else None


class StrEnumType(TypeDecorator[E], Generic[E]):
    """A string enumeration stored as its value in a plain column."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return self.enum(value).value if value is not None else None

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return self.enum(value) if value is not None else None


class AddressType(TypeDecorator[Address]):
    """An address as one JSON document; its parts are read together, never queried apart."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        # SQL NULL for no address, not a JSON null.
        document = (
            JSONB(none_as_null=True) if dialect.name == "postgresql" else JSON(none_as_null=True)
        )
        return dialect.type_descriptor(document)

    def process_bind_param(self, value: Address | None, dialect: Dialect) -> Any:
        return value.as_dict() if value is not None else None

    def process_result_value(self, value: Any, dialect: Dialect) -> Address | None:
        return Address(**value) if value is not None else None


class ChoicesType(TypeDecorator[tuple[str, ...]]):
    """The choices of a custom field: a JSON list in storage, a tuple in the domain."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return list(value) if value is not None else None

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...] | None:
        return tuple(value) if value is not None else None
