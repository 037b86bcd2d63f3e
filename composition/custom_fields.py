"""Custom field definitions."""

from dependency_injector import containers, providers

from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import DefineCustomField
from application.custom_fields.queries import ListCustomFieldDefinitions
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    bundle = providers.Singleton(
        CustomFields,
        define=use_case(DefineCustomField, platform, storage),
        list=use_case(
            ListCustomFieldDefinitions, platform, storage, reader=storage.custom_field_reader
        ),
    )
