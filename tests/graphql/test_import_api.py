import json
from typing import Any

from tests.graphql.conftest import Api

MUTATION = """
mutation($file: Upload!) {
  importCustomers(input: {file: $file}) {
    rows created updated unchanged rejectedRows errorCount
    errors { row column value message code }
    userErrors { code }
  }
}"""


def upload(api: Api, content: bytes) -> dict[str, Any]:
    response = api.client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": MUTATION, "variables": {"file": None}}),
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
