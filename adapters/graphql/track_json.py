"""The body of ``POST /track`` read straight from JSON into the tracking use case's items.

Websites and apps post events in volume, and coercing them through the schema's input
types costs more than storing them. This reader keeps the mutation's shape and names; a
value of the wrong JSON type is a problem of its own item (reported at its field, as the
use case reports every other problem) rather than of the whole request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.graphql.relay import MalformedId, local_id
from adapters.graphql.type_names import CUSTOMER
from application.behaviour.tracking import IncomingEvent
from domain.errors import ErrorCode, Problem


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def text(self, item: dict[str, Any], key: str, path: str) -> str | None:
        value = item.get(key)
        if value is None or isinstance(value, str):
            return value
        self.problems.append(Problem(path, ErrorCode.INVALID, "must be a string"))
        return None

    def object(self, item: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = item.get(key)
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.problems.append(Problem(path, ErrorCode.INVALID, "must be a JSON object"))
        return {}

    def moment(self, item: dict[str, Any], key: str, path: str) -> datetime | None:
        raw = self.text(item, key, path)
        if raw is None:
            return None
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            self.problems.append(Problem(path, ErrorCode.INVALID, "is not an ISO 8601 time"))
            return None


def incoming_event_from_json(item: object) -> IncomingEvent:
    """One element of ``events``, checked for JSON types only; the use case checks the rest."""
    if not isinstance(item, dict):
        return IncomingEvent(unreadable=(Problem("", ErrorCode.INVALID, "must be a JSON object"),))
    read = _Reader()
    ref = read.object(item, "customer", "customer")
    customer_id = read.text(ref, "id", "customer.id")
    if customer_id is not None:
        try:
            customer_id = local_id(customer_id, CUSTOMER)
        except MalformedId:
            read.problems.append(Problem("customer.id", ErrorCode.INVALID_ID, "is not a valid id"))
    external: tuple[str, str] | None = None
    if ref.get("externalId") is not None:
        pair = read.object(ref, "externalId", "customer.externalId")
        source = read.text(pair, "source", "customer.externalId.source")
        value = read.text(pair, "value", "customer.externalId.value")
        external = (source or "", value or "")
    return IncomingEvent(
        customer_id=customer_id,
        email=read.text(ref, "email", "customer.email"),
        external_id=external,
        name=read.text(item, "name", "name"),
        occurred_at=read.moment(item, "occurredAt", "occurredAt"),
        properties=item.get("properties"),
        event_id=read.text(item, "eventId", "eventId"),
        unreadable=tuple(read.problems),
    )
