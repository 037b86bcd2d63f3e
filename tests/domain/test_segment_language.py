"""The rule language: text and model round trip, errors with positions, bounds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings

from application.segments.checking import BUILT_IN_FIELDS, FieldKind, Vocabulary, check_rule
from application.segments.language import RuleSyntaxError, parse_rule
from application.segments.printer import print_rule
from domain.errors import DomainError, ErrorCode
from domain.segments.rules import (
    AllOf,
    Attribute,
    Comparison,
    EventCount,
    FieldOp,
    HasTags,
    InStage,
    Not,
    OrderAggregate,
    OrderMetric,
    Position,
    TagMode,
    is_time_relative,
)
from tests.contracts.segment_world import rules

EXAMPLE = (
    'stage(acquisition) = "customer" and tag("vip") and orders.sum(90d) > 500'
    ' and event("viewed_product", 30d) >= 3'
)
CANONICAL = [
    EXAMPLE,
    'not (email contains "@example.com" or custom.plan in ("pro", "team")) and created_at in last 30d',
    "(custom.seats between 1 and 5 and custom.birthday anniversary in next 7d) or orders.last more than 90d ago",
    'rfm.class in ("champions", "loyal") and rfm.r >= 4 and segment("VIPs") and orders.count() >= 2',
    'tags.all("vip", "new") and tags.none("churned") and stage(engagement) not in ("dormant", "churned")',
    'first_name starts with "Ad" and last_name != "" and custom.vip = true and email is not set',
    "created_at >= 2024-01-01 and stage_days(acquisition) > 14 and orders.avg(365d) <= 19.99",
    'orders.first anniversary in next 7d or not not custom.plan is set or event("x", 1d) = 0',
    'event("viewed_product", 30d, category = "shoes") >= 3 and event("paid", 7d, trial = false) = 0',
]


def test_the_issue_example_reads_as_it_says() -> None:
    rule = parse_rule(EXAMPLE)
    assert rule == AllOf(
        (
            InStage("acquisition", ("customer",)),
            HasTags(TagMode.ANY, ("vip",)),
            OrderAggregate(OrderMetric.SUM, 90, Comparison.GT, Decimal(500)),
            EventCount("viewed_product", 30, Comparison.GTE, 3),
        )
    )
    assert is_time_relative(rule)


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_text_prints_back_exactly(text: str) -> None:
    assert print_rule(parse_rule(text)) == text


def test_spacing_and_redundant_parentheses_are_normalised() -> None:
    rule = parse_rule('(  tag("a"))and\n\t(email>="b")')
    assert print_rule(rule) == 'tag("a") and email >= "b"'


def test_grouping_is_kept_and_and_binds_tighter_than_or() -> None:
    assert print_rule(parse_rule("a = 1 or b = 2 and c = 3")) == "a = 1 or (b = 2 and c = 3)"
    assert print_rule(parse_rule("(a = 1 or b = 2) and c = 3")) == "(a = 1 or b = 2) and c = 3"


def test_literals_keep_their_types() -> None:
    rule = parse_rule('x in ("a\\"b", -2.50, 2024-02-29, true)')
    assert rule == Attribute("x", FieldOp.IN, ('a"b', Decimal("-2.50"), date(2024, 2, 29), True))
    assert print_rule(rule) == 'x in ("a\\"b", -2.50, 2024-02-29, true)'


@settings(max_examples=300)
@given(rules(["c01", "c02"]).filter(lambda r: "Members" not in repr(r)))
def test_any_rule_prints_to_text_that_parses_back_to_it(rule: object) -> None:
    assert parse_rule(print_rule(rule)) == rule  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("email >", 1, 8, "the rule ends too soon"),
        ("tag(vip)", 1, 5, "unexpected 'vip'"),
        ("email ~ 3", 1, 7, "unexpected character '~'"),
        ('tag("a") and\n  email ! "b"', 2, 9, "unexpected character '!'"),
        ('stage(acquisition) < "lead"', 1, 20, "compare a stage or class with = or !="),
        ("created_at = 2023-02-30", 1, 14, "2023-02-30 is not a date"),
        ('email = "\\q"', 1, 9, "the text has an escape that is not valid"),
    ],
)
def test_syntax_errors_name_line_and_column(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(RuleSyntaxError) as raised:
        parse_rule(text)
    assert raised.value.position == Position(line, column)
    [problem] = raised.value.problems
    assert (problem.field, problem.message) == ("rule", f"line {line}, column {column}: {message}")


def test_deep_and_huge_rules_are_refused_before_anything_recurses() -> None:
    with pytest.raises(RuleSyntaxError, match="nest at most"):
        parse_rule("not " * 2_000 + "email is set")
    with pytest.raises(RuleSyntaxError, match="at most 100 conditions"):
        parse_rule(" or ".join(["email is set"] * 101))
    with pytest.raises(RuleSyntaxError, match="at most 10000 characters"):
        parse_rule("email = " + '"' + "x" * 10_000 + '"')


def test_and_or_need_two_conditions_in_the_model() -> None:
    with pytest.raises(DomainError, match="at least two"):
        AllOf((Not(HasTags(TagMode.ANY, ("a",))),))


VOCABULARY = Vocabulary(
    fields={**BUILT_IN_FIELDS, "custom.seats": FieldKind.NUMBER, "custom.vip": FieldKind.BOOLEAN},
    tags=frozenset({"vip"}),
    stages={"acquisition": frozenset({"lead", "customer"})},
    segments=frozenset({"big spenders"}),
)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (
            "email > 5",
            ErrorCode.INVALID,
            "line 1, column 1: email is a text field: 5 is not a text",
        ),
        (
            'custom.seats = "3"',
            ErrorCode.INVALID,
            "line 1, column 1: custom.seats is a number field: '3' is not a number",
        ),
        (
            "custom.vip < true",
            ErrorCode.INVALID,
            "line 1, column 1: custom.vip is true or false: compare it with = or !=",
        ),
        (
            'custom.seats contains "1"',
            ErrorCode.INVALID,
            "line 1, column 1: contains does not apply to custom.seats, a number field",
        ),
        ("email in last 3d", ErrorCode.INVALID, "line 1, column 1: email is not a date"),
        ("colour = 1", ErrorCode.UNKNOWN_FIELD, "line 1, column 1: there is no field colour"),
        (
            'email is set and tag("gold")',
            ErrorCode.NOT_FOUND,
            "line 1, column 18: there is no tag 'gold'",
        ),
        (
            'stage(acquisition) = "vip"',
            ErrorCode.UNKNOWN_STAGE,
            "line 1, column 1: acquisition has no stage 'vip'",
        ),
        (
            'stage(sales) = "lead"',
            ErrorCode.UNKNOWN_TRACK,
            "line 1, column 1: there is no lifecycle track 'sales'",
        ),
        (
            'event("x", 367d) >= 1',
            ErrorCode.INVALID,
            "line 1, column 1: the window must be between 1 and 366 days",
        ),
        (
            "orders.sum(0d) > 1",
            ErrorCode.INVALID,
            "line 1, column 1: the window must be between 1 and 3660 days",
        ),
        (
            "orders.sum() > 1.001",
            ErrorCode.INVALID,
            "line 1, column 1: amounts have at most 2 decimal places",
        ),
        (
            "orders.count() > 1.5",
            ErrorCode.INVALID,
            "line 1, column 1: an order count is a whole number",
        ),
        ("rfm.r = 6", ErrorCode.INVALID, "line 1, column 1: RFM scores run from 1 to 5"),
        (
            'event("x", 7d, day = 2024-01-01) >= 1',
            ErrorCode.INVALID,
            "line 1, column 1: an event's property is text, a number or true or false",
        ),
        ('rfm.class = "vips"', ErrorCode.NOT_FOUND, "line 1, column 1: 'vips' is not an RFM class"),
        ('segment("nope")', ErrorCode.NOT_FOUND, "line 1, column 1: there is no segment 'nope'"),
    ],
)
def test_checking_names_the_predicate_at_fault(text: str, code: ErrorCode, message: str) -> None:
    with pytest.raises(RuleSyntaxError) as raised:
        check_rule(parse_rule(text), VOCABULARY)
    [problem] = raised.value.problems
    assert (problem.code, problem.message) == (code, message)


def test_a_rule_within_the_vocabulary_passes() -> None:
    check_rule(
        parse_rule('tag("VIP") and segment("Big Spenders") and custom.seats between 1 and 3'),
        VOCABULARY,
    )
