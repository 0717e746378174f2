"""The effect panel of a funded project at scale: seed N reports on PostGIS, then measure what must not grow.

    DEBUG=1 DATABASE_URL=postgis://postgres@127.0.0.1:5432/okrsek_results \
        .venv/bin/python bench/project_effect.py --reports 1000000 [--rounds 5] [--requests 10]

Use a database of its own with the demo data loaded (``manage.py seed_demo``). Reports are added by
``bench/incidents.py``'s seeding (COPY, two years of history over the Plzeň region and Wrocław). A bench
project is then given the Plzeň "sever" demo district as its area (start 13 months ago, one month of
implementation, so both windows fall into the seeded two years), two public-order categories, and
Rokycany as its control.

Measured, each as the median of the rounds and as a ratio to a trivial view served by the same process:
- ``results.selectors.effect_panel`` (one grouped count over target, buffer ring and control) and its queries;
- the project's results page (``/grants/results/<id>/``) as the programme manager;
- ``results.selectors.control_suggestions`` and the manager's edit page;
- the programme's public results page.
It prints the EXPLAIN ANALYZE plan of the count: it must narrow by the spatial index and the creation time.
"""

import argparse
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.incidents import seed  # noqa: E402 - sets Django up
from incidents.models import Category, District, Report  # noqa: E402
from projects.models import Proposal  # noqa: E402
from projects.results import selectors, services  # noqa: E402
from projects.results.selectors import add_months  # noqa: E402
from projects.workflow import SUPPORTED  # noqa: E402

TITLE = "Kamerový systém na sídlišti"  # a 2012 demo project, re-used as the bench project


def _median(function, runs: int) -> tuple[float, int]:
    times, queries = [], 0
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return statistics.median(times), queries


def _bench_project(manager):
    proposal = Proposal.objects.filter(title=TITLE, status__in=SUPPORTED).first()
    result = services.result_ensure(proposal=proposal, actor=manager)
    target = District.objects.get(code__endswith="-sever")
    control = District.objects.get(code__startswith="cz-", name="Rokycany")
    today = timezone.localdate()
    start = add_months(today, -13)
    services.result_area_set(result=result, actor=manager, kind="districts", district_ids=[target.pk])
    services.result_update(
        result=result,
        actor=manager,
        fields={"implementation_start": start, "implementation_end": start + timedelta(days=20)},
        category_ids=list(
            Category.objects.filter(code__in=["vandalism", "public-drinking"]).values_list("pk", flat=True)
        ),
    )
    services.result_control_set(result=result, actor=manager, district_ids=[control.pk])
    return proposal


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    added, seconds = seed(args.reports, random.Random(1))
    if added:
        print(f"seeded {added:,} reports in {seconds:.0f} s", file=sys.stderr)
    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    setup_test_environment()
    manager = get_user_model().objects.get(email="manager@demo.okrsek.cz")
    proposal = _bench_project(manager)
    total = Report.objects.count()

    client = Client()
    client.force_login(manager)
    public = Client()
    slug = proposal.call.programme.slug
    pages = {
        "/bench/trivial": (public, "/bench/trivial"),
        "results page (manager)": (client, f"/grants/results/{proposal.pk}/"),
        "edit page with suggestions": (client, f"/grants/results/{proposal.pk}/edit/"),
        "programme results (public)": (public, f"/grants/programme/{slug}/results/"),
    }

    def panel():
        result = selectors.result_for_proposal(proposal_id=proposal.pk)
        return selectors.effect_panel(result)

    def suggestions():
        result = selectors.result_for_proposal(proposal_id=proposal.pk)
        return selectors.control_suggestions(result)

    rows: dict[str, list] = {}
    for _round in range(args.rounds):
        for name, function in (
            ("effect_panel selector", panel),
            ("control_suggestions selector", suggestions),
        ):
            rows.setdefault(name, []).append(_median(function, args.requests))
        for name, (who, url) in pages.items():
            response = who.get(url)
            assert response.status_code == 200, (url, response.status_code)
            rows.setdefault(name, []).append(_median(lambda who=who, url=url: who.get(url), args.requests))
    trivial = statistics.median(t for t, _q in rows["/bench/trivial"])
    effect = panel().effect
    counts = effect.counts
    print(f"\n{total:,} reports; a, b, c, d = {counts.a}, {counts.b}, {counts.c}, {counts.d}")
    print("\n| what | median ms | × trivial | queries |\n|---|---:|---:|---:|")
    for name, values in rows.items():
        ms = statistics.median(t for t, _q in values)
        print(f"| {name} | {ms:.1f} | {ms / trivial:.0f} | {values[-1][1]} |")
    # The count's plan
    result = selectors.result_for_proposal(proposal_id=proposal.pk)
    with CaptureQueriesContext(connection) as captured:
        selectors.effect_panel(result)
    count_sql = next(q["sql"] for q in captured.captured_queries if "incidents_report" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + count_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(re.sub(r"'[0-9A-F]{40,}'::geometry", "'…'::geometry", plan))


if __name__ == "__main__":
    main()
