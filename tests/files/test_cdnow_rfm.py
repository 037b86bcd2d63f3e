"""RFM scores of the real CDNOW customers match a reference computed here from the raw file."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from adapters.files.order_import import import_order_file
from adapters.persistence.tables import customer_external_ids
from application.orders.bundle import Orders
from application.principal import Principal
from application.segments.bundle import Segments
from application.segments.commands import RfmSettings
from bootstrap import Container
from tests.files.conftest import CDNOW

# The usual RFM segment map over "RF" (recency digit, frequency digit); "11" is lost.
CLASS_MAP = {
    r"11": "lost",
    r"[1-2][1-2]": "hibernating",
    r"[1-2][3-4]": "at_risk",
    r"[1-2]5": "cant_lose",
    r"3[1-2]": "about_to_sleep",
    r"33": "need_attention",
    r"[3-4][4-5]": "loyal",
    r"41": "promising",
    r"51": "new",
    r"[4-5][2-3]": "potential_loyalist",
    r"5[4-5]": "champions",
}


def reference_class(recency: int, frequency: int) -> str:
    pair = f"{recency}{frequency}"
    return next(name for pattern, name in CLASS_MAP.items() if re.fullmatch(pattern, pair))


def reference_scores(values: dict[str, int]) -> dict[str, int]:
    """Quintile by rank: a customer's score is 1 + floor(5 * (customers strictly below) / n)."""
    ordered = sorted(values.values())
    below: dict[int, int] = {}
    for position, value in enumerate(ordered):
        below.setdefault(value, position)
    n = len(ordered)
    return {key: 1 + 5 * below[value] // n for key, value in values.items()}


def read_purchases(path: Path) -> tuple[dict[str, date], dict[str, int], dict[str, int]]:
    last: dict[str, date] = {}
    count: dict[str, int] = defaultdict(int)
    cents: dict[str, int] = defaultdict(int)
    for line in path.read_text(encoding="ascii").splitlines()[1:]:
        customer, day, _cds, dollars = line.split()
        placed = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        key = f"{int(customer):05d}"
        last[key] = max(last.get(key, placed), placed)
        count[key] += 1
        cents[key] += int(Decimal(dollars) * 100)
    return last, count, cents


def test_rfm_on_cdnow_matches_the_reference(container: Container, tmp_path: Path) -> None:
    # A copy: the import writes its error report beside the file it reads.
    copy = tmp_path / CDNOW.name
    copy.write_bytes(CDNOW.read_bytes())
    import_order_file(copy, use_case=container.use(Orders).import_rows, actor=Principal.system())
    scored = container.use(Segments).compute_rfm(Principal.system(), RfmSettings(window_days=None))

    last, count, cents = read_purchases(CDNOW)
    # Days since the last order: fewer is better, so rank the negated count.
    recency = reference_scores({key: day.toordinal() for key, day in last.items()})
    frequency = reference_scores(dict(count))
    monetary = reference_scores(dict(cents))
    assert scored == len(last) == 23_570

    with container.database().reader.connect() as connection:
        ids = dict(
            connection.execute(
                select(customer_external_ids.c.external_id, customer_external_ids.c.customer_id)
            ).all()
        )
    internal = {key: ids[key] for key in last}
    found = container.use(Segments).read.rfm_of(Principal.system(), list(internal.values()))
    mismatches = []
    for key, customer_id in internal.items():
        expected = (
            recency[key],
            frequency[key],
            monetary[key],
            reference_class(recency[key], frequency[key]),
        )
        score = found[customer_id]
        actual = (score.recency, score.frequency, score.monetary, score.rfm_class)
        if actual != expected:
            mismatches.append((key, expected, actual))
    assert mismatches == []
    # Every class and score is in use on real data, so the comparison above covers them.
    classes = {score.rfm_class for score in found.values()}
    assert len(classes) >= 9
    assert {score.recency for score in found.values()} == {1, 2, 3, 4, 5}
