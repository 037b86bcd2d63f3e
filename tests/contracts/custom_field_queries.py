"""Contracts of conditions and orders on custom field values, the same on every reader."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from application.custom_fields.criteria import (
    FieldCondition,
    FieldSort,
    Operator,
    definitions_by_key,
    resolve_conditions,
)
from application.customers.views import CustomerFilter, CustomerOrder
from application.pagination import SortKey
from domain.access.visibility import EVERYTHING
from domain.custom_fields import (
    CustomFieldDefinition,
    CustomFieldSchema,
    CustomValue,
    FieldType,
    ObjectType,
)
from tests.contracts.backend import StorageBackend
from tests.contracts.custom_fields import T0, definition
from tests.contracts.customers import new_customer


def make_fields() -> list[CustomFieldDefinition]:
    # Made per test: an instance made before the ORM mapping cannot be stored.
    return [
        definition("notes", FieldType.TEXT),
        definition("score", FieldType.NUMBER),
        definition("price", FieldType.DECIMAL, unique=True),
        definition("since", FieldType.DATE),
        definition("seen_at", FieldType.DATETIME),
        definition("vip", FieldType.BOOLEAN),
        definition("plan", FieldType.SINGLE_CHOICE, choices=["free", "starter", "growth"]),
        definition("tags", FieldType.MULTIPLE_CHOICE, choices=["a", "b", "c"]),
    ]


SCHEMA = CustomFieldSchema(make_fields())
TYPES = {key: d.field_type for key, d in SCHEMA.definitions.items()}
SORTABLE = [key for key, field_type in TYPES.items() if field_type.is_sortable]
_CHOICES: dict[str, list[Any]] = {
    "notes": ["apple", "Apple", "Zoë", "zoe", "", "a%b", "李雷", "app"],
    "score": [0, 1, -1, 2.5, 1.0, 1e15, -3.25, 7],
    "price": ["12.50", "12.5", "3", "-0.01", "100.000", "0.1", "99999999999.99"],
    "since": ["2026-03-01", "1999-12-31", "2026-03-02", "0999-01-01"],
    "seen_at": [
        "2026-03-01T10:00:00Z",
        "2026-03-01T10:00:00.5+00:00",
        "2026-03-01T11:00:00+01:00",
        "2026-02-28T23:59:59.999999-05:00",
    ],
    "vip": [True, False],
    "plan": ["free", "starter", "growth"],
    "tags": [["a"], ["b", "c"], ["c", "a"], ["a", "b", "c"]],
}


def dataset(backend: StorageBackend, size: int = 36, seed: int = 11) -> dict[str, dict[str, Any]]:
    """Customers with a random subset of the fields set; returns their stored values by id."""
    rng = random.Random(seed)
    with backend.uow() as uow:
        for made in make_fields():
            uow.custom_fields.add(made)
        uow.commit()
    customers = []
    prices = iter(rng.sample(range(1, 10**6), size))
    for n in range(size):
        values = {key: rng.choice(options) for key, options in _CHOICES.items()}
        values["price"] = rng.choice([*_CHOICES["price"], f"{next(prices)}.25"])
        values = {k: v for k, v in values.items() if rng.random() < 0.6}
        customers.append(
            new_customer(
                first=f"N{n}",
                custom_fields=values,
                schema=SCHEMA,
                at=T0 + timedelta(seconds=n),
                customer_id=f"cf-{rng.randint(0, 10**6):07d}-{n:03d}",
            )
        )
    with backend.uow() as uow:
        uow.customers.add_many(customers)
        uow.commit()
    return {c.id: dict(c.custom_fields) for c in customers}


def _comparable(key: str, value: CustomValue) -> Any:
    return Decimal(value) if TYPES[key] is FieldType.DECIMAL else value  # type: ignore[arg-type]


def expected_order(values: dict[str, dict[str, Any]], key: str, descending: bool) -> list[str]:
    present = [i for i in values if key in values[i]]
    missing = [i for i in values if key not in values[i]]
    present.sort(key=lambda i: (_comparable(key, values[i][key]), i), reverse=descending)
    return present + sorted(missing, reverse=descending)


def _oracle(stored: dict[str, Any], condition: FieldCondition) -> bool:
    key, op, operand = condition.key, condition.op, condition.value
    if op is Operator.IS_SET:
        return key in stored
    if op is Operator.IS_NOT_SET:
        return key not in stored
    if op is Operator.NE:
        return not _oracle(stored, FieldCondition(key, Operator.EQ, operand, condition.field_type))
    if key not in stored:
        return False
    value = _comparable(key, stored[key])
    checks = {
        Operator.EQ: lambda: value == operand,
        Operator.IN: lambda: value in operand,  # type: ignore[operator]
        Operator.LT: lambda: value < operand,
        Operator.LTE: lambda: value <= operand,
        Operator.GT: lambda: value > operand,
        Operator.GTE: lambda: value >= operand,
        Operator.CONTAINS: lambda: operand in value,
    }
    return bool(checks[op]())


CONDITIONS = [
    ("notes", Operator.EQ, "apple"),
    ("notes", Operator.NE, "apple"),
    ("notes", Operator.LT, "b"),
    ("notes", Operator.GTE, "Zoë"),
    ("notes", Operator.CONTAINS, "pp"),
    ("notes", Operator.CONTAINS, "%"),
    ("notes", Operator.IN, ["", "李雷"]),
    ("score", Operator.EQ, 1),
    ("score", Operator.GT, 1),
    ("score", Operator.LTE, 0),
    ("score", Operator.IN, [7, -3.25]),
    ("price", Operator.EQ, "12.5"),
    ("price", Operator.LT, "12.50"),
    ("price", Operator.GTE, "100"),
    ("since", Operator.LT, "2026-03-01"),
    ("seen_at", Operator.GT, "2026-03-01T10:00:00Z"),
    ("seen_at", Operator.LTE, "2026-03-01T05:00:00+01:00"),
    ("vip", Operator.EQ, True),
    ("vip", Operator.NE, True),
    ("plan", Operator.IN, ["free", "growth"]),
    ("plan", Operator.NE, "free"),
    ("tags", Operator.CONTAINS, "b"),
    ("tags", Operator.IS_SET, None),
    ("price", Operator.IS_NOT_SET, None),
]


class CustomFieldQueryContract:
    """Customer lists filtered and ordered by custom fields agree on every adapter."""

    @pytest.mark.parametrize("key", SORTABLE)
    @pytest.mark.parametrize("descending", [False, True])
    def test_walking_by_a_custom_field_puts_missing_values_last(
        self, backend: StorageBackend, key: str, descending: bool
    ) -> None:
        values = dataset(backend)
        order = CustomerOrder(descending=descending, custom_field=FieldSort(key, TYPES[key]))
        expected = expected_order(values, key, descending)

        forward: list[str] = []
        after: SortKey | None = None
        while True:
            page = backend.customers.slice(
                CustomerFilter(),
                order,
                after=after,
                before=None,
                limit=5,
                from_end=False,
                visible=EVERYTHING,
            )
            forward.extend(v.id for v in page)
            if len(page) < 5:
                break
            after = order.key_of(page[-1])
        assert forward == expected

        backward: list[str] = []
        before: SortKey | None = None
        while True:
            page = backend.customers.slice(
                CustomerFilter(),
                order,
                after=None,
                before=before,
                limit=5,
                from_end=True,
                visible=EVERYTHING,
            )
            backward.extend(v.id for v in page)
            if len(page) < 5:
                break
            before = order.key_of(page[-1])
        assert backward == list(reversed(expected))

    def test_conditions_agree_with_a_plain_scan(self, backend: StorageBackend) -> None:
        values = dataset(backend)
        definitions = definitions_by_key(backend.custom_fields.for_object(ObjectType.CUSTOMER))
        for key, op, operand in CONDITIONS:
            [condition] = resolve_conditions([FieldCondition(key, op, operand)], definitions)
            where = CustomerFilter(custom_fields=(condition,))
            expected = {i for i, stored in values.items() if _oracle(stored, condition)}
            found = backend.customers.slice(
                where,
                CustomerOrder(),
                after=None,
                before=None,
                limit=1000,
                from_end=False,
                visible=EVERYTHING,
            )
            assert {v.id for v in found} == expected, (key, op, operand)
            assert backend.customers.count(where, visible=EVERYTHING) == len(expected), (
                key,
                op,
                operand,
            )

    def test_conditions_combine_with_and(self, backend: StorageBackend) -> None:
        values = dataset(backend)
        definitions = definitions_by_key(backend.custom_fields.for_object(ObjectType.CUSTOMER))
        conditions = resolve_conditions(
            [
                FieldCondition("vip", Operator.EQ, True),
                FieldCondition("score", Operator.GTE, 0),
            ],
            definitions,
        )
        expected = {i for i, v in values.items() if all(_oracle(v, c) for c in conditions)}
        assert backend.customers.count(
            CustomerFilter(custom_fields=conditions), visible=EVERYTHING
        ) == len(expected)

    def test_values_in_use_compare_by_type_and_skip_archived(self, backend: StorageBackend) -> None:
        held = new_customer(custom_fields={"price": "12.50", "notes": "Apple"}, schema=SCHEMA)
        gone = new_customer(custom_fields={"price": "7", "notes": "pear"}, schema=SCHEMA)
        gone.archive(at=T0, by="a")
        with backend.uow() as uow:
            uow.customers.add_many([held, gone])
            uow.commit()
        with backend.uow() as uow:
            customers = uow.customers
            assert customers.custom_values_in_use("price", FieldType.DECIMAL, ["12.5"]) == ["12.50"]
            assert customers.custom_values_in_use("price", FieldType.DECIMAL, ["7"]) == []
            assert customers.custom_values_in_use("notes", FieldType.TEXT, ["apple"]) == []
            assert customers.custom_values_in_use("notes", FieldType.TEXT, ["Apple"]) == ["Apple"]
            assert (
                customers.custom_values_in_use(
                    "notes", FieldType.TEXT, ["Apple"], excluding=held.id
                )
                == []
            )
