"""Campaign sending against a local SMTP server, beside plain smtplib (the floor).

    python -m bench.campaigns            # 10,000 messages, then journey steps if measured
    python -m bench.campaigns --quick    # 300 messages: a smoke test
    python -m bench.campaigns --messages 50000

A local SMTP server (aiosmtpd, in a thread) takes every mail. The floor is ``smtplib``
sending N pre-rendered messages, multipart text and HTML with the List-Unsubscribe
headers, over one connection. The campaign is N customers on a fresh SQLite database, each
opted in to email, in a segment; the campaign is created, scheduled and launched as
``rapport worker`` launches it, and the dispatcher sends it: consent, suppression, caps
(set high enough not to defer) and quiet hours checked, each mail rendered from its
template with tracked links and an unsubscribe URL, each outcome committed. Both print
messages/s; the ratio of the two is the figure (goal: at least 50 %). Every mail the server
received is counted by Message-ID, so a run that sent one twice or lost one says so.

A second section, journey steps/s with 100,000 customers enrolled, comes from
``bench.journey_steps.measure`` when that module is there.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import smtplib
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from rich.table import Table

from application.campaigns.campaign_bundle import Campaigns
from application.campaigns.campaigns import NewCampaign
from application.campaigns.consent_bundle import Consents
from application.campaigns.templates import Templates
from application.messages.bundle import Messages
from application.principal import Principal
from application.segments.bundle import Segments
from application.segments.commands import NewSegment
from bench._support import (
    Results,
    console,
    python_flags,
    run_metadata,
    write_results,
)
from bootstrap import Container, Settings, build_container, migrate
from domain.campaigns.channels import Channel
from domain.campaigns.consent import ConsentStatus
from domain.custom_fields import CustomFieldSchema
from domain.customers import Customer, EmailAddress

NAME = "campaigns"
FULL = 10_000
QUICK = 300
GOAL_RATIO = 0.5
JOURNEY_CUSTOMERS = 100_000
JOURNEY_GOAL_STEPS_PER_S = 5_000
SYSTEM = Principal.system()
SENDER = "news@example.com"
HTML = (
    "<p>Hello {{ customer.first_name }},</p>"
    '<p>Our <a href="https://example.com/spring">spring range</a> is in.</p>'
    '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'
)
TEXT = "Hello {{ customer.first_name }},\n\nOur spring range is in.\n\n{{ unsubscribe_url }}"


class CountingHandler:
    """Takes every mail and counts it by Message-ID."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_message_id: dict[str, int] = {}
        self.received = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        message_id = ""
        for line in content.split(b"\r\n"):
            if not line:
                break
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
        with self.lock:
            self.received += 1
            self.by_message_id[message_id] = self.by_message_id.get(message_id, 0) + 1
        return "250 OK"

    def reset(self) -> None:
        with self.lock:
            self.by_message_id.clear()
            self.received = 0


@contextmanager
def smtp_server() -> Iterator[tuple[int, CountingHandler]]:
    handler = CountingHandler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def floor_messages(count: int) -> list[EmailMessage]:
    """What the campaign sends, rendered beforehand: text and HTML, unsubscribe headers."""
    mails = []
    for number in range(count):
        mail = EmailMessage()
        mail["From"] = SENDER
        mail["To"] = f"customer{number}@example.org"
        mail["Subject"] = f"Spring is here, Customer {number}"
        mail["Message-ID"] = make_msgid(domain="example.com")
        url = f"https://crm.example.com/unsubscribe/{number:032d}"
        mail["List-Unsubscribe"] = f"<{url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail.set_content(f"Hello Customer {number},\n\nOur spring range is in.\n\n{url}")
        mail.add_alternative(
            f"<p>Hello Customer {number},</p><p>Our <a href='https://example.com/spring'>"
            f"spring range</a> is in.</p><p><a href='{url}'>Unsubscribe</a></p>",
            subtype="html",
        )
        mails.append(mail)
    return mails


def measure_floor(port: int, handler: CountingHandler, count: int) -> float:
    """Seconds plain smtplib takes to send ``count`` pre-rendered mails over one connection."""
    mails = floor_messages(count)
    handler.reset()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for mail in mails:
            connection.send_message(mail)
    elapsed = time.perf_counter() - started
    if handler.received != count:
        raise SystemExit(f"the floor sent {count:,} mails, the server took {handler.received:,}")
    return elapsed


def seed_audience(container: Container, count: int) -> str:
    """``count`` customers opted in to email, the segment of them, and the campaign's
    template; returns the campaign's id."""
    at = container.platform.clock().now()
    people = [
        Customer.register(
            id=f"cust-{number:07d}",
            first_name=f"Customer{number}",
            last_name="Bench",
            email=EmailAddress.parse(f"customer{number}@example.org"),
            phone=None,
            custom_fields={},
            schema=CustomFieldSchema(()),
            owner_id="bench",
            at=at,
            by="bench",
        )
        for number in range(count)
    ]
    for start in range(0, count, 5_000):
        with container.storage.unit_of_work() as uow:
            uow.customers.add_many(people[start : start + 5_000])
            uow.commit()
    consents = container.use(Consents)
    for person in people:
        consents.set_consent(SYSTEM, person.id, Channel.EMAIL, ConsentStatus.OPTED_IN, "bench")
    segment = container.use(Segments).create(
        SYSTEM, NewSegment("Bench audience", 'last_name = "Bench"')
    )
    template = container.use(Templates).create(
        SYSTEM,
        name="Spring",
        channel=Channel.EMAIL,
        subject="Spring is here, {{ customer.first_name }}",
        html=HTML,
        text=TEXT,
    )
    campaign = container.use(Campaigns).create(
        SYSTEM, NewCampaign(name="Spring", segment_id=segment.id, template_id=template.id)
    )
    return campaign.id


def dispatcher_of(container: Container) -> Callable[[], int]:
    """One round of the outbox's dispatcher: how many messages it handled."""
    dispatch = container.use(Messages).dispatch
    return lambda: int(dispatch.run_once().claimed)


@contextmanager
def sending_container(environment: dict[str, str]) -> Iterator[Container]:
    """A container over a fresh, migrated SQLite file, sending mail as ``environment`` says."""
    with tempfile.TemporaryDirectory(prefix="rapport-bench-campaigns-") as directory:
        database = Path(directory) / "bench.db"
        settings = Settings.from_env(
            {"RAPPORT_DATABASE_URL": f"sqlite:///{database}", **environment}
        )
        container = build_container(settings)
        migrate(container, settings)
        try:
            yield container
        finally:
            container.close()


def measure_campaign(port: int, handler: CountingHandler, count: int) -> dict[str, float]:
    environment = {
        "RAPPORT_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "RAPPORT_EMAIL_FROM": SENDER,
        "RAPPORT_PUBLIC_URL": "https://crm.example.com",
        "RAPPORT_SIGNING_KEY": "bench-signing-key-bench-signing-key",
        # Checked for every message, high enough never to hold one back.
        "RAPPORT_FREQUENCY_CAPS": "email:1000/7d",
        "RAPPORT_QUIET_HOURS": "off",
    }
    with sending_container(environment) as container:
        campaign = seed_audience(container, count)
        dispatch = dispatcher_of(container)
        handler.reset()
        started = time.perf_counter()
        campaigns = container.use(Campaigns)
        campaigns.schedule(SYSTEM, campaign, None)
        queued = campaigns.launch(SYSTEM, campaign)
        launched = time.perf_counter()
        while dispatch():
            pass
        finished = time.perf_counter()
    if queued != count or handler.received != count:
        raise SystemExit(f"{count:,} customers: {queued:,} queued, {handler.received:,} received")
    twice = sum(1 for seen in handler.by_message_id.values() if seen > 1)
    if twice or len(handler.by_message_id) != count:
        raise SystemExit(f"{twice} mails arrived twice; {len(handler.by_message_id):,} distinct")
    return {"launch_seconds": launched - started, "dispatch_seconds": finished - launched}


def journey_section() -> dict[str, float] | None:
    """``bench.journey_steps.measure`` (the journeys' bench), when it is there."""
    if importlib.util.find_spec("bench.journey_steps") is None:
        return None
    module: Any = importlib.import_module("bench.journey_steps")
    measured: dict[str, float] = module.measure(customers=JOURNEY_CUSTOMERS)
    return measured


def show(results: Results) -> None:
    table = Table(title=f"Sending {results['n']:,} mails to a local SMTP server")
    for heading in ("sender", "seconds", "messages/s", "ratio to floor"):
        table.add_column(heading, justify="left" if heading == "sender" else "right")
    table.add_row(
        "smtplib, pre-rendered, one connection (floor)",
        f"{results['floor_seconds']:.2f}",
        f"{results['floor_messages_per_s']:,.0f}",
        "1.00",
    )
    table.add_row(
        "campaign: launch + dispatcher (consent, caps, rendering, tracking)",
        f"{results['campaign_seconds']:.2f}",
        f"{results['campaign_messages_per_s']:,.0f}",
        f"{results['campaign_ratio_to_floor']:.2f}",
    )
    table.add_row(
        "  of which the dispatcher alone",
        f"{results['dispatch_seconds']:.2f}",
        f"{results['dispatch_messages_per_s']:,.0f}",
        f"{results['dispatch_ratio_to_floor']:.2f}",
    )
    console.print(table)
    goal = "met" if results["campaign_ratio_to_floor"] >= GOAL_RATIO else "NOT met"  # type: ignore[operator]
    console.print(f"goal: a campaign at {GOAL_RATIO:.0%} of the floor or better: {goal}")
    if "journey_steps_per_s" in results:
        journeys = Table(title=f"Journey steps with {JOURNEY_CUSTOMERS:,} customers enrolled")
        for heading in ("measure", "steps/s", "ratio to goal"):
            journeys.add_column(heading, justify="left" if heading == "measure" else "right")
        journeys.add_row(
            "batch timers on SQLite",
            f"{results['journey_steps_per_s']:,.0f}",
            f"{results['journey_ratio_to_goal']:.2f}",
        )
        journeys.add_row(f"goal ({JOURNEY_GOAL_STEPS_PER_S:,} steps/s)", "", "1.00")
        console.print(journeys)
    else:
        console.print("journey steps/s: bench.journey_steps is not there; section left out")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.campaigns", description=__doc__)
    parser.add_argument("--messages", type=int, default=FULL, help=f"default {FULL:,}")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK} messages, no journeys")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> Results:
    args = parse_args(argv)
    count: int = QUICK if args.quick else args.messages
    results: Results = {**run_metadata(n=count, quick=args.quick or count < FULL)}
    results["baseline"] = "smtplib over one connection"
    if flags := python_flags():
        console.print(f"[yellow]Python runs with {flags}: figures will be slower.")
    with smtp_server() as (port, handler):
        floor = measure_floor(port, handler, count)
        campaign = measure_campaign(port, handler, count)
    total = campaign["launch_seconds"] + campaign["dispatch_seconds"]
    results.update(
        {
            "floor_seconds": round(floor, 3),
            "floor_messages_per_s": round(count / floor, 1),
            "launch_seconds": round(campaign["launch_seconds"], 3),
            "dispatch_seconds": round(campaign["dispatch_seconds"], 3),
            "campaign_seconds": round(total, 3),
            "campaign_messages_per_s": round(count / total, 1),
            "campaign_ratio_to_floor": round(floor / total, 3),
            "dispatch_messages_per_s": round(count / campaign["dispatch_seconds"], 1),
            "dispatch_ratio_to_floor": round(floor / campaign["dispatch_seconds"], 3),
            "goal_ratio_to_floor": GOAL_RATIO,
        }
    )
    if not args.quick and (journeys := journey_section()) is not None:
        steps = journeys["steps_per_s"]
        results["journey_customers"] = JOURNEY_CUSTOMERS
        results["journey_steps_per_s"] = round(steps, 1)
        results["journey_ratio_to_goal"] = round(steps / JOURNEY_GOAL_STEPS_PER_S, 3)
        results["journey_goal_steps_per_s"] = JOURNEY_GOAL_STEPS_PER_S
    show(results)
    if not args.quick:
        console.print(f"results: {write_results(NAME, results)}")
    return results


if __name__ == "__main__":
    main()
