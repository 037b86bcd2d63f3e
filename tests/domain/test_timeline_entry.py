from datetime import UTC, datetime

import pytest

from domain.errors import InvalidValue
from domain.timeline import TimelineEntry

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def entry(**overrides: object) -> TimelineEntry:
    values: dict[str, object] = {
        "id": "e-1",
        "customer_id": "c-1",
        "kind": "order",
        "occurred_at": T0,
        "subject_type": "Order",
        "subject_id": "o-1",
    }
    values.update(overrides)
    return TimelineEntry(**values)  # type: ignore[arg-type]


def test_any_module_may_add_a_kind_of_its_own() -> None:
    assert entry(kind="lifecycle_stage_change", subject_type="Customer").kind == (
        "lifecycle_stage_change"
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "Order"},
        {"kind": ""},
        {"kind": "x" * 41},
        {"subject_type": "order"},
        {"occurred_at": datetime(2026, 5, 1)},
    ],
)
def test_malformed_entries_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(InvalidValue):
        entry(**overrides)


def test_long_titles_and_summaries_are_clipped_visibly() -> None:
    clipped = entry(title="t" * 300, summary="s" * 600)
    assert len(clipped.title) == 200 and clipped.title.endswith("…")
    assert clipped.summary is not None and len(clipped.summary) == 500
