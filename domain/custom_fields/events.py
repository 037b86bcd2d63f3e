"""What can happen to a custom field definition, as versioned domain events."""

from __future__ import annotations

from attrs import frozen

from domain.events import DomainEvent


@frozen(kw_only=True)
class CustomFieldDefined(DomainEvent):
    event_type = "rapport.custom_field.defined.v1"
    aggregate_type = "custom_field"

    object_type: str
    key: str
    label: str
    field_type: str
    choices: list[str]
    required: bool
    unique: bool
