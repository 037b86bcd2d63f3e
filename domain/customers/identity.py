"""External ids: how other systems (a shop, a chat app, a legacy CRM) name a customer."""

from __future__ import annotations

import re

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue

_SOURCE = re.compile(r"^[a-z][a-z0-9_.-]{0,39}$")
MAX_VALUE_LENGTH = 200


def _check_source(_: object, __: object, source: str) -> None:
    if not _SOURCE.match(source):
        raise InvalidValue(
            "externalIds",
            ErrorCode.INVALID,
            "a source is lower-case letters, digits, '_', '.' or '-', starting with a letter",
        )


def _check_value(_: object, __: object, value: str) -> None:
    if not value or len(value) > MAX_VALUE_LENGTH or value != value.strip():
        raise InvalidValue(
            "externalIds",
            ErrorCode.INVALID,
            f"an external id is 1 to {MAX_VALUE_LENGTH} characters without surrounding spaces",
        )


@frozen(order=True)
class ExternalId:
    """``source:value``, e.g. ``shop:123`` or ``wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M``."""

    source: str = field(validator=_check_source)
    value: str = field(validator=_check_value)

    @classmethod
    def parse(cls, text: str) -> ExternalId:
        source, colon, value = text.strip().partition(":")
        if not colon:
            raise InvalidValue(
                "externalIds", ErrorCode.INVALID, "an external id is written source:value"
            )
        return cls(source.lower(), value)

    def __str__(self) -> str:
        return f"{self.source}:{self.value}"
