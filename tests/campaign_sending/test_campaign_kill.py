"""``rapport worker`` killed with SIGKILL while a campaign is being sent: restarted, it
sends every message exactly once, by Message-ID, none twice and none missing.

The SMTP server on loopback signals the test when it is handed message K and holds its
answer; the test kills the worker with that message in flight, and only then does the
server answer 451, so it has not taken the mail. The restarted worker takes up what the
dead one had claimed once their lease has run out: the test moves those claims back in
time rather than waiting the lease's five minutes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select, update

from adapters.persistence.messages_tables import messages
from application.campaigns.campaign_bundle import Campaigns
from application.campaigns.campaigns import NewCampaign
from application.campaigns.consent_bundle import Consents
from application.campaigns.templates import Templates
from application.principal import Principal
from application.segments.bundle import Segments
from application.segments.commands import NewSegment
from bootstrap import Settings, build_container, migrate
from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.messages import CLAIM_LEASE
from tests.contracts.customers import new_customer
from tests.test_command_line import free_port

ROOT = Path(__file__).resolve().parents[2]
SYSTEM = Principal.system()
CUSTOMERS = 240
KILL_AT = 90
"""The server holds its answer to this message (counted from 1) until the kill."""


class KillingServer:
    """Accepts mail, counting each by Message-ID; holds the K-th until told to answer."""

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.handed = 0
        self.accepted: list[str] = []
        self.reached = threading.Event()
        self.killed = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        mail = message_from_bytes(envelope.original_content or b"")
        with self.lock:
            self.handed += 1
            hold = self.handed == self.kill_at
        if hold:
            self.reached.set()
            self.killed.wait(timeout=60)
            return "451 4.3.0 try again later"
        with self.lock:
            self.accepted.append(str(mail["Message-ID"]))
        return "250 OK"


@contextmanager
def serving(handler: KillingServer) -> Iterator[int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        handler.killed.set()
        controller.stop()


def _environment(database: Path, port: int) -> dict[str, str]:
    return {
        "RAPPORT_DATABASE_URL": f"sqlite:///{database}",
        "RAPPORT_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "RAPPORT_EMAIL_FROM": "news@example.com",
        "RAPPORT_PUBLIC_URL": "https://crm.example.com",
        "RAPPORT_SIGNING_KEY": "a-signing-key-for-the-kill-test",
        "RAPPORT_FREQUENCY_CAPS": "off",
        "RAPPORT_QUIET_HOURS": "off",
        "RAPPORT_EVENT_STREAM": "none",
    }


def _queue_campaign(environment: dict[str, str]) -> int:
    """Customers opted in, their segment, a template, and the campaign launched: its
    messages wait in the outbox for the worker. Returns how many were queued."""
    settings = Settings.from_env(environment)
    container = build_container(settings)
    migrate(container, settings)
    try:
        people = [
            new_customer(first="Reader", email=f"reader{n}@example.org") for n in range(CUSTOMERS)
        ]
        with container.storage.unit_of_work() as uow:
            uow.customers.add_many(people)
            uow.commit()
        consents = container.use(Consents)
        for person in people:
            consents.set_consent(SYSTEM, person.id, Channel.EMAIL, ConsentStatus.OPTED_IN, "form")
        segment = container.use(Segments).create(
            SYSTEM, NewSegment("Readers", 'first_name = "Reader"')
        )
        template = container.use(Templates).create(
            SYSTEM,
            name="Issue 1",
            channel=Channel.EMAIL,
            subject="Issue 1 for {{ customer.first_name }}",
            html='<p>Read <a href="https://example.com/issue-1">issue 1</a>.</p>',
            text="Read https://example.com/issue-1\n\n{{ unsubscribe_url }}",
        )
        campaigns = container.use(Campaigns)
        campaign = campaigns.create(
            SYSTEM, NewCampaign(name="Issue 1", segment_id=segment.id, template_id=template.id)
        )
        campaigns.schedule(SYSTEM, campaign.id, None)
        return campaigns.launch(SYSTEM, campaign.id)
    finally:
        container.close()


def _start_worker(environment: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from bootstrap import main; main()", "worker"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _lease_runs_out(environment: dict[str, str]) -> None:
    """What five minutes would do: the dead worker's claims grow old enough to retake."""
    settings = Settings.from_env(environment)
    container = build_container(settings)
    try:
        writer = container.database().writer
        with writer.begin() as connection:
            claims = connection.execute(
                select(messages.c.id, messages.c.claimed_at).where(
                    messages.c.claimed_at.is_not(None)
                )
            ).all()
            for message_id, claimed_at in claims:
                connection.execute(
                    update(messages)
                    .where(messages.c.id == message_id)
                    .values(claimed_at=claimed_at - CLAIM_LEASE * 2)
                )
    finally:
        container.close()


@pytest.mark.slow
def test_a_worker_killed_mid_campaign_sends_every_message_once_after_a_restart(
    tmp_path: Path,
) -> None:
    handler = KillingServer(KILL_AT)
    with serving(handler) as port:
        environment = _environment(tmp_path / "campaign.db", port)
        assert _queue_campaign(environment) == CUSTOMERS
        worker = _start_worker(environment)
        try:
            assert handler.reached.wait(timeout=120), "the worker never reached message K"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        handler.killed.set()
        before = list(handler.accepted)
        assert len(before) == KILL_AT - 1
        _lease_runs_out(environment)
        worker = _start_worker(environment)
        try:
            assert _wait_for(lambda: len(handler.accepted) >= CUSTOMERS, 180), (
                f"only {len(handler.accepted)} of {CUSTOMERS} arrived after the restart"
            )
            time.sleep(1)  # long enough for a double send to show
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    assert len(handler.accepted) == CUSTOMERS
    assert len(set(handler.accepted)) == CUSTOMERS
    assert handler.handed == CUSTOMERS + 1  # message K twice: refused once, then taken
