"""The text form of segment rules: a lark grammar and the parser.

``print_rule(parse_rule(text)) == text`` for any text the printer (``printer.py``) wrote,
and ``parse_rule(print_rule(rule)) == rule`` for any rule. Syntax errors name the line and
column where the text stops making sense.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from domain.errors import DomainError, ErrorCode, Problem
from domain.segments.rules import (
    AllOf,
    AnyOf,
    Attribute,
    Comparison,
    DateRelation,
    DaysInStage,
    EventCount,
    EventProperty,
    FieldOp,
    HasTags,
    InSegment,
    InStage,
    Not,
    OrderAggregate,
    OrderDate,
    OrderDateIs,
    OrderMetric,
    Position,
    RelativeDate,
    RfmClassIs,
    RfmPart,
    RfmScore,
    Rule,
    TagMode,
    Value,
)

MAX_RULE_LENGTH: Final = 10_000
MAX_DEPTH: Final = 12
MAX_PREDICATES: Final = 100

GRAMMAR: Final = r"""
start: disjunction
?disjunction: conjunction ("or" conjunction)*
?conjunction: negation ("and" negation)*
?negation: "not" negation -> negated
         | "(" disjunction ")"
         | predicate

?predicate: "tag" "(" STRING ")"                                -> tag
          | "tags" "." TAG_MODE "(" strings ")"                  -> tags
          | "stage" "(" NAME ")" membership                      -> stage
          | "stage_days" "(" NAME ")" COMPARISON INT             -> stage_days
          | "event" "(" STRING "," DAYS ["," NAME COMPARISON literal] ")" COMPARISON INT -> event
          | "orders" "." METRIC "(" [DAYS] ")" COMPARISON NUMBER -> orders
          | "orders" "." ORDER_DATE relative                     -> order_date
          | "rfm" "." RFM_PART COMPARISON INT                    -> rfm
          | "rfm" "." "class" membership                         -> rfm_class
          | "segment" "(" STRING ")"                             -> segment
          | field test                                           -> attribute
          | field relative                                       -> relative_date

field: NAME ("." NAME)?
membership: COMPARISON STRING         -> is_one
          | "in" "(" strings ")"      -> is_in
          | "not" "in" "(" strings ")" -> is_not_in
test: COMPARISON literal               -> compare
    | "in" "(" literals ")"            -> in_
    | "not" "in" "(" literals ")"      -> not_in
    | "between" literal "and" literal  -> between
    | "contains" STRING                -> contains
    | "starts" "with" STRING           -> starts_with
    | "is" "set"                       -> is_set
    | "is" "not" "set"                 -> is_not_set
relative: "in" "last" DAYS             -> in_last
        | "more" "than" DAYS "ago"     -> more_than_ago
        | "anniversary" "in" "next" DAYS -> anniversary
strings: STRING ("," STRING)*
literals: literal ("," literal)*
?literal: STRING | NUMBER | DATE | TRUE | FALSE

TAG_MODE: "any" | "all" | "none"
METRIC: "count" | "sum" | "avg"
ORDER_DATE: "first" | "last"
RFM_PART: "r" | "f" | "m"
TRUE: "true"
FALSE: "false"
COMPARISON: "<=" | ">=" | "!=" | "=" | "<" | ">"
DATE.3: /\d{4}-\d{2}-\d{2}/
DAYS.2: /\d+d\b/
NUMBER: /-?\d+(\.\d+)?/
INT: /\d+/
NAME: /[a-z_][a-z0-9_]*/
STRING: /"(\\.|[^"\\\n])*"/

%ignore /[ \t\r\n]+/
"""

_parser = Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=True)


class RuleSyntaxError(DomainError):
    """The rule's text cannot be read; ``position`` says where it stops making sense."""

    def __init__(self, position: Position, message: str, code: ErrorCode = ErrorCode.INVALID):
        self.position = position
        super().__init__([Problem("rule", code, f"{position}: {message}")])


def parse_rule(text: str) -> Rule:
    """The rule written in ``text``; a ``RuleSyntaxError`` names where it goes wrong."""
    if len(text) > MAX_RULE_LENGTH:
        raise RuleSyntaxError(
            Position(1, MAX_RULE_LENGTH + 1), f"a rule has at most {MAX_RULE_LENGTH} characters"
        )
    try:
        tree = _parser.parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    _check_size(tree)
    try:
        rule: Rule = _ToRule().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, RuleSyntaxError):
            raise error.orig_exc from None
        raise
    return rule


def _syntax_error(error: UnexpectedInput, text: str) -> RuleSyntaxError:
    token = getattr(error, "token", None)
    ended = token is not None and token.type == "$END"
    if isinstance(error, UnexpectedEOF) or ended or error.line < 1:
        lines = text.rstrip().split("\n")
        return RuleSyntaxError(Position(len(lines), len(lines[-1]) + 1), "the rule ends too soon")
    position = Position(error.line, error.column)
    if isinstance(error, UnexpectedCharacters):
        return RuleSyntaxError(position, f"unexpected character {error.char!r}")
    return RuleSyntaxError(position, f"unexpected {str(token)!r}")


def _check_size(tree: Tree[Token]) -> None:
    """Refuse rules too deep or too large before anything recurses over them."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    count = 0
    while stack:
        node, level = stack.pop()
        nested = level + (1 if node.data in ("disjunction", "conjunction", "negated") else 0)
        if nested > MAX_DEPTH:
            raise RuleSyntaxError(
                _at(node), f"rules nest at most {MAX_DEPTH} levels of and / or / not"
            )
        if node.data not in ("start", "disjunction", "conjunction", "negated"):
            count += 1
            if count > MAX_PREDICATES:
                raise RuleSyntaxError(_at(node), f"a rule has at most {MAX_PREDICATES} conditions")
            continue
        stack.extend((child, nested) for child in node.children if isinstance(child, Tree))


def _at(node: Tree[Token] | Token) -> Position:
    if isinstance(node, Token):
        return Position(node.line or 1, node.column or 1)
    return Position(getattr(node.meta, "line", 1), getattr(node.meta, "column", 1))


def _string(token: Token) -> str:
    try:
        value = json.loads(str(token))
    except ValueError:
        raise RuleSyntaxError(_at(token), "the text has an escape that is not valid") from None
    return str(value)


def _days(token: Token) -> int:
    return int(str(token)[:-1])


def _literal(token: Token) -> Value:
    if token.type == "STRING":
        return _string(token)
    if token.type == "TRUE":
        return True
    if token.type == "FALSE":
        return False
    if token.type == "DATE":
        try:
            return date.fromisoformat(str(token))
        except ValueError:
            raise RuleSyntaxError(_at(token), f"{token} is not a date") from None
    return _number(token)


def _number(token: Token) -> Decimal:
    try:
        return Decimal(str(token))
    except InvalidOperation:
        raise RuleSyntaxError(_at(token), f"{token} is not a number") from None


@v_args(meta=True, inline=True)
class _ToRule(Transformer[Token, Rule]):
    def start(self, meta: Any, rule: Rule) -> Rule:
        return rule

    @v_args(inline=False)
    def disjunction(self, parts: list[Rule]) -> Rule:
        return AnyOf(tuple(parts))

    @v_args(inline=False)
    def conjunction(self, parts: list[Rule]) -> Rule:
        return AllOf(tuple(parts))

    def negated(self, meta: Any, part: Rule) -> Rule:
        return Not(part)

    def tag(self, meta: Any, name: Token) -> Rule:
        return HasTags(TagMode.ANY, (_string(name),), at=_position(meta))

    def tags(self, meta: Any, mode: Token, names: tuple[str, ...]) -> Rule:
        return HasTags(TagMode(str(mode)), names, at=_position(meta))

    def stage(self, meta: Any, track: Token, membership: tuple[tuple[str, ...], bool]) -> Rule:
        stages, negated = membership
        return InStage(str(track), stages, negated, at=_position(meta))

    def stage_days(self, meta: Any, track: Token, comparison: Token, days: Token) -> Rule:
        return DaysInStage(str(track), Comparison(str(comparison)), int(days), at=_position(meta))

    def event(
        self,
        meta: Any,
        name: Token,
        days: Token,
        key: Token | None,
        equals: Token | None,
        value: Token | None,
        comparison: Token,
        times: Token,
    ) -> Rule:
        where = None
        if key is not None and equals is not None and value is not None:
            if str(equals) != "=":
                raise RuleSyntaxError(_at(equals), "an event's property is compared with =")
            where = EventProperty(str(key), _literal(value))
        return EventCount(
            _string(name),
            _days(days),
            Comparison(str(comparison)),
            int(times),
            where,
            at=_position(meta),
        )

    def orders(
        self, meta: Any, metric: Token, days: Token | None, comparison: Token, value: Token
    ) -> Rule:
        return OrderAggregate(
            OrderMetric(str(metric)),
            None if days is None else _days(days),
            Comparison(str(comparison)),
            _number(value),
            at=_position(meta),
        )

    def order_date(self, meta: Any, which: Token, relative: tuple[DateRelation, int]) -> Rule:
        relation, days = relative
        return OrderDateIs(OrderDate(str(which)), relation, days, at=_position(meta))

    def rfm(self, meta: Any, part: Token, comparison: Token, score: Token) -> Rule:
        return RfmScore(
            RfmPart(str(part)), Comparison(str(comparison)), int(score), at=_position(meta)
        )

    def rfm_class(self, meta: Any, membership: tuple[tuple[str, ...], bool]) -> Rule:
        classes, negated = membership
        return RfmClassIs(classes, negated, at=_position(meta))

    def segment(self, meta: Any, name: Token) -> Rule:
        return InSegment(_string(name), at=_position(meta))

    def attribute(self, meta: Any, name: str, test: _Test) -> Rule:
        op, values, comparison = test
        return Attribute(name, op, values, comparison, at=_position(meta))

    def relative_date(self, meta: Any, name: str, relative: tuple[DateRelation, int]) -> Rule:
        relation, days = relative
        return RelativeDate(name, relation, days, at=_position(meta))

    # The pieces below return plain values that the predicates above assemble.

    @v_args(inline=False)
    def field(self, names: list[Token]) -> str:
        return ".".join(str(name) for name in names)

    def is_one(self, meta: Any, comparison: Token, name: Token) -> Any:
        if str(comparison) not in ("=", "!="):
            raise RuleSyntaxError(_at(comparison), "compare a stage or class with = or !=")
        return (_string(name),), str(comparison) == "!="

    def is_in(self, meta: Any, names: tuple[str, ...]) -> Any:
        return names, False

    def is_not_in(self, meta: Any, names: tuple[str, ...]) -> Any:
        return names, True

    def compare(self, meta: Any, comparison: Token, value: Token) -> Any:
        return FieldOp.COMPARE, (_literal(value),), Comparison(str(comparison))

    def in_(self, meta: Any, values: tuple[Value, ...]) -> Any:
        return FieldOp.IN, values, None

    def not_in(self, meta: Any, values: tuple[Value, ...]) -> Any:
        return FieldOp.NOT_IN, values, None

    def between(self, meta: Any, low: Token, high: Token) -> Any:
        return FieldOp.BETWEEN, (_literal(low), _literal(high)), None

    def contains(self, meta: Any, text: Token) -> Any:
        return FieldOp.CONTAINS, (_string(text),), None

    def starts_with(self, meta: Any, text: Token) -> Any:
        return FieldOp.STARTS_WITH, (_string(text),), None

    def is_set(self, meta: Any) -> Any:
        return FieldOp.IS_SET, (), None

    def is_not_set(self, meta: Any) -> Any:
        return FieldOp.IS_NOT_SET, (), None

    def in_last(self, meta: Any, days: Token) -> Any:
        return DateRelation.IN_LAST, _days(days)

    def more_than_ago(self, meta: Any, days: Token) -> Any:
        return DateRelation.MORE_THAN_AGO, _days(days)

    def anniversary(self, meta: Any, days: Token) -> Any:
        return DateRelation.ANNIVERSARY_IN_NEXT, _days(days)

    @v_args(inline=False)
    def strings(self, tokens: list[Token]) -> tuple[str, ...]:
        return tuple(_string(token) for token in tokens)

    @v_args(inline=False)
    def literals(self, tokens: list[Token]) -> tuple[Value, ...]:
        return tuple(_literal(token) for token in tokens)


_Test = tuple[FieldOp, tuple[Value, ...], Comparison | None]


def _position(meta: Any) -> Position:
    return Position(getattr(meta, "line", 1), getattr(meta, "column", 1))
