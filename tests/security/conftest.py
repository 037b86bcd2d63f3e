"""The GraphQL fixtures, for the security tests that go through the API."""

from tests.graphql.conftest import api, api_for_module

__all__ = ["api", "api_for_module"]
