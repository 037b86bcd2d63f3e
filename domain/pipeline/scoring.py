"""Lead scoring as data: points for who a lead is and what it does, fading with time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from attrs import frozen

from domain.errors import ErrorCode, InvalidValue

GRADES = ("A", "B", "C", "D")
"""The grades a scoring model may give, best first."""
ATTRIBUTES = frozenset({"industry", "company_size", "title", "region", "source"})


@frozen
class AttributeRule:
    """``points`` when the lead's ``attribute`` contains ``value`` (case ignored)."""

    attribute: str
    value: str
    points: int

    def __attrs_post_init__(self) -> None:
        if self.attribute not in ATTRIBUTES:
            raise InvalidValue(
                "attribute", ErrorCode.INVALID_CHOICE, f"one of {sorted(ATTRIBUTES)}"
            )


@frozen
class BehaviourRule:
    """``points`` per ``event`` the customer did, halved every ``half_life_days``."""

    event: str
    points: int
    half_life_days: int = 30

    def __attrs_post_init__(self) -> None:
        if self.half_life_days < 1:
            raise InvalidValue("halfLifeDays", ErrorCode.INVALID, "must be at least 1")


@frozen
class ScoringModel:
    attributes: tuple[AttributeRule, ...] = ()
    behaviour: tuple[BehaviourRule, ...] = ()
    grades: tuple[tuple[str, int], ...] = (("A", 80), ("B", 50), ("C", 0))
    """``(grade, lowest score)``, best first."""
    qualifying_grades: frozenset[str] = frozenset({"A"})

    def __attrs_post_init__(self) -> None:
        unknown = {g for g, _ in self.grades} | set(self.qualifying_grades)
        if not self.grades or unknown - set(GRADES):
            raise InvalidValue(
                "grades", ErrorCode.INVALID_CHOICE, f"grades are {', '.join(GRADES)}"
            )

    def score(
        self,
        attributes: Mapping[str, str | None],
        daily_counts: Sequence[tuple[str, date, int]],
        today: date,
    ) -> int:
        """Attribute points plus behaviour points decayed by age in days, rounded."""
        total = 0.0
        for attribute in self.attributes:
            found = attributes.get(attribute.attribute) or ""
            if attribute.value.casefold() in found.casefold():
                total += attribute.points
        for behaviour in self.behaviour:
            for name, day, count in daily_counts:
                if name == behaviour.event:
                    age = max(0, (today - day).days)
                    total += behaviour.points * count * 0.5 ** (age / behaviour.half_life_days)
        return round(total)

    def grade(self, score: int) -> str:
        for grade, lowest in self.grades:
            if score >= lowest:
                return grade
        return self.grades[-1][0]

    def to_data(self) -> dict[str, object]:
        return {
            "attributes": [[r.attribute, r.value, r.points] for r in self.attributes],
            "behaviour": [[r.event, r.points, r.half_life_days] for r in self.behaviour],
            "grades": [list(g) for g in self.grades],
            "qualifyingGrades": sorted(self.qualifying_grades),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> ScoringModel:
        def rows(key: str) -> list[list[object]]:
            value = data.get(key, [])
            return value if isinstance(value, list) else []

        return cls(
            attributes=tuple(
                AttributeRule(str(a), str(v), int(str(p))) for a, v, p in rows("attributes")
            ),
            behaviour=tuple(
                BehaviourRule(str(e), int(str(p)), int(str(h))) for e, p, h in rows("behaviour")
            ),
            grades=tuple((str(g), int(str(s))) for g, s in rows("grades")) or cls().grades,
            qualifying_grades=frozenset(str(g) for g in rows("qualifyingGrades"))
            or frozenset({"A"}),
        )


def default_scoring_model() -> ScoringModel:
    """What migration 0009 seeds: decision makers in larger companies who engage."""
    return ScoringModel(
        attributes=(
            AttributeRule("title", "director", 20),
            AttributeRule("title", "head", 20),
            AttributeRule("title", "vp", 25),
            AttributeRule("company_size", "201", 15),
            AttributeRule("company_size", "1000", 25),
            AttributeRule("industry", "software", 10),
        ),
        behaviour=(
            BehaviourRule("Visited Pricing", 10, 14),
            BehaviourRule("Clicked Email", 5, 30),
            BehaviourRule("Requested Demo", 40, 30),
        ),
    )
