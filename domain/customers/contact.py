"""Contact points of a customer: email addresses and phone numbers, always normalised."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue

_LOCAL_PART = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
PHONE_CACHE_SIZE = 1 << 16
"""Distinct (text, region) pairs whose outcome is remembered: about 10 MB when full."""


def _check_email(_: object, __: object, value: str) -> None:
    # The full check runs in parse(); this keeps the normal form without paying for it twice.
    local, at, domain = value.rpartition("@")
    if not (at and local and "." in domain and value == value.lower() and len(value) <= 254) or (
        value != value.strip()
    ):
        raise InvalidValue("email", ErrorCode.INVALID_EMAIL, "is not a normalised email address")


@frozen
class EmailAddress:
    """A syntactically valid address, lower-cased so that equal addresses compare equal."""

    value: str = field(validator=_check_email)

    @classmethod
    def parse(cls, raw: str, *, field_name: str = "email") -> EmailAddress:
        try:
            return cls(parse_email_address(raw))
        except InvalidValue as error:
            raise InvalidValue(
                field_name, ErrorCode.INVALID_EMAIL, error.problems[0].message
            ) from None

    @property
    def domain(self) -> str:
        return self.value.rsplit("@", 1)[1]

    def __str__(self) -> str:
        return self.value


def parse_email_address(raw: str) -> str:
    """Return the normalised form of ``raw`` or raise ``InvalidValue``."""
    text = raw.strip()
    if len(text) > 254:
        raise InvalidValue("email", ErrorCode.TOO_LONG, "must be at most 254 characters")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidValue("email", ErrorCode.INVALID_EMAIL, "must look like name@example.com")
    if len(local) > 64 or not _LOCAL_PART.match(local):
        raise InvalidValue("email", ErrorCode.INVALID_EMAIL, "has an invalid part before the @")
    try:
        ascii_domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidValue("email", ErrorCode.INVALID_EMAIL, "has an invalid domain") from None
    labels = ascii_domain.split(".")
    if (
        len(labels) < 2
        or not all(_DOMAIN_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidValue("email", ErrorCode.INVALID_EMAIL, "has an invalid domain")
    return f"{local.lower()}@{domain.lower()}"


def _check_e164(_: object, __: object, value: str) -> None:
    if not _E164.match(value):
        raise InvalidValue("phone", ErrorCode.INVALID_PHONE, "is not in E.164 form")


@frozen
class PhoneNumber:
    """A phone number in E.164 form (``+14155550123``)."""

    e164: str = field(validator=_check_e164)

    @classmethod
    def parse(cls, raw: str, *, default_region: str, field_name: str = "phone") -> PhoneNumber:
        """Parse what a person typed; numbers without ``+`` are read in ``default_region``."""
        if len(raw) > 64:
            raise InvalidValue(field_name, ErrorCode.TOO_LONG, "must be at most 64 characters")
        e164, message = normalise_phone(raw, default_region)
        if e164 is None:
            raise InvalidValue(field_name, ErrorCode.INVALID_PHONE, message)
        return cls(e164)

    def __str__(self) -> str:
        return self.e164


@lru_cache(maxsize=PHONE_CACHE_SIZE)
def normalise_phone(raw: str, default_region: str) -> tuple[str | None, str]:
    """``(E.164, "")`` for a valid number, else ``(None, why)``.

    phonenumbers spends some 35 µs on a number and is deterministic, so the outcome is
    remembered per text and region: files and forms repeat numbers (switchboards, family
    members, the same file imported twice) and a repeat then costs a dictionary look-up.
    """
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None, "is not a phone number"
    if not phonenumbers.is_valid_number(number):
        return None, "is not a valid number for its region"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""
