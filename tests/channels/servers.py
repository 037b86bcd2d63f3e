"""The far sides of the channels, on loopback: an SMTP server (aiosmtpd), an SMS gateway
and a webhook receiver (http.server), each able to refuse an address or fail for a while."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from attrs import define, field
from standardwebhooks import Webhook


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@define
class ReceivedMail:
    envelope_from: str
    recipients: list[str]
    mail: EmailMessage

    @property
    def text(self) -> str:
        body = self.mail.get_body(("plain",))
        assert body is not None
        content = cast(EmailMessage, body).get_content()
        # Read as a mail client shows it: line ends as newlines, and without the newline
        # the writer ends a text part with.
        return str(content).replace("\r\n", "\n").removesuffix("\n")

    @property
    def html(self) -> str | None:
        body = self.mail.get_body(("html",))
        if body is None:
            return None
        return str(cast(EmailMessage, body).get_content()).replace("\r\n", "\n")


@define
class SmtpServer:
    """An SMTP server in a thread; it refuses, defers or hangs up when told to."""

    port: int = field(factory=free_port)
    mails: list[ReceivedMail] = field(factory=list)
    refused: set[str] = field(factory=set)
    """RCPT TO these addresses is answered 550."""
    deferrals: int = 0
    """The next this many RCPT TO are answered 451."""
    drop_after: int | None = None
    """After this many mails, the next DATA closes the connection with no answer."""
    connections: int = 0
    lock: threading.Lock = field(factory=threading.Lock)

    # aiosmtpd's handler hooks.
    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            if address in self.refused:
                return "550 5.1.1 No such user here"
            if self.deferrals > 0:
                self.deferrals -= 1
                return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self.lock:
            if self.drop_after is not None and len(self.mails) >= self.drop_after:
                assert server.transport is not None
                server.transport.close()
                return "421 4.3.2 Going away"
            content = envelope.original_content or b""
            mail = cast(EmailMessage, message_from_bytes(content, policy=policy.default))
            self.mails.append(ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), mail))
        return "250 2.0.0 Queued"

    def count_connection(self) -> None:
        with self.lock:
            self.connections += 1


@contextmanager
def smtp_server(*, smtputf8: bool = True) -> Iterator[SmtpServer]:
    server = SmtpServer()

    class CountingSMTP(SMTP):
        def connection_made(self, transport: Any) -> None:
            server.count_connection()
            super().connection_made(transport)

    class CountingController(Controller):
        def factory(self) -> SMTP:
            return CountingSMTP(self.handler, **self.SMTP_kwargs)

    controller = CountingController(
        server, hostname="127.0.0.1", port=server.port, enable_SMTPUTF8=smtputf8
    )
    controller.start()
    # Starting connects once to check the server is up; that one is not the sender's.
    with server.lock:
        server.connections = 0
    try:
        yield server
    finally:
        controller.stop()


@define
class HttpReceiver:
    """Records each POST; answers with what ``answer`` says for its JSON body."""

    url: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(factory=list)
    clients: set[tuple[str, int]] = field(factory=set)
    """Client address and port of every request: one per connection used."""
    lock: threading.Lock = field(factory=threading.Lock)


Answer = Callable[[dict[str, str], bytes], tuple[int, bytes]]


@contextmanager
def http_receiver(answer: Answer, path: str = "/messages") -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.requests.append((headers, body))
                receiver.clients.add(self.client_address[:2])
            status, reply = answer(headers, body)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@define
class Steering:
    """What a fake far side refuses, and how many requests it fails before it works."""

    refused: set[str] = field(factory=set)
    failures: int = 0
    lock: threading.Lock = field(factory=threading.Lock)

    def refuse(self, address: str) -> None:
        with self.lock:
            self.refused.add(address)

    def fail_next(self, count: int) -> None:
        with self.lock:
            self.failures = count

    def verdict(self, address: str) -> int | None:
        """503 while failing, 400 for a refused address, else None."""
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                return 503
            return 400 if address in self.refused else None


@define
class SmsGateway:
    """An SMS gateway: JSON in, ``{"id": …}`` out, 201 when it takes a message."""

    steering: Steering = field(factory=Steering)
    messages: list[dict[str, Any]] = field(factory=list)
    receiver: HttpReceiver | None = None

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        payload = json.loads(body)
        refusal = self.steering.verdict(payload.get("to", ""))
        if refusal is not None:
            return refusal, b'{"error": "refused"}'
        with self.steering.lock:
            self.messages.append(payload)
            number = len(self.messages)
        return 201, json.dumps({"id": f"gw-{number}", "status": "queued"}).encode()


@contextmanager
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()
    with http_receiver(gateway.answer, "/sms/send?format=json") as receiver:
        gateway.receiver = receiver
        yield gateway


@define
class WebhookReceiver:
    """A partner endpoint that verifies each signature with the standardwebhooks library."""

    secret: str
    steering: Steering = field(factory=Steering)
    messages: list[dict[str, Any]] = field(factory=list)
    headers: list[dict[str, str]] = field(factory=list)
    unverified: int = 0
    receiver: HttpReceiver | None = None

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except Exception:
            with self.steering.lock:
                self.unverified += 1
            return 401, b"{}"
        refusal = self.steering.verdict(payload.get("to", ""))
        if refusal is not None:
            return 422 if refusal == 400 else refusal, b"{}"
        with self.steering.lock:
            self.messages.append(payload)
            self.headers.append(headers)
        return 204, b""


@contextmanager
def webhook_receiver(secret: str) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(secret)
    with http_receiver(receiver.answer, "/in-app") as http:
        receiver.receiver = http
        yield receiver
