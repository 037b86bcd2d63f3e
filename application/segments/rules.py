"""From a rule's text to a rule the evaluators run: parse, check, resolve segment references."""

from __future__ import annotations

from attrs import frozen

from application.custom_fields.ports import CustomFieldDefinitionReader
from application.field_security import custom_field, require_readable
from application.lifecycle.ports import LifecycleReader
from application.principal import Principal
from application.segments.checking import (
    BUILT_IN_FIELDS,
    CUSTOM_PREFIX,
    Vocabulary,
    check_rule,
    custom_field_kinds,
)
from application.segments.language import RuleSyntaxError, parse_rule
from application.segments.ports import SegmentReader
from application.segments.printer import print_rule
from application.tags.ports import TagReader
from domain.access.roles import Resource
from domain.custom_fields import ObjectType
from domain.errors import ErrorCode
from domain.orders.money import MINOR_UNITS
from domain.segments.rules import (
    AllOf,
    AnyOf,
    Attribute,
    InSegment,
    Members,
    Not,
    Position,
    RelativeDate,
    Rule,
    predicates,
)
from domain.segments.segment import SegmentKind
from domain.tags.tag import name_key

_PARSED_KEPT = 1_000


@frozen
class RuleSources:
    """What rules are checked against and resolved with."""

    definitions: CustomFieldDefinitionReader
    tags: TagReader
    lifecycle: LifecycleReader
    segments: SegmentReader
    currency: str = "USD"


@frozen
class PreparedRule:
    rule: Rule
    text: str
    """The canonical text, as stored and shown."""


class SegmentRules:
    """Reads rules typed by people into rules the evaluators can run."""

    def __init__(self, sources: RuleSources) -> None:
        self._sources = sources
        self._parsed: dict[str, Rule] = {}

    def vocabulary(self) -> Vocabulary:
        definitions = self._sources.definitions.for_object(ObjectType.CUSTOMER)
        catalogue = self._sources.lifecycle.catalogue()
        return Vocabulary(
            fields={
                **BUILT_IN_FIELDS,
                **custom_field_kinds((d.key, d.field_type) for d in definitions),
            },
            tags=frozenset(name_key(tag.name) for tag in self._sources.tags.all()),
            stages={key: frozenset(track.stage_keys) for key, track in catalogue.tracks.items()},
            segments=frozenset(name_key(s.name) for s in self._sources.segments.all()),
            currency_digits=MINOR_UNITS.get(self._sources.currency, 2),
        )

    def prepare(self, text: str) -> PreparedRule:
        """Parse and check ``text``; a ``RuleSyntaxError`` names the position at fault."""
        rule = parse_rule(text)
        check_rule(rule, self.vocabulary())
        return PreparedRule(rule, print_rule(rule))

    def stored(self, text: str) -> Rule:
        """A stored rule's text, parsed once and remembered: it was checked when saved."""
        found = self._parsed.get(text)
        if found is None:
            if len(self._parsed) >= _PARSED_KEPT:
                self._parsed.clear()
            found = self._parsed[text] = parse_rule(text)
        return found

    def resolve(self, rule: Rule, *, within: tuple[str, ...] = ()) -> Rule:
        """``rule`` with each segment it names replaced by that segment's rule or members."""
        if isinstance(rule, AllOf):
            return AllOf(tuple(self.resolve(part, within=within) for part in rule.parts))
        if isinstance(rule, AnyOf):
            return AnyOf(tuple(self.resolve(part, within=within) for part in rule.parts))
        if isinstance(rule, Not):
            return Not(self.resolve(rule.part, within=within))
        if not isinstance(rule, InSegment):
            return rule
        key = name_key(rule.name)
        if key in within:
            raise RuleSyntaxError(
                rule.at or Position(1, 1), f"segment {rule.name!r} refers back to itself"
            )
        found = {name_key(s.name): s for s in self._sources.segments.all()}.get(key)
        if found is None:
            raise RuleSyntaxError(
                rule.at or Position(1, 1),
                f"there is no segment {rule.name!r}",
                ErrorCode.NOT_FOUND,
            )
        if found.kind is SegmentKind.STATIC:
            return Members(frozenset(self._sources.segments.all_members(found.id)))
        return self.resolve(self.stored(found.rule), within=(*within, key))


def require_readable_fields(actor: Principal, rule: Rule, *, at: str = "rule") -> None:
    """Refuse a rule that compares a customer field the actor may not read: its members
    would tell what the field holds."""
    named = [
        custom_field(p.field.removeprefix(CUSTOM_PREFIX))
        if p.field.startswith(CUSTOM_PREFIX)
        else p.field
        for p in predicates(rule)
        if isinstance(p, Attribute | RelativeDate)
    ]
    require_readable(actor, Resource.CUSTOMERS, named, at=at)
