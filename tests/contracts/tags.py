"""Contracts of the tag port (``uow.tags``), the tag reader and the tag filter of lists."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import attrs
import pytest

from application.custom_fields.criteria import FieldCondition, Operator
from application.customers.views import CustomerFilter
from application.errors import AlreadyTaken
from application.pagination import SortKey
from application.tags.conditions import AutoTagRule, EventCondition, FieldsCondition, RuleFilter
from application.tags.views import TagFilter, TagOrder, TagSortField
from domain.access.visibility import EVERYTHING
from domain.behaviour import EventFrequency
from domain.customers import Customer
from domain.tags import Tag, TagCategory, TagChange
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import T0
from tests.contracts.timeline import stored_customers

_ids = itertools.count(1)


def new_tag(name: str, *, tag_id: str | None = None) -> Tag:
    return Tag.create(
        id=tag_id or f"tag-{next(_ids):06d}",
        name=name,
        colour="#1f77b4",
        category=TagCategory.STATIC,
        at=T0,
        by="user-1",
    )


def change(
    customer: Customer | str, tag: Tag, *, added: bool = True, rule_id: str | None = None
) -> TagChange:
    number = next(_ids)
    return TagChange(
        id=f"chg-{number:08d}",
        customer_id=customer if isinstance(customer, str) else customer.id,
        tag_id=tag.id,
        tag_name=tag.name,
        added=added,
        occurred_at=T0 + timedelta(seconds=number),
        actor_id="user-1",
        rule_id=rule_id,
    )


def stored_tags(backend: StorageBackend, *names: str) -> list[Tag]:
    tags = [new_tag(name) for name in names]
    with backend.uow() as uow:
        for tag in tags:
            uow.tags.add(tag)
        uow.commit()
    return tags


def apply(backend: StorageBackend, changes: Sequence[TagChange]) -> Sequence[TagChange]:
    with backend.uow() as uow:
        applied = uow.tags.apply(changes)
        uow.commit()
    return applied


class TagContract:
    def test_a_tag_is_stored_and_listed_by_name_ignoring_case(
        self, backend: StorageBackend
    ) -> None:
        stored_tags(backend, "vip", "Churn risk", "B2B")
        names = [view.name for view in backend.tags.all()]
        assert names == ["B2B", "Churn risk", "vip"]
        view = backend.tags.all()[0]
        assert view.colour == "#1F77B4" and view.category is TagCategory.STATIC
        assert view.created_at == T0

    def test_tag_names_are_unique_ignoring_case(self, backend: StorageBackend) -> None:
        stored_tags(backend, "VIP")
        with backend.uow() as uow:
            assert uow.tags.name_taken("vip")
            assert not uow.tags.name_taken("vips")
        with pytest.raises(AlreadyTaken) as raised, backend.uow() as uow:
            uow.tags.add(new_tag("vip"))
            uow.commit()
        assert raised.value.problems[0].field == "name"
        assert [view.name for view in backend.tags.all()] == ["VIP"]

    def test_tagging_in_bulk_stores_history_and_events(self, backend: StorageBackend) -> None:
        customers = stored_customers(backend, 3)
        vip, b2b = stored_tags(backend, "vip", "b2b")
        applied = apply(backend, [change(c, t) for c in customers for t in (vip, b2b)])
        assert len(applied) == 6
        tags_of = backend.tags.tags_of([c.id for c in customers] + ["nobody"])
        assert set(tags_of) == {c.id for c in customers}
        assert [v.name for v in tags_of[customers[0].id]] == ["b2b", "vip"]
        history = backend.tags.history(customers[0].id)
        assert [(h.tag_name, h.added) for h in history] == [("b2b", True), ("vip", True)]
        events = [e for e in backend.outbox() if e[0] == "rapport.tag.added.v1"]
        assert len(events) == 6
        assert ("rapport.tag.created.v1", vip.id) in backend.outbox()

    def test_a_change_already_made_is_left_out(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        (vip,) = stored_tags(backend, "vip")
        apply(backend, [change(customer, vip)])
        assert apply(backend, [change(customer, vip)]) == []
        other = stored_customers(backend)[0]
        assert apply(backend, [change(other, vip, added=False)]) == []
        assert len(backend.tags.history(customer.id)) == 1

    def test_a_pair_another_transaction_changed_first_is_left_out(
        self, backend: StorageBackend
    ) -> None:
        (customer,) = stored_customers(backend)
        (vip,) = stored_tags(backend, "vip")
        first, second = backend.uow(), backend.uow()
        with first, second:
            assert second.tags.apply([change(customer, vip)]) != []
            second.commit()
            assert first.tags.apply([change(customer, vip)]) == []
            first.commit()
        assert len(backend.tags.history(customer.id)) == 1
        assert sum(1 for e in backend.outbox() if e[0] == "rapport.tag.added.v1") == 1

    def test_untagging_removes_and_records(self, backend: StorageBackend) -> None:
        customers = stored_customers(backend, 2)
        (vip,) = stored_tags(backend, "vip")
        apply(backend, [change(c, vip) for c in customers])
        removed = apply(backend, [change(c, vip, added=False) for c in customers])
        assert len(removed) == 2
        assert backend.tags.tags_of([c.id for c in customers]) == {}
        assert [h.added for h in backend.tags.history(customers[0].id)] == [False, True]
        assert sum(1 for e in backend.outbox() if e[0] == "rapport.tag.removed.v1") == 2

    def test_assignments_and_tagged_with_see_uncommitted_changes(
        self, backend: StorageBackend
    ) -> None:
        first, second = stored_customers(backend, 2)
        vip, b2b = stored_tags(backend, "vip", "b2b")
        apply(backend, [change(first, vip, rule_id="rule-1")])
        with backend.uow() as uow:
            uow.tags.apply([change(second, vip), change(second, b2b)])
            assert uow.tags.assignments([first.id, second.id], [vip.id]) == {
                (first.id, vip.id),
                (second.id, vip.id),
            }
            assert uow.tags.tagged_with(vip.id) == {first.id, second.id}
            assert uow.tags.tagged_with(vip.id, rule_id="rule-1") == {first.id}

    def test_rolls_back_uncommitted_tagging_by_default(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        (vip,) = stored_tags(backend, "vip")
        with backend.uow() as uow:
            uow.tags.apply([change(customer, vip)])
            uow.tags.add(new_tag("never"))
        assert backend.tags.tags_of([customer.id]) == {}
        assert backend.tags.history(customer.id) == []
        assert [v.name for v in backend.tags.all()] == ["vip"]

    def test_a_merge_gives_the_survivor_the_union_of_tags_and_the_history(
        self, backend: StorageBackend
    ) -> None:
        survivor, duplicate = stored_customers(backend, 2)
        vip, b2b, lead = stored_tags(backend, "vip", "b2b", "lead")
        apply(backend, [change(survivor, vip), change(duplicate, vip), change(duplicate, b2b)])
        with backend.uow() as uow:
            uow.tags.move_to(survivor.id, [duplicate.id])
            uow.commit()
        tags_of = backend.tags.tags_of([survivor.id, duplicate.id])
        assert list(tags_of) == [survivor.id]
        assert [v.name for v in tags_of[survivor.id]] == ["b2b", "vip"]
        assert len(backend.tags.history(survivor.id)) == 3
        assert backend.tags.history(duplicate.id) == []
        assert lead.id not in {v.id for v in tags_of[survivor.id]}

    def test_rules_are_stored_as_data(self, backend: StorageBackend) -> None:
        (vip,) = stored_tags(backend, "vip")
        fields = FieldsCondition((FieldCondition("plan", Operator.EQ, "pro"),))
        event = EventCondition(EventFrequency("login", 3, 7))
        with backend.uow() as uow:
            uow.tags.add_rule(AutoTagRule("rule-2", vip.id, event, T0, "user-1"))
            uow.tags.add_rule(AutoTagRule("rule-1", vip.id, fields, T0, "user-1"))
            uow.commit()
        with backend.uow() as uow:
            rules = uow.tags.rules()
        assert [(r.id, r.condition) for r in rules] == [("rule-1", fields), ("rule-2", event)]
        assert [r.id for r in backend.tags.rules()] == ["rule-1", "rule-2"]

    def test_a_removed_rule_leaves_its_tags_as_if_a_person_put_them_on(
        self, backend: StorageBackend
    ) -> None:
        (vip,) = stored_tags(backend, "vip")
        (ada,) = stored_customers(backend)
        event = EventCondition(EventFrequency("login", 3, 7))
        with backend.uow() as uow:
            uow.tags.add_rule(AutoTagRule("rule-1", vip.id, event, T0, "user-1"))
            uow.commit()
        apply(backend, [change(ada, vip, rule_id="rule-1")])
        with backend.uow() as uow:
            uow.tags.remove_rule("rule-1")
            assert uow.tags.rules() == []
        assert [r.id for r in backend.tags.rules()] == ["rule-1"]  # rolled back
        with backend.uow() as uow:
            uow.tags.remove_rule("rule-1")
            uow.commit()
        assert backend.tags.rules() == []
        with backend.uow() as uow:
            assert uow.tags.tagged_with(vip.id) == {ada.id}
            assert uow.tags.tagged_with(vip.id, rule_id="rule-1") == set()

    def test_a_changed_tag_is_saved_at_its_new_version_and_announced(
        self, backend: StorageBackend
    ) -> None:
        vip, _ = stored_tags(backend, "vip", "b2b")
        with backend.uow() as uow:
            loaded = uow.tags.get(vip.id)
            assert loaded is not None and loaded.version == 1
            assert loaded.change(name="VIPs", colour="#000000", at=T0, by="user-1")
            uow.tags.update(loaded)
            uow.commit()
        (view,) = backend.tags.get_many([vip.id]).values()
        assert (view.name, view.colour, view.version) == ("VIPs", "#000000", 2)
        assert ("rapport.tag.updated.v1", vip.id) in backend.outbox()
        with backend.uow() as uow:
            assert uow.tags.get("nothing") is None
            uncommitted = uow.tags.get(vip.id)
            assert uncommitted is not None
            uncommitted.change(name="Gone", at=T0, by="user-1")
            uow.tags.update(uncommitted)
        assert [v.name for v in backend.tags.all()] == ["b2b", "VIPs"]  # rolled back
        with pytest.raises(AlreadyTaken), backend.uow() as uow:
            taken = uow.tags.get(vip.id)
            assert taken is not None
            taken.change(name="B2B", at=T0, by="user-1")
            uow.tags.update(taken)
            uow.commit()

    def test_a_changed_rule_is_saved_and_can_disown_its_tags(self, backend: StorageBackend) -> None:
        vip, b2b = stored_tags(backend, "vip", "b2b")
        (ada,) = stored_customers(backend)
        event = EventCondition(EventFrequency("login", 3, 7))
        with backend.uow() as uow:
            uow.tags.add_rule(AutoTagRule("rule-1", vip.id, event, T0, "user-1"))
            uow.commit()
        apply(backend, [change(ada, vip, rule_id="rule-1")])
        (rule,) = backend.tags.rules()
        assert (rule.enabled, rule.version) == (True, 1)
        with backend.uow() as uow:
            uow.tags.disown("rule-1")
            uow.tags.update_rule(attrs.evolve(rule, tag_id=b2b.id, enabled=False, version=2))
            uow.commit()
        (changed,) = backend.tags.rules()
        assert (changed.tag_id, changed.enabled, changed.version) == (b2b.id, False, 2)
        assert changed.condition == event
        with backend.uow() as uow:
            assert uow.tags.tagged_with(vip.id) == {ada.id}
            assert uow.tags.tagged_with(vip.id, rule_id="rule-1") == set()

    def test_rules_are_sliced_and_filtered_in_storage(self, backend: StorageBackend) -> None:
        vip, b2b = stored_tags(backend, "vip", "b2b")
        event = EventCondition(EventFrequency("login", 3, 7))
        with backend.uow() as uow:
            for number, tag in enumerate((vip, b2b, vip)):
                at = T0 + timedelta(minutes=number)
                rule = AutoTagRule(f"rule-{number}", tag.id, event, at, "user-1")
                uow.tags.add_rule(attrs.evolve(rule, enabled=number != 2))
            uow.commit()

        def ids(filter: RuleFilter = RuleFilter(), **window: Any) -> list[str]:
            arguments: dict[str, Any] = {
                "after": None,
                "before": None,
                "limit": 10,
                "from_end": False,
            }
            return [r.id for r in backend.tags.rule_slice(filter, **{**arguments, **window})]

        assert ids() == ["rule-0", "rule-1", "rule-2"]
        assert ids(limit=1, from_end=True) == ["rule-2"]
        assert ids(after=SortKey(T0, "rule-0")) == ["rule-1", "rule-2"]
        assert ids(RuleFilter(tag_ids=frozenset({vip.id}))) == ["rule-0", "rule-2"]
        assert ids(RuleFilter(enabled=False)) == ["rule-2"]
        assert backend.tags.rule_count(RuleFilter(enabled=True)) == 2
        assert list(backend.tags.rules_by_id(["rule-1", "nothing"])) == ["rule-1"]

    def test_histories_of_many_customers_come_newest_first_with_their_counts(
        self, backend: StorageBackend
    ) -> None:
        ada, bob, cy = stored_customers(backend, 3)
        vip, b2b, lead = stored_tags(backend, "vip", "b2b", "lead")
        apply(backend, [change(ada, t) for t in (vip, b2b, lead)] + [change(bob, vip)])
        newest = backend.tags.newest_history([ada.id, bob.id, cy.id], 2)
        assert [c.tag_name for c in newest[ada.id]] == ["lead", "b2b"]
        assert [c.tag_name for c in newest[bob.id]] == ["vip"]
        assert list(newest.get(cy.id, ())) == []
        assert newest[ada.id] == list(backend.tags.history(ada.id))[:2]
        counts = backend.tags.history_counts([ada.id, bob.id, cy.id])
        assert (counts[ada.id], counts[bob.id], counts.get(cy.id, 0)) == (3, 1, 0)

    def test_the_catalogue_is_sliced_filtered_and_ordered_in_storage(
        self, backend: StorageBackend
    ) -> None:
        stored_tags(backend, "b", "A", "ab_c", "c%")
        every = TagFilter()
        by_name = TagOrder()

        def names(filter: TagFilter = every, order: TagOrder = by_name, **window: Any) -> list[str]:
            arguments: dict[str, Any] = {
                "after": None,
                "before": None,
                "limit": 10,
                "from_end": False,
            }
            return [
                view.name for view in backend.tags.slice(filter, order, **{**arguments, **window})
            ]

        assert names() == ["A", "ab_c", "b", "c%"]
        assert names(limit=2, from_end=True) == ["c%", "b"]
        first = backend.tags.slice(every, by_name, after=None, before=None, limit=1, from_end=False)
        key = SortKey(first[0].sort_key[0], first[0].id)
        assert names(after=key) == ["ab_c", "b", "c%"]
        assert names(before=SortKey("b", "~"), from_end=True) == ["b", "ab_c", "A"]
        assert names(TagFilter(name_contains="_")) == ["ab_c"]
        assert names(TagFilter(name_contains="%")) == ["c%"]
        assert names(TagFilter(categories=frozenset({TagCategory.BEHAVIOUR}))) == []
        assert names(order=TagOrder(field=TagSortField.NAME, descending=True)) == [
            "c%",
            "b",
            "ab_c",
            "A",
        ]
        assert backend.tags.count(TagFilter(name_contains="A")) == 2

    def test_customers_filter_by_any_of_their_tags(self, backend: StorageBackend) -> None:
        first, second, third = stored_customers(backend, 3)
        vip, b2b, lead = stored_tags(backend, "vip", "b2b", "lead")
        apply(backend, [change(first, vip), change(second, b2b), change(second, vip)])
        where = CustomerFilter(tag_ids=frozenset({vip.id, b2b.id}))
        assert backend.customers.ids_matching(where, visible=EVERYTHING) == {first.id, second.id}
        assert backend.customers.count(where, visible=EVERYTHING) == 2
        assert (
            backend.customers.count(
                CustomerFilter(tag_ids=frozenset({lead.id})), visible=EVERYTHING
            )
            == 0
        )
        assert backend.customers.ids_matching(CustomerFilter(), visible=EVERYTHING) == {
            first.id,
            second.id,
            third.id,
        }
