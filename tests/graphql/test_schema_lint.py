"""The schema lint: each rule catches what it is for, and the committed schema passes all."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.graphql.schema_lint import RULES, lint

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"

CLEAN = '''
"""Any object by its id."""
interface Node {
  """The global id."""
  id: ID!
}

"""A thing."""
type Thing implements Node {
  """The global id."""
  id: ID!
  """Its name."""
  name: String!
}

"""Where a page stands."""
type PageInfo {
  """More after."""
  hasNextPage: Boolean!
  """More before."""
  hasPreviousPage: Boolean!
  """The first cursor."""
  startCursor: String
  """The last cursor."""
  endCursor: String
}

"""One thing in a list."""
type ThingEdge {
  """The thing."""
  node: Thing!
  """Where it stands."""
  cursor: String!
}

"""Things, a page at a time."""
type ThingConnection {
  """This page."""
  edges: [ThingEdge!]!
  """Where the page stands."""
  pageInfo: PageInfo!
  """All of them."""
  totalCount: Int!
}

"""Conditions on things."""
input ThingFilter {
  """Part of the name."""
  search: String
}

"""The root of queries."""
type Query {
  """One thing."""
  thing(
    """Its id."""
    id: ID!
  ): Thing
  """Things."""
  things(
    """How many."""
    first: Int
    """After this cursor."""
    after: String
    """How many, from the end."""
    last: Int
    """Before this cursor."""
    before: String
    """Which ones."""
    filter: ThingFilter
  ): ThingConnection!
}

"""A new thing."""
input CreateThingInput {
  """Its name."""
  name: String!
}

"""What a request got wrong."""
type UserError {
  """What."""
  message: String!
}

"""What createThing did."""
type CreateThingPayload {
  """The new thing."""
  thing: Thing
  """What was wrong."""
  userErrors: [UserError!]!
}

"""The root of mutations."""
type Mutation {
  """Add a thing."""
  createThing(
    """The thing."""
    input: CreateThingInput!
  ): CreateThingPayload!
}
'''


def _rules_broken(sdl: str) -> set[str]:
    return {violation.rule for violation in lint(sdl)}


def test_a_schema_that_keeps_every_rule_passes() -> None:
    assert lint(CLEAN) == []


@pytest.mark.parametrize(
    ("replacements", "rule"),
    [
        ([('  """Its name."""\n  name', "  name")], "descriptions"),
        ([('"""A thing."""', '"""a thing."""')], "descriptions-are-capitalized"),
        ([("  name: String!", "  Name: String!")], "casing"),
        ([('  """All of them."""\n  totalCount: Int!\n', "")], "relay-connection-types"),
        (
            [('    """How many, from the end."""\n    last: Int\n', "")],
            "relay-connection-arguments",
        ),
        ([("hasNextPage: Boolean!", "hasNextPage: Boolean")], "relay-page-info"),
        (
            [("createThing(\n", 'createThing(\n    """Why."""\n    reason: String\n')],
            "mutation-input",
        ),
        ([("CreateThingPayload", "ThingPayload")], "mutation-payload"),
        ([("  thing(", "  anyThing(")], "node-root-field"),
        ([("ThingFilter", "ThingConditions")], "input-names"),
    ],
)
def test_each_rule_catches_what_it_is_for(replacements: list[tuple[str, str]], rule: str) -> None:
    broken = CLEAN
    for original, changed in replacements:
        assert original in broken
        broken = broken.replace(original, changed)
    assert rule in _rules_broken(broken)


def test_an_unused_type_and_an_unspecified_scalar_are_caught() -> None:
    extra = '\n"""Nobody asks for it."""\ntype Orphan {\n  """A field."""\n  name: String\n}\n'
    extra += '\n"""A number of cents."""\nscalar Cents\n'
    assert {"defined-types-are-used", "scalar-specified-by"} <= _rules_broken(CLEAN + extra)


def test_every_rule_is_listed_in_the_docs() -> None:
    docs = (SCHEMA_FILE.parent / "docs" / "graphql.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"`{rule.__name__}`" in docs, rule.__name__


def test_the_committed_schema_keeps_every_rule() -> None:
    assert [str(v) for v in lint(SCHEMA_FILE.read_text(encoding="utf-8"))] == []
