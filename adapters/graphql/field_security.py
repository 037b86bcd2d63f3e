"""Field-level security on the read side, declared once per field of a type.

``extensions=[Guarded(Resource.CUSTOMERS, "email")]`` on a field answers, for the request's
principal: the value when the role may read the field, its mask when the role reads it
masked, and null with a ``FORBIDDEN_FIELD`` error at the field's path when the role may
not read it (the rest of the response resolves as usual). A guarded field must therefore
be nullable; the extension refuses to build a schema where it is not.

``GuardedCustomFields(resource)`` does the same per key inside a ``customFields`` object:
a hidden key is left out, a masked value is masked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types import Info as StrawberryInfo
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

from application.field_security import read_as, redacted_custom_fields
from application.principal import Principal
from domain.access.roles import FieldAccess, Resource
from domain.errors import ErrorCode


def forbidden_field(principal: Principal, field_name: str) -> GraphQLError:
    """The error of a field the principal may not read, with its code in ``extensions``."""
    return GraphQLError(
        f"the {principal.role.key} role may not read {field_name}",
        extensions={"code": ErrorCode.FORBIDDEN_FIELD.value, "field": field_name},
    )


class Guarded(FieldExtension):
    """Answers one field as the principal's role may read it.

    With ``aggregate``, the field sums or otherwise derives from the field named: a mask of
    a sum means nothing, so a role that may not read the field in full gets null and the
    error.
    """

    def __init__(self, resource: Resource, field_name: str, *, aggregate: bool = False) -> None:
        super().__init__()
        self.resource = resource
        self.field_name = field_name
        self.aggregate = aggregate

    def apply(self, field: StrawberryField) -> None:
        if not isinstance(field.type, StrawberryOptional):
            raise TypeError(
                f"{field.name} is guarded by a field rule, so it must be nullable: "
                "a hidden value answers null"
            )

    def _access(self, info: StrawberryInfo) -> tuple[Principal, FieldAccess]:
        principal: Principal = info.context.principal
        access = principal.field_access(self.resource, self.field_name)
        if access is FieldAccess.HIDDEN or (self.aggregate and not access.readable):
            raise forbidden_field(principal, self.field_name)
        return principal, access

    def _answer(self, principal: Principal, access: FieldAccess, value: Any) -> Any:
        if access.readable or value is None:
            return value
        if not isinstance(value, str):
            # Only text has a partial form; any other value read masked is not read at all.
            raise forbidden_field(principal, self.field_name)
        return read_as(access, self.field_name, value)

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: StrawberryInfo, **kwargs: Any
    ) -> Any:
        principal, access = self._access(info)
        return self._answer(principal, access, next_(source, info, **kwargs))

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: StrawberryInfo,
        **kwargs: Any,
    ) -> Any:
        principal, access = self._access(info)
        return self._answer(principal, access, await next_(source, info, **kwargs))


class GuardedCustomFields(FieldExtension):
    """Answers a ``customFields`` object with what the principal's role may read of it."""

    def __init__(self, resource: Resource) -> None:
        super().__init__()
        self.resource = resource

    def _answer(self, info: StrawberryInfo, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        principal: Principal = info.context.principal
        return redacted_custom_fields(principal.role, self.resource, value)

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: StrawberryInfo, **kwargs: Any
    ) -> Any:
        return self._answer(info, next_(source, info, **kwargs))

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: StrawberryInfo,
        **kwargs: Any,
    ) -> Any:
        return self._answer(info, await next_(source, info, **kwargs))


HIDDEN_AMOUNT = (
    " Null, with a FORBIDDEN_FIELD error, when the caller's role may not read deal amounts."
)
"""The end of the description of every field that shows or sums deal amounts."""
