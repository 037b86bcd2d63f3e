"""``rapport worker`` killed mid-batch and started again sends every message exactly once,
over real SMTP on loopback; and the one-click unsubscribe works as a mail client does it.

The SMTP server, on message K, tells the test, which SIGKILLs the worker while that mail
is in flight; the server then answers 451, so it has not taken the mail. The worker is
started again; every message must arrive once by its ``Message-ID``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select, update
from starlette.testclient import TestClient

from adapters.channels.smtp import message_id_header
from adapters.persistence.messages_tables import messages
from application.campaigns.consent_bundle import Consents
from application.campaigns.templates import Templates
from application.customers.bundle import Customers
from application.customers.commands import NewCustomer
from application.principal import Principal
from bootstrap import Container, Settings, asgi_app, build_container
from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.messages import CLAIM_LEASE, Message, MessageSource, MessageStatus
from tests.channels.servers import free_port

SYSTEM = Principal.system()
MESSAGES = 300
KILL_AT = 120
"""The mail in flight when the worker is killed: mid-way through the first batch."""
DOMAIN = "rapport.example"
WAIT_SECONDS = 180


class CrashingServer:
    """Takes every mail, but holds the ``KILL_AT``-th until the test says, then answers 451."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.data_commands = 0
        self.in_flight = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self.lock:
            self.data_commands += 1
            number = self.data_commands
        if number == KILL_AT:
            self.in_flight.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            return "451 4.3.0 Try again later"
        mail = cast(
            EmailMessage,
            message_from_bytes(envelope.original_content or b"", policy=policy.default),
        )
        with self.lock:
            self.received.append(mail)
        return "250 2.0.0 Queued"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(mail["Message-ID"]) for mail in self.received]


@pytest.fixture
def smtp() -> Iterator[tuple[CrashingServer, int]]:
    handler = CrashingServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release.set()
        controller.stop()


def _environment(database: Path, smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "RAPPORT_DATABASE_URL": f"sqlite:///{database}",
        "RAPPORT_STORAGE": "sql",
        "RAPPORT_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "RAPPORT_EMAIL_FROM": f"news@{DOMAIN}",
        "RAPPORT_PUBLIC_URL": "http://testserver",
        "RAPPORT_SIGNING_KEY": "a-signing-key-for-the-crash-test",
        "RAPPORT_QUIET_HOURS": "off",
        "RAPPORT_FREQUENCY_CAPS": "off",
    }


def _rapport() -> str:
    found = shutil.which("rapport", path=str(Path(sys.executable).parent))
    assert found is not None, "the rapport command is installed with the package"
    return found


def _seed(container: Container) -> list[str]:
    """Customers who opted in, a template, and one queued campaign message to each."""
    customers = container.use(Customers)
    consents = container.use(Consents)
    template = container.use(Templates).create(
        SYSTEM,
        name="Spring sale",
        channel=Channel.EMAIL,
        subject="Spring for {{ customer.first_name }}",
        html='<p>Hello {{ customer.first_name }}, <a href="https://shop.example/">shop</a></p>',
        text="Hello {{ customer.first_name }}",
    )
    ids: list[str] = []
    now = container.platform.clock().now()
    queued = []
    for number in range(MESSAGES):
        customer = customers.create(
            SYSTEM, NewCustomer(first_name=f"Ann{number}", email=f"ann{number}@example.org")
        )
        consents.set_consent(SYSTEM, customer.id, Channel.EMAIL, ConsentStatus.OPTED_IN)
        message = Message.queue(
            id=f"spring-{number:04d}",
            customer_id=customer.id,
            channel=Channel.EMAIL,
            to=customer.email or "",
            source=MessageSource.campaign("spring"),
            template_id=template.id,
            template_version=template.version,
            marketing=True,
            at=now,
        )
        queued.append(message)
        ids.append(message.id)
    with container.module("messages").ports.unit_of_work() as uow:
        assert uow.messages.add_many(queued) == MESSAGES
        uow.commit()
    return ids


def _leases_run_out(container: Container) -> None:
    """What five minutes do to the claims of the killed worker: their leases run out."""
    engine = container.database().writer
    with engine.begin() as connection:
        claimed = connection.execute(
            select(messages.c.id, messages.c.claimed_at).where(
                messages.c.status == MessageStatus.SENDING.value
            )
        ).all()
        for row in claimed:
            at: datetime = row.claimed_at
            connection.execute(
                update(messages).where(messages.c.id == row.id).values(claimed_at=at - CLAIM_LEASE)
            )
    assert claimed, "the killed worker had messages in hand"


def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT_SECONDS} s for {what}")
        time.sleep(0.05)


def test_a_killed_worker_sends_every_message_exactly_once(
    smtp: tuple[CrashingServer, int], tmp_path: Path
) -> None:
    server, port = smtp
    database = tmp_path / "rapport.db"
    env = _environment(database, port)
    subprocess.run([_rapport(), "db", "upgrade"], env=env, check=True, capture_output=True)
    settings = Settings.from_env(env)
    container = build_container(settings)
    log = (tmp_path / "worker.log").open("wb")
    try:
        ids = _seed(container)

        worker = subprocess.Popen([_rapport(), "worker"], env=env, stderr=log)
        try:
            if not server.in_flight.wait(WAIT_SECONDS):
                pytest.fail(f"the worker never reached message {KILL_AT}")
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(30)
        finally:
            server.release.set()
            if worker.poll() is None:
                worker.kill()
        assert len(server.message_ids()) == KILL_AT - 1

        _leases_run_out(container)
        restarted = subprocess.Popen([_rapport(), "worker"], env=env, stderr=log)
        try:
            _wait_for(lambda: len(server.message_ids()) >= MESSAGES, "every message")
            # Anything more would be a message sent twice: give it the time to show.
            time.sleep(1.5)
        finally:
            restarted.send_signal(signal.SIGINT)
            try:
                restarted.wait(30)
            except subprocess.TimeoutExpired:
                restarted.kill()

        arrived = Counter(server.message_ids())
        expected = {message_id_header(message_id, DOMAIN) for message_id in ids}
        assert [header for header, times in arrived.items() if times > 1] == []
        assert set(arrived) == expected
        with container.database().reader.connect() as connection:
            statuses = Counter(connection.scalars(select(messages.c.status)))
        assert statuses == {MessageStatus.SENT.value: MESSAGES}

        _one_click_unsubscribe(container, settings, server.received[0])
    finally:
        log.close()
        container.close()


def _one_click_unsubscribe(container: Container, settings: Settings, mail: EmailMessage) -> None:
    """What a mail client does with RFC 8058 headers: POST the one-click body to the URL."""
    header = str(mail["List-Unsubscribe"])
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    url = header.strip().removeprefix("<").removesuffix(">")
    message_id = str(mail["Message-ID"])
    with TestClient(asgi_app(container, settings, relay=False)) as client:
        answer = client.post(
            urlsplit(url).path,
            content="List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 200
    with container.database().reader.connect() as connection:
        row = connection.execute(
            select(messages.c.id, messages.c.customer_id, messages.c.unsubscribed_at)
        ).all()
    unsubscribed = [r for r in row if message_id_header(r.id, DOMAIN) == message_id]
    assert len(unsubscribed) == 1
    assert unsubscribed[0].unsubscribed_at is not None
    consents = container.use(Consents).read_consents(SYSTEM, unsubscribed[0].customer_id)
    assert {c.channel: c.status for c in consents}[Channel.EMAIL] is ConsentStatus.OPTED_OUT
