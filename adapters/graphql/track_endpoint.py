"""``POST /track``: the ``trackEvents`` mutation for clients that post plain JSON."""

from __future__ import annotations

import json
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send
from strawberry.schema import BaseSchema

from adapters.graphql.context import Context, Services

TRACK_EVENTS: Final = """
mutation Track($input: TrackEventsInput!) {
  trackEvents(input: $input) {
    accepted
    duplicates
    userErrors { index field message code }
  }
}
"""


def _failure(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


class TrackEndpoint:
    """Takes the body ``trackEvents`` takes as its input, and answers with its payload.

    The body runs through the schema as the mutation's variables, so both doors check
    input and report errors identically; behind it, the same bearer-key authentication.
    """

    def __init__(self, schema: BaseSchema, services: Services) -> None:
        self._schema = schema
        self._services = services

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
            body: Any = json.loads(await request.body())
        except ValueError:
            return _failure(400, "The body is not JSON.", "BAD_REQUEST")
        if not isinstance(body, dict):
            return _failure(
                400, 'The body must be a JSON object: {"events": [...]}.', "BAD_REQUEST"
            )
        context = Context(self._services, request.scope.get("state", {}).get("principal"))
        result = await self._schema.execute(
            TRACK_EVENTS, variable_values={"input": body}, context_value=context
        )
        if result.errors:
            errors = [error.formatted for error in result.errors]
            internal = any(e.get("extensions", {}).get("code") == "INTERNAL" for e in errors)
            return JSONResponse({"errors": errors}, status_code=500 if internal else 400)
        return JSONResponse(result.data["trackEvents"] if result.data else None)
