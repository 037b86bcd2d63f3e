"""HTTP guards in front of every endpoint: body size and request rates.

A body is refused at its limit while it streams in, never read whole first; rates are
token buckets per client address and per API key, answered with ``429`` and
``Retry-After``. The client address is the connection's peer unless that peer is a trusted
proxy, whose ``X-Forwarded-For`` then names it (see ``create_app``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.limits import BucketPolicy, TokenBuckets

MAX_JSON_DEPTH = 64


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit:,} bytes")
        self.limit = limit


class BadBody(Exception):
    """A body that is not the JSON it should be; its message is for the client."""


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, or ``BodyTooLarge`` as soon as more than ``limit`` bytes came."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """A ``receive`` that hands over ``body``, already read, then reports a disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body`` (UTF-8), refusing nesting deeper than ``MAX_JSON_DEPTH``."""
    try:
        value = json.loads(body)
    except RecursionError as error:
        raise BadBody(f"The body nests deeper than {MAX_JSON_DEPTH} levels.") from error
    except ValueError as error:  # UnicodeDecodeError is one
        raise BadBody("The body is not valid JSON in UTF-8.") from error
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise BadBody(f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    level: list[Any] = [value]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def error_response(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> Callable[[Scope, Receive, Send], Any]:
    """A GraphQL-shaped error body, as every guard answers."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_multipart(scope: Scope) -> bool:
    return any(
        name == b"content-type" and value.lower().startswith(b"multipart/")
        for name, value in scope["headers"]
    )


class BodyLimit:
    """Refuses with ``413`` a body over its limit: uploads have one, everything else another."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self._app = app
        self._max_body = max_body_bytes
        self._max_upload = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit = self._max_upload if _is_multipart(scope) else self._max_body
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(limit)(scope, receive, send)


def _too_large(limit: int) -> Callable[[Scope, Receive, Send], Any]:
    return error_response(
        413, f"The request body is larger than {limit:,} bytes.", "PAYLOAD_TOO_LARGE"
    )


KeyOf = Callable[[Scope], str | None]


class RateLimit:
    """Takes one token per HTTP request from the bucket ``key_of`` names; none, no limit."""

    def __init__(
        self, app: ASGIApp, buckets: TokenBuckets, policy: BucketPolicy, key_of: KeyOf
    ) -> None:
        self._app = app
        self._buckets = buckets
        self._policy = policy
        self._key_of = key_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key_of(scope) if scope["type"] == "http" else None
        if key is not None:
            allowance = self._buckets.take(key, 1, self._policy)
            if not allowance.granted:
                await too_many_requests(allowance.retry_after)(scope, receive, send)
                return
        await self._app(scope, receive, send)


def too_many_requests(retry_after: float) -> Callable[[Scope, Receive, Send], Any]:
    seconds = max(1, math.ceil(retry_after))
    return error_response(
        429,
        f"Too many requests; try again in {seconds} s.",
        "RATE_LIMITED",
        {"Retry-After": str(seconds)},
    )


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def ip_key(scope: Scope) -> str | None:
    return None if scope.get("path") == "/health" else f"ip:{client_address(scope)}"


def api_key_key(scope: Scope) -> str | None:
    principal = scope.get("state", {}).get("principal")
    if principal is None:
        return None
    return f"key:{principal.api_key_id or principal.actor_id}"
