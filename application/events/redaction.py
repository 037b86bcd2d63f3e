"""Event payloads as a webhook subscription's role may read them, before they are signed.

The fields of an event's ``data`` (and of its ``changes``, on ``…updated`` events) are
the fields of the aggregate the event type names, by the same snake_case names field rules
use: ``rapport.customer.created.v1`` carries customer fields, ``rapport.opportunity.*``
deal fields. Fields the role may not read are left out; masked ones are masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen

from application.access.ports import AccessReader
from application.access.principals import RoleCatalogue
from application.field_security import DEAL_AMOUNT_INPUTS, redacted
from domain.access.roles import Resource, RoleDefinition

PAYLOAD_RESOURCES: Final[Mapping[str, Resource]] = {
    "customer": Resource.CUSTOMERS,
    "company": Resource.COMPANIES,
    "opportunity": Resource.DEALS,
    "lead": Resource.LEADS,
    "task": Resource.TASKS,
}
"""The aggregate an event type names (``rapport.<aggregate>.<what>.v1``) → the resource
whose fields its payload carries. Events of other aggregates carry no such fields."""

GOVERNED: Final[Mapping[Resource, Mapping[str, str]]] = {Resource.DEALS: DEAL_AMOUNT_INPUTS}
"""Payload keys read under another field's rule: a deal's line items show its amount."""


def resource_of(event_type: str) -> Resource | None:
    parts = event_type.split(".")
    return PAYLOAD_RESOURCES.get(parts[1]) if len(parts) > 2 else None


def redacted_data(
    role: RoleDefinition, event_type: str, data: Mapping[str, Any]
) -> Mapping[str, Any]:
    """An event's ``data`` as ``role`` may read it."""
    resource = resource_of(event_type)
    if resource is None or not role.restricted_fields(resource):
        return data
    governed = GOVERNED.get(resource, {})
    result = redacted(role, resource, data, governed_by=governed)
    changes = result.get("changes")
    if isinstance(changes, Mapping):
        result["changes"] = redacted(role, resource, changes, governed_by=governed)
    # Read-only fields are read in full: the payload, and its signature, stay as they were.
    return data if result == data else result


@frozen
class RedactEvents:
    """A CloudEvent's JSON body as the holder of a role may receive it."""

    reader: AccessReader

    def __call__(self, role_key: str, body: str) -> str:
        role = RoleCatalogue(self.reader).get(role_key)
        event = json.loads(body)
        if not isinstance(event, dict):
            return body
        data = event.get("data")
        if role is None:
            # The role was deleted since: deliver the envelope, never fields nobody vouches for.
            event.pop("data", None)
        elif isinstance(data, Mapping):
            redacted_event = redacted_data(role, str(event.get("type", "")), data)
            if redacted_event is data:
                return body
            event["data"] = redacted_event
        else:
            return body
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False)
