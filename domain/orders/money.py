"""Exact money: a Decimal amount in the minor units of an ISO 4217 currency."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue

# Active ISO 4217 codes and their minor units (digits after the decimal point).
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        [
            "AED",
            "AFN",
            "ALL",
            "AMD",
            "ANG",
            "AOA",
            "ARS",
            "AUD",
            "AWG",
            "AZN",
            "BAM",
            "BBD",
            "BDT",
            "BGN",
            "BMD",
            "BND",
            "BOB",
            "BRL",
            "BSD",
            "BTN",
            "BWP",
            "BYN",
            "BZD",
            "CAD",
            "CDF",
            "CHF",
            "CNY",
            "COP",
            "CRC",
            "CUP",
            "CVE",
            "CZK",
            "DKK",
            "DOP",
            "DZD",
            "EGP",
            "ERN",
            "ETB",
            "EUR",
            "FJD",
            "FKP",
            "GBP",
            "GEL",
            "GHS",
            "GIP",
            "GMD",
            "GTQ",
            "GYD",
            "HKD",
            "HNL",
            "HTG",
            "HUF",
            "IDR",
            "ILS",
            "INR",
            "IRR",
            "JMD",
            "KES",
            "KGS",
            "KHR",
            "KPW",
            "KYD",
            "KZT",
            "LAK",
            "LBP",
            "LKR",
            "LRD",
            "LSL",
            "MAD",
            "MDL",
            "MGA",
            "MKD",
            "MMK",
            "MNT",
            "MOP",
            "MRU",
            "MUR",
            "MVR",
            "MWK",
            "MXN",
            "MYR",
            "MZN",
            "NAD",
            "NGN",
            "NIO",
            "NOK",
            "NPR",
            "NZD",
            "PAB",
            "PEN",
            "PGK",
            "PHP",
            "PKR",
            "PLN",
            "QAR",
            "RON",
            "RSD",
            "RUB",
            "RWF",
            "SAR",
            "SBD",
            "SCR",
            "SDG",
            "SEK",
            "SGD",
            "SHP",
            "SLE",
            "SOS",
            "SRD",
            "SSP",
            "STN",
            "SVC",
            "SYP",
            "SZL",
            "THB",
            "TJS",
            "TMT",
            "TOP",
            "TRY",
            "TTD",
            "TWD",
            "TZS",
            "UAH",
            "USD",
            "UYU",
            "UZS",
            "VES",
            "WST",
            "XCD",
            "YER",
            "ZAR",
            "ZMW",
            "ZWL",
        ],
        2,
    ),
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    "CLF": 4,
    "UYW": 4,
}


def _check_code(_: object, __: object, code: str) -> None:
    if code not in MINOR_UNITS:
        raise InvalidValue("currency", ErrorCode.INVALID, f"{code!r} is not an ISO 4217 currency")


@frozen
class Currency:
    code: str = field(validator=_check_code)

    @classmethod
    def parse(cls, raw: str) -> Currency:
        return cls(raw.strip().upper())

    @property
    def minor_units(self) -> int:
        return MINOR_UNITS[self.code]

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_units)

    def __str__(self) -> str:
        return self.code


@frozen(order=True)
class Money:
    """An amount that is always a whole number of the currency's minor units."""

    amount: Decimal
    currency: Currency

    def __attrs_post_init__(self) -> None:
        if not self.amount.is_finite():
            raise InvalidValue("amount", ErrorCode.INVALID, "must be a finite number")
        if self.amount != self.amount.quantize(self.currency.quantum):
            raise InvalidValue(
                "amount",
                ErrorCode.INVALID,
                f"{self.currency.code} has {self.currency.minor_units} decimal places",
            )

    @classmethod
    def of(
        cls, raw: str | int | Decimal, currency: Currency, *, field_name: str = "amount"
    ) -> Money:
        """Read an amount as written; more decimals than the currency has is an error."""
        try:
            amount = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
        except InvalidOperation:
            raise InvalidValue(field_name, ErrorCode.INVALID, "is not a number") from None
        if not amount.is_finite() or amount != amount.quantize(currency.quantum, ROUND_HALF_EVEN):
            raise InvalidValue(
                field_name,
                ErrorCode.INVALID,
                f"must be a number with at most {currency.minor_units} decimal places",
            )
        return cls(amount.quantize(currency.quantum), currency)

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        return cls(Decimal(0).quantize(currency.quantum), currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: Currency) -> Money:
        return cls(Decimal(units).scaleb(-currency.minor_units), currency)

    @property
    def minor_units(self) -> int:
        return int(self.amount.scaleb(self.currency.minor_units))

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidValue("currency", ErrorCode.INVALID, "amounts are in different currencies")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.code}"
