"""Database integrity errors as the application's typed conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from application.errors import AlreadyTaken


def taken_error(error: IntegrityError) -> AlreadyTaken | None:
    message = str(error.orig).lower()
    if "tags.name_key" in message or "uq_tags_name_key" in message:
        return AlreadyTaken("name", "another tag has this name")
    if "customer_external_ids" in message:
        return AlreadyTaken("externalIds", "another customer has this external id")
    if "orders" in message and "external_id" in message:
        return AlreadyTaken("externalId", "another order has this external id")
    if "email" in message:
        return AlreadyTaken("email", "another record has this email")
    if "custom_field_definitions" in message:
        return AlreadyTaken("key", "this field is defined already")
    if "unique" in message or "duplicate" in message or "primary" in message:
        return AlreadyTaken("id", "another record has this id")
    return None


@contextmanager
def conflicts_as_taken() -> Iterator[None]:
    """Statements run inside raise AlreadyTaken for a value already taken."""
    try:
        yield
    except IntegrityError as error:
        taken = taken_error(error)
        if taken is None:
            raise
        raise taken from error
