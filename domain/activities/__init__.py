"""Activities: the notes, calls, emails and meetings people log on a customer."""

from domain.activities.activity import (
    Activity,
    ActivityChanges,
    ActivityKind,
    Direction,
)
from domain.activities.events import ActivityDeleted, ActivityLogged, ActivityUpdated

__all__ = [
    "Activity",
    "ActivityChanges",
    "ActivityDeleted",
    "ActivityKind",
    "ActivityLogged",
    "ActivityUpdated",
    "Direction",
]
