"""The committed state that in-memory units of work read from and write to."""

from __future__ import annotations

import threading

from attrs import define, field

from domain.access.api_key import ApiKey
from domain.access.user import User
from domain.companies import Company
from domain.custom_fields import CustomFieldDefinition
from domain.customers import Customer
from domain.events import DomainEvent
from domain.orders import Order


@define
class InMemoryStore:
    customers: dict[str, Customer] = field(factory=dict)
    companies: dict[str, Company] = field(factory=dict)
    custom_field_definitions: dict[str, CustomFieldDefinition] = field(factory=dict)
    users: dict[str, User] = field(factory=dict)
    api_keys: dict[str, ApiKey] = field(factory=dict)
    orders: dict[str, Order] = field(factory=dict)
    outbox: list[DomainEvent] = field(factory=list)
    lock: threading.RLock = field(factory=threading.RLock)
