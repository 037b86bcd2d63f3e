"""The custom fields module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.custom_fields.commands import DefineCustomField
from application.custom_fields.queries import ListCustomFieldDefinitions


@frozen(kw_only=True)
class CustomFields:
    define: DefineCustomField
    list: ListCustomFieldDefinitions
