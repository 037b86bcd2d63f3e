"""The wire formats of Decimal and Upload, through the ASGI app."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.graphql.conftest import Api

RULE_WITH_AMOUNT = """
query($value: Decimal!) {
  segmentRuleText(input: {orders: {metric: SUM, comparison: GT, value: $value}}) { text }
}"""


@pytest.mark.parametrize("value", ["12.50", "-3", "0.125", "1000000000000"])
def test_a_decimal_is_a_string_and_comes_back_in_plain_notation(api: Api, value: str) -> None:
    text = api.data(RULE_WITH_AMOUNT, value=value)["segmentRuleText"]["text"]
    assert text == f"orders.sum() > {value}"


@pytest.mark.parametrize(
    "value", [12.5, 12, "NaN", "Infinity", "1e3", "12,50", " 1", "1.", ".5", "9" * 41, [1], True]
)
def test_anything_but_a_plain_decimal_string_is_a_clear_error(api: Api, value: object) -> None:
    body = api.query(RULE_WITH_AMOUNT, value=value)
    (error,) = body["errors"]
    assert 'Decimal is a string such as "12.50"' in error["message"]
    assert "extensions" not in error or error["extensions"].get("code") != "INTERNAL"


def test_a_decimal_literal_in_the_query_follows_the_same_format(api: Api) -> None:
    number = api.query(
        "{ segmentRuleText(input: {orders: {metric: SUM, comparison: GT, value: 12.5}}) { text } }"
    )
    assert 'Decimal is a string such as "12.50"' in number["errors"][0]["message"]
    text = api.data(
        '{ segmentRuleText(input: {orders: {metric: SUM, comparison: GT, value: "7.25"}}) { text } }'
    )
    assert text["segmentRuleText"]["text"] == "orders.sum() > 7.25"


IMPORT = """
mutation($file: Upload!) { importCustomers(input: {file: $file}) { rows userErrors { code } } }
"""


@pytest.mark.parametrize("value", ["people.csv", {"name": "people.csv"}, 1])
def test_an_upload_that_is_not_a_file_part_is_refused(api: Api, value: object) -> None:
    body = api.query(IMPORT, file=value)
    (error,) = body["errors"]
    assert "Upload is a file part of a multipart request" in error["message"]
    inline = api.query('mutation { importCustomers(input: {file: "x"}) { rows } }')
    assert "Upload is a file part of a multipart request" in inline["errors"][0]["message"]
    assert api.data("{ customers { totalCount } }")["customers"]["totalCount"] == 0


CREATED_AFTER = """
query($after: DateTime!) { customers(filter: {createdAfter: $after}) { totalCount } }
"""


@pytest.mark.parametrize("value", ["2026-03-01T09:00:00Z", "2026-03-01T10:00:00+01:00"])
def test_a_date_time_with_an_offset_is_an_instant(api: Api, value: str) -> None:
    assert api.data(CREATED_AFTER, after=value)["customers"]["totalCount"] == 0


@pytest.mark.parametrize(
    "value", ["2026-03-01T09:00:00", "2026-03-01", "yesterday", 1767258000, "2026-13-01T00:00Z"]
)
def test_a_date_time_without_an_offset_is_refused(api: Api, value: object) -> None:
    (error,) = api.query(CREATED_AFTER, after=value)["errors"]
    assert "DateTime is an RFC 3339 string with an offset" in error["message"]


def test_date_times_are_answered_in_rfc_3339_with_their_offset(api: Api) -> None:
    created = api.data(
        'mutation { createCustomer(input: {firstName: "Ada", lastName: "Byron"}) '
        "{ customer { createdAt } } }"
    )["createCustomer"]["customer"]["createdAt"]
    assert created.endswith("+00:00")
    assert datetime.fromisoformat(created).tzinfo is not None


def test_the_custom_scalars_say_where_they_are_specified(api: Api) -> None:
    scalars = api.data("{ __schema { types { name kind specifiedByURL } } }")["__schema"]["types"]
    custom = {t["name"]: t["specifiedByURL"] for t in scalars if t["kind"] == "SCALAR"}
    builtin = {"String", "Int", "Float", "Boolean", "ID"}
    assert all(url for name, url in custom.items() if name not in builtin), custom
