"""How long 100 outbox emails take to leave on the embedded default (filesystem broker, SpatiaLite).

    DEBUG=1 OKRSEK_VAR_DIR=/tmp/outbox .venv/bin/python manage.py migrate -v 0
    DEBUG=1 OKRSEK_VAR_DIR=/tmp/outbox .venv/bin/python bench/outbox.py [--emails 100] [--interval 1 0.1]

For each broker polling interval given (``BROKER_POLLING_INTERVAL``, see portal/settings.py) it starts the
Procfile's Celery worker (concurrency 2) with that interval, waits until it sends a first email, then puts
``--emails`` emails into the outbox in one transaction (as a message to a workshop's registrants does: rows,
then one task each after commit) and times until the last one is marked sent, polling the database. It also
reads the idle worker's CPU time over 10 s. Emails go to Django's dummy backend. Prints a Markdown table.
The worker is stopped at the end of each round; nothing leaves this machine.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["EMAIL_URL"] = "dummymail://"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from portal.models import Notification  # noqa: E402
from portal.services import notification_queue_rendered  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def queue(kind: str, count: int) -> list[int]:
    with transaction.atomic():
        rows = [
            notification_queue_rendered(
                kind=kind,
                to_email=f"participant{i}@example.org",
                subject="Workshop 1: the programme",
                body_text="Dear participant, the programme of the workshop is attached.",
                language="cs",
            )
            for i in range(count)
        ]
    return [row.pk for row in rows]


def wait_sent(ids: list[int], timeout: float) -> tuple[float, float]:
    """Seconds until the first and until the last of ``ids`` is sent."""
    started, first = time.perf_counter(), None
    while time.perf_counter() - started < timeout:
        sent = Notification.objects.filter(pk__in=ids, status=Notification.Status.SENT).count()
        if sent and first is None:
            first = time.perf_counter() - started
        if sent == len(ids):
            return first, time.perf_counter() - started
        time.sleep(0.02)
    raise TimeoutError(f"{sent} of {len(ids)} sent after {timeout} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that have been waited for (the pool's processes
    are counted through their own /proc entries)."""
    total = 0.0
    pids = [pid] + [int(p) for p in (Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def round_trip(interval: float, emails: int) -> dict:
    env = {**os.environ, "BROKER_POLLING_INTERVAL": str(interval), "PYTHONDONTWRITEBYTECODE": "1"}
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "portal", "worker", "--concurrency=2", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_sent(queue("bench_warmup", 1), timeout=120)  # the worker is up and consuming
        first, last = wait_sent(queue("bench_outbox", emails), timeout=600)
        before = cpu_seconds(worker.pid)
        time.sleep(10)
        idle = cpu_seconds(worker.pid) - before
    finally:
        worker.send_signal(signal.SIGTERM)  # the main process: a warm shutdown of its pool
        worker.wait(timeout=60)
    return {"interval": interval, "first": first, "last": last, "rate": emails / last, "idle": idle / 10}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=100)
    parser.add_argument("--interval", type=float, nargs="+", default=[1.0, 0.1])
    args = parser.parse_args()
    assert settings.CELERY_BROKER_URL.startswith("filesystem://"), "the embedded default: unset REDIS_URL"
    results = [round_trip(interval, args.emails) for interval in args.interval]
    print(f"| polling interval | first email sent | all {args.emails} sent | emails/s | idle worker CPU |")
    print("|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['interval']:g} s | {r['first']:.2f} s | {r['last']:.1f} s | {r['rate']:.1f} "
            f"| {r['idle'] * 100:.1f} % |"
        )


if __name__ == "__main__":
    main()
