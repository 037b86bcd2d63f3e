"""The tags module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.tags.commands import CreateTag, TagCustomers, UntagCustomers, UpdateTag
from application.tags.queries import GetTags, ListTags
from application.tags.rules import (
    DefineAutoTagRule,
    DeleteAutoTagRule,
    ListAutoTagRules,
    RunAutoTagRules,
    UpdateAutoTagRule,
)


@frozen(kw_only=True)
class Tags:
    create: CreateTag
    update: UpdateTag
    tag: TagCustomers
    untag: UntagCustomers
    list: ListTags
    get: GetTags
    define_rule: DefineAutoTagRule
    update_rule: UpdateAutoTagRule
    delete_rule: DeleteAutoTagRule
    list_rules: ListAutoTagRules
    run_rules: RunAutoTagRules
