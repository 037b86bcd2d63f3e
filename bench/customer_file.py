"""A deterministic customer CSV for the import benchmark, with its bad rows known in advance.

Phones come in national and international formats from six countries (the import reads
numbers without ``+`` in the US region), emails in mixed case, names partly outside ASCII,
two external id columns, a choice and a date custom field. About one row in a hundred is
bad in a way the import must report: which rows and columns is returned with the file.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from pathlib import Path

from attrs import frozen

HEADERS = (
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "external_id:shop",
    "external_id:crm",
    "Plan",
    "Signup Date",
)
PLANS = ("free", "pro", "enterprise")
BAD_ROW_EVERY = 100
"""One row in each hundred is bad, at a position within the hundred that varies."""

_FIRST = (
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Zoë", "José", "Søren", "Chloé",
    "Mei", "Hiroshi", "Priya", "Olu", "Fatima", "Lars", "Ingrid", "Mateo", "Aisha", "Noah",
)  # fmt: skip
_LAST = (
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Müller", "García",
    "Kierkegaard", "Dubois", "Chen", "Tanaka", "Patel", "Adeyemi", "Haddad", "Larsen",
    "Berg", "Rossi", "Khan", "Smith",
)  # fmt: skip
_CJK = (("芳", "王"), ("雷", "李"), ("伟", "张"), ("静", "刘"))
_DOMAINS = ("Example.com", "example.org", "MAIL.example.net", "example.co.uk", "example.de")
_US_AREAS = (212, 213, 305, 312, 404, 415, 503, 617, 646, 702, 713, 206, 303, 480, 512)


def _us(rng: random.Random) -> str:
    area, exchange, line = rng.choice(_US_AREAS), rng.randint(201, 989), rng.randint(0, 9999)
    if exchange % 100 == 11:  # N11 codes are not exchanges
        exchange += 1
    layout = rng.randrange(6)
    if layout == 0:
        return f"({area}) {exchange}-{line:04d}"
    if layout == 1:
        return f"{area}-{exchange}-{line:04d}"
    if layout == 2:
        return f"{area}.{exchange}.{line:04d}"
    if layout == 3:
        return f"{area}{exchange}{line:04d}"
    if layout == 4:
        return f"+1 {area} {exchange} {line:04d}"
    return f"1-{area}-{exchange}-{line:04d}"


def _gb(rng: random.Random) -> str:
    if rng.random() < 0.5:
        number = f"20 7{rng.randint(0, 999):03d} {rng.randint(0, 9999):04d}"
    else:
        number = f"7{rng.randint(740, 799)} {rng.randint(100000, 999999)}"
    return rng.choice((f"+44 {number}", f"+44{number.replace(' ', '')}", f"011 44 {number}"))


def _de(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+49 30 {rng.randint(1000000, 9999999)}"
    return f"+49 15{rng.choice((1, 2, 5, 7))} {rng.randint(10000000, 99999999)}"


def _fr(rng: random.Random) -> str:
    pairs = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))
    return rng.choice((f"+33 6 12 {pairs}", f"+33 (0)1 42 {pairs}", f"+33 7 81 {pairs}"))


def _cn(rng: random.Random) -> str:
    return f"+86 13{rng.randint(0, 9)} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"


def _jp(rng: random.Random) -> str:
    return f"+81 3-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"


_PHONES: tuple[tuple[float, Callable[[random.Random], str]], ...] = (
    (0.45, _us),
    (0.15, _gb),
    (0.10, _de),
    (0.10, _fr),
    (0.10, _cn),
    (0.10, _jp),
)


def _phone(rng: random.Random) -> str:
    pick = rng.random()
    for share, make in _PHONES:
        if pick < share:
            return make(rng)
        pick -= share
    return _us(rng)


@frozen
class CustomerFile:
    path: Path
    rows: int
    """Data rows, bad ones included (the header is not a row)."""
    bad: dict[int, str]
    """Line number → the header of the column the import must report for that row."""

    @property
    def good_rows(self) -> int:
        return self.rows - len(self.bad)


def _bad(rng: random.Random, cells: list[str]) -> tuple[list[str], str]:
    kind = rng.randrange(5)
    if kind == 0:
        cells[2] = cells[2].replace("@", "@@")
        return cells, "Email"
    if kind == 1:
        cells[3] = f"555-{rng.randint(10, 99)}"
        return cells, "Phone"
    if kind == 2:
        cells[6] = "platinum"
        return cells, "Plan"
    if kind == 3:
        cells[7] = f"2024-13-{rng.randint(10, 28)}"
        return cells, "Signup Date"
    return cells[:5], ""


def write_customer_file(path: Path, rows: int, *, seed: int = 7) -> CustomerFile:
    """``rows`` customers, each with a unique email and shop id, written to ``path``."""
    rng = random.Random(seed)
    bad: dict[int, str] = {}
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        bad_at = 0
        for index in range(rows):
            if index % BAD_ROW_EVERY == 0:
                bad_at = index + rng.randrange(BAD_ROW_EVERY)
            if rng.random() < 0.04:
                first, last = rng.choice(_CJK)
            else:
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = f"{first}.{last}.{index}@{rng.choice(_DOMAINS)}" if first.isascii() else ""
            if not email:
                email = f"user{index}@{rng.choice(_DOMAINS)}"
            cells = [
                first,
                last,
                email,
                _phone(rng) if rng.random() < 0.9 else "",
                f"S{index:08d}",
                f"crm-{index * 7919 % 10_000_019}" if rng.random() < 0.5 else "",
                rng.choice(PLANS),
                f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ]
            if index == bad_at:
                cells, column = _bad(rng, cells)
                bad[index + 2] = column
            writer.writerow(cells)
    return CustomerFile(path, rows, bad)
