"""``POST /track``: the ``trackEvents`` mutation for clients that post plain JSON."""

from __future__ import annotations

from enum import Enum
from typing import Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from adapters.graphql.behaviour import TrackEventsPayload
from adapters.graphql.context import Services
from adapters.graphql.guards import BadBody, parse_json, read_body
from adapters.graphql.track_json import incoming_event_from_json
from application.behaviour.bundle import Behaviour
from domain.errors import DomainError


def _failure(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


class TrackEndpoint:
    """Takes the body ``trackEvents`` takes as its input, and answers with its payload.

    Items are read from the JSON directly (see :mod:`adapters.graphql.track_json`) and go
    through the same use case as the mutation, behind the same bearer-key authentication,
    so the two doors store and refuse events alike.
    """

    def __init__(self, services: Services, max_body_bytes: int) -> None:
        self._services = services
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._answer(request)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> JSONResponse:
        if request.method != "POST":
            return _failure(
                405,
                'POST a JSON object: {"events": [...]}.',
                "METHOD_NOT_ALLOWED",
                {"Allow": "POST"},
            )
        try:
            body: Any = parse_json(await read_body(request.receive, self._max_body_bytes))
        except BadBody as error:
            return _failure(400, str(error), "BAD_REQUEST")
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list) or set(body) - {"events"}:
            return _failure(
                400, 'The body must be a JSON object: {"events": [...]}.', "BAD_REQUEST"
            )
        principal = request.scope.get("state", {}).get("principal")
        items = [incoming_event_from_json(item) for item in events]
        try:
            # In a worker thread: storing a batch must not hold other requests.
            result = await run_in_threadpool(self._services.use(Behaviour).track, principal, items)
        except DomainError as error:
            return JSONResponse(_payload(TrackEventsPayload.refused(error)))
        return JSONResponse(_payload(TrackEventsPayload.from_result(result)))


def _payload(payload: TrackEventsPayload) -> dict[str, Any]:
    return {
        "accepted": payload.accepted,
        "duplicates": payload.duplicates,
        "userErrors": [
            {
                "index": error.index,
                "field": error.field,
                "message": error.message,
                "code": cast(Enum, error.code).name,
            }
            for error in payload.user_errors
        ],
    }
