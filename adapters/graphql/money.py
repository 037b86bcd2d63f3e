"""Money in the API: one ``Money { amount currency }`` type for every sum, in and out."""

from __future__ import annotations

from decimal import Decimal
from typing import Final, NewType, Protocol

import strawberry
from graphql import GraphQLError

from domain.errors import DomainError
from domain.orders.money import Currency

ISO_4217_URL: Final = "https://www.iso.org/iso-4217-currency-codes.html"

CurrencyCode = NewType("CurrencyCode", str)
"""An active ISO 4217 alphabetic code, upper case: ``"EUR"``."""


def parse_currency_code(value: object) -> CurrencyCode:
    """The code a client sent, upper-cased; a ``GraphQLError`` for anything else."""
    if not isinstance(value, str):
        raise GraphQLError('CurrencyCode is a string such as "EUR"')
    try:
        return CurrencyCode(Currency.parse(value).code)
    except DomainError:
        raise GraphQLError(f"{value[:8]!r} is not an ISO 4217 currency code") from None


CurrencyCodeScalar: Final = strawberry.scalar(
    name="CurrencyCode",
    description=(
        'An active ISO 4217 alphabetic currency code of three letters, such as "EUR" or '
        '"JPY". Lower case is accepted on input and answered in upper case.'
    ),
    specified_by_url=ISO_4217_URL,
    serialize=str,
    parse_value=parse_currency_code,
)


class HasAmount(Protocol):
    @property
    def amount(self) -> Decimal: ...

    @property
    def currency(self) -> object: ...


@strawberry.type(description="An exact amount in one currency; amounts are never converted.")
class Money:
    amount: Decimal = strawberry.field(
        description="The amount, in the currency's major unit, with its minor-unit decimals."
    )
    currency: CurrencyCode = strawberry.field(description="The ISO 4217 code of the currency.")

    @classmethod
    def of(cls, value: HasAmount) -> Money:
        """Any amount with a currency (a domain ``Money``, a view's total ...)."""
        return cls(amount=value.amount, currency=CurrencyCode(str(value.currency)))

    @classmethod
    def in_currency(cls, amount: Decimal, currency: str) -> Money:
        return cls(amount=amount, currency=CurrencyCode(currency))


@strawberry.input(description="An exact amount in one currency.")
class MoneyInput:
    amount: Decimal = strawberry.field(
        description="The amount, with at most as many decimals as the currency has."
    )
    currency: CurrencyCode = strawberry.field(description="The ISO 4217 code of the currency.")
