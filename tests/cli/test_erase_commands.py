"""``rapport customers export-data`` and ``rapport customers erase`` over a real database file."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from tests.test_command_line import attempt, rapport


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "RAPPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def _exported(environment: dict[str, str], *options: str) -> list[dict[str, str]]:
    output = rapport(environment, "export", "customers", *options).stdout
    return list(csv.DictReader(io.StringIO(output)))


def test_a_customer_is_exported_then_erased_once(
    environment: dict[str, str], tmp_path: Path
) -> None:
    rapport(environment, "db", "upgrade")
    rapport(environment, "seed", "--customers", "5")
    first = _exported(environment)[0]
    out = tmp_path / "export.json"
    rapport(environment, "customers", "export-data", first["id"], "--out", str(out))
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["customerId"] == first["id"]
    assert document["data"]["customers"][0]["email"] == first["email"]

    unconfirmed = attempt(environment, "customers", "erase", first["id"])
    assert unconfirmed.returncode == 2
    assert "--yes" in unconfirmed.stderr
    assert first["id"] in {row["id"] for row in _exported(environment)}

    erased = rapport(environment, "customers", "erase", first["id"], "--yes")
    assert f"erased customer {first['id']}" in erased.stderr
    assert first["id"] not in {row["id"] for row in _exported(environment, "--include-archived")}
    again = attempt(environment, "customers", "erase", first["id"], "--yes")
    assert again.returncode == 2
    assert "customerId: no customer has this id (NOT_FOUND)" in again.stderr
    gone = attempt(environment, "customers", "export-data", first["id"])
    assert gone.returncode == 2
    assert "NOT_FOUND" in gone.stderr
