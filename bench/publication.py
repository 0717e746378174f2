"""A 40-page publication builds in the background while the site keeps answering.

    DEBUG=1 OKRSEK_VAR_DIR=/tmp/bench-var .venv/bin/python bench/publication.py [--port 8190] [--pages 40]

Uses the database and broker configured by the environment (migrate it first). It
1. loads a bench initiative (``bench-publication``, idempotent) with enough good practice and
   recommendations for a publication of at least ``--pages`` pages;
2. starts the web server (gunicorn, 2 workers) and a Celery worker (the Procfile's, concurrency 1) on this
   machine only (127.0.0.1);
3. times ``GET /workshops/`` while idle, then asks for a build through the service (as the organiser's
   button does: a row, then a task after commit) and keeps timing the page until the edition is done;
4. prints the build time, the pages and the page's latency before and during the build (Markdown).

The processes it starts are stopped at the end; all requests go to 127.0.0.1 and are bounded in number.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from workshops import services  # noqa: E402
from workshops.models import GoodPractice, Initiative, Publication, Recommendation, Workshop  # noqa: E402

CODE = "bench-publication"
PARAGRAPH = (
    "Obec, městská policie a obvodní oddělení Policie ČR se dohodly na společném postupu: pravidelné porady, "
    "sdílená mapa problémových míst, společné hlídky o víkendech a jedna kontaktní osoba pro občany. "
    "Výsledky vyhodnocují každé čtvrtletí podle hlášení občanů a statistik přestupků; žluťoučký kůň úpěl "
    "ďábelské ódy. W Łodzi i we Wrocławiu podobne."
)


def load(pages: int) -> Initiative:
    initiative, _created = services.initiative_upsert(
        code=CODE,
        name_cs="Bench: sdílení dobré praxe (40 stran)",
        organiser="Okrsek bench",
        foreword=PARAGRAPH,
    )
    per_workshop = max(2, pages * 3 // 8)  # ~0.55 page per good practice (its paragraph three times)
    for number in range(1, 5):
        workshop, _created = services.workshop_upsert(
            initiative=initiative,
            number=number,
            theme_cs=f"Téma {number}: místní záležitosti veřejného pořádku",
        )
        extra = list(
            GoodPractice.objects.filter(workshop=workshop).order_by("pk").values_list("pk", flat=True)
        )
        GoodPractice.objects.filter(pk__in=extra[per_workshop:]).delete()  # a smaller --pages than last time
        have = min(len(extra), per_workshop)
        GoodPractice.objects.bulk_create(
            GoodPractice(
                workshop=workshop,
                title=f"Příklad dobré praxe {number}.{index + 1}",
                town="Domažlice",
                description="\n\n".join([PARAGRAPH] * 3),
                contact="prevence@example.org",
            )
            for index in range(have, per_workshop)
        )
        have = Recommendation.objects.filter(workshop=workshop).count()
        Recommendation.objects.bulk_create(
            Recommendation(workshop=workshop, addressee=addressee, priority=1 + index % 3, text=PARAGRAPH)
            for index, addressee in enumerate(["towns", "municipal_police", "state_police", "ministry"] * 3)
            if index >= have
        )
    return initiative


def get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # 127.0.0.1 only
        response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - start


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    median = statistics.median(samples)
    return f"{len(samples)} | {median * 1000:.0f} | {p95 * 1000:.0f} | {max(samples) * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--max-requests", type=int, default=2000)
    args = parser.parse_args()
    initiative = load(args.pages)
    connection.close()

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    web = subprocess.Popen(
        [
            *(str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi", "-w", "2"),
            *("-b", f"127.0.0.1:{args.port}", "--log-level=warning"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "portal", "worker", "--concurrency=1", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{args.port}/workshops/"
    try:
        for _ in range(240):  # wait for the server (slow to boot on a busy machine)
            try:
                get(url)
                break
            except OSError:
                time.sleep(0.5)
        idle = [get(url) for _ in range(50)]

        edition, _created = services.publication_request(initiative=initiative, language="cs", actor=None)
        started = time.perf_counter()
        during: list[float] = []
        while len(during) < args.max_requests:
            during.append(get(url))
            edition.refresh_from_db()
            if not edition.in_progress:
                break
            time.sleep(0.05)
        built = time.perf_counter() - started
        edition.refresh_from_db()
        assert edition.status == Publication.Status.DONE, (edition.status, edition.error)
    finally:
        for process in (web, worker):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (web, worker):
            process.wait(timeout=30)

    workshops = Workshop.objects.filter(initiative=initiative).count()
    practices = GoodPractice.objects.filter(workshop__initiative=initiative).count()
    print(f"database: {connection.vendor}; {workshops} workshops, {practices} good practices")
    size = edition.size // 1024
    print(f"edition {edition.edition}: {edition.pages} pages, {size} KiB, built in {built:.1f} s")
    print(f"(queued → done, through the broker and a Celery worker; the row says {edition.progress} %)\n")
    print("| `GET /workshops/` | requests | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    print(f"| idle | {summary(idle)} |")
    print(f"| while the PDF is built | {summary(during)} |")


if __name__ == "__main__":
    main()
