"""The API over a fresh SQLite database, as the GraphQL tests have it."""

from tests.graphql.conftest import api

__all__ = ["api"]
