"""Id generators: UUIDv7 for production, counters for tests."""

from __future__ import annotations

import uuid

from adapters.ids import SequentialIdGenerator, UuidV7Generator


def test_uuid7_ids_are_unique_version_7_and_sort_in_the_order_they_were_made() -> None:
    generator = UuidV7Generator()
    ids = [generator.new_id() for _ in range(5000)]  # more than one buffer of randomness
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    for text in ids[:: len(ids) // 50]:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (7, uuid.RFC_4122, text)


def test_sequential_ids_are_readable() -> None:
    generator = SequentialIdGenerator("c")
    assert [generator.new_id(), generator.new_id()] == ["c-000000000001", "c-000000000002"]
