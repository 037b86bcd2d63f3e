"""The ASGI application: GraphQL behind bearer-key authentication, and a health probe."""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.schema import BaseSchema

from adapters.graphql.context import Context, Services
from adapters.graphql.schema import build_schema
from application.principal import Principal

Authenticate = Callable[[str], Principal | None]


class CachedAuthenticator:
    """Remembers recent answers for a short while, so a key is checked once, not per request.

    A revoked key stops working within ``ttl_seconds``.
    """

    def __init__(
        self, authenticate: Authenticate, *, ttl_seconds: float = 10.0, size: int = 4096
    ) -> None:
        self._authenticate = authenticate
        self._ttl = ttl_seconds
        self._size = size
        self._answers: OrderedDict[bytes, tuple[float, Principal | None]] = OrderedDict()

    def __call__(self, token: str) -> Principal | None:
        digest = hashlib.sha256(token.encode()).digest()
        now = time.monotonic()
        cached = self._answers.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        principal = self._authenticate(token)
        self._answers[digest] = (now + self._ttl, principal)
        self._answers.move_to_end(digest)
        if len(self._answers) > self._size:
            self._answers.popitem(last=False)
        return principal


class BearerAuthentication:
    """Puts the principal of ``Authorization: Bearer <key>`` into the request state.

    Anything else gets 401 and no data; only the GraphiQL page itself is open.
    """

    def __init__(self, app: ASGIApp, authenticate: Authenticate, *, open_ide: bool) -> None:
        self._app = app
        self._authenticate = authenticate
        self._open_ide = open_ide

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if self._open_ide and _asks_for_ide(scope, headers):
            await self._app(scope, receive, send)
            return
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        principal = self._authenticate(token.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            await _unauthenticated(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self._app(scope, receive, send)


def _asks_for_ide(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] == "GET"
        and b"query=" not in scope.get("query_string", b"")
        and b"text/html" in headers.get(b"accept", b"")
    )


async def _unauthenticated(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4401})
        return
    body = {
        "errors": [
            {
                "message": "A valid API key is required: send Authorization: Bearer <key>.",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }
    response = Response(
        json.dumps(body),
        status_code=401,
        media_type="application/json",
        headers={"WWW-Authenticate": 'Bearer realm="rapport"'},
    )
    await response(scope, receive, send)


class RapportGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: BaseSchema, services: Services, *, graphiql: bool) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None)
        self._services = services

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(self._services, request.scope.get("state", {}).get("principal"))


def create_app(
    services: Services,
    authenticate: Authenticate,
    *,
    graphiql: bool = False,
    on_shutdown: Callable[[], None] = lambda: None,
    schema: BaseSchema | None = None,
) -> Starlette:
    graphql = RapportGraphQL(schema or build_schema(), services, graphiql=graphiql)
    guarded = BearerAuthentication(graphql, CachedAuthenticator(authenticate), open_ide=graphiql)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        on_shutdown()

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/graphql", guarded),
            WebSocketRoute("/graphql", guarded),
        ],
        lifespan=lifespan,
    )
