"""Every table and every in-memory collection says what it holds about a customer: a
module that adds one without saying fails here."""

from __future__ import annotations

import importlib
import pkgutil

import attrs
from sqlalchemy import Column, Integer, MetaData, String, Table, Text

import adapters.persistence
from adapters.memory.privacy import HELD, undeclared_fields
from adapters.memory.store import InMemoryStore
from adapters.persistence.privacy import undeclared_columns
from domain.privacy import NOT_PERSONAL, PersonalData, emptied


def _import_every_table() -> None:
    """Module tables live in their own files: load them all onto the shared metadata."""
    for module in pkgutil.walk_packages(adapters.persistence.__path__, "adapters.persistence."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)


def test_every_text_column_of_every_table_is_declared() -> None:
    _import_every_table()
    assert undeclared_columns() == []


def test_every_collection_of_the_memory_store_is_declared() -> None:
    assert undeclared_fields() == []
    assert set(HELD) == {field.name for field in attrs.fields(InMemoryStore)}


def test_a_table_that_does_not_declare_itself_is_named() -> None:
    later = MetaData()
    Table("cases", later, Column("id", String(36), primary_key=True), Column("subject", Text))
    assert undeclared_columns(later) == ["cases.id", "cases.subject"]


def test_a_table_declares_itself_in_its_info() -> None:
    later = MetaData()
    Table(
        "cases",
        later,
        Column("id", String(36), primary_key=True),
        Column("customer_id", String(36)),
        Column("subject", Text),
        info={"personal": PersonalData(found_by=("customer_id",))},
    )
    Table("case_queues", later, Column("name", String(40)), info={"personal": NOT_PERSONAL})
    assert undeclared_columns(later) == []


def test_kept_rows_must_say_what_each_text_column_holds() -> None:
    later = MetaData()
    Table(
        "invoices",
        later,
        Column("id", String(36), primary_key=True),
        Column("customer_id", String(36)),
        Column("billing_name", String(200)),
        Column("reference", String(40)),
        Column("total_minor", Integer),
        info={
            "personal": PersonalData(
                found_by=("customer_id",),
                delete_rows=False,
                columns={"billing_name": emptied},
                not_personal=("id",),
            )
        },
    )
    assert undeclared_columns(later) == ["invoices.reference"]
