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
from domain.access.roles import Permission
from domain.errors import DomainError, ErrorCode

log = logging.getLogger("rapport.graphql")

CODE_DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.INVALID: "The value is not one the field takes; the message says what it takes.",
    ErrorCode.REQUIRED: "The field must be given and not empty.",
    ErrorCode.TOO_LONG: "The value is longer than the field holds.",
    ErrorCode.INVALID_EMAIL: "The value is not an email address.",
    ErrorCode.INVALID_PHONE: "The value is not a phone number of a known country.",
    ErrorCode.INVALID_NAME: "The name is not one a person or company can have.",
    ErrorCode.UNKNOWN_FIELD: "No custom field with this key is defined for the object type.",
    ErrorCode.INVALID_CHOICE: "The value is not one of the custom field's choices.",
    ErrorCode.INVALID_ID: "The value is not the global id of an object of the expected type.",
    ErrorCode.NOT_FOUND: "No such record, or none the caller may see.",
    ErrorCode.TAKEN: "Another record already has this value, which must be unique.",
    ErrorCode.STALE_VERSION: (
        "The record changed since the version sent was read; read it again and retry."
    ),
    ErrorCode.ARCHIVED: "The record is archived and cannot be changed or referred to.",
    ErrorCode.FORBIDDEN: "The caller's role may not do this.",
    ErrorCode.FORBIDDEN_FIELD: (
        "The caller's role may not read, change, filter or sort by this field."
    ),
    ErrorCode.UNKNOWN_TRACK: "No lifecycle track has this key.",
    ErrorCode.UNKNOWN_STAGE: "The lifecycle track or pipeline has no such stage.",
    ErrorCode.TRANSITION_NOT_ALLOWED: (
        "The record's state does not allow this change: a track's stages, or the status of a"
        " campaign or message."
    ),
    ErrorCode.WRONG_PIPELINE: "The stage belongs to another pipeline than the deal's.",
    ErrorCode.CURRENCY_MISMATCH: "The amounts are in different currencies, which never mix.",
    ErrorCode.NEGATIVE: "The amount or number may not be negative.",
    ErrorCode.CLOSED: "The record is closed (a won or lost deal, a done task).",
    ErrorCode.SPAM: "The submission looks automated and was dropped.",
    ErrorCode.INVALID_ENCODING: "The text is not valid in the file's encoding.",
    ErrorCode.DUPLICATE_IN_FILE: "An earlier row of the same file names the same record.",
    ErrorCode.ALREADY_REVOKED: "The API key was revoked already; a revocation cannot be undone.",
    ErrorCode.UNKNOWN_STEP: "The journey step leads to a step id the journey does not have.",
    ErrorCode.UNREACHABLE_STEP: "No path from the journey's entry step leads to this step.",
    ErrorCode.LOOP_WITHOUT_WAIT: (
        "The journey step is on a loop with no wait step, which would run without end."
    ),
    ErrorCode.TEMPLATE_SYNTAX: "The template is not valid template syntax; `line` says where.",
    ErrorCode.UNKNOWN_VARIABLE: (
        "The template uses a variable that templates may not use, such as a custom field "
        "that is not defined; `line` says where."
    ),
    ErrorCode.UNSAFE_TEMPLATE: (
        "The template uses a construct templates may not use (calls, loops, imports, "
        "private attributes); `line` says where."
    ),
}
"""What each code means to a client; every code has one (the schema lint checks)."""

_codes: type[Enum] = Enum(  # type: ignore[misc]
    "UserErrorCode",
    {
        code.name: strawberry.enum_value(code.value, description=CODE_DESCRIPTIONS.get(code))
        for code in ErrorCode
    },
)
UserErrorCode = strawberry.enum(
    _codes, description="Why an input was refused; stable, for clients to branch on."
)


@strawberry.type(description="A problem with the input of a mutation; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, or null when no single field is."
    )
    message: str = strawberry.field(description="What is wrong, in English, for a person.")
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="What is wrong, for the client to branch on."
    )
    line: int | None = strawberry.field(
        default=None,
        description="The line of a text input (a template) at fault, counted from 1; null "
        "when the problem is not on one line.",
    )


def user_errors_field() -> Any:
    """A payload's ``userErrors``, described once for every payload."""
    return strawberry.field(
        default_factory=list,
        description="What was wrong with the input; empty when the mutation did its work.",
    )


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(
            field=problem.field.split(".") if problem.field else None,
            message=problem.message,
            code=UserErrorCode[problem.code.name],
            line=problem.line,
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
    """Answers the failures a client can cause, the same way for every field it is on.

    ``requires`` names permissions checked before the resolver reads its input: a role
    without them is refused as ``FORBIDDEN`` whatever it sent, never told what was wrong
    with the input first.
    """

    def __init__(self, *, requires: tuple[Permission, ...] = ()) -> None:
        super().__init__()
        self.requires = requires

    def _answer(self, error: DomainError | MalformedId) -> Any:
        raise NotImplementedError

    def _check(self, info: StrawberryInfo) -> None:
        for permission in self.requires:
            info.context.principal.require(permission)

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: StrawberryInfo, **kwargs: Any
    ) -> Any:
        try:
            self._check(info)
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
            self._check(info)
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
