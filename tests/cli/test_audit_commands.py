"""``rapport audit``: an export is recorded, the log is shown, and the purge keeps the policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_command_line import rapport


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "RAPPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def test_an_export_is_recorded_and_shown_in_the_log(environment: dict[str, str]) -> None:
    rapport(environment, "db", "upgrade")
    rapport(environment, "seed", "--customers", "5")
    rapport(environment, "export", "customers")
    shown = rapport(environment, "audit", "log", "--operation", "export").stdout
    assert "export" in shown and "succeeded" in shown and "system" in shown
    assert "export" not in rapport(environment, "audit", "log", "--user", "nobody").stdout


def test_the_purge_removes_nothing_within_the_policy(environment: dict[str, str]) -> None:
    rapport(environment, "db", "upgrade")
    rapport(environment, "export", "customers")
    purged = rapport(environment, "audit", "purge")
    assert "0 entries" in purged.stderr
    assert "export" in rapport(environment, "audit", "log").stdout
