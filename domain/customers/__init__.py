"""Customers: the people a company has relationships with."""

from domain.changes import KEEP
from domain.customers.contact import EmailAddress, PhoneNumber
from domain.customers.customer import Customer, CustomerChanges
from domain.customers.events import CustomerArchived, CustomerCreated, CustomerUpdated
from domain.customers.identity import ExternalId

__all__ = [
    "KEEP",
    "Customer",
    "CustomerArchived",
    "CustomerChanges",
    "CustomerCreated",
    "CustomerUpdated",
    "EmailAddress",
    "ExternalId",
    "PhoneNumber",
]
