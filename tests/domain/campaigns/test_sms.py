"""SMS part counting: hand-computed boundaries, and the invariants of any text."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SmsParts,
    is_gsm7,
    sms_parts,
    sms_segments,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsParts("GSM-7", 1, 0, 0)),
        ("a" * 160, SmsParts("GSM-7", 1, 160, 160)),
        ("a" * 161, SmsParts("GSM-7", 2, 161, 161)),
        ("a" * 306, SmsParts("GSM-7", 2, 306, 306)),
        ("a" * 307, SmsParts("GSM-7", 3, 307, 307)),
        # Extension characters take two septets: 80 of them fill one message exactly.
        ("€" * 80, SmsParts("GSM-7", 1, 80, 160)),
        ("€" * 81, SmsParts("GSM-7", 2, 81, 162)),
        # 152 septets, then a € would straddle the 153rd and 154th: it starts part two.
        ("a" * 152 + "€" + "a" * 151, SmsParts("GSM-7", 2, 304, 305)),
        ("a" * 152 + "€" + "a" * 152, SmsParts("GSM-7", 3, 305, 306)),
        ("é" * 70, SmsParts("GSM-7", 1, 70, 70)),
        ("ж" * 70, SmsParts("UCS-2", 1, 70, 70)),
        ("ж" * 71, SmsParts("UCS-2", 2, 71, 71)),
        ("ж" * 134, SmsParts("UCS-2", 2, 134, 134)),
        ("ж" * 135, SmsParts("UCS-2", 3, 135, 135)),
        # One non-GSM character turns the whole text into UCS-2.
        ("a" * 69 + "ж", SmsParts("UCS-2", 1, 70, 70)),
        ("a" * 70 + "ж", SmsParts("UCS-2", 2, 71, 71)),
        # An emoji is a surrogate pair: 35 fill one message, and a pair is never split.
        ("🎉" * 35, SmsParts("UCS-2", 1, 35, 70)),
        # 66 units, then the pair would straddle the 67th and 68th: it starts part two.
        ("ж" * 66 + "🎉" + "ж" * 65, SmsParts("UCS-2", 2, 132, 133)),
        ("ж" * 66 + "🎉" + "ж" * 66, SmsParts("UCS-2", 3, 133, 134)),
    ],
)
def test_hand_computed_part_counts(text: str, expected: SmsParts) -> None:
    assert sms_parts(text) == expected


def test_the_segments_of_a_euro_at_a_part_boundary() -> None:
    first, second = sms_segments("a" * 152 + "€" + "b" * 10)
    assert first == "a" * 152
    assert second == "€" + "b" * 10


def test_gsm7_is_the_default_alphabet_and_its_extension() -> None:
    assert is_gsm7("Hello @ £5 {ok} [x] ~ | ^ € \\ \f ÄÖÑÜ")
    assert not is_gsm7("ç")  # only the capital Ç is in the default alphabet
    assert not is_gsm7("`")
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10


GSM_TEXT = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=500)
ANY_TEXT = st.text(max_size=400)


def _units(text: str) -> int:
    if is_gsm7(text):
        return sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    return len(text.encode("utf-16-le")) // 2


def _limits(text: str) -> tuple[int, int]:
    return (160, 153) if is_gsm7(text) else (70, 67)


@given(st.one_of(GSM_TEXT, ANY_TEXT))
def test_segments_rebuild_the_text_and_each_fits_a_part(text: str) -> None:
    counted = sms_parts(text)
    segments = sms_segments(text)
    single, per_part = _limits(text)
    assert "".join(segments) == text
    assert len(segments) == counted.parts
    assert counted.units == _units(text)
    assert counted.characters == len(text)
    assert counted.encoding == ("GSM-7" if is_gsm7(text) else "UCS-2")
    limit = single if counted.parts == 1 else per_part
    assert all(_units(segment) <= limit for segment in segments)


@given(st.one_of(GSM_TEXT, ANY_TEXT))
def test_parts_are_filled_before_a_new_one_starts(text: str) -> None:
    segments = sms_segments(text)
    _, per_part = _limits(text)
    for segment, following in pairwise(segments):
        # The next part's first character did not fit in this one.
        assert _units(segment + following[0]) > per_part


@given(st.one_of(GSM_TEXT, ANY_TEXT))
def test_part_count_is_bounded_by_the_units(text: str) -> None:
    counted = sms_parts(text)
    single, per_part = _limits(text)
    if counted.units <= single:
        assert counted.parts == 1
    else:
        # Never fewer than a perfect packing, and at most one unit lost per part.
        assert math.ceil(counted.units / per_part) <= counted.parts
        assert counted.parts <= math.ceil(counted.units / (per_part - 1))


@given(GSM_TEXT, st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENSION)))
def test_adding_a_character_never_lowers_the_count(text: str, extra: str) -> None:
    assert sms_parts(text + extra).parts >= sms_parts(text).parts
