"""The file and console outbox: the embedded default for every channel."""

from __future__ import annotations

import io
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

from adapters.channels.outbox_file import OutboxFileSender
from domain.campaigns.channels import Channel, SendStatus
from tests.contracts.channels import message

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_each_channel_appends_to_its_own_file(tmp_path: Path) -> None:
    directory = tmp_path / "not" / "there" / "yet"
    email = OutboxFileSender(Channel.EMAIL, directory, now=lambda: AT)
    sms = OutboxFileSender(Channel.SMS, directory, now=lambda: AT)
    email.send([message(Channel.EMAIL, 1)])
    email.send([message(Channel.EMAIL, 2)])
    sms.send([message(Channel.SMS, 3, text="€" * 81)])
    assert email.path == directory / "email.jsonl"
    assert [line["id"] for line in _lines(directory / "email.jsonl")] == ["msg-0001", "msg-0002"]
    (texted,) = _lines(directory / "sms.jsonl")
    assert texted["sms"] == {"encoding": "GSM-7", "parts": 2}
    assert texted["written_at"] == "2026-03-02T09:30:00+00:00"
    assert texted["metadata"] == {"campaign_id": "campaign-1"}


def test_the_outbox_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    sender = OutboxFileSender(Channel.EMAIL, tmp_path)
    sender.send([message(Channel.EMAIL, 1)])
    assert stat.S_IMODE((tmp_path / "email.jsonl").stat().st_mode) == 0o600


def test_the_console_gets_one_line_per_message() -> None:
    console = io.StringIO()
    sender = OutboxFileSender(Channel.WEBHOOK, console=console)
    sender.send([message(Channel.WEBHOOK, 1), message(Channel.WEBHOOK, 2)])
    assert sender.path is None
    assert [json.loads(line)["to"] for line in console.getvalue().splitlines()] == [
        "customer-1",
        "customer-2",
    ]


def test_an_outbox_that_cannot_be_written_retries(tmp_path: Path) -> None:
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the directory should be")
    sender = OutboxFileSender(Channel.EMAIL, blocked)
    outcomes = sender.send(
        [message(Channel.EMAIL, 1), message(Channel.EMAIL, 2, unsubscribe_url=None)]
    )
    assert [o.status for o in outcomes] == [SendStatus.RETRY, SendStatus.REJECTED]
    assert "cannot write the outbox" in outcomes[0].detail
