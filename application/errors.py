"""Errors that use cases raise; each carries problems that name the offending field."""

from __future__ import annotations

from domain.errors import DomainError, ErrorCode, Problem


class ApplicationError(DomainError):
    """A request that cannot be carried out as asked; nothing was changed."""

    def __init__(self, field: str, code: ErrorCode, message: str) -> None:
        super().__init__([Problem(field, code, message)])


class NotFound(ApplicationError):
    def __init__(self, field: str, message: str = "does not exist") -> None:
        super().__init__(field, ErrorCode.NOT_FOUND, message)


class Conflict(ApplicationError):
    """Another change got there first: a stale version or a value already taken."""


class StaleVersion(Conflict):
    def __init__(self, expected: int | None = None, actual: int | None = None) -> None:
        since = f" since version {expected}" if expected is not None else ""
        now = f"; it is now at version {actual}" if actual is not None else ""
        super().__init__(
            "version",
            ErrorCode.STALE_VERSION,
            f"the record changed{since}{now}; reload it and try again",
        )


class AlreadyTaken(Conflict):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, ErrorCode.TAKEN, message)


class Forbidden(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__("", ErrorCode.FORBIDDEN, message)


class InvalidInput(ApplicationError):
    pass
