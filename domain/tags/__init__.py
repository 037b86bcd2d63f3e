"""Tags: labels from a catalogue, put on customers by people or by rules."""

from domain.tags.events import CustomerTagged, CustomerUntagged, TagCreated, TagUpdated
from domain.tags.tag import Colour, Tag, TagCategory, name_key
from domain.tags.tagging import TagChange

__all__ = [
    "Colour",
    "CustomerTagged",
    "CustomerUntagged",
    "Tag",
    "TagCategory",
    "TagChange",
    "TagCreated",
    "TagUpdated",
    "name_key",
]
