"""Defining custom fields."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from application.custom_fields.views import CustomFieldDefinitionView
from application.errors import AlreadyTaken
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission
from domain.custom_fields import CustomFieldDefinition, FieldType, ObjectType


@frozen(kw_only=True)
class NewCustomField:
    object_type: ObjectType
    key: str
    label: str
    field_type: FieldType
    choices: Sequence[str] = ()
    required: bool = False
    unique: bool = False


@frozen
class DefineCustomField:
    """Add a field to an object type; it is data, so no migration is needed."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, new: NewCustomField) -> CustomFieldDefinitionView:
        actor.require(Permission.MANAGE_CUSTOM_FIELDS)
        definition = CustomFieldDefinition.define(
            id=self.ids.new_id(),
            object_type=new.object_type,
            key=new.key,
            label=new.label,
            field_type=new.field_type,
            choices=new.choices,
            required=new.required,
            unique=new.unique,
            at=self.clock.now(),
            by=actor.actor_id,
        )
        with self.uow() as uow:
            existing = uow.custom_fields.for_object(new.object_type)
            if any(other.key == definition.key for other in existing):
                raise AlreadyTaken("key", f"this {new.object_type.value} field is defined already")
            uow.custom_fields.add(definition)
            uow.commit()
        return CustomFieldDefinitionView.from_definition(definition)
