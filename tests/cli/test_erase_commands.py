"""``rapport customers export-data`` and ``rapport customers erase`` over a real database file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_command_line import _exported, attempt, environment, rapport

__all__ = ["environment"]


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
