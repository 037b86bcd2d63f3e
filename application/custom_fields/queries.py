"""Reading custom field definitions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from attrs import frozen

from application.custom_fields.ports import CustomFieldDefinitionReader
from application.custom_fields.views import CustomFieldDefinitionView
from application.principal import Principal
from domain.access.roles import Permission
from domain.custom_fields import ObjectType

READ_PERMISSION: Final = {
    ObjectType.CUSTOMER: Permission.READ_CUSTOMERS,
    ObjectType.COMPANY: Permission.READ_COMPANIES,
}


@frozen
class ListCustomFieldDefinitions:
    """The fields of an object type; whoever may read those records may read their fields."""

    reader: CustomFieldDefinitionReader

    def __call__(
        self, actor: Principal, object_type: ObjectType
    ) -> Sequence[CustomFieldDefinitionView]:
        actor.require(READ_PERMISSION[object_type])
        return self.reader.for_object(object_type)
