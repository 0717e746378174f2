"""Measure the shared pages as ratios against a trivial view in the same process.

    DEBUG=1 .venv/bin/python bench/pages.py [--requests 200]

Uses the database configured by the environment (seed it first with `manage.py seed_demo`). Prints a Markdown
table: median time per request, its ratio to the trivial view, and the number of SQL queries per request.
Results go into docs/performance.md by hand, with the date and the machine.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PAGES = [
    "/bench/trivial",
    "/healthz",
    "/",
    "/reports/",
    "/workshops/",
    "/grants/",
    "/accounts/login/",
    "/map/municipalities.geojson",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_test_environment()
    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    results = {}
    for url in PAGES:
        for _ in range(10):  # warm up caches and connections
            client.get(url)
        samples = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results[url] = (statistics.median(samples), len(queries), len(response.content))
    base = results["/bench/trivial"][0]
    print(f"database: {connection.vendor}; {args.requests} requests per page\n")
    print("| page | median ms | × trivial | queries | bytes |")
    print("|---|---:|---:|---:|---:|")
    for url, (median, queries, size) in results.items():
        print(f"| `{url}` | {median * 1000:.2f} | {median / base:.1f} | {queries} | {size} |")


if __name__ == "__main__":
    main()
