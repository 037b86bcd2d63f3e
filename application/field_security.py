"""Field-level security: what an actor may read, change, filter and sort by, per field.

A role's ``field_rules`` name fields by their snake_case names (``email``, ``amount``)
or ``custom_fields.<key>`` for a custom field. Use cases refuse writes, filters and orders
on fields the actor may not use; ``redacted`` drops or masks what a role may not read from
a flat record (an export row, an event payload).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

import attrs
from attrs import AttrsInstance

from application.errors import ApplicationError
from application.principal import Principal
from domain.access.masking import mask
from domain.access.roles import FieldAccess, Resource, RoleDefinition
from domain.errors import DomainError, ErrorCode, Problem

CUSTOM_FIELDS: Final = "custom_fields"


class ForbiddenField(ApplicationError):
    """The actor's role may not use this field as asked; nothing was changed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, ErrorCode.FORBIDDEN_FIELD, message)


class ForbiddenFields(DomainError):
    """Several fields of one input the actor's role may not change; nothing was changed."""


def custom_field(key: str) -> str:
    """The name field rules give a custom field: ``custom_fields.<key>``."""
    return f"{CUSTOM_FIELDS}.{key}"


def camel(name: str) -> str:
    """An input's name for a field: ``first_name`` → ``firstName``."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def input_path(field_name: str) -> str:
    """Where a field is in an input: ``email``, ``customFields.salary``."""
    if field_name.startswith(f"{CUSTOM_FIELDS}."):
        return f"customFields.{field_name.partition('.')[2]}"
    return camel(field_name)


def require_writable(
    actor: Principal,
    resource: Resource,
    fields: Iterable[str],
    custom_keys: Iterable[str] = (),
    *,
    governed_by: Mapping[str, str] | None = None,
) -> None:
    """Refuse, naming every input field, a change of fields the actor may not edit.

    ``governed_by`` names the rule of an input field that changes another field: a deal's
    ``line_items`` change its ``amount``.
    """
    rules = governed_by or {}
    names = [*fields, *(custom_field(key) for key in custom_keys)]
    problems = [
        Problem(
            input_path(name),
            ErrorCode.FORBIDDEN_FIELD,
            f"the {actor.role.key} role may not change {rules.get(name, name)}",
        )
        for name in names
        if not actor.field_access(resource, rules.get(name, name)).writable
    ]
    if problems:
        raise ForbiddenFields(problems)


IDENTIFYING: Final = frozenset(
    {
        "id",
        "expected_version",
        "customer_id",
        "company_id",
        "opportunity_id",
        "lead_id",
        "task_id",
        "pipeline_id",
        "stage_id",
    }
)
"""Attributes of inputs that name the record changed or one it belongs to, not a field."""


def require_writable_input(
    actor: Principal,
    resource: Resource,
    given: AttrsInstance,
    *,
    identifying: Collection[str] = IDENTIFYING,
    governed_by: Mapping[str, str] | None = None,
) -> None:
    """Refuse a new record or a patch that sets a field the actor may not edit.

    A field counts as set when its value differs from its default: ``KEEP`` on a patch,
    empty on a new record. Custom field values count per key.
    """
    if not actor.role.restricted_fields(resource):
        return
    fields: list[str] = []
    custom_keys: list[str] = []
    for attribute in attrs.fields(type(given)):
        if attribute.name in identifying:
            continue
        value = getattr(given, attribute.name)
        default = attribute.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        if value is default or value == default:
            continue
        if attribute.name == CUSTOM_FIELDS and isinstance(value, Mapping):
            custom_keys.extend(value)
        else:
            fields.append(attribute.name)
    require_writable(actor, resource, fields, custom_keys, governed_by=governed_by)


DEAL_AMOUNT_INPUTS: Final = {"amount_currency": "amount", "line_items": "amount"}
"""Inputs of a deal that set its amount besides ``amount`` itself."""


def require_readable(
    actor: Principal, resource: Resource, fields: Iterable[str], *, at: str
) -> None:
    """Refuse a filter, order or search at ``at`` that reads a field the actor may not read."""
    unreadable = sorted({name for name in fields if not actor.sees_field(resource, name)})
    if unreadable:
        raise ForbiddenField(
            at,
            f"the {actor.role.key} role may not filter or sort by "
            + ", ".join(unreadable)
            + ", which it cannot read",
        )


def read_as(access: FieldAccess, field_name: str, value: object) -> object:
    """What a reader with ``access`` gets of ``value``; callers drop hidden fields first."""
    if access.readable or value is None:
        return value
    if access is FieldAccess.MASKED and isinstance(value, str):
        return mask(field_name, value)
    # A number, a date or a list has no partial form: masked is as good as hidden.
    return None


def readable_text(
    actor: Principal, resource: Resource, field_name: str, value: str | None
) -> str | None:
    """A text field's ``value`` as ``actor`` may read it: itself, its mask, or ``None``."""
    access = actor.field_access(resource, field_name)
    if access.readable or value is None:
        return value
    return mask(field_name, value) if access is FieldAccess.MASKED else None


def redacted(
    role: RoleDefinition,
    resource: Resource,
    record: Mapping[str, Any],
    *,
    governed_by: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``record`` (field name → value) as ``role`` may read it: hidden fields left out,
    masked ones masked, custom field values (a mapping under ``custom_fields``) alike.

    ``governed_by`` reads a key under another field's rule (a deal's ``line_items`` under
    ``amount``); such a key is left out unless that field is readable in full.
    """
    if not role.restricted_fields(resource):
        return dict(record)
    rules = governed_by or {}
    result: dict[str, Any] = {}
    for name, value in record.items():
        if name == CUSTOM_FIELDS and isinstance(value, Mapping):
            result[name] = redacted_custom_fields(role, resource, value)
            continue
        if name in rules:
            if role.field_access(resource, rules[name]).readable:
                result[name] = value
            continue
        access = role.field_access(resource, name)
        if access is FieldAccess.HIDDEN:
            continue
        result[name] = read_as(access, name, value)
    return result


def redacted_custom_fields(
    role: RoleDefinition, resource: Resource, values: Mapping[str, object]
) -> dict[str, object]:
    """Custom field values by key as ``role`` may read them: hidden keys left out."""
    result: dict[str, object] = {}
    for key, value in values.items():
        name = custom_field(key)
        access = role.field_access(resource, name)
        if access is not FieldAccess.HIDDEN:
            result[key] = read_as(access, name, value)
    return result
