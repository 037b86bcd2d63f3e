"""Column types that carry domain value objects and keep every timestamp in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from domain.access.roles import Role
from domain.customers import EmailAddress, PhoneNumber

JsonDocument: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")


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


class RoleType(TypeDecorator[Role]):
    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: Role | str | None, dialect: Dialect) -> str | None:
        return Role(value).value if value is not None else None

    def process_result_value(self, value: str | None, dialect: Dialect) -> Role | None:
        return Role(value) if value is not None else None


class StrEnumType(TypeDecorator[Any]):
    """A ``StrEnum`` member stored as its value."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: StrEnum | str | None, dialect: Dialect) -> str | None:
        return self.enum(value).value if value is not None else None

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        return self.enum(value) if value is not None else None
