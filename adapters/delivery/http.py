"""HTTP POSTs over the standard library, keeping one connection per host and thread."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
from collections.abc import Mapping

from attrs import frozen

from application.events.targets import (
    Origin,
    Target,
    UnusableTarget,
    is_public,
    parse_target,
)

EXCERPT_CHARS = 500


@frozen
class HttpOutcome:
    status: int | None
    """None when no response came back (refused, timed out, bad TLS)."""
    excerpt: str
    latency_ms: int
    unusable_url: bool = False
    """True when the URL itself is refused, so no later attempt can do better."""

    @classmethod
    def of_error(cls, error: Exception, latency_ms: int) -> HttpOutcome:
        """No response: ``error`` stopped the attempt."""
        return cls(None, (str(error) or type(error).__name__)[:EXCERPT_CHARS], latency_ms)


class PrivateAddressError(OSError):
    """The target's name resolves to a loopback, private, link-local or reserved address."""


def connect_to_public_address(
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
) -> socket.socket:
    """``socket.create_connection``, refusing hosts with any address that is not global.

    The check runs on the addresses the connection is then made to, so a name that
    resolved to a public address when the subscription was made and to an internal one now
    (DNS rebinding) is refused too. It is :func:`is_public`, the check subscriptions get, so
    IPv6 forms carrying a private IPv4 address (NAT64, mapped, compatible, 6to4, Teredo)
    are refused as well. A name with several addresses is refused if any of them is
    internal: which one a retry would reach is not ours to choose.
    """
    host, port = address
    resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    internal = [
        info[4][0]
        for info in resolved
        if not is_public(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
    ]
    if internal:
        raise PrivateAddressError(f"{host} resolves to a private address ({internal[0]})")
    family, kind, protocol, _, target = resolved[0]
    connection = socket.socket(family, kind, protocol)
    try:
        connection.settimeout(timeout)
        if source_address:
            connection.bind(source_address)
        connection.connect(target)
    except OSError:
        connection.close()
        raise
    return connection


class KeepAliveSender:
    """Posts over one kept-alive connection per target and thread; ``close()`` ends them all.

    The URL is read by :func:`parse_target`, the same reading the subscription was checked
    with, and connections are made to the host and port it names, never to a spelling of
    the URL that ``http.client`` might read another way. Unless ``allow_private``,
    connections are made only to public addresses, whatever the host name resolves to at
    the time (see :func:`connect_to_public_address`).
    """

    def __init__(self, timeout: float = 10.0, *, allow_private: bool = True) -> None:
        self._timeout = timeout
        self._allow_private = allow_private
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpOutcome:
        """The outcome of one POST; never raises, so one delivery cannot fail another."""
        started = time.perf_counter()
        try:
            target = parse_target(url)
        except UnusableTarget as error:
            return HttpOutcome(None, f"refused URL: {error}", _since(started), unusable_url=True)
        try:
            return self._post(target, body, headers, started)
        except Exception as error:
            # Anything http.client, ssl or the socket raise (InvalidURL, ValueError,
            # UnicodeError as much as OSError) is this delivery's failure to report.
            self._forget(target)
            return HttpOutcome.of_error(error, _since(started))

    def close(self) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for connection in connections:
            connection.close()

    def _post(
        self, target: Target, body: bytes, headers: Mapping[str, str], started: float
    ) -> HttpOutcome:
        for retry in (False, True):
            connection = self._connection(target)
            try:
                connection.request("POST", target.path, body=body, headers=dict(headers))
                response = connection.getresponse()
                text = _excerpt(response, deadline=started + self._timeout)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server had closed: one fresh try.
                self._forget(target)
                if retry:
                    raise
                continue
            if response.length == 0 and not response.isclosed():
                # Read to its end: close the response (Python 3.13's read1 does it itself),
                # which leaves the connection free for the next request.
                response.close()
            if response.will_close or not response.isclosed():
                # A body left unread would be read as the next response: drop the connection.
                self._forget(target)
            return HttpOutcome(response.status, text.decode("utf-8", "replace"), _since(started))
        raise AssertionError("unreachable")

    def _pool(self) -> dict[Origin, http.client.HTTPConnection]:
        pool: dict[Origin, http.client.HTTPConnection] = self._local.__dict__.setdefault("pool", {})
        return pool

    def _connection(self, target: Target) -> http.client.HTTPConnection:
        key = target.origin
        pool = self._pool()
        with self._lock:
            # ``close()`` closed every connection, those in other threads' pools too: one
            # still pooled here must not reopen its socket unknown to the next ``close()``.
            closed = key in pool and pool[key] not in self._all
        if closed:
            del pool[key]
        if key not in pool:
            secure = target.scheme == "https"
            kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
            # Host and port as parsed, so http.client has no netloc of its own to read.
            connection = kind(target.host, target.port, timeout=self._timeout)
            if not self._allow_private:
                # http.client opens every socket through this attribute, TLS ones included.
                connection._create_connection = connect_to_public_address  # type: ignore[attr-defined]
            pool[key] = connection
            with self._lock:
                self._all.append(connection)
        return pool[key]

    def _forget(self, target: Target) -> None:
        connection = self._pool().pop(target.origin, None)
        if connection is not None:
            connection.close()
            with self._lock:
                if connection in self._all:
                    self._all.remove(connection)


def _excerpt(response: http.client.HTTPResponse, *, deadline: float) -> bytes:
    """The start of the body, no more than ``EXCERPT_CHARS`` bytes and no later than
    ``deadline``: a partner that sends an endless or dripping body cannot hold the worker."""
    chunks: list[bytes] = []
    size = 0
    while size < EXCERPT_CHARS and time.perf_counter() < deadline:
        chunk = response.read1(EXCERPT_CHARS - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
