"""The audit's evidence panel for a town with many reports, as a ratio against a trivial view (PostGIS).

    DEBUG=1 DATABASE_URL=postgis://postgres@127.0.0.1:5432/okrsek_bench_audits \
      .venv/bin/python bench/audits_evidence.py --reports 100000 [--requests 20]

Migrates nothing: run `manage.py migrate` on the database first. Seeds (once, idempotent) a bench town of
50 000 residents with four districts, six categories and ``--reports`` reports over 30 months, a third of them
in twenty hot spots (repeat locations), and an audit with its coordinator; then requests the evidence panel
and the trivial view through Django's test client. Prints a Markdown table for docs/performance.md.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Point, Polygon  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

CODE = "bench-audit-town"
X0, Y0 = 13.30, 49.70  # the bench town's south-west corner
STATUSES = ["new", "verifying", "confirmed", "not_confirmed", "eliminated", "handed_over", "joke_or_mistake"]


def _seed(count: int):
    from django.contrib.auth import get_user_model

    from audits import services
    from audits.models import Audit
    from incidents.models import Category, District, Report
    from portal import roles
    from portal.models import Country, Municipality, PoliceUnit, Profile
    from portal.services import user_set_roles

    town, _ = Municipality.objects.get_or_create(
        country=Country.CZ, code=CODE, defaults={"name": "Bench Town", "population": 50000}
    )
    unit, _ = PoliceUnit.objects.get_or_create(code="bench-unit", defaults={"name": "Bench", "country": "CZ"})
    districts = []
    for i in range(4):
        x = X0 + (i % 2) * 0.05
        y = Y0 + (i // 2) * 0.05
        area = MultiPolygon(
            Polygon(((x, y), (x + 0.05, y), (x + 0.05, y + 0.05), (x, y + 0.05), (x, y))), srid=4326
        )
        district, _ = District.objects.get_or_create(
            code=f"bench-d{i}",
            defaults={"name": f"Bench {i}", "area": area, "police_unit": unit, "municipality": town},
        )
        districts.append(district)
    groups = ["road", "public_order", "environment", "animals", "water", "other"]
    categories = [
        Category.objects.get_or_create(
            code=f"bench-{g}", defaults={"group": g, "name_cs": g, "name_pl": g, "name_en": g}
        )[0]
        for g in groups
    ]
    user = get_user_model().objects.filter(email="bench-audit@example.org").first()
    if user is None:
        user = get_user_model().objects.create_user(
            email="bench-audit@example.org", password=secrets.token_hex(8)
        )
        Profile.objects.create(user=user, municipality=town, language="en")
        user_set_roles(user=user, roles=[roles.MUNICIPAL_STAFF], notify=False)
    audit = Audit.objects.filter(municipality=town).first() or services.audit_create(
        actor=user,
        municipality=town,
        title="Bench audit",
        starts_on=timezone.localdate(),
        report_due_on=timezone.localdate() + timedelta(days=200),
    )
    have = Report.objects.filter(municipality=town).count()
    rng = random.Random(15)
    hot = [(X0 + rng.uniform(0, 0.1), Y0 + rng.uniform(0, 0.1)) for _ in range(20)]
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for n in range(have, count):
        if n % 3 == 0:
            hx, hy = rng.choice(hot)
            x, y = hx + rng.uniform(-0.0008, 0.0008), hy + rng.uniform(-0.0005, 0.0005)
        else:
            x, y = X0 + rng.uniform(0, 0.1), Y0 + rng.uniform(0, 0.1)
        district = districts[(1 if x >= X0 + 0.05 else 0) + (2 if y >= Y0 + 0.05 else 0)]
        created = now - timedelta(minutes=rng.randint(0, 30 * 30 * 24 * 60))
        status = rng.choice(STATUSES)
        taken = created + timedelta(minutes=rng.randint(10, 3000)) if status != "new" else None
        verified = (
            taken + timedelta(minutes=rng.randint(10, 6000)) if taken and status != "verifying" else None
        )
        batch.append(
            Report(
                token_hash=secrets.token_hex(32),
                category=rng.choice(categories),
                point=Point(x, y, srid=4326),
                status=status,
                district=district,
                municipality=town,
                police_unit=unit,
                created_at=created,
                updated_at=created,
                take_up_due_at=created + timedelta(hours=48),
                taken_up_at=taken,
                verified_at=verified,
                take_up_overdue=rng.random() < 0.1,
                ip_hash="0" * 64,
            )
        )
        if len(batch) == 5000:
            Report.objects.bulk_create(batch)
            batch = []
    if batch:
        Report.objects.bulk_create(batch)
    if count > have:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE incidents_report")
        print(f"seeded {count - have} reports in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return audit, user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    audit, user = _seed(args.reports)
    setup_test_environment()
    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = ["*"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    evidence = f"/surveys/audits/{audit.pk}/evidence/"
    # (label, url, counted afresh: the cache is emptied before each request)
    pages = [
        ("trivial view", "/bench/trivial", False),
        ("evidence panel, counted", evidence, True),
        ("evidence panel, from the cache", evidence, False),
        ("audit page", f"/surveys/audits/{audit.pk}/", False),
    ]
    results = {}
    for label, url, cold in pages:
        for _ in range(3):
            client.get(url)
        samples = []
        for _ in range(args.requests):
            if cold:
                cache.clear()
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results[label] = (url, statistics.median(samples), len(queries))
    from incidents.models import Report

    total = Report.objects.filter(municipality=audit.municipality).count()
    base = results["trivial view"][1]
    print(f"database: {connection.vendor}; {total} reports in the town; {args.requests} requests per page\n")
    print("| page | url | median ms | × trivial | queries |")
    print("|---|---|---:|---:|---:|")
    for label, (url, median, queries) in results.items():
        print(f"| {label} | `{url}` | {median * 1000:.1f} | {median / base:.0f} | {queries} |")


if __name__ == "__main__":
    main()
