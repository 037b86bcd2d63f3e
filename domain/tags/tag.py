"""The tag aggregate: one entry of the catalogue of labels that customers can carry."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Final, cast

from attrs import define, field, frozen

from domain.errors import ErrorCode, InvalidValue, ProblemCollector
from domain.events import DomainEvent
from domain.tags.events import TagCreated, TagUpdated
from domain.text import clean_line, clean_text

NAME_MAX_LENGTH: Final = 50
DESCRIPTION_MAX_LENGTH: Final = 500
SUBJECT_TYPE: Final = "Tag"
"""How timeline entries and global ids name a tag."""
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class TagCategory(StrEnum):
    """What a tag says about a customer, for people browsing the catalogue."""

    STATIC = "static"
    BEHAVIOUR = "behaviour"
    TRANSACTION = "transaction"
    MARKETING_RESPONSE = "marketing_response"


@frozen
class Colour:
    """A colour as ``#RRGGBB``, stored upper-case so that equal colours compare equal."""

    hex: str

    @classmethod
    def parse(cls, raw: str) -> Colour:
        text = raw.strip()
        if not _COLOUR.match(text):
            raise InvalidValue("colour", ErrorCode.INVALID, "must be #RRGGBB, e.g. #1F77B4")
        return cls(text.upper())

    def __str__(self) -> str:
        return self.hex


def name_key(name: str) -> str:
    """What tag names are unique by: the case-folded name."""
    return name.casefold()


def clean_tag_name(raw: str) -> str:
    name = clean_line(raw, field="name", max_length=NAME_MAX_LENGTH)
    if not name:
        raise InvalidValue("name", ErrorCode.REQUIRED, "must not be empty")
    return name


@define(slots=False, eq=False)
class Tag:
    """A label with a name unique regardless of case, a colour and a category."""

    id: str
    name: str
    colour: Colour
    category: TagCategory
    description: str
    created_at: datetime
    created_by: str
    version: int = 1
    """Grows by one with every change, for optimistic concurrency."""
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def create(
        cls,
        *,
        id: str,
        name: str,
        colour: str,
        category: TagCategory,
        description: str = "",
        at: datetime,
        by: str,
    ) -> Tag:
        problems = ProblemCollector()
        clean_name = problems.check(lambda: clean_tag_name(name))
        clean_colour = problems.check(lambda: Colour.parse(colour))
        clean_description = problems.check(
            lambda: clean_text(description, field="description", max_length=DESCRIPTION_MAX_LENGTH)
        )
        problems.raise_if_any()
        tag = cls(
            id=id,
            name=cast(str, clean_name),
            colour=cast(Colour, clean_colour),
            category=category,
            description=clean_description or "",
            created_at=at,
            created_by=by,
        )
        tag.events.append(
            TagCreated(
                aggregate_id=id,
                occurred_at=at,
                actor_id=by,
                name=tag.name,
                colour=str(tag.colour),
                category=category.value,
                description=tag.description,
            )
        )
        return tag

    def change(
        self,
        *,
        name: str | None = None,
        colour: str | None = None,
        category: TagCategory | None = None,
        description: str | None = None,
        at: datetime,
        by: str,
    ) -> bool:
        """Change what is given; whether anything changed (only then the version grows)."""
        problems = ProblemCollector()
        clean_name = problems.check(lambda: clean_tag_name(name)) if name is not None else None
        clean_colour = problems.check(lambda: Colour.parse(colour)) if colour is not None else None
        clean_description = (
            problems.check(
                lambda: clean_text(
                    description, field="description", max_length=DESCRIPTION_MAX_LENGTH
                )
            )
            if description is not None
            else None
        )
        problems.raise_if_any()
        before = (self.name, self.colour, self.category, self.description)
        if clean_name is not None:
            self.name = clean_name
        if clean_colour is not None:
            self.colour = clean_colour
        if category is not None:
            self.category = category
        if description is not None:
            self.description = clean_description or ""
        if (self.name, self.colour, self.category, self.description) == before:
            return False
        self.version += 1
        self.events.append(
            TagUpdated(
                aggregate_id=self.id,
                occurred_at=at,
                actor_id=by,
                name=self.name,
                colour=str(self.colour),
                category=self.category.value,
                description=self.description,
            )
        )
        return True

    @property
    def name_key(self) -> str:
        return name_key(self.name)
