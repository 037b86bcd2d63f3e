"""Erasing a customer: the erasure itself, its event, and how storage declares personal data."""

from domain.privacy.declarations import (
    NOT_PERSONAL,
    ColumnRule,
    Erase,
    PersonalData,
    blank,
    emptied,
    pseudonym,
)
from domain.privacy.erasure import ERASED_CUSTOMER_ID, CustomerErased, Erasure, erased_customer

__all__ = [
    "ERASED_CUSTOMER_ID",
    "NOT_PERSONAL",
    "ColumnRule",
    "CustomerErased",
    "Erase",
    "Erasure",
    "PersonalData",
    "blank",
    "emptied",
    "erased_customer",
    "pseudonym",
]
