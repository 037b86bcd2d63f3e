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

_kinds: type[Enum] = Enum("TimelineKind", {kind.upper(): kind for kind in KINDS})  # type: ignore[misc]
TimelineKind = strawberry.enum(_kinds, description="What a timeline entry shows.")
