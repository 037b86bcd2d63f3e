"""A relay killed with SIGKILL mid-delivery loses nothing once it is started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.persistence.database import Database
from tests.delivery.conftest import SECRET, subscribe, write_events
from tests.delivery.partner import Partner, serving

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 10_000


def _start_worker(database_path: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RAPPORT_PROFILE": "embedded",
        "RAPPORT_DATABASE_URL": f"sqlite:///{database_path}",
        "RAPPORT_EVENT_STREAM": "none",
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from bootstrap import main; main()", "worker"],
        cwd=ROOT,
        env=environment,
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


@pytest.mark.slow
def test_killed_relay_resumes_and_delivers_every_event(
    sqlite_database: Database, tmp_path: Path
) -> None:
    partner = Partner(SECRET)
    database_path = Path(str(sqlite_database.writer.url.database))
    with serving(partner) as url:
        subscribe(sqlite_database.writer, url)
        write_events(sqlite_database.writer, aggregates=100, per_aggregate=EVENTS // 100)
        sqlite_database.dispose()

        worker = _start_worker(database_path)
        try:
            assert _wait_for(lambda: len(partner.events) >= EVENTS // 4, 120), (
                "the first worker delivered too little"
            )
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        delivered_before_kill = len(partner.events)

        worker = _start_worker(database_path)
        try:
            _wait_for(lambda: len({event["id"] for event in partner.events}) >= EVENTS, 300)
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    ids = {event["id"] for event in partner.events}
    assert delivered_before_kill < EVENTS
    assert len(ids) == EVENTS
    assert partner.rejected == 0
