"""The ASGI application: GraphQL behind bearer-key authentication, and a health probe."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import process_result
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from adapters.graphql.audit import RequestIds, login_failures
from adapters.graphql.context import Context, Services
from adapters.graphql.execution import ExecutionLoops
from adapters.graphql.form_endpoint import FormEndpoint
from adapters.graphql.guards import (
    BadBody,
    BodyLimit,
    RateLimit,
    api_key_key,
    error_response,
    ip_key,
    parse_json,
    read_body,
)
from adapters.graphql.limits import ApiLimits
from adapters.graphql.parts import PublicRouteContext
from adapters.graphql.schema import build_schema
from adapters.graphql.track_endpoint import TrackEndpoint
from adapters.graphql.types import PARTS
from application.limits import TokenBuckets
from application.principal import Principal

Authenticate = Callable[[str], Principal | None]


class BearerAuthentication:
    """Puts the principal of ``Authorization: Bearer <token>`` into the request state.

    Anything else gets 401 and no data; only the GraphiQL page itself is open.
    """

    def __init__(
        self,
        app: ASGIApp,
        authenticate: Authenticate,
        *,
        open_ide: bool,
        refused: Callable[[str], None] | None = None,
    ) -> None:
        self._app = app
        self._authenticate = authenticate
        self._open_ide = open_ide
        self._refused = refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if self._open_ide and _asks_for_ide(scope, headers):
            await self._app(scope, receive, send)
            return
        if scope["type"] == "websocket" and b"authorization" not in headers:
            # Browsers cannot set headers on websockets: the key comes in connection_init.
            await self._app(scope, receive, send)
            return
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        principal = bearer_principal(authorization, self._authenticate)
        if principal is None:
            if self._refused is not None:
                await asyncio.to_thread(self._refused, authorization)
            await _unauthenticated(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self._app(scope, receive, send)


def bearer_principal(authorization: str, authenticate: Authenticate) -> Principal | None:
    scheme, _, token = authorization.partition(" ")
    return authenticate(token.strip()) if scheme.lower() == "bearer" else None


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


class JsonPostFastPath:
    """Runs plain ``application/json`` POSTs straight through the schema.

    Nearly every API call is one; strawberry's full view (GET, multipart uploads, GraphiQL,
    websockets) serves everything else. A body that is not one well-formed operation is a
    ``400`` that says what is wrong; a client that disconnects cancels its operation.
    """

    def __init__(
        self, view: RapportGraphQL, schema: BaseSchema, services: Services, max_body_bytes: int
    ) -> None:
        self._view = view
        self._schema = schema
        self._services = services
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not _is_json(scope):
            await self._view(scope, receive, send)
            return
        try:
            query, variables, operation_name = _json_request(
                await read_body(receive, self._max_body_bytes)
            )
        except BadBody as error:
            await error_response(400, str(error), "BAD_REQUEST")(scope, receive, send)
            return
        context = Context(self._services, scope.get("state", {}).get("principal"))
        execution = asyncio.ensure_future(
            self._schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=_HTTP_POST_OPERATIONS,
            )
        )
        if not await _finished_before_disconnect(execution, receive):
            return
        try:
            result = execution.result()
        except (CannotGetOperationTypeError, InvalidOperationTypeError) as error:
            reason = (
                error.as_http_error_reason("POST")
                if isinstance(error, InvalidOperationTypeError)
                else error.as_http_error_reason()
            )
            await error_response(400, reason, "BAD_REQUEST")(scope, receive, send)
            return
        except MissingQueryError:
            await error_response(400, "The query is empty.", "BAD_REQUEST")(scope, receive, send)
            return
        headers = None
        if context.retry_after is not None:
            headers = {"Retry-After": str(context.retry_after)}
        await Response(
            self._view.encode_json(process_result(result)),
            status_code=429 if headers else 200,
            media_type="application/json",
            headers=headers,
        )(scope, receive, send)


async def _finished_before_disconnect(execution: asyncio.Future[Any], receive: Receive) -> bool:
    """Waits for ``execution``; cancels it, and says so, if the client goes away first."""
    disconnected = asyncio.ensure_future(_disconnect(receive))
    done, _ = await asyncio.wait({execution, disconnected}, return_when=asyncio.FIRST_COMPLETED)
    if execution in done:
        disconnected.cancel()
        return True
    execution.cancel()
    return False


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


_HTTP_POST_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == b"application/json")
    return False


def _json_request(body: bytes) -> tuple[str, dict[str, Any] | None, str | None]:
    """``(query, variables, operation name)`` of a well-formed single request."""
    payload = parse_json(body)
    if isinstance(payload, list):
        raise BadBody("Batched operations are not supported: send one operation per request.")
    if not isinstance(payload, dict):
        raise BadBody('The body must be a JSON object: {"query": "...", "variables": {...}}.')
    query, variables = payload.get("query"), payload.get("variables")
    operation_name = payload.get("operationName")
    if not isinstance(query, str):
        raise BadBody('The body must hold the operation as a "query" string.')
    if not (variables is None or isinstance(variables, dict)):
        raise BadBody('"variables" must be a JSON object.')
    if not (operation_name is None or isinstance(operation_name, str)):
        raise BadBody('"operationName" must be a string.')
    return query, variables, operation_name


class RapportGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        schema: BaseSchema,
        services: Services,
        authenticate: Authenticate,
        *,
        graphiql: bool,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self._services = services
        self._authenticate = authenticate

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(self._services, request.scope.get("state", {}).get("principal"))

    def decode_json(self, data: str | bytes) -> object:
        """JSON in GET parameters and multipart parts, read as the fast path reads bodies."""
        try:
            return parse_json(data.encode() if isinstance(data, str) else data)
        except BadBody as error:
            raise HTTPException(400, str(error)) from error

    async def parse_multipart(self, request: Any) -> dict[str, str]:
        operations = await super().parse_multipart(request)
        if not isinstance(operations, dict):
            raise HTTPException(
                400, 'The "operations" part must be one JSON object: batching is off.'
            )
        if not isinstance(operations.get("operationName"), str | None):
            raise HTTPException(400, '"operationName" must be a string.')
        return operations

    async def on_ws_connect(self, context: Context) -> Any:
        """Takes ``{"Authorization": "Bearer <key>"}`` from ``connection_init``."""
        if context.signed_in:
            return UNSET
        params = context.connection_params
        authorization = params.get("Authorization") if isinstance(params, dict) else None
        principal = (
            bearer_principal(authorization, self._authenticate)
            if isinstance(authorization, str)
            else None
        )
        if principal is None:
            raise ConnectionRejectionError({"message": "a valid API key is required"})
        context.sign_in(principal)
        return UNSET


def create_app(
    services: Services,
    authenticate: Authenticate,
    *,
    graphiql: bool = False,
    on_startup: Callable[[], None] = lambda: None,
    on_shutdown: Callable[[], None] = lambda: None,
    limits: ApiLimits | None = None,
    execution_loops: int = 4,
) -> Starlette:
    """The API; ``limits`` defaults to :class:`ApiLimits`' own defaults."""
    limits = limits or ApiLimits()
    buckets = services.token_buckets
    loops = ExecutionLoops(execution_loops)
    schema = build_schema(limits, buckets=buckets, loops=loops)
    # Every request is authenticated afresh (one indexed read, no cache), so a key revoked
    # in any process is refused by every process on its next request.
    authenticator = authenticate
    view = RapportGraphQL(schema, services, authenticator, graphiql=graphiql)
    graphql = JsonPostFastPath(view, schema, services, limits.max_body_bytes)
    refused = login_failures(services)
    guarded = BearerAuthentication(
        _per_key(graphql, buckets, limits), authenticator, open_ide=graphiql, refused=refused
    )
    track = BearerAuthentication(
        _per_key(TrackEndpoint(services, limits.max_body_bytes), buckets, limits),
        authenticator,
        open_ide=False,
        refused=refused,
    )
    forms = FormEndpoint(services, buckets, limits.form_rate)
    # Modules' public pages are limited per address like the forms: no key to count by.
    public = PublicRouteContext(services, buckets, limits.form_rate)
    module_routes = [route for part in PARTS for routes in part.routes for route in routes(public)]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        on_startup()
        yield
        loops.close()
        on_shutdown()

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    middleware = [
        Middleware(
            BodyLimit,
            max_body_bytes=limits.max_body_bytes,
            max_upload_bytes=limits.max_upload_bytes,
        ),
    ]
    if limits.ip_rate is not None:
        middleware.insert(
            0, Middleware(RateLimit, buckets=buckets, policy=limits.ip_rate, key_of=ip_key)
        )
    if limits.trusted_proxies:
        # Outermost, so that every guard after it sees the client the proxy names.
        middleware.insert(
            0, Middleware(ProxyHeadersMiddleware, trusted_hosts=list(limits.trusted_proxies))
        )
    # Outermost of all: every response, a refusal by any guard included, names its request.
    middleware.insert(0, Middleware(RequestIds))
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/graphql", guarded),
            Route("/track", track),
            Route("/forms/{form_key}", forms),
            *module_routes,
            WebSocketRoute("/graphql", guarded),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def _per_key(app: ASGIApp, buckets: TokenBuckets, limits: ApiLimits) -> ASGIApp:
    if limits.key_rate is None:
        return app
    return RateLimit(app, buckets, limits.key_rate, api_key_key)
