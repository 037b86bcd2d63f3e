"""Generated customer files on every storage kind: exact counts, and a second run changes nothing."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.clock import ManualClock
from adapters.files.customer_import import CustomerImportSummary, import_customer_file
from adapters.ids import SequentialIdGenerator
from application.customers.commands import ContactParser
from application.customers.importing import ImportCustomers
from application.customers.queries import ListCustomers
from application.customers.views import CustomerFilter, CustomerOrder
from application.pagination import MAX_PAGE_SIZE, PageRequest
from application.principal import Principal
from tests.contracts.backend import StorageBackend

SYSTEM = Principal.system()
HEADER = b"email,first_name,external_id:shop\n"
_files = itertools.count()

# A few people, so that rows collide: one email in two cases, shared shop ids, bad cells.
emails = st.sampled_from(["", "p{k}.{n}@example.com", "P{k}.{n}@Example.COM", "bad{k}"])
shop_ids = st.sampled_from(["", "s{k}-{n}"])
names = st.sampled_from(["", "Ada", "Bob"])
people = st.integers(min_value=0, max_value=3)
line = st.one_of(
    st.tuples(emails, names, shop_ids, people).filter(lambda cells: cells[0] or cells[2]),
    st.sampled_from([b"too,many,cells,here", b"\xff\xfe,not utf-8,"]),
)
files = st.lists(line, min_size=1, max_size=12)


def write(path: Path, lines: list[tuple[str, str, str, int] | bytes], n: int) -> int:
    """The file's data rows, each keyed to this example by ``n``; returns how many."""
    body = b"".join(
        (cells if isinstance(cells, bytes) else _row(cells, n).encode()) + b"\n" for cells in lines
    )
    path.write_bytes(HEADER + body)
    return len(lines)


def _row(cells: tuple[str, str, str, int], n: int) -> str:
    email, name, shop, k = cells
    return ",".join([email.format(k=k, n=n), name, shop.format(k=k, n=n)])


def stored(backend: StorageBackend) -> dict[str, int]:
    """Every customer's version, by id."""
    list_customers = ListCustomers(backend.customers, backend.custom_fields)
    versions: dict[str, int] = {}
    after: str | None = None
    while True:
        page = list_customers(
            SYSTEM,
            CustomerFilter(include_archived=True),
            CustomerOrder(),
            PageRequest(first=MAX_PAGE_SIZE, after=after),
        )
        versions.update((edge.node.id, edge.node.version) for edge in page.edges)
        if not page.has_next_page:
            return versions
        after = page.end_cursor


def counted(summary: CustomerImportSummary) -> int:
    return summary.created + summary.updated + summary.unchanged + summary.rejected_rows


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=files, second=files, batch_size=st.integers(min_value=1, max_value=4))
def test_every_row_is_counted_once_and_a_second_run_changes_no_version(
    backend: StorageBackend,
    clock: ManualClock,
    ids: SequentialIdGenerator,
    tmp_path: Path,
    first: list[tuple[str, str, str, int] | bytes],
    second: list[tuple[str, str, str, int] | bytes],
    batch_size: int,
) -> None:
    use_case = ImportCustomers(backend.uow, clock, ids, ContactParser(default_region="GB"))
    n = next(_files)

    def run(path: Path) -> CustomerImportSummary:
        return import_customer_file(path, use_case=use_case, actor=SYSTEM, batch_size=batch_size)

    for lines, name in ((first, "first.csv"), (second, "second.csv")):
        rows = write(tmp_path / f"{n}-{name}", lines, n)
        summary = run(tmp_path / f"{n}-{name}")
        assert summary.rows == rows
        assert counted(summary) == rows, summary

    versions = stored(backend)
    outbox = len(backend.outbox())
    again = run(tmp_path / f"{n}-second.csv")
    assert (again.created, again.updated, counted(again)) == (0, 0, len(second)), again
    assert stored(backend) == versions
    assert len(backend.outbox()) == outbox


def test_an_email_moved_off_a_customer_by_one_row_can_be_a_new_customers_in_the_next(
    backend: StorageBackend, clock: ManualClock, ids: SequentialIdGenerator, tmp_path: Path
) -> None:
    use_case = ImportCustomers(backend.uow, clock, ids, ContactParser(default_region="GB"))
    known = tmp_path / "known.csv"
    known.write_text("email,first_name,external_id:shop\nold@example.com,Ada,1\n", "utf-8")
    import_customer_file(known, use_case=use_case, actor=SYSTEM)
    moved = tmp_path / "moved.csv"
    moved.write_text(
        "email,first_name,external_id:shop\nnew@example.com,Ada,1\nold@example.com,Olga,\n",
        "utf-8",
    )
    summaries = [import_customer_file(moved, use_case=use_case, actor=SYSTEM) for _ in range(2)]
    assert [(s.created, s.updated, s.unchanged, s.errors) for s in summaries] == [
        (1, 1, 0, 0),
        (0, 0, 2, 0),
    ]
    assert sorted(stored(backend).values()) == [1, 2]
