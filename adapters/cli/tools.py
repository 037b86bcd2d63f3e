"""What commands run besides the modules' use cases: file imports and exports, demo data and
the schema. The composition root fills these in, so the command line imports no other adapter;
none of them needs a runtime, so a bad mapping or ``schema export`` opens no storage."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Generic, Protocol, TextIO, TypeVar

from attrs import frozen

from application.customers.importing import ImportCustomers
from application.customers.queries import GetCustomers, ListCustomers
from application.customers.views import CustomerFilter
from application.modules import Modules
from application.orders.importing import ImportOrders
from application.principal import Principal
from domain.custom_fields import FieldType

ColumnMapping = TypeVar("ColumnMapping")
"""How a customer file's headers map to fields, as the import reads it from a mapping file."""
MappingTaken = TypeVar("MappingTaken", contravariant=True)

Progress = Callable[[int, int], None]
"""Called with how many bytes are read and the file's size."""


class ImportSummary(Protocol):
    @property
    def rows(self) -> int: ...
    @property
    def rejected_rows(self) -> int: ...
    @property
    def report(self) -> Path | None: ...
    @property
    def encoding(self) -> str: ...


class CustomerImportSummary(ImportSummary, Protocol):
    @property
    def created(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def merged(self) -> int: ...


class OrderImportSummary(ImportSummary, Protocol):
    @property
    def orders_created(self) -> int: ...
    @property
    def orders_unchanged(self) -> int: ...
    @property
    def customers_created(self) -> int: ...


class ImportCustomerFile(Protocol[MappingTaken]):
    def __call__(
        self,
        path: Path,
        *,
        use_case: ImportCustomers,
        actor: Principal,
        mapping: MappingTaken | None,
        encoding: str | None,
        auto_merge: bool,
        workers: int,
        on_progress: Progress,
    ) -> CustomerImportSummary: ...


class ImportOrderFile(Protocol):
    def __call__(
        self,
        path: Path,
        *,
        use_case: ImportOrders,
        actor: Principal,
        format: str,
        create_missing_customers: bool,
        encoding: str | None,
        on_progress: Progress,
    ) -> OrderImportSummary: ...


class WriteCustomersCsv(Protocol):
    def __call__(
        self,
        output: TextIO,
        list_customers: ListCustomers,
        get_customers: GetCustomers,
        actor: Principal,
        where: CustomerFilter,
        custom_fields: Mapping[str, FieldType] | None,
    ) -> int: ...


class SeedDemo(Protocol):
    def __call__(
        self, modules: Modules, *, customers: int, seed: int, on_batch: Callable[[int], None]
    ) -> int: ...


@frozen
class CliTools(Generic[ColumnMapping]):
    read_column_mapping: Callable[[Path], ColumnMapping]
    """The mapping in a TOML file; raises ``OSError`` or ``ValueError`` saying what is wrong."""
    import_customer_file: ImportCustomerFile[ColumnMapping]
    import_order_file: ImportOrderFile
    write_customers_csv: WriteCustomersCsv
    seed_demo: SeedDemo
    demo_size: Callable[[int], int]
    """How many customers seeding a number of them creates (planted duplicates included)."""
    schema_sdl: Callable[[], str]
