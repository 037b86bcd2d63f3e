"""Read models of tags."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

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
