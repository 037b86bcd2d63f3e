import codecs
from pathlib import Path

import pytest

from adapters.files.cdnow import CdnowParser
from adapters.files.source import TextSource
from domain.errors import ErrorCode, InvalidValue

TEXT = "name,city\n李雷,北京\nZoë,Zürich\n"


@pytest.mark.parametrize(
    ("data", "given", "read_as"),
    [
        (TEXT.encode("utf-8"), None, "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), None, "utf-8-sig"),
        (TEXT.encode("gb18030"), "GB18030", "gb18030"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig", "utf-8-sig"),
        (b"plain ascii\n", "latin-1", "iso8859-1"),
    ],
)
def test_lines_read_back_the_same_text(
    tmp_path: Path, data: bytes, given: str | None, read_as: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    source = TextSource(path, given)
    assert "".join(source.lines()) == data.decode(read_as).removeprefix("\ufeff")
    assert (source.encoding, source.undecodable_lines) == (read_as, set())
    assert source.bytes_read == source.size


def test_without_an_encoding_a_gb18030_file_is_not_guessed_but_each_line_reported(
    tmp_path: Path,
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(TEXT.encode("gb18030"))
    source = TextSource(path)
    lines = list(source.lines())
    assert (source.encoding, source.undecodable_lines) == ("utf-8", {2, 3})
    assert lines[2] == "Zo\\x810\\x8a5,Z\\xa8\\xb9rich\n"  # the bad bytes, as they were
    error = source.encoding_error(2, 2, lines[1].strip())
    assert error is not None
    assert (error.row, error.code) == (2, "INVALID_ENCODING")
    assert source.encoding_error(1, 1, lines[0]) is None


@pytest.mark.parametrize("name", ["klingon", "utf-16", "rot13", "base64"])
def test_an_encoding_that_cannot_read_a_csv_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"email\n")
    with pytest.raises(InvalidValue) as error:
        TextSource(path, name)
    [problem] = error.value.problems
    assert (problem.field, problem.code) == ("encoding", ErrorCode.INVALID)


def test_a_line_that_does_not_decode_is_kept_and_remembered(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"first\n" * 3000 + b"bad \xff\xfe line\n" + b"last\n")
    source = TextSource(path)
    lines = list(source.lines())
    assert len(lines) == 3002
    assert source.undecodable_lines == {3001}


def test_identical_purchases_get_distinct_stable_ids() -> None:
    line = " 00002 19970112  1   12.00\r\n"
    first, second = CdnowParser(), CdnowParser()
    ids = [first.parse(n, line) for n in (2, 3)]
    again = [second.parse(n, line) for n in (2, 3)]
    assert [row.order.external_id for row in ids] == [row.order.external_id for row in again]  # type: ignore[union-attr]
    assert ids[0].order.external_id != ids[1].order.external_id  # type: ignore[union-attr]


def test_header_and_blank_lines_are_skipped() -> None:
    parser = CdnowParser()
    assert parser.parse(1, " customer_id  date number_of_cds  dollar_value\r\n") is None
    assert parser.parse(5, "   \r\n") is None
