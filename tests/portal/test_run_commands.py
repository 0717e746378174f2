"""What a newcomer sees of `make run` on the embedded default: seed_demo leaves nothing queued for the next
worker, the broker connects promptly and silently, and the summary names the address, logins, database and
broker. Each runs in its own process on a fresh var/ folder, as `make run` does."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from portal.management.commands.seed_demo import DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]


def _run(var: Path, *command: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**base, "DEBUG": "1", "OKRSEK_IGNORE_DOTENV": "1", "OKRSEK_VAR_DIR": str(var), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_seed_demo_sends_its_emails_itself_and_leaves_nothing_queued(tmp_path):
    assert _run(tmp_path, "manage.py", "migrate", "-v", "0").returncode == 0
    seeded = _run(tmp_path, "manage.py", "seed_demo")
    assert seeded.returncode == 0, seeded.stderr
    assert list((tmp_path / "celery" / "queue").iterdir()) == []  # nothing for whichever worker starts next
    with sqlite3.connect(tmp_path / "okrsek.sqlite3") as db:
        statuses = dict(db.execute("SELECT status, count(*) FROM portal_notification GROUP BY status"))
    assert (
        statuses.keys() == {"sent"} and statuses["sent"] > 10
    )  # the demo's emails did go through the outbox
    assert "Subject:" not in seeded.stdout + seeded.stderr  # …into memory, not onto the terminal
    assert "succeeded in" not in seeded.stderr  # no log line per email either
    assert "officer@demo.okrsek.cz" in seeded.stdout
    assert "officer@demo.okrsek.cz" not in _run(tmp_path, "manage.py", "seed_demo", "-v", "0").stdout


def test_the_embedded_broker_connects_without_a_warning_and_looks_for_tasks_every_tenth_of_a_second(tmp_path):
    code = (
        "import django; django.setup(); from portal.celery import app\n"
        "with app.connection_for_write() as c:\n"
        "    c.connect(); print(c.as_uri(), c.transport.polling_interval)"
    )
    result = _run(tmp_path, "-c", code, DJANGO_SETTINGS_MODULE="portal.settings")
    assert result.returncode == 0, result.stderr
    uri, interval = result.stdout.split()
    assert uri.startswith("filesystem://") and float(interval) <= 0.2
    assert result.stderr == ""  # kombu said "No hostname was supplied. Reverting to default 'localhost'"


def test_make_run_prints_one_screen_with_address_logins_database_and_broker(tmp_path):
    result = _run(tmp_path, "scripts/run-summary.py", HOST="127.0.0.1", PORT="8123")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= 20
    assert "http://127.0.0.1:8123/" in lines[1]
    assert any(line.startswith(" database  SpatiaLite file ") for line in lines)
    assert any(line.startswith(" broker    folder ") for line in lines)
    assert "okrsek-demo" in result.stdout
    for email, *_rest in DEMO_USERS:
        assert email in result.stdout
    assert "admin@demo.okrsek.cz" in result.stdout
