"""Every GraphQL example in the README is valid against the committed schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    NoUnusedFragmentsRule,
    OperationDefinitionNode,
    build_schema,
    parse,
    specified_rules,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = re.compile(r"```graphql\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    found = []
    for page in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        for number, match in enumerate(EXAMPLE.finditer(page.read_text(encoding="utf-8"))):
            found.append((f"{page.name}#{number + 1}", match.group(1)))
    return found


SCHEMA = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("where", "document"), _examples(), ids=[w for w, _ in _examples()])
def test_a_documented_operation_is_valid_against_the_schema(where: str, document: str) -> None:
    # An example block may show several operations one after another; each is checked on
    # its own, with the block's fragments.
    parsed = parse(document)
    fragments = [d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)]
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    assert operations, "an example shows at least one operation"
    rules = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]
    for operation in operations:
        single = DocumentNode(definitions=(operation, *fragments))
        errors = validate(SCHEMA, single, rules)
        assert not errors, [error.message for error in errors]
