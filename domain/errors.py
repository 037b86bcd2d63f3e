"""Errors the domain raises when an invariant would break."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TypeVar

from attrs import frozen

T = TypeVar("T")


class ErrorCode(StrEnum):
    """Stable, machine-readable reasons, shared by every layer and the API."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_NAME = "INVALID_NAME"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    INVALID_CHOICE = "INVALID_CHOICE"
    INVALID_ID = "INVALID_ID"
    NOT_FOUND = "NOT_FOUND"
    TAKEN = "TAKEN"
    STALE_VERSION = "STALE_VERSION"
    ARCHIVED = "ARCHIVED"
    FORBIDDEN = "FORBIDDEN"
    FORBIDDEN_FIELD = "FORBIDDEN_FIELD"
    UNKNOWN_TRACK = "UNKNOWN_TRACK"
    UNKNOWN_STAGE = "UNKNOWN_STAGE"
    TRANSITION_NOT_ALLOWED = "TRANSITION_NOT_ALLOWED"
    WRONG_PIPELINE = "WRONG_PIPELINE"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    NEGATIVE = "NEGATIVE"
    CLOSED = "CLOSED"
    SPAM = "SPAM"
    INVALID_ENCODING = "INVALID_ENCODING"
    DUPLICATE_IN_FILE = "DUPLICATE_IN_FILE"
    ALREADY_REVOKED = "ALREADY_REVOKED"
    UNKNOWN_STEP = "UNKNOWN_STEP"
    UNREACHABLE_STEP = "UNREACHABLE_STEP"
    LOOP_WITHOUT_WAIT = "LOOP_WITHOUT_WAIT"
    TEMPLATE_SYNTAX = "TEMPLATE_SYNTAX"
    UNKNOWN_VARIABLE = "UNKNOWN_VARIABLE"
    UNSAFE_TEMPLATE = "UNSAFE_TEMPLATE"


@frozen
class Problem:
    """One thing wrong with one field of the input."""

    field: str
    code: ErrorCode
    message: str
    line: int | None = None
    """The line of a text input (a template) the problem is on, counted from 1."""


class DomainError(Exception):
    """Base of every error that the domain raises on purpose."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


class InvalidValue(DomainError):
    """A value does not satisfy the rules of its field."""

    def __init__(self, field: str, code: ErrorCode, message: str) -> None:
        super().__init__([Problem(field, code, message)])


class RuleViolated(DomainError):
    """A valid value that the aggregate's current state does not allow."""

    def __init__(self, field: str, code: ErrorCode, message: str) -> None:
        super().__init__([Problem(field, code, message)])


class ProblemCollector:
    """Runs several validations and raises once with every problem found."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def check(self, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except DomainError as error:
            self.problems.extend(error.problems)
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise DomainError(self.problems)
