"""``rapport worker`` killed with SIGKILL in the middle of a journey: restarted, every
customer gets every step's mail exactly once, none twice and none skipped.

The journey sends a mail, waits three seconds, sends a second, waits, sends a third. The
SMTP server on loopback holds its answer to mail K, one of the second step's; the test
kills the worker then, and only after the kill does the server answer 451, so it has not
taken that mail. The step runner may be killed inside a batch as well. Before the restart
the test ages the dead worker's claims (messages and timers) past their lease, as waiting
the lease's minutes would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select, update

from adapters.persistence.messages_tables import messages
from adapters.persistence.tables import timers
from application.campaigns.consent_bundle import Consents
from application.campaigns.templates import Templates
from application.journeys.bundle import Journeys
from application.journeys.commands import JourneyDefinition
from application.principal import Principal
from bootstrap import Settings, build_container, migrate
from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.campaigns.journeys import JourneyVersion, SendStep, Trigger, WaitStep
from domain.campaigns.messages import CLAIM_LEASE
from tests.contracts.customers import new_customer
from tests.test_command_line import free_port

ROOT = Path(__file__).resolve().parents[2]
SYSTEM = Principal.system()
CUSTOMERS = 60
STEPS = ("First", "Second", "Third")
KILL_AT = 75
"""The server holds its answer to this mail (counted from 1): one of the second step's."""
PAUSE = timedelta(seconds=3)


class HoldingServer:
    """Accepts mail, keeping each one's Message-ID, recipient and subject; holds the K-th
    until the test has killed the worker."""

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.handed = 0
        self.accepted: list[tuple[str, str, str]] = []
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
            self.accepted.append(
                (str(mail["Message-ID"]), envelope.rcpt_tos[0], str(mail["Subject"]).split()[0])
            )
        return "250 OK"


@contextmanager
def serving(handler: HoldingServer) -> Iterator[int]:
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
        "RAPPORT_SIGNING_KEY": "a-signing-key-for-the-journey-kill-test",
        "RAPPORT_FREQUENCY_CAPS": "off",
        "RAPPORT_QUIET_HOURS": "off",
        "RAPPORT_EVENT_STREAM": "none",
    }


def _enrol(environment: dict[str, str]) -> int:
    """Customers opted in, three templates, the journey live and everyone enrolled: the
    first steps wait for the worker. How many entered."""
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
        first, second, third = (
            container.use(Templates)
            .create(
                SYSTEM,
                name=word,
                channel=Channel.EMAIL,
                subject=f"{word} for {{{{ customer.first_name }}}}",
                text=f"{word}.\n\n{{{{ unsubscribe_url }}}}",
            )
            .id
            for word in STEPS
        )
        journeys = container.use(Journeys)
        journey = journeys.create(
            SYSTEM,
            JourneyDefinition(
                name="Three mails",
                version=JourneyVersion(
                    trigger=Trigger.event_tracked("signed_up"),
                    entry_step_id="first",
                    steps=(
                        SendStep(id="first", template_id=first, next="pause-1"),
                        WaitStep.for_duration("pause-1", PAUSE, next="second"),
                        SendStep(id="second", template_id=second, next="pause-2"),
                        WaitStep.for_duration("pause-2", PAUSE, next="third"),
                        SendStep(id="third", template_id=third),
                    ),
                ),
            ),
        )
        journeys.activate(SYSTEM, journey.id)
        with journeys.engine.uow() as uow:
            live = uow.journeys.get(journey.id)
            assert live is not None
            entered = len(journeys.engine.enter(uow, live, [p.id for p in people]))
            uow.commit()
        return entered
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


def _leases_run_out(environment: dict[str, str]) -> None:
    """What the leases' minutes would do: the dead worker's claims of messages and of
    timers grow old enough to be taken again."""
    settings = Settings.from_env(environment)
    container = build_container(settings)
    try:
        with container.database().writer.begin() as connection:
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
            connection.execute(
                update(timers).where(timers.c.claimed_until.is_not(None)).values(claimed_until=None)
            )
    finally:
        container.close()


@pytest.mark.slow
def test_a_worker_killed_mid_journey_sends_each_step_once_after_a_restart(
    tmp_path: Path,
) -> None:
    handler = HoldingServer(KILL_AT)
    expected = CUSTOMERS * len(STEPS)
    with serving(handler) as port:
        environment = _environment(tmp_path / "journey.db", port)
        assert _enrol(environment) == CUSTOMERS
        worker = _start_worker(environment)
        try:
            assert handler.reached.wait(timeout=120), "the worker never reached mail K"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        handler.killed.set()
        with handler.lock:
            before = list(handler.accepted)
        assert len(before) == KILL_AT - 1
        assert {subject for _, _, subject in before} == {"First", "Second"}
        _leases_run_out(environment)
        worker = _start_worker(environment)
        try:
            assert _wait_for(lambda: len(handler.accepted) >= expected, 180), (
                f"only {len(handler.accepted)} of {expected} arrived after the restart"
            )
            time.sleep(1)  # long enough for a double send to show
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    accepted = handler.accepted
    assert len(accepted) == expected
    assert len({message_id for message_id, _, _ in accepted}) == expected
    per_reader = Counter((to, subject) for _, to, subject in accepted)
    assert set(per_reader.values()) == {1}
    assert {to for to, _ in per_reader} == {f"reader{n}@example.org" for n in range(CUSTOMERS)}
    assert Counter(subject for _, subject in per_reader) == dict.fromkeys(STEPS, CUSTOMERS)
    assert handler.handed == expected + 1  # mail K twice: refused once, then taken
