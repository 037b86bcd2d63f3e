"""Rapport does not log people's data: not even when it refuses a request that carries it."""

from __future__ import annotations

import logging

import pytest

from tests.privacy.erase_world import memory_container, serving


def test_a_refused_variable_is_logged_without_its_value(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with serving(memory_container()) as api:
        body = api.query(
            "mutation($input: CreateCustomerInput!) "
            "{ createCustomer(input: $input) { userErrors { code } } }",
            input={"firstName": "Zebedee", "email": "zeb@leak.example", "unknown": 1},
        )
    assert "zeb@leak.example" in body["errors"][0]["message"], "the client is told what it sent"
    assert "GraphQL error" in caplog.text
    assert "zeb@leak.example" not in caplog.text
    assert "Zebedee" not in caplog.text
