"""Contracts of the timeline port (``uow.timeline``) and the timeline reader."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

import pytest

from application.pagination import SortKey
from domain.access.visibility import EVERYTHING
from domain.customers import Customer
from domain.timeline import TimelineEntry
from tests.contracts.backend import StorageBackend
from tests.contracts.customers import T0, new_customer


def stored_customers(backend: StorageBackend, count: int = 1) -> list[Customer]:
    customers = [new_customer() for _ in range(count)]
    with backend.uow() as uow:
        uow.customers.add_many(customers)
        uow.commit()
    return customers


def entry(
    customer: Customer | str,
    entry_id: str,
    *,
    at: datetime = T0,
    kind: str = "note",
    title: str = "",
    data: dict[str, object] | None = None,
) -> TimelineEntry:
    return TimelineEntry(
        id=entry_id,
        customer_id=customer if isinstance(customer, str) else customer.id,
        kind=kind,
        occurred_at=at,
        subject_type="Activity",
        subject_id=entry_id,
        actor_id="user-1",
        title=title or entry_id,
        data=data or {},
    )


def record(backend: StorageBackend, entries: Sequence[TimelineEntry]) -> None:
    with backend.uow() as uow:
        uow.timeline.record(entries)
        uow.commit()


def walk(
    backend: StorageBackend,
    customer_id: str,
    *,
    page_size: int,
    kinds: frozenset[str] | None = None,
) -> list[str]:
    ids: list[str] = []
    after: SortKey | None = None
    while True:
        page = backend.timeline.slice(
            customer_id, kinds=kinds, after=after, limit=page_size, visible=EVERYTHING
        )
        ids.extend(e.id for e in page)
        if len(page) < page_size:
            return ids
        after = SortKey(page[-1].occurred_at, page[-1].id)


WRITES_BETWEEN_PAGES = 5


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


class TimelineContract:
    """Any module's entries, newest first by (occurred_at, id), moved whole on a merge."""

    def test_entries_read_back_newest_first_with_ties_broken_by_id(
        self, backend: StorageBackend
    ) -> None:
        (customer,) = stored_customers(backend)
        record(
            backend,
            [
                entry(customer, "b", at=T0),
                entry(customer, "a", at=T0),
                entry(customer, "c", at=T0 - minutes(1)),
                entry(customer, "d", at=T0 + minutes(1), kind="behaviour_event"),
            ],
        )
        page = backend.timeline.slice(
            customer.id, kinds=None, after=None, limit=10, visible=EVERYTHING
        )
        assert [e.id for e in page] == ["d", "b", "a", "c"]
        assert page[0].occurred_at == T0 + minutes(1) and page[0].occurred_at.tzinfo is not None

    def test_an_entry_reads_back_equal(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        written = TimelineEntry(
            id="e-1",
            customer_id=customer.id,
            kind="call",
            occurred_at=T0,
            subject_type="Activity",
            subject_id="act-1",
            actor_id=None,
            title="Renewal call",
            summary="They will renew — 李 and Zoë agreed",
            data={"direction": "INBOUND", "nested": {"n": [1, 2.5, None, True]}},
        )
        record(backend, [written])
        (read,) = backend.timeline.slice(
            customer.id, kinds=None, after=None, limit=1, visible=EVERYTHING
        )
        assert read == written

    def test_kinds_filter_the_timeline(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        record(
            backend,
            [
                entry(customer, "n", kind="note"),
                entry(customer, "c", kind="call", at=T0 + minutes(1)),
                entry(customer, "o", kind="order", at=T0 + minutes(2)),
            ],
        )
        assert walk(backend, customer.id, page_size=5, kinds=frozenset({"note", "order"})) == [
            "o",
            "n",
        ]
        assert walk(backend, customer.id, page_size=5, kinds=frozenset()) == []

    def test_newest_of_many_customers_in_one_call(self, backend: StorageBackend) -> None:
        first, second, empty = stored_customers(backend, 3)
        record(
            backend,
            [entry(first, f"a{n}", at=T0 + minutes(n)) for n in range(4)]
            + [entry(second, "b0", kind="call"), entry(second, "b1", at=T0 + minutes(1))],
        )
        newest = backend.timeline.newest_of_customers(
            [first.id, second.id, empty.id], kinds=None, limit=2, visible=EVERYTHING
        )
        assert [e.id for e in newest[first.id]] == ["a3", "a2"]
        assert [e.id for e in newest[second.id]] == ["b1", "b0"]
        assert list(newest[empty.id]) == []
        notes = backend.timeline.newest_of_customers(
            [second.id], kinds={"note"}, limit=2, visible=EVERYTHING
        )
        assert [e.id for e in notes[second.id]] == ["b1"]

    def test_entries_of_other_customers_stay_off_the_timeline(
        self, backend: StorageBackend
    ) -> None:
        mine, theirs = stored_customers(backend, 2)
        record(backend, [entry(mine, "m"), entry(theirs, "t")])
        assert walk(backend, mine.id, page_size=5) == ["m"]

    def test_recording_an_id_again_redraws_the_entry(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        record(backend, [entry(customer, "e", title="Draft", at=T0)])
        record(backend, [entry(customer, "e", title="Final", at=T0 - minutes(5))])
        (only,) = backend.timeline.slice(
            customer.id, kinds=None, after=None, limit=5, visible=EVERYTHING
        )
        assert (only.title, only.occurred_at) == ("Final", T0 - minutes(5))

    def test_removed_entries_leave_the_timeline(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        record(backend, [entry(customer, "keep"), entry(customer, "drop", at=T0 + minutes(1))])
        with backend.uow() as uow:
            uow.timeline.remove(["drop", "never-existed"])
            uow.commit()
        assert walk(backend, customer.id, page_size=5) == ["keep"]

    def test_rolls_back_uncommitted_entries_by_default(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        with backend.uow() as uow:
            uow.timeline.record([entry(customer, "e")])
        assert walk(backend, customer.id, page_size=5) == []

    def test_move_to_gives_every_entry_of_the_duplicates_to_the_survivor(
        self, backend: StorageBackend
    ) -> None:
        survivor, first, second, bystander = stored_customers(backend, 4)
        record(
            backend,
            [
                entry(survivor, "s1", at=T0),
                entry(first, "f1", at=T0 + minutes(1)),
                entry(first, "f2", at=T0 - minutes(1)),
                entry(second, "d1", at=T0 + minutes(2)),
                entry(bystander, "b1", at=T0),
            ],
        )
        with backend.uow() as uow:
            moved = uow.timeline.move_to(survivor.id, [first.id, second.id, survivor.id])
            uow.commit()
        assert moved == 3
        assert walk(backend, survivor.id, page_size=2) == ["d1", "f1", "s1", "f2"]
        assert walk(backend, first.id, page_size=2) == []
        assert walk(backend, second.id, page_size=2) == []
        assert walk(backend, bystander.id, page_size=2) == ["b1"]
        (moved_entry,) = [
            e
            for e in backend.timeline.slice(
                survivor.id, kinds=None, after=None, limit=10, visible=EVERYTHING
            )
            if e.id == "f1"
        ]
        assert moved_entry.customer_id == survivor.id

    def test_move_without_commit_moves_nothing(self, backend: StorageBackend) -> None:
        survivor, duplicate = stored_customers(backend, 2)
        record(backend, [entry(duplicate, "d1")])
        with backend.uow() as uow:
            assert uow.timeline.move_to(survivor.id, [duplicate.id]) == 1
        assert walk(backend, duplicate.id, page_size=2) == ["d1"]

    @pytest.mark.parametrize("page_size", [1, 3, 7])
    def test_pages_neither_repeat_nor_skip_while_entries_are_written_between_them(
        self, backend: StorageBackend, page_size: int
    ) -> None:
        (customer,) = stored_customers(backend)
        # Several entries share each timestamp, so the id breaks ties.
        existing = [entry(customer, f"e-{n:03d}", at=T0 + minutes(n % 6)) for n in range(40)]
        record(backend, existing)
        seen: list[str] = []
        after: SortKey | None = None
        written = 0
        while True:
            page = backend.timeline.slice(
                customer.id, kinds=None, after=after, limit=page_size, visible=EVERYTHING
            )
            seen.extend(e.id for e in page)
            if len(page) < page_size:
                break
            last = page[-1]
            after = SortKey(last.occurred_at, last.id)
            if written == WRITES_BETWEEN_PAGES:
                continue
            written += 1
            record(
                backend,
                [
                    # newer than anything: lands before the cursor
                    entry(customer, f"new-{written:03d}", at=T0 + minutes(60)),
                    # back-dated: lands after the cursor, still to come
                    entry(customer, f"old-{written:03d}", at=T0 - minutes(60 + written)),
                    # at the cursor's own time, on both sides of its id
                    entry(customer, f"{last.id}+{written}", at=last.occurred_at),
                    entry(customer, f"a{written:03d}", at=last.occurred_at),
                ],
            )
        assert len(seen) == len(set(seen)), "an entry already seen came back"
        assert {e.id for e in existing} <= set(seen), "an entry that existed was skipped"
        assert written == WRITES_BETWEEN_PAGES
        assert not any(entry_id.startswith("new-") for entry_id in seen)
        assert {f"old-{n:03d}" for n in range(1, written + 1)} <= set(seen)

    def test_a_time_range_narrows_pages_firsts_and_counts(self, backend: StorageBackend) -> None:
        mine, other = stored_customers(backend, 2)
        record(
            backend,
            [entry(mine, f"m{n}", at=T0 + minutes(n)) for n in range(6)]
            + [entry(other, "o0", at=T0 + minutes(2), kind="call")],
        )
        since, until = T0 + minutes(1), T0 + minutes(4)
        page = backend.timeline.slice(
            mine.id, kinds=None, after=None, limit=10, since=since, until=until, visible=EVERYTHING
        )
        assert [e.id for e in page] == ["m3", "m2", "m1"]  # from inclusive, to exclusive
        newest = backend.timeline.newest_of_customers(
            [mine.id, other.id], kinds=None, limit=2, since=since, until=until, visible=EVERYTHING
        )
        assert [e.id for e in newest[mine.id]] == ["m3", "m2"]
        assert [e.id for e in newest[other.id]] == ["o0"]
        counts = backend.timeline.count_of_customers(
            [mine.id, other.id, "nobody"], kinds=None, since=since, until=until, visible=EVERYTHING
        )
        assert counts == {mine.id: 3, other.id: 1, "nobody": 0}
        assert backend.timeline.count_of_customers(
            [other.id], kinds={"note"}, visible=EVERYTHING
        ) == {other.id: 0}
        assert backend.timeline.count_of_customers([mine.id], kinds=None, visible=EVERYTHING) == {
            mine.id: 6
        }

    def test_pages_walk_backward_and_oldest_first(self, backend: StorageBackend) -> None:
        (customer,) = stored_customers(backend)
        record(backend, [entry(customer, f"e{n}", at=T0 + minutes(n)) for n in range(5)])
        slice_ = partial(backend.timeline.slice, visible=EVERYTHING)
        last_two = slice_(customer.id, kinds=None, after=None, limit=2, from_end=True)
        assert [e.id for e in last_two] == ["e0", "e1"]  # walked from the end
        bound = SortKey(T0 + minutes(1), "e1")
        before = slice_(customer.id, kinds=None, after=None, before=bound, limit=10)
        assert [e.id for e in before] == ["e4", "e3", "e2"]
        oldest = slice_(customer.id, kinds=None, after=bound, limit=2, oldest_first=True)
        assert [e.id for e in oldest] == ["e2", "e3"]
