import json
from typing import Any

from tests.graphql.conftest import Api

MUTATION = """
mutation($file: Upload!, $encoding: String) {
  importCustomers(input: {file: $file, encoding: $encoding}) {
    rows created updated unchanged rejectedRows errorCount
    errors { row column value message code }
    userErrors { field code }
  }
}"""


def upload(api: Api, content: bytes, encoding: str | None = None) -> dict[str, Any]:
    variables = {"file": None, "encoding": encoding}
    response = api.client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": MUTATION, "variables": variables}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("people.csv", content, "text/csv")},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["importCustomers"]
    return payload


def test_import_customers_by_upload_returns_counts_and_the_error_report(api: Api) -> None:
    content = b"email,first_name,phone\nada@example.com,Ada,+1 415 555 2671\nnope,Bad,\n"
    payload = upload(api, content)
    assert (payload["rows"], payload["created"], payload["rejectedRows"]) == (2, 1, 1)
    assert payload["errors"] == [
        {
            "row": 3,
            "column": "email",
            "value": "nope",
            "message": "must look like name@example.com",
            "code": "INVALID_EMAIL",
        }
    ]
    listed = api.data("{ customers { totalCount edges { node { email phone } } } }")["customers"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"] == {"email": "ada@example.com", "phone": "+14155552671"}


def test_reported_values_are_what_the_file_held_not_the_neutralised_report_cells(
    api: Api,
) -> None:
    payload = upload(api, b'email,first_name\n"=HYPERLINK(""http://evil.example"")",Eve\n')
    [error] = payload["errors"]
    assert (error["value"], error["code"]) == ('=HYPERLINK("http://evil.example")', "INVALID_EMAIL")


def test_an_upload_reads_utf8_unless_told_and_reports_lines_invalid_in_the_encoding(
    api: Api,
) -> None:
    header = b"first_name,last_name,email\n"
    gb_row = "王,芳,wf@example.cn\n".encode("gb18030")
    payload = upload(api, header + gb_row + "张伟,李娜,zw@example.cn\n".encode())
    assert (payload["rows"], payload["created"], payload["rejectedRows"]) == (2, 1, 1)
    assert [(e["row"], e["code"]) for e in payload["errors"]] == [(2, "INVALID_ENCODING")]

    payload = upload(api, header + gb_row, encoding="gb18030")
    assert (payload["rows"], payload["created"], payload["errors"]) == (1, 1, [])
    names = api.data("{ customers { edges { node { firstName lastName } } } }")["customers"]
    assert sorted(e["node"]["lastName"] for e in names["edges"]) == ["李娜", "芳"]

    refused = upload(api, header, encoding="klingon")
    assert refused["userErrors"] == [{"field": ["encoding"], "code": "INVALID"}]
    header_refused = upload(api, "姓,名\n王,芳\n".encode("gb18030"))
    assert header_refused["userErrors"] == [{"field": ["file"], "code": "INVALID_ENCODING"}]


def test_an_upload_reports_a_row_repeating_an_earlier_rows_email(api: Api) -> None:
    payload = upload(api, b"email,first_name\nada@example.com,Ada\nADA@example.com,Eve\n")
    assert (payload["rows"], payload["created"], payload["rejectedRows"]) == (2, 1, 1)
    assert [(e["row"], e["column"], e["code"]) for e in payload["errors"]] == [
        (3, "email", "DUPLICATE_IN_FILE")
    ]
