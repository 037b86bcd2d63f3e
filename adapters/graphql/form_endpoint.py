"""``POST /forms/{formKey}``: public lead capture for websites, JSON or form-encoded.

No API key: a website cannot keep one secret. Abuse is held off by the form's honeypot
field and by a token bucket per client address, in the buckets every limit shares (in this
process embedded, in Redis in production so that every process counts against one bucket).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from adapters.graphql.context import Services
from adapters.graphql.guards import (
    BadBody,
    BodyTooLarge,
    client_address,
    parse_json,
    read_body,
    replay,
)
from adapters.graphql.relay import to_global_id
from application.limits import BucketPolicy, TokenBuckets
from application.pipeline.bundle import Sales
from domain.errors import DomainError, ErrorCode

MAX_BODY = 16_384


def _errors(status: int, problems: list[tuple[str, str, str]]) -> JSONResponse:
    return JSONResponse(
        {
            "userErrors": [
                {"field": field.split(".") if field else None, "message": message, "code": code}
                for field, message, code in problems
            ]
        },
        status_code=status,
    )


class FormEndpoint:
    def __init__(self, services: Services, buckets: TokenBuckets, policy: BucketPolicy) -> None:
        self._services = services
        self._buckets = buckets
        self._policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._answer(request)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> JSONResponse:
        if request.method != "POST":
            return _errors(405, [("", "POST the form's fields", "INVALID")])
        allowance = self._buckets.take(f"form:{client_address(request.scope)}", 1, self._policy)
        if not allowance.granted:
            wait = max(1, math.ceil(allowance.retry_after))
            response = _errors(429, [("", f"too many posts; try again in {wait} s", "INVALID")])
            response.headers["Retry-After"] = str(wait)
            return response
        try:
            posted = await self._read(request)
        except BodyTooLarge:
            return _errors(413, [("", f"send at most {MAX_BODY:,} bytes", "INVALID")])
        if posted is None:
            return _errors(400, [("", "send a JSON object or a form of text fields", "INVALID")])
        key = request.path_params["form_key"]
        try:
            lead = await run_in_threadpool(self._services.use(Sales).capture_form_lead, key, posted)
        except DomainError as error:
            status = 404 if error.problems[0].code is ErrorCode.NOT_FOUND else 400
            return _errors(status, [(p.field, p.message, p.code.value) for p in error.problems])
        return JSONResponse({"leadId": to_global_id("Lead", lead.id)}, status_code=201)

    async def _read(self, request: Request) -> Mapping[str, str] | None:
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind == "application/json":
            try:
                data = parse_json(await read_body(request.receive, MAX_BODY))
            except BadBody:
                return None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                return None
            return data
        if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            # Read under the limit first; the form parser then reads it from memory.
            body = await read_body(request.receive, MAX_BODY)
            read = Request(request.scope, replay(body))
            async with read.form(max_files=0, max_fields=50) as form:
                fields = {key: value for key, value in form.items() if isinstance(value, str)}
                return fields if len(fields) == len(form) else None
        return None
