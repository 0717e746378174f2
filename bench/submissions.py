"""Submissions per second through gunicorn: Open311 POST requests.json and the web report form.

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/okrsek_bench REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/submissions.py [--seconds 20] [--concurrency 1 8] [--rounds 3] [--worker]

Migrates and loads the demo data (``seed_demo``) into the database named by DATABASE_URL (use one of its
own: every run adds reports), collects the static files into a temporary OKRSEK_VAR_DIR, then starts gunicorn
with 2 sync workers, DEBUG=0 and persistent connections, as production runs it. A small threaded client (no
keep-alive: gunicorn's sync workers close each connection) POSTs for ``--seconds`` at each concurrency:

- Open311: ``POST /open311/v2/requests.json`` with an api key that has an hourly limit (so the limit's counter
  is written), a point in a Plzeň district, an email (so the reporter's confirmation is queued too) and a
  ``device_id`` per request (each request another end user: the daily per-client limit is not what is
  measured);
- the web form: ``POST /reports/new/`` with a fresh form nonce and the CSRF token of one earlier GET, each
  request from another loopback address (127.x.y.z: the daily per-client limit is per IP address), the map's
  nearby check done (``nearby_seen``), as the JavaScript form sends it.

Every submission is still routed, rate-limited, timed and notified: the outbox rows are written, and the send
task is queued to the broker (REDIS_URL); ``--worker`` also runs one Celery worker that renders and sends the
emails (to Django's dummy backend) on the same two cores. The statements of one submission of each kind are
counted in-process with the same code (Django's test client; BEGIN/COMMIT and savepoints not counted).
Prints a Markdown table with req/s, the status codes, the median and 95th percentile latency, the load
average, and the CPU time per submission of gunicorn (master and workers) and of the PostgreSQL backends
serving the database (from /proc): on a machine shared with other work, req/s fall with the load, the CPU
time per submission much less; 2 000 ms ÷ (both) estimates the submissions per second of 2 idle cores.
Results go into docs/performance.md by hand.
"""

import argparse
import http.client
import io
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 50)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # plain HTTP on the loopback
os.environ.setdefault("OKRSEK_VAR_DIR", tempfile.mkdtemp(prefix="okrsek-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from incidents.models import Category, District  # noqa: E402
from incidents.open311.services import api_key_create  # noqa: E402
from incidents.views.public import _new_nonce  # noqa: E402

PORT = 8765
HOST = "127.0.0.1"


def _points(count: int) -> tuple[str, list[tuple[float, float]]]:
    """The police unit (jurisdiction_id) and points inside its districts in Plzeň (routed to a district)."""
    districts = list(District.objects.filter(active=True, municipality__name="Plzeň").order_by("pk")[:8])
    districts = districts or list(District.objects.filter(active=True).order_by("pk")[:8])
    unit = districts[0].police_unit
    points = [d.area.point_on_surface for d in districts if d.police_unit_id == unit.pk]
    points = [(p.x, p.y) for p in points]
    return unit.code, (points * (count // len(points) + 1))[:count]


def _gunicorn(env: dict) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "portal.wsgi",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{PORT}",
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _worker(env: dict) -> subprocess.Popen:
    celery = str(Path(sys.executable).parent / "celery")
    command = [celery, "-A", "portal", "worker", "-c", "1", "-l", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


class Load:
    """``concurrency`` threads POSTing ``body()`` for ``seconds``; each request on a new connection."""

    def __init__(self, path: str, body, headers: dict, concurrency: int, seconds: float, source=None):
        self.path, self.body, self.headers = path, body, headers
        self.concurrency, self.seconds, self.source = concurrency, seconds, source
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.lock = threading.Lock()

    def run(self) -> float:
        deadline = time.perf_counter() + self.seconds
        threads = [threading.Thread(target=self._loop, args=(deadline, n)) for n in range(self.concurrency)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - start

    def _loop(self, deadline: float, thread: int) -> None:
        count = 0
        while time.perf_counter() < deadline:
            count += 1
            source = self.source(thread, count) if self.source else None
            body = self.body()
            started = time.perf_counter()
            conn = http.client.HTTPConnection(HOST, PORT, timeout=30, source_address=source)
            try:
                conn.request("POST", self.path, body=body, headers=self.headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
            finally:
                conn.close()
            with self.lock:
                self.latencies.append(time.perf_counter() - started)
                self.statuses[status] = self.statuses.get(status, 0) + 1


def _address(n: int) -> tuple[str, int]:
    """The n-th loopback address from 127.1.1.1 on (the whole of 127.0.0.0/8 is this machine)."""
    return f"127.{n // 62500 % 250 + 1}.{n // 250 % 250 + 1}.{n % 250 + 1}", 0


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def _server_pids(master: int) -> list[int]:
    """gunicorn's master and workers."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


def _database_pids() -> list[int]:
    """The PostgreSQL backends serving this database, this process's own left out (persistent connections:
    the web workers' backends stay the same during a run). Empty on SpatiaLite."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def _csrf() -> tuple[str, str]:
    """The CSRF cookie and the form's token from one GET of the report form."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    conn.request("GET", "/reports/new/", headers={"Accept-Language": "cs"})
    response = conn.getresponse()
    html = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


def _statements(kind: str, secret: str, category: Category, point: tuple[float, float], unit: str) -> int:
    """The statements of one submission (in-process, same code; transaction control not counted)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="cs")
    if kind == "open311":
        data = {"api_key": secret, "service_code": category.code, "lat": point[1], "long": point[0]}
        data["jurisdiction_id"] = unit
        data |= {"email": "bench@example.org", "device_id": secrets.token_hex(8)}
        client.post("/open311/v2/requests.json", data)  # warm (the key's counter of this hour exists)
        data["device_id"] = secrets.token_hex(8)
        with CaptureQueriesContext(connection) as queries:
            status = client.post("/open311/v2/requests.json", data).status_code
    else:
        client.get("/reports/new/")

        def form():
            return {
                "nonce": _new_nonce(),
                "nearby_seen": "True",
                "category": category.code,
                "place_lat": point[1],
                "place_lon": point[0],
                "description": "Bench",
                "reporter_email": "bench@example.org",
                "terms": "on",
                "website": "",
            }

        first = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"
        client.post("/reports/new/", form(), REMOTE_ADDR=first)
        with CaptureQueriesContext(connection) as queries:
            address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.2"
            status = client.post("/reports/new/", form(), REMOTE_ADDR=address).status_code
    control = re.compile(r"(RELEASE )?SAVEPOINT|BEGIN|COMMIT|ROLLBACK")  # transaction control: not counted
    sql = [q["sql"] for q in queries.captured_queries if not control.match(q["sql"])]
    if os.environ.get("BENCH_SHOW_SQL"):
        print("\n".join(s[:150] for s in sql), file=sys.stderr)
    assert status in (201, 302), (kind, status)
    return len(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=1, help="rounds, alternating Open311 and the web form")
    parser.add_argument("--worker", action="store_true", help="also run a Celery worker sending the emails")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    category = Category.objects.filter(active=True, description_required=False, public=True).order_by("pk")[0]
    _key, secret = api_key_create(name="Bench", rate_limit_per_hour=10**9)
    unit, points = _points(64)

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    counts = {kind: _statements(kind, secret, category, points[0], unit) for kind in ("open311", "web")}

    env = {
        **os.environ,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": HOST,
        "EMAIL_URL": "dummymail://",
        "CONN_MAX_AGE": "600",
    }
    server = _gunicorn(env)
    worker = _worker(env) if args.worker else None
    rows = []
    try:
        cookie, token = _csrf()
        counter = iter(range(10**9))
        # Never the same loopback address twice in a run, nor (most likely) in the last day's runs
        sources = iter(range(secrets.randbelow(15 * 10**6), 10**9))

        def open311_body():
            x, y = points[next(counter) % len(points)]
            return urllib.parse.urlencode(
                {
                    "api_key": secret,
                    "service_code": category.code,
                    "jurisdiction_id": unit,
                    "lat": f"{y:.6f}",
                    "long": f"{x:.6f}",
                    "email": "bench@example.org",
                    "device_id": secrets.token_hex(8),
                }
            )

        def web_body():
            x, y = points[next(counter) % len(points)]
            return urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "nonce": _new_nonce(),
                    "nearby_seen": "True",
                    "category": category.code,
                    "place_lat": f"{y:.6f}",
                    "place_lon": f"{x:.6f}",
                    "description": "Bench",
                    "reporter_email": "bench@example.org",
                    "terms": "on",
                    "website": "",
                }
            )

        form = {"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "cs"}
        kinds = {
            "open311": ("/open311/v2/requests.json", open311_body, form, None),
            "web": (
                "/reports/new/",
                web_body,
                {**form, "Cookie": f"csrftoken={cookie}"},
                # Another loopback address per request: the daily per-client limit is per IP address
                lambda thread, n: _address(next(sources)),
            ),
        }
        for _round in range(args.rounds):
            for concurrency in args.concurrency:
                for kind, (path, body, headers, source) in kinds.items():
                    load = Load(path, body, headers, concurrency, args.seconds, source)
                    pids = _server_pids(server.pid)
                    load_pids = [*pids, *_database_pids()]
                    cpu_before = (_cpu_seconds(pids), _cpu_seconds(load_pids))
                    elapsed = load.run()
                    load_pids = sorted({*load_pids, *_database_pids()})
                    cpu = (_cpu_seconds(pids) - cpu_before[0], _cpu_seconds(load_pids) - cpu_before[1])
                    done = len(load.latencies)
                    ok = load.statuses.get(201 if kind == "open311" else 302, 0)
                    latencies = sorted(load.latencies)
                    app_ms = cpu[0] * 1000 / max(ok, 1)
                    db_ms = (cpu[1] - cpu[0]) * 1000 / max(ok, 1)
                    rows.append(
                        (
                            kind,
                            concurrency,
                            ok / elapsed,
                            dict(sorted(load.statuses.items())),
                            statistics.median(latencies) * 1000,
                            latencies[int(0.95 * (done - 1))] * 1000,
                            os.getloadavg()[0],
                            app_ms,
                            db_ms,
                        )
                    )
                    print(f"  {kind} c={concurrency}: {ok / elapsed:.1f}/s", file=sys.stderr, flush=True)
    finally:
        if worker is not None:
            _stop(worker)
        _stop(server)
    engine = "PostGIS" if connection.vendor == "postgresql" else "SpatiaLite"
    print(f"{engine}; gunicorn 2 sync workers, DEBUG=0; worker {'on' if args.worker else 'off'}; ", end="")
    print(f"{os.cpu_count()} CPUs; load average at the end {os.getloadavg()[0]:.2f}\n")
    print(
        "| submission | c | submissions/s | statuses | median ms | p95 ms | load avg | statements "
        "| CPU ms: gunicorn | CPU ms: PostgreSQL | /s on 2 idle cores |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, concurrency, rate, statuses, median, p95, load, app_ms, db_ms in rows:
        print(
            f"| {kind} | {concurrency} | {rate:.1f} | {statuses} | {median:.1f} | {p95:.1f} | {load:.2f} | "
            f"{counts[kind]} | {app_ms:.2f} | {db_ms:.2f} | {2000 / (app_ms + db_ms):.0f} |"
        )


if __name__ == "__main__":
    main()
