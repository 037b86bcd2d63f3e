"""Tags, put on by hand or by auto-tag rules."""

from datetime import timedelta

from dependency_injector import containers, providers

from application.tags.bundle import Tags
from application.tags.commands import CreateTag, TagCustomers, UntagCustomers, UpdateTag
from application.tags.conditions import ConditionSources
from application.tags.queries import GetTags, ListTags
from application.tags.rules import (
    DefineAutoTagRule,
    DeleteAutoTagRule,
    ListAutoTagRules,
    RunAutoTagRules,
    UpdateAutoTagRule,
)
from composition.wiring import every, use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    sources = providers.Singleton(
        ConditionSources,
        customers=storage.customer_reader,
        behaviour=storage.behaviour_reader,
        definitions=storage.custom_field_reader,
    )
    run_rules = use_case(RunAutoTagRules, platform, storage, sources=sources)
    bundle = providers.Singleton(
        Tags,
        create=use_case(CreateTag, platform, storage),
        update=use_case(UpdateTag, platform, storage),
        tag=use_case(TagCustomers, platform, storage),
        untag=use_case(UntagCustomers, platform, storage),
        list=use_case(ListTags, platform, storage, reader=storage.tag_reader),
        get=use_case(GetTags, platform, storage, reader=storage.tag_reader),
        define_rule=use_case(DefineAutoTagRule, platform, storage, sources=sources),
        update_rule=use_case(UpdateAutoTagRule, platform, storage, sources=sources),
        delete_rule=use_case(DeleteAutoTagRule, platform, storage),
        list_rules=use_case(ListAutoTagRules, platform, storage, reader=storage.tag_reader),
        run_rules=run_rules,
    )
    jobs = providers.Dict({"auto-tag": every(timedelta(hours=1), run_rules)})
