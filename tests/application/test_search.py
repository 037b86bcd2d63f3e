import pytest

from application.companies.views import CompanyFilter
from application.custom_fields.criteria import FieldCondition, Operator
from application.customers.views import CustomerFilter
from application.errors import InvalidInput
from application.principal import Principal
from application.search import MAX_SEARCH_LENGTH
from domain.custom_fields import FieldType
from domain.errors import DomainError, ErrorCode
from tests.application.conftest import App


@pytest.mark.parametrize(
    ("search", "code"),
    [
        ("x" * (MAX_SEARCH_LENGTH + 1), ErrorCode.TOO_LONG),
        ("x" * 100_000, ErrorCode.TOO_LONG),
        ("\x00", ErrorCode.INVALID),
        ("ada\x1f", ErrorCode.INVALID),
        ("a\tb", ErrorCode.INVALID),
        ("\ud800", ErrorCode.INVALID),
    ],
)
@pytest.mark.parametrize("make", [CustomerFilter, CompanyFilter])
def test_a_search_too_long_or_with_control_characters_is_refused(
    make: type[CustomerFilter | CompanyFilter], search: str, code: ErrorCode
) -> None:
    with pytest.raises(InvalidInput) as refused:
        make(search=search)
    assert [(p.field, p.code) for p in refused.value.problems] == [("filter.search", code)]


def test_the_longest_search_and_any_printable_text_are_searched_for(
    app: App, agent: Principal
) -> None:
    for search in ("x" * MAX_SEARCH_LENGTH, "%_\\ 王 é ✓"):
        assert app.customers.list.count(agent, CustomerFilter(search=search)) == 0
        assert app.companies.list.count(agent, CompanyFilter(search=search)) == 0


def test_a_contains_condition_on_a_custom_field_follows_the_same_rule(
    app: App, agent: Principal
) -> None:
    app.define("note", FieldType.TEXT)
    for needle, code in (("\x00", ErrorCode.INVALID), ("x" * 201, ErrorCode.TOO_LONG)):
        where = CustomerFilter(custom_fields=(FieldCondition("note", Operator.CONTAINS, needle),))
        with pytest.raises(DomainError) as refused:
            app.customers.list.count(agent, where)
        assert [(p.field, p.code) for p in refused.value.problems] == [
            ("filter.customFields.note", code)
        ]
