"""Area alerts at scale (issue 14): 10 000 confirmed subscriptions and 1 000 new public reports in an hour.

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/okrsek_alerts REDIS_URL=redis://127.0.0.1:6379/10 \
        .venv/bin/python bench/alerts.py [--alerts 10000] [--reports 1000] [--batch 100]

Migrates the database named in DATABASE_URL (use one of its own: the script empties the alert tables and
adds a synthetic region), writes ``--alerts`` confirmed alerts (70 % circles of the preset radii, 28 % drawn
squares, 1 % the district, 1 % the municipality; 60 % immediate, 30 % daily, 10 % weekly) and ``--reports``
reports through ``services.report_submit`` (their own emails muted), then runs the sender once
(``alerts_send``) and the daily digest, and prints the time, the SQL statements (transaction control not
counted), the sent-log rows and the emails queued. Results go into docs/performance.md by hand.
"""

import argparse
import os
import random
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["EMAIL_URL"] = "dummymail://"
os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 50)

import django  # noqa: E402

django.setup()

from django.contrib.gis.geos import MultiPolygon, Point, Polygon  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from incidents import services  # noqa: E402
from incidents.alerts import sender  # noqa: E402
from incidents.alerts.sender import EVENT_LAG, alert_digests_send, alerts_send  # noqa: E402
from incidents.alerts.services import RADIUS_PRESETS_M, circle_polygon  # noqa: E402
from incidents.catalogue import KMZB_CATEGORIES  # noqa: E402
from incidents.models import Alert, AlertCursor, AlertDelivery, Category, District, ReportEvent  # noqa: E402
from portal.models import Country, Municipality, Notification, PoliceUnit  # noqa: E402
from portal.services import notifications_muted  # noqa: E402

CONTROL = re.compile(r"(RELEASE )?SAVEPOINT|BEGIN|COMMIT|ROLLBACK")
WEST, SOUTH, SIZE = 13.0, 49.5, 0.4  # a region of about 29 × 44 km


class Statements:
    """Counts the SQL statements run (transaction control not counted), however many."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += not CONTROL.match(sql.lstrip())
        return execute(sql, params, many, context)


def _square(x, y, size):
    return Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)), srid=4326)


def _region():
    town, _created = Municipality.objects.update_or_create(
        country=Country.CZ,
        code="BENCH-ALERTS",
        defaults={"name": "Bench town", "boundary": MultiPolygon(_square(WEST, SOUTH, SIZE), srid=4326)},
    )
    unit, _created = PoliceUnit.objects.get_or_create(
        code="bench-alerts", defaults={"name": "Bench unit", "country": Country.CZ}
    )
    unit.municipalities.add(town)
    district, _created = District.objects.update_or_create(
        code="bench-alerts",
        defaults={
            "name": "Bench district",
            "area": MultiPolygon(_square(WEST, SOUTH, SIZE / 2), srid=4326),
            "police_unit": unit,
            "municipality": town,
        },
    )
    for order, (code, group, pl, cs, en, nb, extra) in enumerate(KMZB_CATEGORIES):
        services.category_upsert(
            code=code, group=group, name_pl=pl, name_cs=cs, name_en=en, name_nb=nb, sort_order=order, **extra
        )
    return town, district


def _point(rng):
    return Point(WEST + rng.random() * SIZE, SOUTH + rng.random() * SIZE, srid=4326)


def _alerts(n, rng, town, district, now):
    rows = []
    for i in range(n):
        roll = rng.random()
        fields = {}
        if roll < 0.7:
            center, radius = _point(rng), rng.choice(RADIUS_PRESETS_M)
            fields = {
                "kind": "circle",
                "center": center,
                "radius_m": radius,
                "area": circle_polygon(center, radius),
            }
        elif roll < 0.98:
            corner = _point(rng)
            fields = {"kind": "polygon", "area": _square(corner.x, corner.y, 0.02)}
        elif roll < 0.99:
            fields = {"kind": "district", "district": district}
        else:
            fields = {"kind": "municipality", "municipality": town}
        frequency = rng.choices(["immediate", "daily", "weekly"], [6, 3, 1])[0]
        rows.append(
            Alert(
                email=f"bench{i}@example.org",
                language="cs",
                events=["new", "taken_up", "confirmed", "eliminated", "handed_over", "not_confirmed"],
                frequency=frequency,
                fingerprint=f"bench-{i}",
                confirmed_at=now,
                **fields,
            )
        )
    Alert.objects.bulk_create(rows, batch_size=1000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(14)
    call_command("migrate", verbosity=0)
    Notification.objects.filter(kind__startswith="alert_").delete()
    AlertDelivery.objects.all().delete()
    Alert.objects.all().delete()
    town, district = _region()
    now = timezone.now()
    _alerts(args.alerts, rng, town, district, now)
    last = ReportEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    AlertCursor.objects.update_or_create(name="report-events", defaults={"last_event_id": last})
    public = list(Category.objects.filter(public=True))
    started, run = time.perf_counter(), time.time_ns()
    with notifications_muted():
        for i in range(args.reports):
            services.report_submit(
                category=rng.choice(public),
                point=_point(rng),
                ip=f"bench-{run}-{i}",  # a client of its own (the daily limit per category)
                description="bench",
                language="cs",
            )
    print(f"{args.reports} reports submitted in {time.perf_counter() - started:.1f} s")
    # How long each batch's transaction works (matching and writing), the cursor's lock held meanwhile
    batches, deliver = [], sender._deliver

    def timed(events, now):
        started = time.perf_counter()
        try:
            return deliver(events, now)
        finally:
            batches.append(time.perf_counter() - started)

    sender._deliver = timed
    counter = Statements()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        written = alerts_send(now=timezone.now() + EVENT_LAG + timedelta(seconds=5), batch=args.batch)
        took = time.perf_counter() - started
    statements = counter.count
    emails = Notification.objects.filter(kind="alert_event").count()
    print(
        f"sender ({connection.vendor}, {args.alerts} alerts, {args.reports} new reports): {took:.2f} s, "
        f"{statements} statements, {written} sent-log rows, {emails} immediate emails queued, "
        f"{1000 * took / max(args.reports, 1):.1f} ms per report; load {os.getloadavg()[0]:.2f}; "
        f"{len(batches)} batches of {args.batch} events, the longest {max(batches, default=0):.2f} s"
    )
    counter = Statements()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        digests = alert_digests_send(frequency="daily", now=timezone.now() + timedelta(days=1, hours=8))
        took = time.perf_counter() - started
    statements = counter.count
    print(f"daily digest: {took:.2f} s, {statements} statements, {digests} digest emails queued")


if __name__ == "__main__":
    main()
