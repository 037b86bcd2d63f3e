"""How other systems point at a customer: by our id, by email, or by their own id."""

from __future__ import annotations

from typing import Final

from attrs import frozen

from domain.customers.contact import EmailAddress
from domain.errors import ErrorCode, InvalidValue
from domain.text import clean_line

EXTERNAL_ID_MAX_LENGTH: Final = 200
SOURCE_MAX_LENGTH: Final = 60


@frozen
class ExternalId:
    """A customer's id in another system: ``source`` names the system, ``value`` the id."""

    source: str
    value: str

    @classmethod
    def parse(cls, source: str, value: str, *, field: str = "externalId") -> ExternalId:
        clean_source = clean_line(source, field=f"{field}.source", max_length=SOURCE_MAX_LENGTH)
        clean_value = clean_line(value, field=f"{field}.value", max_length=EXTERNAL_ID_MAX_LENGTH)
        for name, text in (("source", clean_source), ("value", clean_value)):
            if not text:
                raise InvalidValue(f"{field}.{name}", ErrorCode.REQUIRED, "must not be empty")
        return cls(clean_source, clean_value)


@frozen
class CustomerRef:
    """Exactly one of a customer id, an email address or an external id."""

    id: str | None = None
    email: EmailAddress | None = None
    external_id: ExternalId | None = None

    @classmethod
    def parse(
        cls,
        *,
        id: str | None,
        email: str | None,
        external_id: tuple[str, str] | None,
        field: str = "customer",
    ) -> CustomerRef:
        given = [
            name
            for name, value in (("id", id), ("email", email), ("externalId", external_id))
            if value is not None
        ]
        if not given:
            raise InvalidValue(field, ErrorCode.REQUIRED, "give one of id, email or externalId")
        if len(given) > 1:
            raise InvalidValue(
                field,
                ErrorCode.INVALID,
                f"give exactly one of id, email or externalId, not {' and '.join(given)}",
            )
        if email is not None:
            return cls(email=EmailAddress.parse(email, field_name=f"{field}.email"))
        if external_id is not None:
            source, value = external_id
            return cls(external_id=ExternalId.parse(source, value, field=f"{field}.externalId"))
        if id is None or not id.strip():
            raise InvalidValue(f"{field}.id", ErrorCode.REQUIRED, "must not be empty")
        return cls(id=id)
