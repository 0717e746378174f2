"""The deadline sweep's cost per due report, and what the worker then spends per email.

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/okrsek_bench REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/sweep.py --reports 100000 [--due 1000 10000] [--sweepers 1 4] [--emails 500]

Seeds the database to ``--reports`` synthetic reports with ``bench/incidents.py``'s seeding (demo data,
COPY in batches; a database of its own), then for each ``--due`` count and each number of ``--sweepers``
adds that many reports whose take-up deadline passed a minute ago (in a district with an officer, so each
one is 1 overdue mark, 1 timeline event, 1 log entry and 2 emails: the officer and the coordinator) and runs
``services.deadlines_sweep`` — with several sweepers, from that many threads at once, each with its own
connection, as several Celery workers would. It checks that each due report was acted on exactly once and
prints, per run: the wall time, the time and the statements per due report (transaction control not
counted), and the outbox rows written. Then the worker's side: ``--emails`` of the queued emails rendered
and sent (``portal.services.notifications_send``, Django's dummy email backend), the time per email.
The load average is printed with each row; results go into docs/performance.md by hand.
"""

import argparse
import os
import random
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["EMAIL_URL"] = "dummymail://"
os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 50)  # DEBUG=0 (cached templates) works too

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.incidents import _due_reports, _use_database, seed  # noqa: E402  (sets Django up)
from incidents import services  # noqa: E402
from incidents.models import Report  # noqa: E402
from portal import services as portal_services  # noqa: E402
from portal.celery import app as celery_app  # noqa: E402
from portal.models import Notification  # noqa: E402

CONTROL = re.compile(r"(RELEASE )?SAVEPOINT|BEGIN|COMMIT|ROLLBACK")


def _sweep(sweepers: int, now) -> tuple[float, int, list]:
    """(seconds, statements, results) of ``sweepers`` concurrent sweeps at ``now``."""
    results, counts, errors = [], [], []
    barrier = threading.Barrier(sweepers)

    def run():
        try:
            barrier.wait(timeout=30)
            with CaptureQueriesContext(connection) as queries:
                results.append(services.deadlines_sweep(now=now))
            counts.append(sum(not CONTROL.match(q["sql"]) for q in queries.captured_queries))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(sweepers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if errors:
        raise errors[0]
    return seconds, sum(counts), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, required=True)
    parser.add_argument("--due", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--sweepers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--emails", type=int, default=500, help="emails the worker renders and sends")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/sweep.py measures PostGIS: set DATABASE_URL=postgis://…")
    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    celery_app.conf.task_always_eager = False  # the sweep's send tasks go to an in-memory broker
    celery_app.conf.broker_url = "memory://"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    added, seconds = seed(args.reports, rng)
    if added:
        print(f"seeded {added:,} reports in {seconds:.0f} s", file=sys.stderr)
    name = connection.settings_dict["NAME"]
    total = Report.objects.count()
    version = connection.pg_version // 10000
    print(f"PostgreSQL {version}; `{name}`: {total:,} reports; {os.cpu_count()} CPUs\n")
    print("| due | sweepers | wall s | ms per due report | statements per due report | outbox rows | load |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for due in args.due:
        for sweepers in args.sweepers:
            now = timezone.now()
            services.deadlines_sweep(now=now)  # whatever became due since: not measured
            _due_reports(due, now, rng)
            _use_database(name)
            before = Notification.objects.count()
            seconds, statements, results = _sweep(sweepers, now)
            done = sum(r.take_up_overdue for r in results)
            assert done == due and sum(r.total for r in results) == due, (done, due)
            rows = Notification.objects.count() - before
            print(
                f"| {due:,} | {sweepers} | {seconds:.2f} | {seconds * 1000 / due:.2f} | "
                f"{statements / due:.3f} | {rows:,} | {os.getloadavg()[0]:.2f} |",
                flush=True,
            )
    # The worker's side: render and send what the sweeps queued
    ids = list(
        Notification.objects.filter(status="pending", context__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.emails]
    )
    start = time.perf_counter()
    sent = portal_services.notifications_send(notification_ids=ids)
    seconds = time.perf_counter() - start
    print(
        f"\nWorker: {sent} emails rendered and sent (dummy backend) in {seconds:.2f} s: "
        f"{seconds * 1000 / max(sent, 1):.2f} ms per email; load average {os.getloadavg()[0]:.2f}"
    )
    Notification.objects.filter(status="pending", kind="incident_overdue").delete()  # the rest: not sent


if __name__ == "__main__":
    main()
