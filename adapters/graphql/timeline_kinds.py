"""The kinds of entry a customer's timeline holds, as the API names them.

The timeline stores, filters and pages entries of any kind without knowing them; this
catalogue only names each kind in the schema. A module that writes entries of new kinds
(orders, lifecycle stage changes, cases) lists them here, and changes nothing else of the
timeline.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

import strawberry

from domain.activities import ActivityKind
from domain.behaviour.event import TIMELINE_KIND as BEHAVIOUR_EVENT
from domain.lifecycle.lifecycle import TIMELINE_KIND as STAGE_CHANGED
from domain.orders.order import TIMELINE_KIND as ORDER
from domain.pipeline.leads import TIMELINE_KIND as LEAD
from domain.pipeline.opportunity import TIMELINE_KIND as OPPORTUNITY
from domain.tags.tagging import TAGGED, UNTAGGED

KINDS: Final[tuple[str, ...]] = (
    *(kind.value for kind in ActivityKind),
    BEHAVIOUR_EVENT,
    ORDER,
    TAGGED,
    UNTAGGED,
    STAGE_CHANGED,
    OPPORTUNITY,
    LEAD,
)

KIND_DESCRIPTIONS: Final[dict[str, str]] = {
    **{
        kind.value: f"An activity of kind {kind.name} (ActivityTimelineEntry)."
        for kind in ActivityKind
    },
    BEHAVIOUR_EVENT: "A tracked behaviour event (BehaviourTimelineEntry).",
    ORDER: "An order, drawn again when its status changes (OrderTimelineEntry).",
    TAGGED: "A tag put on the customer (TagTimelineEntry).",
    UNTAGGED: "A tag taken off the customer (TagTimelineEntry).",
    STAGE_CHANGED: "A move on a lifecycle track (StageChangeTimelineEntry).",
    OPPORTUNITY: "Something that happened to a deal (OpportunityTimelineEntry).",
    LEAD: "A lead captured for the customer (LeadTimelineEntry).",
}
"""What each kind shows, in the schema; a new kind adds its line here."""

_kinds: type[Enum] = Enum(  # type: ignore[misc]
    "TimelineKind",
    {
        kind.upper(): strawberry.enum_value(kind, description=KIND_DESCRIPTIONS[kind])
        for kind in KINDS
    },
)
TimelineKind = strawberry.enum(_kinds, description="What a timeline entry shows.")
