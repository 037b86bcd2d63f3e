"""The embedded default channel: each message one JSON line in a file, or on the console.

Nothing leaves the machine, so ``rapport serve`` and the worker run with no mail server,
SMS gateway or webhook receiver, and what would have been sent can be read back.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from adapters.channels.outcomes import parts_of, refusal, refused
from domain.campaigns.channels import Channel, OutboundMessage, SendOutcome, SendStatus
from domain.campaigns.sms import sms_parts

CONSOLE = "-"
"""``RAPPORT_OUTBOX_DIR=-``: print each message to standard output instead of a file."""


def outbox_line(message: OutboundMessage, at: datetime) -> str:
    """One message as a JSON line (no newline), with when it was written."""
    record: dict[str, object] = {
        "written_at": at.astimezone(UTC).isoformat(),
        "id": message.id,
        "channel": message.channel.value,
        "customer_id": message.customer_id,
        "to": message.to,
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "marketing": message.marketing,
        "unsubscribe_url": message.unsubscribe_url,
        "metadata": dict(message.metadata),
    }
    if message.channel is Channel.SMS:
        counted = sms_parts(message.text)
        record["sms"] = {"encoding": counted.encoding, "parts": counted.parts}
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class OutboxFileSender:
    """Appends each message of one channel to ``<directory>/<channel>.jsonl``.

    Each line is written with one ``write`` on a file opened for appending, so lines from
    several processes do not interleave; the file is flushed to disk once per batch.
    """

    def __init__(
        self,
        channel: Channel,
        directory: Path | None = None,
        *,
        console: TextIO | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if directory is None and console is None:
            console = sys.stdout
        self._channel = channel
        self._directory = directory
        self._console = console
        self._now = now
        self._lock = threading.Lock()

    @property
    def channel(self) -> Channel:
        return self._channel

    @property
    def path(self) -> Path | None:
        """The file written to, or None when printing to the console."""
        if self._directory is None:
            return None
        return self._directory / f"{self._channel.value}.jsonl"

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendOutcome]:
        outcomes: list[SendOutcome] = []
        lines: list[tuple[OutboundMessage, str]] = []
        for message in messages:
            reason = refusal(message, self._channel)
            if reason:
                outcomes.append(refused(message, reason))
            else:
                lines.append((message, outbox_line(message, self._now())))
                outcomes.append(
                    SendOutcome(
                        message_id=message.id,
                        status=SendStatus.ACCEPTED,
                        provider_id=message.id,
                        parts=parts_of(message),
                    )
                )
        if not lines:
            return outcomes
        try:
            self._write([line for _, line in lines])
        except OSError as error:
            return [
                SendOutcome(
                    message_id=outcome.message_id,
                    status=SendStatus.RETRY,
                    detail=f"cannot write the outbox: {error}",
                    parts=outcome.parts,
                )
                if outcome.accepted
                else outcome
                for outcome in outcomes
            ]
        return outcomes

    def close(self) -> None:
        """Nothing stays open between batches."""

    def _write(self, lines: list[str]) -> None:
        with self._lock:
            path = self.path
            if path is None:
                assert self._console is not None
                for line in lines:
                    self._console.write(line + "\n")
                self._console.flush()
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                for line in lines:
                    os.write(descriptor, (line + "\n").encode())
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
