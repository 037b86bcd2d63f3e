from domain.access.roles import Role
from tests.graphql.conftest import Api
from tests.graphql.test_customers_api import create

CANDIDATES = """
{ duplicateCandidates(first: 10) {
    totalCount edges { node { score reasons customer { id email } other { id email } } } } }
"""
MERGE = """
mutation($input: MergeCustomersInput!) {
  mergeCustomers(input: $input) { customer { id email phone } userErrors { field code } }
}"""


def test_find_and_merge_duplicates_then_the_old_id_resolves_to_the_survivor(api: Api) -> None:
    ada = create(api, firstName="Ada", lastName="Lovelace", email="ada.lovelace@gmail.com")
    twin = create(
        api,
        firstName="Ada",
        lastName="Lovelace",
        email="adalovelace+shop@gmail.com",
        phone="+1 415 555 2671",
    )
    create(api, firstName="Grace", email="grace@example.com")

    found = api.data(CANDIDATES)["duplicateCandidates"]
    assert found["totalCount"] == 1
    [edge] = found["edges"]
    assert edge["node"]["reasons"] == ["email", "name"]
    assert {edge["node"]["customer"]["id"], edge["node"]["other"]["id"]} == {ada["id"], twin["id"]}

    merged = api.data(MERGE, input={"survivorId": ada["id"], "duplicateIds": [twin["id"]]})[
        "mergeCustomers"
    ]
    assert merged["userErrors"] == []
    assert merged["customer"]["phone"] == "+14155552671"

    assert (
        api.data("query($id: ID!) { node(id: $id) { id } }", id=twin["id"])["node"]["id"]
        == ada["id"]
    )
    assert api.data(CANDIDATES)["duplicateCandidates"]["totalCount"] == 0


def test_merge_with_bad_ids_is_a_user_error(api: Api) -> None:
    ada = create(api, firstName="Ada")
    bad = api.data(MERGE, input={"survivorId": ada["id"], "duplicateIds": ["nope"]})[
        "mergeCustomers"
    ]
    assert bad["userErrors"] == [{"field": ["duplicateIds", "0"], "code": "INVALID_ID"}]
    itself = api.data(MERGE, input={"survivorId": ada["id"], "duplicateIds": [ada["id"]]})[
        "mergeCustomers"
    ]
    assert itself["userErrors"][0]["code"] == "INVALID"


ARCHIVE = """
mutation($input: ArchiveCustomerInput!) {
  archiveCustomer(input: $input) { customer { id } userErrors { field code } }
}"""
CUSTOMER = "query($id: ID!) { customer(id: $id) { id version archivedAt } }"


def test_an_agents_merge_is_refused_as_its_archive_is_and_changes_nothing(api: Api) -> None:
    ada = create(api, firstName="Ada", email="ada.lovelace@gmail.com")
    twin = create(api, firstName="Ada", email="adalovelace+shop@gmail.com")
    before = [api.data(CUSTOMER, id=c["id"])["customer"] for c in (ada, twin)]
    agent = api.key(Role.SALES_REP, "agent@example.com")
    archived = api.data(ARCHIVE, agent, input={"id": twin["id"]})["archiveCustomer"]
    merged = api.data(MERGE, agent, input={"survivorId": ada["id"], "duplicateIds": [twin["id"]]})
    refused = {"customer": None, "userErrors": [{"field": None, "code": "FORBIDDEN"}]}
    assert archived == refused
    assert merged["mergeCustomers"] == refused
    assert [api.data(CUSTOMER, id=c["id"])["customer"] for c in (ada, twin)] == before
    assert api.data(CANDIDATES)["duplicateCandidates"]["totalCount"] == 1
