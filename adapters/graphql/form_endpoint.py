"""``POST /forms/{formKey}``: public lead capture for websites, JSON or form-encoded.

No API key: a website cannot keep one secret. Abuse is held off by the form's honeypot
field and by a token bucket per client IP, kept in this process (each server process keeps
its own buckets, so N processes allow N times the rate; a proxy in front can do better).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from attrs import define
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from adapters.graphql.context import Services
from adapters.graphql.relay import to_global_id
from domain.errors import DomainError, ErrorCode

MAX_BODY = 16_384
MAX_CLIENTS = 10_000


@define
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """``capacity`` requests at once per key, refilled at ``per_minute``; the least recently
    seen keys are forgotten past ``MAX_CLIENTS``."""

    def __init__(
        self,
        *,
        capacity: int = 10,
        per_minute: float = 10,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = capacity
        self._rate = per_minute / 60
        self._now = now
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> bool:
        with self._lock:
            now = self._now()
            bucket = self._buckets.pop(key, None) or _Bucket(self._capacity, now)
            bucket.tokens = min(self._capacity, bucket.tokens + (now - bucket.updated) * self._rate)
            bucket.updated = now
            self._buckets[key] = bucket
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            if bucket.tokens < 1:
                return False
            bucket.tokens -= 1
            return True


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
    def __init__(self, services: Services, buckets: TokenBuckets | None = None) -> None:
        self._services = services
        self._buckets = buckets or TokenBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._answer(request)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> JSONResponse:
        if request.method != "POST":
            return _errors(405, [("", "POST the form's fields", "INVALID")])
        client = request.client.host if request.client else "unknown"
        if not self._buckets.take(client):
            response = _errors(429, [("", "too many posts; try again in a minute", "INVALID")])
            response.headers["Retry-After"] = "60"
            return response
        posted = await self._read(request)
        if posted is None:
            return _errors(400, [("", "send a JSON object or a form of text fields", "INVALID")])
        key = request.path_params["form_key"]
        try:
            lead = await run_in_threadpool(self._services.sales.capture_form_lead, key, posted)
        except DomainError as error:
            status = 404 if error.problems[0].code is ErrorCode.NOT_FOUND else 400
            return _errors(status, [(p.field, p.message, p.code.value) for p in error.problems])
        return JSONResponse({"leadId": to_global_id("Lead", lead.id)}, status_code=201)

    async def _read(self, request: Request) -> Mapping[str, str] | None:
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind == "application/json":
            body = await request.body()
            if len(body) > MAX_BODY:
                return None
            try:
                data = json.loads(body)
            except ValueError:
                return None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                return None
            return data
        if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            async with request.form(max_files=0, max_fields=50) as form:
                fields = {key: value for key, value in form.items() if isinstance(value, str)}
                return fields if len(fields) == len(form) else None
        return None
