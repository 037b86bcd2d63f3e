"""Rapport's own wire formats for the scalars that strawberry leaves loosely defined."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final

import strawberry
from graphql import GraphQLError
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload
from strawberry.types.scalar import ScalarDefinition

from adapters.graphql.money import CurrencyCode, CurrencyCodeScalar

MAX_DECIMAL_LENGTH: Final = 40
_DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")

DECIMAL_DESCRIPTION: Final = (
    "An exact decimal number, always a string: an optional minus sign, digits, and optionally "
    'a point and more digits, such as "12.50", "-3" or "0.125", at most '
    f"{MAX_DECIMAL_LENGTH} characters. Numbers (JSON or GraphQL number literals) are refused: "
    "floating point cannot hold every decimal exactly."
)
DATE_TIME_URL: Final = "https://scalars.graphql.org/andimarek/date-time"
DATE_URL: Final = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
DECIMAL_URL: Final = "docs/graphql.md#decimal"
"""Rapport's own format, written down beside the schema's other rules."""
UPLOAD_URL: Final = "https://github.com/jaydenseric/graphql-multipart-request-spec"

DATE_TIME_DESCRIPTION: Final = (
    "An instant, as an RFC 3339 date-time string with its offset from UTC, such as "
    '"2026-03-01T09:00:00Z" or "2026-03-01T10:00:00+01:00"; answered with the offset +00:00. '
    "A date-time without an offset is refused: it names no instant."
)
DATE_DESCRIPTION: Final = (
    'A calendar date without a time or a time zone, as an RFC 3339 full-date: "2026-03-01".'
)
UPLOAD_DESCRIPTION: Final = (
    "A file, sent as one part of a multipart/form-data request as the GraphQL multipart "
    "request specification describes (https://github.com/jaydenseric/graphql-multipart-request-spec): "
    "an `operations` part with the query and null in place of the file, a `map` part naming "
    "the variable each file part fills, and the file parts. Any other value is refused."
)


def parse_decimal(value: object) -> Decimal:
    """The decimal a client sent; a ``GraphQLError`` says what the format is otherwise."""
    if (
        not isinstance(value, str)
        or len(value) > MAX_DECIMAL_LENGTH
        or _DECIMAL.fullmatch(value) is None
    ):
        raise GraphQLError(
            f'Decimal is a string such as "12.50" of at most {MAX_DECIMAL_LENGTH} characters'
        )
    return Decimal(value)


def serialize_decimal(value: Decimal | int) -> str:
    # Plain notation always: str() would write some values as "1E+3" or "0E-10".
    return format(Decimal(value), "f")


def parse_date_time(value: object) -> datetime:
    """The instant a client sent; a ``GraphQLError`` says what the format is otherwise."""
    problem = 'DateTime is an RFC 3339 string with an offset, such as "2026-03-01T09:00:00Z"'
    if not isinstance(value, str) or len(value) > 40 or "T" not in value.upper():
        raise GraphQLError(problem)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(problem) from None
    if parsed.tzinfo is None:
        raise GraphQLError(problem)
    return parsed


def serialize_date_time(value: datetime) -> str:
    # Storage that keeps no offset (SQLite) hands back UTC without one.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def parse_date(value: object) -> date:
    problem = 'Date is an RFC 3339 full-date such as "2026-03-01"'
    if not isinstance(value, str) or len(value) != 10:
        raise GraphQLError(problem)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise GraphQLError(problem) from None


def parse_upload(value: object) -> UploadFile:
    """The uploaded file of a multipart request; anything else is refused."""
    if not isinstance(value, UploadFile):
        raise GraphQLError("Upload is a file part of a multipart request")
    return value


DecimalScalar: Final = strawberry.scalar(
    name="Decimal",
    description=DECIMAL_DESCRIPTION,
    specified_by_url=DECIMAL_URL,
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)
UploadScalar: Final = strawberry.scalar(
    name="Upload",
    description=UPLOAD_DESCRIPTION,
    specified_by_url=UPLOAD_URL,
    serialize=lambda value: value,
    parse_value=parse_upload,
)
DateTimeScalar: Final = strawberry.scalar(
    name="DateTime",
    description=DATE_TIME_DESCRIPTION,
    specified_by_url=DATE_TIME_URL,
    serialize=serialize_date_time,
    parse_value=parse_date_time,
)
DateScalar: Final = strawberry.scalar(
    name="Date",
    description=DATE_DESCRIPTION,
    specified_by_url=DATE_URL,
    serialize=date.isoformat,
    parse_value=parse_date,
)
SCALARS: Final[dict[object, ScalarDefinition]] = {
    datetime: DateTimeScalar,
    date: DateScalar,
    Decimal: DecimalScalar,
    Upload: UploadScalar,
    CurrencyCode: CurrencyCodeScalar,
}
