"""Contract: every value the custom field validator accepts comes back from storage unchanged."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain.access.visibility import EVERYTHING
from domain.custom_fields import CustomFieldSchema, FieldType
from domain.errors import DomainError
from tests.contracts.backend import StorageBackend
from tests.contracts.custom_fields import definition
from tests.contracts.customers import new_customer

CHOICES = ("free", "pro", "Ünïcode plan", 'with "quotes" and \\')
SCHEMA = CustomFieldSchema(
    [
        definition(field_type.value, field_type, choices=CHOICES if field_type.has_choices else ())
        for field_type in FieldType
    ]
)
_ids = itertools.count(1)

raw_values: dict[FieldType, st.SearchStrategy[Any]] = {
    FieldType.TEXT: st.text(max_size=60),
    FieldType.NUMBER: st.one_of(
        st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
        st.floats(min_value=-1e15, max_value=1e15, allow_nan=False),
    ),
    FieldType.DECIMAL: st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    FieldType.DATE: st.dates().map(lambda d: d.isoformat()),
    FieldType.DATETIME: st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    FieldType.BOOLEAN: st.booleans(),
    FieldType.SINGLE_CHOICE: st.sampled_from(CHOICES),
    FieldType.MULTIPLE_CHOICE: st.lists(st.sampled_from(CHOICES), unique=True, min_size=1),
}
value_sets = st.fixed_dictionaries(
    {}, optional={field_type.value: strategy for field_type, strategy in raw_values.items()}
)


class CustomFieldStorageContract:
    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(raw=value_sets)
    def test_accepted_values_round_trip_unchanged(
        self, backend: StorageBackend, raw: dict[str, Any]
    ) -> None:
        try:
            values = SCHEMA.validate(raw)
        except DomainError:
            assume(False)
            raise
        customer = new_customer(
            custom_fields=raw, schema=SCHEMA, customer_id=f"rt-{next(_ids):08d}"
        )
        with backend.uow() as uow:
            uow.customers.add(customer)
            uow.commit()
        with backend.uow() as uow:
            loaded = uow.customers.get(customer.id)
        view = backend.customers.get_many([customer.id], visible=EVERYTHING)[customer.id]
        assert loaded is not None
        for stored in (loaded.custom_fields, dict(view.custom_fields)):
            assert stored == values
            assert {k: type(v) for k, v in stored.items()} == {
                k: type(v) for k, v in values.items()
            }
