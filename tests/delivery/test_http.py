"""The webhook sender: it connects where the checker looked, and only to public addresses."""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from attrs import frozen
from hypothesis import given, settings

from adapters.delivery.http import KeepAliveSender
from application.errors import InvalidInput
from application.events.targets import DEFAULT_PORTS, Target
from application.events.webhooks import check_target
from tests.delivery.partner import Partner, serving
from tests.delivery.urls import urls

EVENT = json.dumps(
    {"specversion": "1.0", "id": "e-1", "source": "urn:test", "type": "t", "data": {}}
).encode()
HEADERS = {"content-type": "application/cloudevents+json"}


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_production_refuses_hosts_that_resolve_to_internal_addresses(host: str) -> None:
    partner = Partner()
    with serving(partner) as url:
        sender = KeepAliveSender(allow_private=False)
        try:
            outcome = sender(url.replace("127.0.0.1", host), EVENT, HEADERS)
        finally:
            sender.close()
    assert outcome.status is None
    assert "resolves to a private address" in outcome.excerpt
    assert partner.attempts == 0


def test_the_embedded_profile_may_post_to_this_machine() -> None:
    partner = Partner()
    with serving(partner) as url:
        sender = KeepAliveSender(allow_private=True)
        try:
            outcome = sender(url.replace("127.0.0.1", "localhost"), EVENT, HEADERS)
        finally:
            sender.close()
    assert outcome.status == 204
    assert partner.attempts == 1


def test_an_ambiguous_url_is_a_failed_outcome_and_reaches_no_one() -> None:
    partner = Partner()
    with serving(partner) as url:
        port = url.split(":")[2].split("/")[0]
        for allow_private in (False, True):
            sender = KeepAliveSender(allow_private=allow_private)
            try:
                outcome = sender(f"http://127.0.0.1:{port}\\@example.com/", EVENT, HEADERS)
            finally:
                sender.close()
            assert (outcome.status, outcome.unusable_url) == (None, True)
            assert "backslash" in outcome.excerpt
    assert partner.attempts == 0


LOOPBACK_IN_IPV6 = pytest.mark.parametrize(
    "address", ["64:ff9b::7f00:1", "::127.0.0.1", "::ffff:127.0.0.1"]
)


@LOOPBACK_IN_IPV6
def test_production_refuses_ipv6_literals_carrying_loopback(address: str) -> None:
    sender = KeepAliveSender(timeout=2, allow_private=False)
    try:
        outcome = sender(f"http://[{address}]:8080/hooks", EVENT, HEADERS)
    finally:
        sender.close()
    assert outcome.status is None
    assert "resolves to a private address" in outcome.excerpt


@LOOPBACK_IN_IPV6
def test_production_refuses_names_resolving_to_ipv6_forms_of_loopback(address: str) -> None:
    def resolve(host: str, port: int, *_args: object, **_kwargs: object) -> list[Any]:
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]

    sender = KeepAliveSender(timeout=2, allow_private=False)
    # A rebinding name server, at the process edge: the name now points inside.
    with mock.patch("socket.getaddrinfo", resolve):
        try:
            outcome = sender("http://rebound.example.com/hooks", EVENT, HEADERS)
        finally:
            sender.close()
    assert outcome.status is None
    assert f"rebound.example.com resolves to a private address ({address})" in outcome.excerpt


@frozen
class Opened:
    """A socket http.client asked for, and our end of the connection it was given instead."""

    address: tuple[str, int]
    peer: socket.socket

    def request_head(self) -> str:
        self.peer.settimeout(2)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = self.peer.recv(65536)
            if not chunk:
                break
            received += chunk
        return received.split(b"\r\n\r\n")[0].decode("ascii")


@contextmanager
def every_socket_to_one_listener() -> Iterator[list[Opened]]:
    """http.client's sockets all reach a local listener that answers 204 at once.

    The address http.client asked for is recorded, whatever it is, so a test can see where
    a URL would really have been sent without sending anything anywhere.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    connect_for_real = socket.create_connection
    opened: list[Opened] = []

    def connect(address: tuple[str, int], *_args: object, **_kwargs: object) -> socket.socket:
        ours = connect_for_real(listener.getsockname())
        peer, _ = listener.accept()
        peer.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        opened.append(Opened(address, peer))
        return ours

    try:
        with mock.patch("socket.create_connection", connect):
            yield opened
    finally:
        for connection in opened:
            connection.peer.close()
        listener.close()


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == DEFAULT_PORTS[target.scheme] else f"{host}:{target.port}"


def _canonical(host: str) -> str:
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return host.lower().encode("idna").decode("ascii")


def _as_urllib_reads_it(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None
    return _canonical(parts.hostname), parts.port or DEFAULT_PORTS[parts.scheme]


def _as_http_client_reads_the_netloc(url: str) -> tuple[str, int]:
    """How the sender used to read a URL: http.client parsing the raw netloc itself."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
    connection = kind(parts.netloc)
    return _canonical(connection.host), connection.port


@settings(max_examples=300, deadline=None)
@given(urls())
def test_what_the_checker_accepts_is_exactly_where_the_sender_connects(url: str) -> None:
    try:
        checked: Target | None = check_target(url, allow_private=True)
    except InvalidInput:
        checked = None
    with every_socket_to_one_listener() as opened:
        sender = KeepAliveSender(timeout=2)
        try:
            outcome = sender(url, EVENT, HEADERS)  # returns, whatever the URL
        finally:
            sender.close()
        if checked is None:
            assert opened == []
            assert outcome.status is None
            return
        (connection,) = opened
        assert connection.address == (checked.host, checked.port)
        # Any reader agrees on an accepted URL, including the one the sender used to be.
        assert _as_urllib_reads_it(url) == (checked.host, checked.port)
        assert _as_http_client_reads_the_netloc(url) == (checked.host, checked.port)
        if checked.scheme == "http":
            assert outcome.status == 204
            request_line, *header_lines = connection.request_head().split("\r\n")
            assert request_line == f"POST {checked.path} HTTP/1.1"
            assert f"Host: {_host_header(checked)}" in header_lines


def test_an_endless_response_body_is_cut_short_and_its_connection_dropped() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def endless() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
            while not stop.is_set():
                try:
                    connection.sendall(b"x" * 100)
                except OSError:
                    return
                stop.wait(0.05)

    server = threading.Thread(target=endless, daemon=True)
    server.start()
    sender = KeepAliveSender(timeout=1.0)
    try:
        outcome = sender(f"http://127.0.0.1:{port}/hook", EVENT, HEADERS)
    finally:
        stop.set()
        sender.close()
        listener.close()
    assert outcome.status == 200
    assert len(outcome.excerpt) == 500
