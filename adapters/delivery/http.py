"""A small HTTP POST over the standard library, for webhook deliveries."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Mapping

from attrs import frozen

EXCERPT_CHARS = 500


@frozen
class HttpOutcome:
    status: int | None
    """None when no response came back (refused, timed out, bad TLS)."""
    excerpt: str
    latency_ms: int


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float = 10.0) -> HttpOutcome:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read(EXCERPT_CHARS)
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read(EXCERPT_CHARS)
    except (OSError, ValueError) as error:
        return HttpOutcome(None, str(error)[:EXCERPT_CHARS], _since(started))
    return HttpOutcome(status, text.decode("utf-8", "replace"), _since(started))


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
