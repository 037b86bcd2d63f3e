"""Customer CSV files: mapping, encodings, upserts, bad rows, and export back out."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from adapters.files.customer_export import write_customers_csv
from adapters.files.customer_import import ColumnMapping, import_customer_file
from application.custom_fields.bundle import CustomFields
from application.custom_fields.commands import NewCustomField
from application.customers.bundle import Customers
from application.customers.views import CustomerFilter
from application.principal import Principal
from bootstrap import Container
from domain.custom_fields import FieldType, ObjectType
from domain.errors import DomainError, ErrorCode

SYSTEM = Principal.system()
TEXT_FIELDS = {"person": FieldType.TEXT, "tier": FieldType.TEXT}
PEOPLE = (
    "First Name,Last Name,E-mail,Mobile,external_id:shop,Tier\n"
    "Ada,Lovelace,ADA@example.com,+44 20 7183 8750,1001,gold\n"
    "雷,李,li@example.cn,+86 138 0013 8000,1002,silver\n"
    "Bad,Row,not-an-email,123,1003,x\n"
    "Short,Row\n"
    '"Broken ""quote,Row,b@example.com,,1004,\n'
)


@pytest.fixture(autouse=True)
def fields(container: Container) -> None:
    for key in ("tier", "person"):
        container.use(CustomFields).define(
            SYSTEM,
            NewCustomField(
                object_type=ObjectType.CUSTOMER,
                key=key,
                label=key.title(),
                field_type=FieldType.TEXT,
            ),
        )


def run(  # type: ignore[no-untyped-def]
    container: Container,
    path: Path,
    mapping: ColumnMapping | None = None,
    encoding: str | None = None,
):
    return import_customer_file(
        path,
        use_case=container.use(Customers).import_rows,
        actor=SYSTEM,
        mapping=mapping,
        encoding=encoding,
    )


def reported(path: Path | None) -> list[tuple[int, str, str]]:
    """The error report's (row, column, code) lines."""
    assert path is not None
    with path.open(encoding="utf-8") as report:
        return [(int(r["row"]), r["column"], r["code"]) for r in csv.DictReader(report)]


def export_text(container: Container) -> str:
    buffer = io.StringIO()
    write_customers_csv(
        buffer,
        container.use(Customers).list,
        container.use(Customers).get,
        SYSTEM,
        CustomerFilter(),
        TEXT_FIELDS,
    )
    return buffer.getvalue()


def export(container: Container) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export_text(container))))


def test_good_rows_are_imported_and_bad_rows_reported_with_row_and_column(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    summary = run(container, path)
    assert (summary.created, summary.rejected_rows) == (2, 3)
    # The row that is not even CSV counts among the rows, as a rejected one.
    assert summary.rows == summary.created + summary.rejected_rows == 5
    assert summary.report is not None
    with summary.report.open(encoding="utf-8") as report:
        problems = {(int(r["row"]), r["column"], r["code"]) for r in csv.DictReader(report)}
    assert (4, "E-mail", "INVALID_EMAIL") in problems
    assert (4, "Mobile", "INVALID_PHONE") in problems
    assert {row for row, _, _ in problems} == {4, 5, 6}

    rows = {r["email"]: r for r in export(container)}
    assert rows["ada@example.com"]["phone"] == "'+442071838750"
    assert rows["ada@example.com"]["external_ids"] == "shop:1001"
    assert rows["li@example.cn"]["first_name"] == "雷"
    assert rows["li@example.cn"]["custom:tier"] == "silver"


def test_rerunning_the_same_file_changes_nothing(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    run(container, path)
    before = export(container)
    again = run(container, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert export(container) == before


def test_known_customers_are_updated_by_external_id(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    run(container, path)
    changed = tmp_path / "changed.csv"
    changed.write_text("external_id:shop,Last Name,Tier\n1001,King,platinum\n", encoding="utf-8")
    summary = run(container, changed)
    assert (summary.created, summary.updated) == (0, 1)
    ada = next(r for r in export(container) if r["email"] == "ada@example.com")
    assert (ada["last_name"], ada["version"]) == ("King", "2")
    assert ada["custom:tier"] == "platinum"


def test_a_row_naming_two_different_customers_is_refused(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    run(container, path)
    clash = tmp_path / "clash.csv"
    clash.write_text("email,external_id:shop\nada@example.com,1002\n", encoding="utf-8")
    summary = run(container, clash)
    assert summary.rejected_rows == 1
    assert len(export(container)) == 2


def test_gb18030_file_with_a_mapping(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "客户.csv"
    path.write_bytes("姓,名,邮箱,会员号\n王,芳,fang@example.cn,A-77\n".encode("gb18030"))
    mapping_file = tmp_path / "map.toml"
    mapping_file.write_text(
        '[columns]\n"姓" = "last_name"\n"名" = "first_name"\n"邮箱" = "email"\n"会员号" = "external_id:member"\n',
        encoding="utf-8",
    )
    summary = run(container, path, ColumnMapping.from_toml(mapping_file), encoding="gb18030")
    assert (summary.encoding, summary.created, summary.errors) == ("gb18030", 1, 0)
    [row] = export(container)
    assert (row["last_name"], row["first_name"], row["external_ids"]) == ("王", "芳", "member:A-77")


MIXED_ROWS = ["张伟,李娜,zw@example.cn", "陈静,刘洋,cj@example.cn", "杨磊,赵敏,yl@example.cn"]


def test_utf8_rows_are_read_as_utf8_and_a_line_in_another_encoding_is_reported(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"first_name,last_name,email\n"
        + "王,芳,wf@example.cn\n".encode("gb18030")
        + "".join(f"{row}\n" for row in MIXED_ROWS).encode("utf-8")
    )
    summary = run(container, path)
    assert (summary.encoding, summary.rows, summary.created, summary.rejected_rows) == (
        "utf-8",
        4,
        3,
        1,
    )
    assert reported(summary.report) == [(2, "", "INVALID_ENCODING")]
    names = {(r["first_name"], r["last_name"]) for r in export(container)}
    assert names == {("张伟", "李娜"), ("陈静", "刘洋"), ("杨磊", "赵敏")}


def test_with_an_encoding_the_file_is_read_in_it_and_a_line_invalid_in_it_is_reported(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes(
        "first_name,last_name,email\n王,芳,wf@example.cn\n".encode("gb18030")
        + b"Bad,\xff\xfe,bad@example.cn\n"
        + "李,雷,ll@example.cn\n".encode("gb18030")
    )
    summary = run(container, path, encoding="gb18030")
    assert (summary.encoding, summary.rows, summary.created, summary.rejected_rows) == (
        "gb18030",
        3,
        2,
        1,
    )
    assert reported(summary.report) == [(3, "", "INVALID_ENCODING")]
    assert {r["first_name"] for r in export(container)} == {"王", "李"}


def test_a_header_that_is_not_valid_text_refuses_the_whole_file(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes("姓,名,邮箱\n王,芳,wf@example.cn\n".encode("gb18030"))
    with pytest.raises(DomainError) as error:
        run(container, path)
    [problem] = error.value.problems
    assert (problem.field, problem.code) == ("file", ErrorCode.INVALID_ENCODING)
    assert "row 1" in problem.message
    assert export(container) == []
    assert not path.with_name("gb.csv.errors.csv").exists()


def test_utf8_with_a_byte_order_mark(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffemail,first_name\nzoe@example.com,Zoë\n".encode())
    summary = run(container, path)
    assert (summary.encoding, summary.created) == ("utf-8-sig", 1)
    assert export(container)[0]["first_name"] == "Zoë"


def test_auto_merge_joins_only_records_of_one_person(container: Container, tmp_path: Path) -> None:
    """Each person has a web record (email) and a shop record (external id, other email).

    The file names half of them by both keys at once, which merges exactly those pairs;
    rows naming one person by one key merge nothing.
    """
    people = 40
    web = tmp_path / "web.csv"
    web.write_text(
        "email,first_name,person\n"
        + "".join(f"p{n}@example.com,P{n},{n}\n" for n in range(people)),
        encoding="utf-8",
    )
    shop = tmp_path / "shop.csv"
    shop.write_text(
        "email,external_id:shop,person\n"
        + "".join(f"shop{n}@example.net,{n},{n}\n" for n in range(people)),
        encoding="utf-8",
    )
    both = tmp_path / "both.csv"
    both.write_text(
        "email,external_id:shop\n"
        + "".join(f"p{n}@example.com,{n}\n" for n in range(0, people, 2))
        + "".join(f"shop{n}@example.net,{n}\n" for n in range(1, people, 2)),
        encoding="utf-8",
    )
    run(container, web)
    run(container, shop)
    summary = import_customer_file(
        both, use_case=container.use(Customers).import_rows, actor=SYSTEM, auto_merge=True
    )
    assert (summary.merged, summary.errors) == (people // 2, 0)
    remaining = export(container)
    assert len(remaining) == people + people // 2
    for row in remaining:
        # A merged record carries both the web and the shop identity of one person only.
        assert row["custom:person"]
        if row["external_ids"] and row["email"].startswith("p"):
            assert row["external_ids"] == f"shop:{row['email'][1:].split('@')[0]}"


def test_an_export_imports_back_unchanged(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    run(container, path)
    exported = tmp_path / "export.csv"
    exported.write_bytes(export_text(container).encode("utf-8"))
    again = run(container, exported)
    # Every exported customer is found again by email and changed by nothing in the file.
    assert (again.rows, again.created, again.updated, again.unchanged, again.errors) == (
        2,
        0,
        0,
        2,
        0,
    )


def test_the_error_report_neutralises_what_the_file_held(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text('email,first_name\n"=HYPERLINK(""http://evil.example"")",Eve\n', "utf-8")
    summary = run(container, path)
    assert summary.report is not None
    text = summary.report.read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://evil.example"")"' in text
    [line] = csv.DictReader(io.StringIO(text))
    assert (line["row"], line["column"], line["code"]) == ("2", "email", "INVALID_EMAIL")


def test_an_export_of_formula_like_names_imports_back_unchanged(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "email,first_name,last_name,Tier\n"
        'eve@example.com,"=HYPERLINK(""http://evil.example"")",-2+3,\t@gold\n'
        "zed@example.com,'=quoted already,+1,'\n",
        encoding="utf-8",
    )
    assert run(container, path).created == 2
    exported = tmp_path / "export.csv"
    exported.write_bytes(export_text(container).encode("utf-8"))
    before = export(container)
    assert {(r["first_name"], r["last_name"]) for r in before} == {
        ('\'=HYPERLINK("http://evil.example")', "'-2+3"),
        # A quote before a formula character reads as one that an export added.
        ("'=quoted already", "'+1"),
    }
    again = run(container, exported)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 2, 0)
    assert export(container) == before
