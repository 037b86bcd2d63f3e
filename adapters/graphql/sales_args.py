"""The arguments every list of the sales pipeline takes, described once."""

from __future__ import annotations

from typing import Annotated

import strawberry

from application.pagination import PageRequest

First = Annotated[
    int | None,
    strawberry.argument(description="At most this many items from the start, or after `after`."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Only items after this cursor, as an edge gave it."),
]
Last = Annotated[
    int | None,
    strawberry.argument(description="At most this many items from the end, or before `before`."),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="Only items before this cursor, as an edge gave it."),
]
Id = Annotated[strawberry.ID, strawberry.argument(description="The record's global id.")]


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    return PageRequest(first=first, after=after, last=last, before=before)
