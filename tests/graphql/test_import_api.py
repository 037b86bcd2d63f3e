import json

from tests.graphql.conftest import Api

MUTATION = """
mutation($file: Upload!) {
  importCustomers(input: {file: $file}) {
    rows created updated unchanged rejectedRows errorCount
    errors { row column value message code }
    userErrors { code }
  }
}"""


def test_import_customers_by_upload_returns_counts_and_the_error_report(api: Api) -> None:
    content = b"email,first_name,phone\nada@example.com,Ada,+1 415 555 2671\nnope,Bad,\n"
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
    payload = response.json()["data"]["importCustomers"]
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
