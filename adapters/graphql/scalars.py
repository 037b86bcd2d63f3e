"""Rapport's own wire formats for the scalars that strawberry leaves loosely defined."""

from __future__ import annotations

import re
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


def parse_upload(value: object) -> UploadFile:
    """The uploaded file of a multipart request; anything else is refused."""
    if not isinstance(value, UploadFile):
        raise GraphQLError("Upload is a file part of a multipart request")
    return value


DecimalScalar: Final = strawberry.scalar(
    name="Decimal",
    description=DECIMAL_DESCRIPTION,
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)
UploadScalar: Final = strawberry.scalar(
    name="Upload",
    description=UPLOAD_DESCRIPTION,
    serialize=lambda value: value,
    parse_value=parse_upload,
)
SCALARS: Final[dict[object, ScalarDefinition]] = {
    Decimal: DecimalScalar,
    Upload: UploadScalar,
    CurrencyCode: CurrencyCodeScalar,
}
