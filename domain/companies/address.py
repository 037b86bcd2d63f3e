"""A postal address: the parts people write, and a country by its ISO code."""

from __future__ import annotations

from typing import Final

from attrs import frozen

from domain.companies.countries import COUNTRY_CODES
from domain.errors import ErrorCode, InvalidValue, ProblemCollector
from domain.text import clean_line

PART_MAX_LENGTH: Final = 200


@frozen(kw_only=True)
class Address:
    """Every part is optional; empty parts are ``None``, the country is upper-case ISO 3166-1."""

    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None

    @classmethod
    def parse(
        cls,
        *,
        street: str | None = None,
        city: str | None = None,
        region: str | None = None,
        postal_code: str | None = None,
        country: str | None = None,
        field_name: str = "address",
    ) -> Address:
        problems = ProblemCollector()

        def part(raw: str | None, name: str) -> str | None:
            text = clean_line(raw or "", field=f"{field_name}.{name}", max_length=PART_MAX_LENGTH)
            return text or None

        parts = {
            "street": problems.check(lambda: part(street, "street")),
            "city": problems.check(lambda: part(city, "city")),
            "region": problems.check(lambda: part(region, "region")),
            "postal_code": problems.check(lambda: part(postal_code, "postalCode")),
        }
        code = problems.check(lambda: parse_country(country, field_name=f"{field_name}.country"))
        problems.raise_if_any()
        return cls(**parts, country=code)

    @property
    def is_empty(self) -> bool:
        return not (self.street or self.city or self.region or self.postal_code or self.country)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "street": self.street,
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "country": self.country,
        }


def parse_country(raw: str | None, *, field_name: str = "country") -> str | None:
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper()
    if code not in COUNTRY_CODES:
        raise InvalidValue(
            field_name, ErrorCode.INVALID, "must be an ISO 3166-1 alpha-2 code, such as GB"
        )
    return code
