"""Read models of tags."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import frozen

from application.pagination import MemoryOrder, read_text, read_time
from domain.tags import Tag, TagCategory
from domain.tags.tag import name_key


@frozen
class TagView:
    """A tag as queries return it: plain values, no behaviour."""

    id: str
    name: str
    colour: str
    category: TagCategory
    description: str
    created_at: datetime
    version: int = 1

    @classmethod
    def from_tag(cls, tag: Tag) -> TagView:
        return cls(
            id=tag.id,
            name=tag.name,
            colour=str(tag.colour),
            category=tag.category,
            description=tag.description,
            created_at=tag.created_at,
            version=tag.version,
        )

    @property
    def sort_key(self) -> tuple[str, str]:
        """Every reader lists tags by this: the case-folded name, then the id."""
        return (name_key(self.name), self.id)


class TagSortField(StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"


@frozen(kw_only=True)
class TagFilter:
    """Tags of any of ``categories`` whose name holds ``name_contains`` (ignoring case)."""

    categories: frozenset[TagCategory] | None = None
    name_contains: str | None = None

    def admits(self, tag: TagView) -> bool:
        if self.categories is not None and tag.category not in self.categories:
            return False
        return not self.name_contains or name_key(self.name_contains) in name_key(tag.name)


@frozen(kw_only=True)
class TagOrder:
    field: TagSortField = TagSortField.NAME
    descending: bool = False

    def memory_order(self) -> MemoryOrder[TagView]:
        direction = "desc" if self.descending else "asc"
        if self.field is TagSortField.CREATED_AT:
            return MemoryOrder(
                name=f"tags:created_at:{direction}",
                value_of=lambda tag: tag.created_at,
                id_of=lambda tag: tag.id,
                read=read_time,
                descending=self.descending,
            )
        return MemoryOrder(
            # The name the catalogue always paged by, so that old cursors still read.
            name="name:asc" if not self.descending else "name:desc",
            value_of=lambda tag: tag.sort_key[0],
            id_of=lambda tag: tag.id,
            read=read_text,
            descending=self.descending,
        )
