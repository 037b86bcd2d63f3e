import pytest

from domain.errors import ErrorCode, InvalidValue
from domain.text import clean_line, clean_text


@pytest.mark.parametrize("raw", ["Ada\x00", "\x1bAda", "A\u0085da", "Ada\ud800", "\udfffAda"])
def test_control_characters_and_lone_surrogates_are_refused(raw: str) -> None:
    for clean in (clean_line, clean_text):
        with pytest.raises(InvalidValue) as refused:
            clean(raw, field="name", max_length=100)
        assert [(p.field, p.code) for p in refused.value.problems] == [("name", ErrorCode.INVALID)]


def test_text_of_several_lines_keeps_its_layout_and_any_printable_character() -> None:
    assert clean_text(" one\r\n\ttwo 😀 ", field="body", max_length=100) == "one\n\ttwo 😀"
    assert clean_line(" Ada 王 ", field="name", max_length=100) == "Ada 王"
