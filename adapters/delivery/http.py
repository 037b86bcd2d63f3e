"""HTTP POSTs over the standard library, keeping one connection per host and thread."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from attrs import frozen

EXCERPT_CHARS = 500


@frozen
class HttpOutcome:
    status: int | None
    """None when no response came back (refused, timed out, bad TLS)."""
    excerpt: str
    latency_ms: int


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
    (DNS rebinding) is refused too. A name with several addresses is refused if any of them
    is internal: which one a retry would reach is not ours to choose.
    """
    host, port = address
    resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    internal = [
        info[4][0]
        for info in resolved
        if not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global
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
    """Posts over one kept-alive connection per host and thread; ``close()`` ends them all.

    Unless ``allow_private``, connections are made only to public addresses, whatever the
    host name resolves to at the time (see :func:`connect_to_public_address`).
    """

    def __init__(self, timeout: float = 10.0, *, allow_private: bool = True) -> None:
        self._timeout = timeout
        self._allow_private = allow_private
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpOutcome:
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        started = time.perf_counter()
        for retry in (False, True):
            connection = self._connection(parts.scheme, parts.netloc)
            try:
                connection.request("POST", path, body=body, headers=dict(headers))
                response = connection.getresponse()
                text = response.read()[:EXCERPT_CHARS]
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                # A kept-alive connection the server had closed: one fresh try.
                self._forget(parts.scheme, parts.netloc)
                if retry:
                    return HttpOutcome(None, str(error)[:EXCERPT_CHARS], _since(started))
                continue
            except (OSError, http.client.HTTPException, ValueError) as error:
                self._forget(parts.scheme, parts.netloc)
                return HttpOutcome(None, str(error)[:EXCERPT_CHARS], _since(started))
            if response.will_close:
                self._forget(parts.scheme, parts.netloc)
            return HttpOutcome(response.status, text.decode("utf-8", "replace"), _since(started))
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for connection in connections:
            connection.close()

    def _pool(self) -> dict[tuple[str, str], http.client.HTTPConnection]:
        pool: dict[tuple[str, str], http.client.HTTPConnection] = self._local.__dict__.setdefault(
            "pool", {}
        )
        return pool

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        pool = self._pool()
        if (scheme, netloc) not in pool:
            kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            connection = kind(netloc, timeout=self._timeout)
            if not self._allow_private:
                # http.client opens every socket through this attribute, TLS ones included.
                connection._create_connection = connect_to_public_address  # type: ignore[attr-defined]
            pool[(scheme, netloc)] = connection
            with self._lock:
                self._all.append(connection)
        return pool[(scheme, netloc)]

    def _forget(self, scheme: str, netloc: str) -> None:
        connection = self._pool().pop((scheme, netloc), None)
        if connection is not None:
            connection.close()
            with self._lock:
                if connection in self._all:
                    self._all.remove(connection)


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
