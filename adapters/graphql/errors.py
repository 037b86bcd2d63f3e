"""Expected failures as ``userErrors``; unexpected ones masked behind a logged error id."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension, MaskErrors
from strawberry.types import Info as StrawberryInfo
from strawberry.types.field import StrawberryField

from adapters.graphql.relay import MalformedId, invalid_id_error
from domain.errors import DomainError, ErrorCode

log = logging.getLogger("rapport.graphql")

_codes: type[Enum] = Enum("UserErrorCode", {code.name: code.value for code in ErrorCode})  # type: ignore[misc]
UserErrorCode = strawberry.enum(_codes, description="Why an input was refused.")


@strawberry.type(description="A problem with the input of a mutation; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, or null when no single field is."
    )
    message: str
    code: UserErrorCode  # type: ignore[valid-type]


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(
            field=problem.field.split(".") if problem.field else None,
            message=problem.message,
            code=UserErrorCode[problem.code.name],
        )
        for problem in error.problems
    ]


def input_error(field: str, code: ErrorCode, message: str) -> list[UserError]:
    """A problem the API layer finds itself, before any use case runs."""
    return [UserError(field=field.split("."), message=message, code=UserErrorCode[code.name])]


def not_an_object(field: str) -> list[UserError]:
    return input_error(field, ErrorCode.INVALID, "must be a JSON object")


def invalid_id(field: str) -> list[UserError]:
    return input_error(field, ErrorCode.INVALID_ID, "is not a valid id")


def query_error(error: DomainError) -> GraphQLError:
    """An expected failure of a query field, with its code in ``extensions``."""
    problem = error.problems[0]
    return GraphQLError(
        f"{problem.field}: {problem.message}" if problem.field else problem.message,
        extensions={"code": problem.code.value, "field": problem.field},
    )


def _located(error: MalformedId) -> str:
    if error.field is None:
        # A resolver that parses an id without naming its field has a bug: not the client's fault.
        raise error
    return error.field


class _ExpectedErrors(FieldExtension):
    """Answers the failures a client can cause, the same way for every field it is on."""

    def _answer(self, error: DomainError | MalformedId) -> Any:
        raise NotImplementedError

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: StrawberryInfo, **kwargs: Any
    ) -> Any:
        try:
            return next_(source, info, **kwargs)
        except (DomainError, MalformedId) as error:
            return self._answer(error)

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: StrawberryInfo,
        **kwargs: Any,
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except (DomainError, MalformedId) as error:
            return self._answer(error)


class UserErrors(_ExpectedErrors):
    """On a mutation: a ``DomainError`` or ``MalformedId`` becomes the payload's ``userErrors``.

    The payload is the mutation's own return type, built with nothing but ``user_errors``.
    """

    payload: Callable[..., Any]

    def apply(self, field: StrawberryField) -> None:
        self.payload = field.type  # type: ignore[assignment]

    def _answer(self, error: DomainError | MalformedId) -> Any:
        if isinstance(error, MalformedId):
            return self.payload(user_errors=invalid_id(_located(error)))
        return self.payload(user_errors=user_errors(error))


class QueryErrors(_ExpectedErrors):
    """On a query field: a ``DomainError`` or ``MalformedId`` becomes a coded ``GraphQLError``,
    the one ``query_error`` or ``invalid_id_error`` makes."""

    def _answer(self, error: DomainError | MalformedId) -> Any:
        if isinstance(error, MalformedId):
            raise invalid_id_error(_located(error), error.expected_type or "") from None
        raise query_error(error) from None


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, DomainError | GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """Replaces internal errors with an id that is logged beside the real traceback."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message="Internal error.")

    def _process_result(self, result: object) -> None:
        # The stock check is an isinstance against a runtime Protocol: slow on every request.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex
        log.error("unexpected error %s at %s", error_id, error.path, exc_info=error.original_error)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL", "errorId": error_id}
        return masked
