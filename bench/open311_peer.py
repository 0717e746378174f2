"""Okrsek's Open311 API side by side with the peer 6aika/issue-reporting (a Django GeoReport v2 server).

    DEBUG=1 DATABASE_URL=postgis://postgres@127.0.0.1:5432/okrsek_read REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/open311_peer.py --reports 10000 100000 [--peer-db peer_read] [--rounds 5]

What it does, for each N of ``--reports`` (ascending: the databases grow, they are never emptied):

1. seeds Okrsek's database (``DATABASE_URL``, PostGIS) with N synthetic reports (``bench/incidents.py``'s
   seeding: COPY, a realistic mix of categories, statuses, places and two years of history);
2. copies the same reports (all of Okrsek's: the synthetic ones, the demo's, earlier runs' POSTs) into the
   peer's database (``--peer-db``, same server): its services are Okrsek's
   active categories, its jurisdictions Okrsek's police units, its issues Okrsek's reports (reference,
   category, point, open/closed, public answer, times, address, police unit); reports of person-related
   categories, which Okrsek never shows to the public, are ``hidden`` (moderated) in the peer;
3. starts both under gunicorn, 2 sync workers each, DEBUG=0, persistent connections (Okrsek's default
   ``CONN_MAX_AGE=60``; the peer's ``?conn_max_age=60``);
4. measures each call with ``wrk`` (one thread; ``--duration`` seconds) at concurrency 1 and 8, the two
   systems alternating in every round (who goes first alternates too), ``--rounds`` rounds; a ratio is the
   median of the per-round ratios, a rate the median of the rounds. The GETs' rounds come first, then the
   POSTs' (which add reports): every GET reads the same data on both systems;
5. counts the SQL queries of one request of each call on each system (Django's test client, in process);
6. prints the Markdown table, the load average before and after, and the answers' sizes.

The peer (``--peer``, by default ``../shared/peers/issue-reporting`` next to the repository) is copied to
``--peer-dir`` (/tmp) and run from its own virtualenv (``--peer-venv``, created with the distribution's
python3 and the peer's ``requirements.txt`` + gunicorn + psycopg2-binary when missing). Nothing of the peer
is imported here or committed to Okrsek.

Calls, each as the peer's default and like for like (``start_date`` 90 days back, 100 per page):
- ``services.json``; ``requests.json`` (Okrsek's default: the last 90 days, 500 per page; the peer's: all
  time, 100 per page, with a COUNT); ``requests.json?service_code=…``; ``requests/{id}.json`` (a public report
  of the last 90 days; both answer 200); every GET with ``jurisdiction_id`` (Okrsek serves two police units,
  and a GeoReport server with several jurisdictions requires it; the peer gets the same two);
- ``POST requests.json`` (``--no-post`` leaves it out): lat/long drawn from points of served districts, one
  bench api key per system. Rate limits stay on: Okrsek's bench key (a new one per run, named
  ``bench/open311_peer.py``) has a limit of 10⁹ requests an hour, and each POST sends its own ``device_id``
  (``bench-<start of the wrk run>-<counter>``), so the per-reporter daily limit counts each submission as
  another phone of a client app with many users. The key is used for POSTs only: GETs are anonymous on both
  systems, as the public's are. The peer's POSTs send its bench Application's key.
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import incidents as bench_incidents  # noqa: E402
from incidents.models import ApiKey, Category, Report  # noqa: E402
from incidents.open311 import services as open311_services  # noqa: E402
from incidents.workflow import OPEN_STATUSES  # noqa: E402
from portal.models import PoliceUnit  # noqa: E402

JURISDICTION = "krpp"  # the Plzeň region's police: the larger share of the synthetic reports
OKRSEK_ROOT = "/open311/v2/"
PEER_ROOT = "/api/georeport/v2/"
PEER_APP_KEY = "okrsekbenchpeerkey"
BENCH_KEY_NAME = "bench/open311_peer.py"

PEER_QUERY_COUNTER = r"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cfh.settings")
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
setup_test_environment()
client = Client()
answers = {}
for key, method, url, data in json.loads(sys.argv[1]):
    send = (lambda: client.get(url)) if method == "GET" else (lambda: client.post(url, data))
    if method == "GET":
        send()
    with CaptureQueriesContext(connection) as queries:
        response = send()
    answers[key] = [response.status_code, len(queries), len(response.content)]
print(json.dumps(answers))
"""

WRK_POST = """
local bodies = {%s}
local run = tostring(os.time()) .. "-" .. tostring(math.floor(os.clock() * 1000000))
local counter = 0
request = function()
  counter = counter + 1
  local body = bodies[(counter %% #bodies) + 1] .. "&device_id=bench-" .. run .. "-" .. counter
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"%s}, body)
end
"""


# --- the peer's installation and data ---------------------------------------------------------------------


def peer_install(args) -> Path:
    """The peer copied to --peer-dir, its virtualenv at --peer-venv (created when missing)."""
    source = Path(args.peer).resolve()
    if not (source / "manage.py").exists():
        sys.exit(f"no peer at {source}: give --peer PATH (a checkout of 6aika/issue-reporting)")
    target = Path(args.peer_dir)
    if not (target / "manage.py").exists():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".git"))
    python = Path(args.peer_venv) / "bin" / "python"
    if not python.exists():
        subprocess.run(["/usr/bin/python3", "-m", "venv", args.peer_venv], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(target / "requirements.txt")]
            + ["gunicorn", "psycopg2-binary"],
            check=True,
        )
    return python


def peer_url(args) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgis://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{args.peer_db}"


def peer_env(args, *, debug: bool) -> dict:
    return {
        **os.environ,
        "DEBUG": "1" if debug else "0",
        "SECRET_KEY": "bench-peer-not-secret",
        "DATABASE_URL": peer_url(args) + "?conn_max_age=60",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "cfh.settings",
    }


def peer_connect(args) -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=args.peer_db,
        autocommit=True,
    )


def _address(report: Report) -> str:
    names = []
    for name in (report.district_name, report.municipality_name):
        if name and name not in names:
            names.append(name)
    return ", ".join(names)


def peer_copy(args, python: Path) -> int:
    """The peer's services, jurisdictions, bench application and issues: Okrsek's, as they are now."""
    subprocess.run(
        [str(python), "manage.py", "migrate", "-v0"],
        cwd=args.peer_dir,
        env=peer_env(args, debug=True),
        check=True,
    )
    # every report: the synthetic ones, the demo's and those submitted by earlier runs' POSTs
    bench_reports = Report.objects.filter(category__active=True)
    with peer_connect(args) as peer, peer.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM issues_issue")
        (copied,) = cursor.fetchone()
        if copied == bench_reports.count():
            return copied
        cursor.execute("TRUNCATE issues_issue, issues_service, issues_jurisdiction CASCADE")
        cursor.execute("DELETE FROM issues_application WHERE key = %s", [PEER_APP_KEY])
        cursor.execute(
            "INSERT INTO issues_application (active, identifier, name, key) "
            "VALUES (true, 'bench', 'bench', %s) RETURNING id",
            [PEER_APP_KEY],
        )
        (application,) = cursor.fetchone()
        jurisdictions = {}
        for unit in PoliceUnit.objects.order_by("pk"):
            cursor.execute(
                "INSERT INTO issues_jurisdiction (identifier, name) VALUES (%s, %s) RETURNING id",
                [unit.code, unit.name[:64]],
            )
            jurisdictions[unit.pk] = cursor.fetchone()[0]
        services = {}
        for category in Category.objects.filter(active=True):
            cursor.execute(
                "INSERT INTO issues_service (service_code, metadata, type, location_req) "
                "VALUES (%s, false, 'realtime', 'coords') RETURNING id",
                [category.code],
            )
            services[category.pk] = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO issues_service_translation "
                '(language_code, service_name, description, keywords, "group", master_id) '
                "VALUES ('en', %s, '', '', %s, %s)",
                [category.name_en or category.code, category.group, services[category.pk]],
            )
            for jurisdiction in jurisdictions.values():
                cursor.execute(
                    "INSERT INTO issues_service_jurisdictions (service_id, jurisdiction_id) VALUES (%s, %s)",
                    [services[category.pk], jurisdiction],
                )
        public = set(Category.objects.filter(public=True).values_list("pk", flat=True))
        units = dict(PoliceUnit.objects.values_list("pk", "name"))
        rows = (
            bench_reports.filter(category__active=True)
            .annotate(
                **{
                    "district_name": django.db.models.F("district__name"),
                    "municipality_name": django.db.models.F("municipality__name"),
                }
            )
            .order_by("pk")
        )
        columns = (
            "service_code, identifier, description, status, status_notes, agency_responsible, "
            "service_notice, requested_datetime, updated_datetime, expected_datetime, address, zipcode, "
            "media_url, submitter_email, submitter_first_name, submitter_last_name, submitter_phone, "
            "location, jurisdiction_id, service_id, moderation, lat, long, application_id"
        )
        codes = dict(Category.objects.values_list("pk", "code"))
        with cursor.copy(f"COPY issues_issue ({columns}) FROM STDIN") as copy:  # noqa: S608
            for report in rows.iterator(chunk_size=5000):
                point = report.point
                copy.write_row(
                    [
                        codes[report.category_id],
                        report.reference,
                        report.description,
                        "open" if report.status in OPEN_STATUSES else "closed",
                        report.public_answer,
                        units.get(report.police_unit_id, "")[:140],
                        "",
                        report.created_at,
                        report.updated_at,
                        report.due_at,
                        _address(report),
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        f"SRID=4326;POINT({point.x} {point.y})",
                        jurisdictions[report.police_unit_id],
                        services[report.category_id],
                        "public" if report.category_id in public else "hidden",
                        point.y,
                        point.x,
                        application,
                    ]
                )
        cursor.execute("VACUUM ANALYZE issues_issue")
        cursor.execute("SELECT count(*) FROM issues_issue")
        return cursor.fetchone()[0]


# --- the calls --------------------------------------------------------------------------------------------


class Call:
    def __init__(self, key: str, label: str, okrsek: str, peer: str, post: tuple[dict, dict] | None = None):
        self.key, self.label, self.okrsek, self.peer, self.post = key, label, okrsek, peer, post


def calls(args) -> list[Call]:
    now = timezone.now()
    start = (now - timedelta(days=90)).replace(microsecond=0).isoformat()
    # the most frequent public category of the synthetic reports (the filter), and the next one (the POSTs')
    code, post_code = (
        Report.objects.filter(
            category__public=True,
            category__active=True,
            police_unit__code=JURISDICTION,
            created_at__gte=start,
            reference__startswith=bench_incidents.BENCH_PREFIX,
        )
        .values_list("category__code", flat=True)
        .order_by()
        .annotate(n=django.db.models.Count("pk"))
        .order_by("-n", "category__code")[:2]
    )
    report = (
        Report.objects.filter(
            category__public=True,
            police_unit__code=JURISDICTION,
            created_at__gte=now - timedelta(days=30),
            reference__startswith=bench_incidents.BENCH_PREFIX,
        )
        .order_by("pk")
        .first()
    )
    j = {"jurisdiction_id": JURISDICTION}
    like = {**j, "start_date": start, "page_size": 100}
    result = [
        Call("services", "`services.json`", f"services.json?{urlencode(j)}", f"services.json?{urlencode(j)}"),
        Call(
            "default",
            "`requests.json` default (Okrsek 90 days, 500 items / peer all time, 100 + COUNT)",
            f"requests.json?{urlencode(j)}",
            f"requests.json?{urlencode(j)}",
        ),
        Call(
            "window",
            "`requests.json` last 90 days, 100 per page (both)",
            f"requests.json?{urlencode(like)}",
            f"requests.json?{urlencode(like)}",
        ),
        Call(
            "code_default",
            f"`requests.json?service_code={code}` default",
            f"requests.json?{urlencode({**j, 'service_code': code})}",
            f"requests.json?{urlencode({**j, 'service_code': code})}",
        ),
        Call(
            "code_window",
            f"`requests.json?service_code={code}` last 90 days, 100 per page",
            f"requests.json?{urlencode({**like, 'service_code': code})}",
            f"requests.json?{urlencode({**like, 'service_code': code})}",
        ),
        Call(
            "detail",
            "`requests/{id}.json`",
            f"requests/{report.reference}.json?{urlencode(j)}",
            f"requests/{report.reference}.json?{urlencode(j)}",
        ),
    ]
    if args.post:
        points = list(
            Report.objects.filter(police_unit__code=JURISDICTION, district__isnull=False)
            .order_by("pk")
            .values_list("point", flat=True)[:64]
        )
        bodies = [
            {
                "service_code": post_code,
                "lat": f"{p.y:.6f}",
                "long": f"{p.x:.6f}",
                "description": "Benchmark submission: a broken street light.",
                "jurisdiction_id": JURISDICTION,
            }
            for p in points
        ]
        result.append(
            Call(
                "post",
                "`POST requests.json`",
                "requests.json",
                "requests.json",
                post=(bodies, [{**b, "api_key": PEER_APP_KEY} for b in bodies]),
            )
        )
    return result


def bench_key() -> str:
    """A fresh Okrsek api key for the POSTs: a limit of 10⁹ an hour (the limit is checked, never reached)."""
    ApiKey.objects.filter(name=BENCH_KEY_NAME).update(active=False)
    _key, secret = open311_services.api_key_create(name=BENCH_KEY_NAME, rate_limit_per_hour=10**9)
    return secret


def okrsek_queries(items: list[Call], secret: str) -> dict:
    if not getattr(settings, "_open311_peer_test_environment", False):  # once per process
        setup_test_environment()
        settings._open311_peer_test_environment = True
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    answers = {}
    for call in items:
        url = OKRSEK_ROOT + call.okrsek
        if call.post:
            body = {**call.post[0][0], "device_id": "bench-count"}
            send = lambda url=url, body=body: client.post(url, body, headers={"X-Api-Key": secret})  # noqa: E731
        else:
            send = lambda url=url: client.get(url)  # noqa: E731
            send()
        with CaptureQueriesContext(connection) as queries:
            response = send()
        answers[call.key] = [response.status_code, len(queries), len(response.content)]
    return answers


def peer_queries(args, python: Path, items: list[Call]) -> dict:
    spec = [
        [
            c.key,
            "POST" if c.post else "GET",
            PEER_ROOT + c.peer,
            (c.post[1][0] | {"device_id": "x"}) if c.post else None,
        ]
        for c in items
    ]
    out = subprocess.run(
        [str(python), "-c", PEER_QUERY_COUNTER, json.dumps(spec)],
        cwd=args.peer_dir,
        env=peer_env(args, debug=False),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- servers and wrk ----------------------------------------------------------------------------------------


def start(command: list[str], cwd, env, url: str) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=5).read()  # noqa: S310 - our own server
            return process
        except OSError:
            if process.poll() is not None:
                sys.exit(f"{command[0]} stopped: exit {process.returncode}")
            time.sleep(0.5)
    sys.exit(f"{url} did not answer")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wrk(url: str, concurrency: int, duration: int, script: str | None = None) -> tuple[float, int]:
    """(requests per second, answers that were not 2xx/3xx, plus socket errors)."""
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{duration}s", "--timeout", "30s"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return rate, bad


def post_script(folder: str, name: str, bodies: list[dict], header: str) -> str:
    path = Path(folder) / f"{name}.lua"
    items = ", ".join(json.dumps(urlencode(body)) for body in bodies)
    path.write_text(WRK_POST % (items, header))
    return str(path)


# --- main ---------------------------------------------------------------------------------------------------


def measure(args, n: int, python: Path) -> None:
    synthetic = Report.objects.filter(reference__startswith=bench_incidents.BENCH_PREFIX).count()
    if synthetic > n:
        sys.exit(f"the database holds {synthetic:,} synthetic reports, more than {n:,}: use fresh databases")
    added, seconds = bench_incidents.seed(n, random.Random(args.seed))
    if added:
        print(f"seeded {added:,} reports into Okrsek in {seconds:.0f} s", file=sys.stderr)
    copied = peer_copy(args, python)
    reports = Report.objects.filter(reference__startswith=bench_incidents.BENCH_PREFIX).count()
    items = calls(args)
    secret = bench_key() if args.post else ""
    ours, theirs = okrsek_queries(items, secret), peer_queries(args, python, items)
    for call in items:
        for name, answer in (("Okrsek", ours[call.key]), ("peer", theirs[call.key])):
            if answer[0] >= 400:
                sys.exit(f"{name} answered {answer[0]} to {call.label}")
    connection.close()

    okrsek_env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-okrsek-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    okrsek_base = f"http://127.0.0.1:{args.port}{OKRSEK_ROOT}"
    peer_base = f"http://127.0.0.1:{args.peer_port}{PEER_ROOT}"
    gunicorn = ["-w", "2", "--log-level=warning"]
    servers = [
        start(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "portal.wsgi",
                *gunicorn,
                "-b",
                f"127.0.0.1:{args.port}",
            ],
            ROOT,
            okrsek_env,
            okrsek_base + items[0].okrsek,
        ),
        start(
            [
                str(Path(args.peer_venv) / "bin/gunicorn"),
                "cfh.wsgi",
                *gunicorn,
                "-b",
                f"127.0.0.1:{args.peer_port}",
            ],
            args.peer_dir,
            peer_env(args, debug=False),
            peer_base + items[0].peer,
        ),
    ]
    load_before = os.getloadavg()
    rates = {(c.key, system, conc): [] for c in items for system in ("okrsek", "peer") for conc in (1, 8)}
    ratios = {(c.key, conc): [] for c in items for conc in (1, 8)}
    bad = {(c.key, system): 0 for c in items for system in ("okrsek", "peer")}
    folder = tempfile.mkdtemp(prefix="open311-peer-")
    try:
        scripts = {}
        for call in items:
            if call.post:
                scripts[(call.key, "okrsek")] = post_script(
                    folder, "okrsek", call.post[0], f', ["X-Api-Key"] = "{secret}"'
                )
                scripts[(call.key, "peer")] = post_script(folder, "peer", call.post[1], "")
        for call in items:  # warm-up: every worker has run every call
            if not call.post:
                wrk(okrsek_base + call.okrsek, 2, 1)
                wrk(peer_base + call.peer, 2, 1)
        # The GETs' rounds first, then the POSTs' (which add reports): every GET reads the same data
        for phase in ([c for c in items if not c.post], [c for c in items if c.post]):
            for number in range(args.rounds if phase else 0):
                order = ("okrsek", "peer") if number % 2 == 0 else ("peer", "okrsek")
                for call in phase:
                    for conc in (1, 8):
                        got = {}
                        for system in order:
                            url = okrsek_base + call.okrsek if system == "okrsek" else peer_base + call.peer
                            rate, errors = wrk(url, conc, args.duration, scripts.get((call.key, system)))
                            got[system] = rate
                            bad[(call.key, system)] += errors
                            rates[(call.key, system, conc)].append(rate)
                        ratios[(call.key, conc)].append(
                            got["okrsek"] / got["peer"] if got["peer"] else math.inf
                        )
                print(
                    f"  N={n:,}: {'POST' if phase[0].post else 'GET'} round {number + 1} of {args.rounds}, "
                    f"load {os.getloadavg()[0]:.2f}",
                    file=sys.stderr,
                )
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)
    load_after = os.getloadavg()

    def med(values: list[float]) -> float:
        return statistics.median(values)

    def fmt(value: float) -> str:
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"

    print(f"\n### {reports:,} reports (peer: {copied:,} issues)\n")
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores; PostgreSQL "
        f"{connection.pg_version // 10000}; load average (1/5/15 min) "
        f"{' / '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' / '.join(f'{x:.2f}' for x in load_after)} after; "
        f"{args.rounds} rounds × {args.duration:g} s per call, system and concurrency\n"
    )
    print("| Open311 call | c | Okrsek req/s | peer req/s | Okrsek / peer | queries Okrsek / peer | ≥ 1.5× |")
    print("|---|---|---:|---:|---:|---:|---|")
    for call in items:
        o = [med(rates[(call.key, "okrsek", c)]) for c in (1, 8)]
        p = [med(rates[(call.key, "peer", c)]) for c in (1, 8)]
        r = [med(ratios[(call.key, c)]) for c in (1, 8)]
        ok = "yes" if min(r) >= 1.5 else "**no**"
        print(
            f"| {call.label} | 1 / 8 | {fmt(o[0])} / {fmt(o[1])} | {fmt(p[0])} / {fmt(p[1])} | "
            f"{r[0]:.2f} / {r[1]:.2f} | {ours[call.key][1]} / {theirs[call.key][1]} | {ok} |"
        )
    print(
        "\nAnswer sizes (bytes, Okrsek / peer): "
        + "; ".join(f"{c.key} {ours[c.key][2]:,} / {theirs[c.key][2]:,}" for c in items)
    )
    failures = [f"{key} {system} {count:,}" for (key, system), count in bad.items() if count]
    if failures:
        print("\nAnswers not 2xx/3xx or socket errors during the runs: " + "; ".join(failures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--peer", default=str(ROOT.parent / "shared/peers/issue-reporting"))
    parser.add_argument("--peer-dir", default="/tmp/okrsek-bench-peer")  # noqa: S108 - a copy to run
    parser.add_argument("--peer-venv", default="/tmp/okrsek-bench-peer-venv")  # noqa: S108
    parser.add_argument("--peer-db", default="peer_read", help="the peer's database, on Okrsek's server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=3, help="seconds of wrk per call and system")
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--peer-port", type=int, default=8312)
    parser.add_argument("--no-post", dest="post", action="store_false", help="leave POST requests.json out")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it with `make bench-tools` (Debian package wrk)")
    if connection.vendor != "postgresql":
        sys.exit("bench/open311_peer.py measures PostGIS: set DATABASE_URL=postgis://…/okrsek_read")
    python = peer_install(args)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for n in sorted(args.reports):
        measure(args, n, python)


if __name__ == "__main__":
    main()
