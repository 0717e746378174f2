"""Threat reports at scale: seed N reports on PostGIS, then measure what must not grow with N.

    DEBUG=1 DATABASE_URL=postgis://postgres@127.0.0.1:5432/okrsek_bench \
        .venv/bin/python bench/incidents.py --reports 1000000 [--compare okrsek_bench10k] [--rounds 5]

Use a database of its own (it adds up to N synthetic reports; running it again with a larger N adds the
difference). ``--compare`` names databases of the same server seeded by earlier runs (e.g. with 10 000
reports): the rounds of measurements alternate between them, so that the load of a shared machine weighs on
every N alike. It migrates and loads the demo data first, then seeds reports with COPY in batches of 10 000:
spread over the Plzeň region's municipalities (their districts where the programme's towns have them) and
Wrocław's osiedla, two years of history, mostly closed, a realistic status and category mix; the columns and
deadline flags as the workflow and the minute-by-minute sweep would have left them (``incidents.fake.replay``,
from the workflow's declarations).

Measured, each as the median of the rounds and as a ratio to a trivial view served by the same process
(``bench/urls.py``, the approach of ``bench/pages.py``):

- the deadline sweep (``services.deadlines_sweep``) with exactly 100 due reports, and with none due;
- the public map's GeoJSON at city zoom around Plzeň (``/reports/map.geojson?bbox=…``), from the cells
  counted ahead (``incidents.map_cells``: rebuilt after seeding, aged before every round as the beat task
  does), and counted live (``--map-live``: the cells' state set aside for that request);
- the officer queue page (``/reports/staff/``) as the demo officer;
- the coordinator dashboard (``/reports/staff/dashboard/``, last 30 days) as the demo coordinator;
- report submission (``services.report_submit``).

``--only map,queue,dashboard`` measures only those (the trivial view always); the load average is printed
before and after.

It also prints the EXPLAIN ANALYZE plans of the sweep's queries: they must use the partial indexes. Results go
into docs/performance.md by hand, with the date, the machine and N.
"""

import argparse
import hashlib
import http.client
import io
import itertools
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.gis.geos import Point  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from incidents import map_cells, selectors, services  # noqa: E402
from incidents.fake import replay  # noqa: E402
from incidents.models import Category, District, MapCellState, Report, Status  # noqa: E402
from incidents.workflow import REPORT  # noqa: E402
from portal.celery import app as celery_app  # noqa: E402
from portal.models import Country, Municipality, PartnerBody, PoliceUnit  # noqa: E402

BATCH = 10_000
POINTS_PER_PLACE = 64
PLZEN_BBOX = (13.30, 49.70, 13.45, 49.79)  # the city of Plzeň at zoom 13
PLZEN_ZOOM = 13
BENCH_PREFIX = "0"  # bench references start with 0, which real references never contain
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ROAD_SHARE = 0.6  # KMZB: road traffic makes up over 60 % of reports
WROCLAW_SHARE = 0.45
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


# --- seeding --------------------------------------------------------------------------------------------


def _reference(number: int) -> str:
    digits = []
    for _ in range(7):
        number, rest = divmod(number, 32)
        digits.append(ALPHABET[rest])
    code = BENCH_PREFIX + "".join(reversed(digits))
    return f"{code[:4]}-{code[4:]}"


def _interior_points(area, rng: random.Random, count: int) -> list[tuple[float, float]]:
    prepared = area.prepared
    xmin, ymin, xmax, ymax = area.extent
    points = []
    for _ in range(count * 50):
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if prepared.contains(Point(x, y, srid=4326)):
            points.append((x, y))
            if len(points) == count:
                break
    return points or [area.point_on_surface.coords]


class Places:
    """Where synthetic reports are: (weight, municipality, district, police unit, assignee, points)."""

    def __init__(self, rng: random.Random):
        officer = get_user_model().objects.get(email="officer@demo.okrsek.cz")
        cz_unit, pl_unit = PoliceUnit.objects.get(code="krpp"), PoliceUnit.objects.get(code="kmp-wroclaw")
        districts = {d.municipality_id: d for d in District.objects.filter(code__startswith="cz-")}
        with_officer = set(District.objects.filter(officers=officer).values_list("pk", flat=True))
        cz = list(Municipality.objects.filter(country=Country.CZ, boundary__isnull=False))
        cz_population = sum(m.population or 1 for m in cz)
        self.places = []
        for town in cz:
            district = districts.get(town.pk)
            self.places.append(
                (
                    (1 - WROCLAW_SHARE) * (town.population or 1) / cz_population,
                    town.pk,
                    district.pk if district else None,
                    cz_unit.pk,
                    officer.pk if district and district.pk in with_officer else None,
                    _interior_points(town.boundary, rng, POINTS_PER_PLACE),
                )
            )
        wroclaw = Municipality.objects.get(country=Country.PL, name="Wrocław")
        osiedla = list(District.objects.filter(code__startswith="pl-wroclaw-"))
        for district in osiedla:
            self.places.append(
                (
                    WROCLAW_SHARE / len(osiedla),
                    wroclaw.pk,
                    district.pk,
                    pl_unit.pk,
                    None,
                    _interior_points(district.area, rng, POINTS_PER_PLACE),
                )
            )
        self.cum_weights = list(itertools.accumulate(p[0] for p in self.places))
        self.coordinator = get_user_model().objects.get(email="coordinator@demo.okrsek.cz").pk
        self.partner_body = PartnerBody.objects.get(code="mp-domazlice").pk


def _categories() -> tuple[list[Category], list[float]]:
    """Active categories and their cumulative weights."""
    categories = list(Category.objects.filter(active=True))
    road = [c for c in categories if c.group == Category.Group.ROAD]
    other = [c for c in categories if c.group != Category.Group.ROAD]
    weights = [ROAD_SHARE / len(road)] * len(road) + [(1 - ROAD_SHARE) / len(other)] * len(other)
    return road + other, list(itertools.accumulate(weights))


ANSWERS = {
    Status.CONFIRMED: "Potwierdzone, sprawa w toku. / Potvrzeno, řešíme.",
    Status.ELIMINATED: "Zagrożenie wyeliminowane. / Ohrožení odstraněno.",
    Status.HANDED_OVER: "Przekazano straży miejskiej. / Předáno městské policii.",
    Status.NOT_CONFIRMED: "Nie potwierdzono. / Nepotvrzeno.",
    Status.JOKE_OR_MISTAKE: "",
}
# Reports older than a week: KMZB says just over half are confirmed (open or closed)
OLD_STATUSES = [
    (Status.NEW, 0.003),
    (Status.VERIFYING, 0.007),
    (Status.CONFIRMED, 0.10),
    (Status.ELIMINATED, 0.32),
    (Status.HANDED_OVER, 0.09),
    (Status.NOT_CONFIRMED, 0.38),
    (Status.JOKE_OR_MISTAKE, 0.10),
]
OLD_CHOICES = [s for s, _w in OLD_STATUSES]
OLD_CUM_WEIGHTS = list(itertools.accumulate(w for _s, w in OLD_STATUSES))
WEEK_CHOICES = [Status.NEW, Status.VERIFYING, Status.CONFIRMED, Status.NOT_CONFIRMED, Status.ELIMINATED]
WEEK_CUM_WEIGHTS = list(itertools.accumulate([0.05, 0.35, 0.3, 0.2, 0.1]))


# The transitions that bring a report to each status (the bench's histories; ``incidents.fake.replay`` turns
# them into columns and flags from the workflow's declarations)
PATHS = {
    Status.NEW: (),
    Status.VERIFYING: ("take_up",),
    Status.CONFIRMED: ("take_up", "confirm"),
    Status.NOT_CONFIRMED: ("take_up", "not_confirm"),
    Status.JOKE_OR_MISTAKE: ("take_up", "joke"),
    Status.ELIMINATED: ("take_up", "confirm", "eliminate"),
    Status.HANDED_OVER: ("take_up", "confirm", "hand_over"),
}


def _as_row(report: Report, x: float, y: float) -> dict:
    row = {f.attname: getattr(report, f.attname) for f in _columns()}
    row["point"] = f"SRID=4326;POINT({x:.6f} {y:.6f})"
    return row


def _row(number: int, rng: random.Random, now, places: Places, categories, category_weights) -> dict:
    """One synthetic report as the database would hold it, consistent with the workflow at ``now``."""
    place = rng.choices(places.places, cum_weights=places.cum_weights)[0]
    _weight, municipality, district, unit, officer, points = place
    x, y = rng.choice(points)
    x, y = x + rng.uniform(-3e-4, 3e-4), y + rng.uniform(-3e-4, 3e-4)
    category = rng.choices(categories, cum_weights=category_weights)[0]
    age = timedelta(seconds=rng.uniform(0, 730 * 86400))
    created = now - age
    if age < 2 * DAY:
        status = Status.NEW if rng.random() < 0.7 else Status.VERIFYING
    elif age < 7 * DAY:
        status = rng.choices(WEEK_CHOICES, cum_weights=WEEK_CUM_WEIGHTS)[0]
    else:
        status = rng.choices(OLD_CHOICES, cum_weights=OLD_CUM_WEIGHTS)[0]
    report = Report(
        reference=_reference(number),
        token_hash=hashlib.sha256(f"bench-{number}".encode()).hexdigest(),
        category=category,
        description="Synthetic report for the benchmark.",
        reporter_language="pl" if unit == places.places[-1][3] else "cs",
        ip_hash=hashlib.sha256(f"ip-{number % 50_000}".encode()).hexdigest(),
        police_unit_id=unit,
        district_id=district,
        municipality_id=municipality,
        assignee_id=(officer or places.coordinator) if status != Status.NEW else None,
        support_count=0 if rng.random() < 0.9 else rng.randint(1, 5),
        created_at=created,
    )
    window = min(age, timedelta(hours=category.take_up_hours))
    taken_up = created + timedelta(seconds=rng.uniform(0.02, 1) * window.total_seconds())
    verified = min(taken_up + timedelta(hours=rng.uniform(1, category.verify_hours)), now)
    closed = min(verified + timedelta(days=rng.uniform(0, 10)), now)
    inputs = {"public_answer": ANSWERS.get(status, "")}
    if status == Status.HANDED_OVER:
        inputs["partner_body"] = places.partner_body
    path = [
        (name, at, inputs if name == PATHS[status][-1] else {})
        for name, at in zip(PATHS[status], (taken_up, verified, closed), strict=False)
    ]
    replay(report, path, now=now)
    return _as_row(report, x, y)


def _columns() -> list:
    return [f for f in Report._meta.concrete_fields if not f.primary_key]


def _copy(rows: list[dict]) -> None:
    """Write rows with one COPY; fields a row does not name get their model default."""
    fields = _columns()
    defaults = {f.attname: (None if f.null else f.get_default()) for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {Report._meta.db_table} ({columns}) FROM STDIN"  # noqa: S608 - names from the model
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row.get(f.attname, defaults[f.attname]) for f in fields])


def seed(target: int, rng: random.Random) -> tuple[int, float]:
    """Add synthetic reports until there are ``target`` of them. Returns (added, seconds)."""
    existing = Report.objects.filter(reference__startswith=BENCH_PREFIX).count()
    if existing >= target:
        return 0, 0.0
    places, (categories, category_weights) = Places(rng), _categories()
    now = timezone.now()
    started = time.perf_counter()
    for first in range(existing, target, BATCH):
        last = min(first + BATCH, target)
        _copy([_row(n, rng, now, places, categories, category_weights) for n in range(first, last)])
        rate = (last - existing) / (time.perf_counter() - started)
        print(f"  seeded {last:>9,} reports ({rate:,.0f} per second)", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Report._meta.db_table}")
    return target - existing, time.perf_counter() - started


# --- measuring ------------------------------------------------------------------------------------------


def _median_request(client: Client, url: str, requests: int) -> tuple[float, int, int, int]:
    """(median seconds, status, SQL queries, bytes) of GET ``url`` after a warm-up, as in bench/pages.py."""
    for _ in range(5):
        client.get(url)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
    reset_queries()  # the query log keeps 9000 entries: a full log would count nothing
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(samples), response.status_code, len(queries), len(response.content)


def _median_http(port: int, url: str, requests: int, cookie: str = "") -> tuple[float, int]:
    """(median seconds, status) of GET ``url`` through gunicorn, a new connection each time (gunicorn's sync
    workers close it), gzip accepted as a browser does, after a warm-up. A non-200 status fails."""
    headers = {"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"}  # as behind the TLS proxy
    if cookie:
        headers["Cookie"] = cookie

    def get() -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status

    for _ in range(5):
        get()
    samples, status = [], 0
    for _ in range(requests):
        start = time.perf_counter()
        status = get()
        samples.append(time.perf_counter() - start)
        assert status == 200, f"{url} answered {status} through gunicorn"
    return statistics.median(samples), status


class Server:
    """gunicorn (2 sync workers, DEBUG=0, persistent connections) serving ``bench.wsgi`` on one database."""

    def __init__(self, database: str, port: int):
        self.port = port
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{database}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions the bench logs in with
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MFA_REQUIRED_ROLES": "",  # the demo staff have no second factor
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        root = Path(__file__).resolve().parent.parent
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "bench.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level=warning"],
            cwd=root,
            env=env,
            start_new_session=True,
        )

    def wait(self) -> None:
        for _ in range(240):  # slow to boot on a busy machine
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/bench/trivial")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn on port {self.port} did not answer")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _median_call(function, runs: int) -> tuple[float, int, object]:
    function()  # warm-up
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        function()
    return statistics.median(samples), len(queries), result


def _sweep_queries(now) -> list:
    """The sweep's reads, exactly as portal.deadlines builds them for the report deadlines."""
    return [
        deadline.due_rows(step, now).order_by(deadline.due_field, "pk").values_list("pk", flat=True)[:500]
        for deadline in REPORT.deadlines
        for step in deadline.steps
    ]


def _due_reports(count: int, now, rng: random.Random) -> None:
    """``count`` reports whose take-up deadline passed a minute ago, in a district with an officer."""
    district = District.objects.filter(officers__email="officer@demo.okrsek.cz").order_by("pk").first()
    officer = district.officers.get()
    category = Category.objects.get(code="illegal-parking")
    points = _interior_points(district.area, rng, 16)
    base = (
        Report.objects.filter(reference__startswith=BENCH_PREFIX).count() + 10_000_000 + rng.randrange(10**6)
    )
    rows = []
    for n in range(count):
        x, y = rng.choice(points)
        report = Report(
            reference=_reference(base + n),
            token_hash=hashlib.sha256(f"bench-due-{base + n}".encode()).hexdigest(),
            category=category,
            ip_hash=hashlib.sha256(f"due-{n}".encode()).hexdigest(),
            police_unit_id=district.police_unit_id,
            district_id=district.pk,
            municipality_id=district.municipality_id,
            assignee_id=officer.pk,
            created_at=now - timedelta(hours=category.take_up_hours, minutes=1),
        )
        replay(report, [], now=now - 2 * MINUTE)  # reminded by an earlier run, not yet marked overdue
        rows.append(_as_row(report, x, y))
    _copy(rows)


def _sweep_once(rng: random.Random, plans: list | None = None) -> tuple[float, int, float]:
    """(seconds, queries) of one sweep with exactly 100 due reports, and the seconds of a sweep right after
    it, with nothing due. ``plans`` receives the EXPLAIN ANALYZE of the sweep's reads."""
    now = timezone.now()
    services.deadlines_sweep(now=now)  # whatever became due since the last round: not measured
    _due_reports(100, now, rng)
    due = sum(len(q) for q in _sweep_queries(now))
    assert due == 100, f"{due} reports due instead of 100"
    if plans is not None:
        plans.extend(q.explain(analyze=True) for q in _sweep_queries(now))
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = services.deadlines_sweep(now=now)
        seconds = time.perf_counter() - start
    assert result.take_up_overdue == 100 and result.total == 100, result
    start = time.perf_counter()
    assert services.deadlines_sweep(now=now).total == 0
    return seconds, len(queries), time.perf_counter() - start


def _submitter(rng: random.Random):
    category = Category.objects.get(code="illegal-parking")
    plzen = Municipality.objects.get(country=Country.CZ, code="554791")
    points = _interior_points(plzen.boundary, rng, 64)

    def submit():
        x, y = rng.choice(points)
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"  # the daily limit is per IP
        services.report_submit(category=category, point=Point(x, y, srid=4326), description="Bench", ip=ip)

    return submit


def _use_database(name: str) -> None:
    """Point the default connection at another database of the same server."""
    connection.close()
    connection.settings_dict["NAME"] = name


MAP_URL = f"/reports/map.geojson?bbox={','.join(map(str, PLZEN_BBOX))}&zoom={PLZEN_ZOOM}"
QUEUE_URL = "/reports/staff/"
DASHBOARD_URL = "/reports/staff/dashboard/"
ITEMS = [
    ("trivial", "trivial view `/bench/trivial`"),
    ("sweep", "deadline sweep, 100 due (100 overdue marks, 200 emails queued)"),
    ("sweep_empty", "deadline sweep, nothing due"),
    ("map", f"map GeoJSON `{MAP_URL}` (cells)"),
    ("map_live", "the same map GeoJSON counted live (cells set aside)"),
    ("queue", f"officer queue `{QUEUE_URL}` as the demo officer"),
    ("dashboard", f"coordinator dashboard `{DASHBOARD_URL}` (30 days) as the demo coordinator"),
    ("submit", "report submission `services.report_submit`"),
]
PAGES = {"trivial": "/bench/trivial", "map": MAP_URL, "map_live": MAP_URL, "queue": QUEUE_URL}
PAGES["dashboard"] = DASHBOARD_URL


class Database:
    """One database under measurement: what it holds and the samples taken from it."""

    def __init__(self, name: str, rng: random.Random, only: set[str] | None = None):
        self.name, self.rng, self.only = name, rng, only
        self.server: Server | None = None
        self.samples: dict[str, list[float]] = {key: [] for key, _label in ITEMS}
        self.queries: dict[str, int] = {}
        self.sizes: dict[str, int] = {}
        self.notes: dict[str, str] = {}
        self.plans: list[str] = []

    def describe(self) -> None:
        officer = get_user_model().objects.get(email="officer@demo.okrsek.cz")
        since = timezone.now() - timedelta(days=selectors.PUBLIC_PERIOD_DAYS)
        self.reports = Report.objects.count()
        self.size = _table_size()
        self.notes["map"] = f"{selectors.public_reports(since=since, bbox=PLZEN_BBOX).count():,} in the box"
        self.notes["queue"] = f"{selectors.staff_queue(officer).count():,} open"
        self.officer = officer
        self.coordinator = get_user_model().objects.get(email="coordinator@demo.okrsek.cz")
        unit = self.coordinator.profile.police_unit
        month = Report.objects.filter(police_unit=unit, created_at__gte=timezone.now() - timedelta(days=30))
        self.notes["dashboard"] = f"{month.count():,} in 30 days"
        if not MapCellState.objects.exists():
            started = time.perf_counter()
            map_cells.map_cells_rebuild()
            self.notes["rebuild"] = f"cells rebuilt in {time.perf_counter() - started:.1f} s"
        self.submit = _submitter(self.rng)

    @staticmethod
    def _cookie(client: Client) -> str:
        """The session the test client has just logged in with (each login replaces the one before)."""
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    def wanted(self, key: str) -> bool:
        return key == "trivial" or self.only is None or key in self.only

    def round(self, client: Client, requests: int) -> None:
        """One round of every measurement (the rounds alternate between the databases)."""
        map_cells.map_cells_age()  # as the beat task does every minute
        for key, url in PAGES.items():
            if not self.wanted(key):
                continue
            if key == "queue":
                client.force_login(self.officer)
            if key == "dashboard":
                client.force_login(self.coordinator)
            aside = None
            if key == "map_live":  # the cells' state set aside: the map counts live
                aside = MapCellState.objects.get()
                MapCellState.objects.filter(pk=aside.pk).delete()
            try:
                median, status, queries, size = _median_request(client, url, requests)
                if self.server is not None:  # the time through gunicorn; queries and size in-process
                    cookie = "" if key in ("trivial", "map", "map_live") else self._cookie(client)
                    median, status = _median_http(self.server.port, url, requests, cookie)
            finally:
                if aside is not None:
                    aside.save(force_insert=True)
            if status != 200:  # the view is not built yet: measure the selector it is to use
                median, queries, size = self._selector(key, requests)
                self.notes[key] = self.notes.get(key, "") + f"; view answered {status}, selector measured"
            self.samples[key].append(median)
            self.queries[key], self.sizes[key] = queries, size
        if self.wanted("sweep"):
            seconds, queries, empty = _sweep_once(self.rng, self.plans if not self.plans else None)
            self.samples["sweep"].append(seconds)
            self.samples["sweep_empty"].append(empty)
            self.queries["sweep"], self.queries["sweep_empty"] = queries, 4
        if self.wanted("submit"):
            median, queries, _result = _median_call(self.submit, max(5, requests // 2))
            self.samples["submit"].append(median)
            self.queries["submit"] = queries

    def _selector(self, key: str, requests: int) -> tuple[float, int, int]:
        if key == "map":
            reports = selectors.public_reports(bbox=PLZEN_BBOX)
            median, queries, _ = _median_call(
                lambda: (reports.count(), list(reports.values("pk", "point")[:500])), requests
            )
        else:
            median, queries, _ = _median_call(
                lambda: list(selectors.staff_queue(self.officer)[:50]), requests
            )
        return median, queries, 0

    def median(self, key: str) -> float:
        return statistics.median(self.samples[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, required=True, help="how many synthetic reports to have")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="DBNAME",
        help="another database on the same server, seeded by an earlier run: measured in alternation",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of measurements (median of the rounds)")
    parser.add_argument("--requests", type=int, default=10, help="requests per page and round (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--http",
        action="store_true",
        help="time the pages through gunicorn (2 sync workers, DEBUG=0; run collectstatic first)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated measurements (sweep, map, map_live, queue, dashboard, submit); default: all",
    )
    parser.add_argument(
        "--explain-pages",
        action="store_true",
        help="also print the plans of the map's and the queue's queries",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/incidents.py measures PostGIS: set DATABASE_URL=postgis://…/okrsek_bench")
    rng = random.Random(args.seed)
    only = {key for key in args.only.split(",") if key} or None
    if only and "sweep" in only:
        only.add("sweep_empty")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} at the start")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    # Tasks go to an in-memory broker: the sweep queues its emails, nothing is sent
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None

    added, seconds = seed(args.reports, rng)
    if added:
        print(f"seeded {added:,} reports in {seconds:.0f} s ({added / seconds:,.0f} per second)")
        MapCellState.objects.all().delete()  # the cells are rebuilt below, with the new reports
    databases = [Database(connection.settings_dict["NAME"], rng, only)]
    databases += [
        Database(name, random.Random(args.seed + n), only) for n, name in enumerate(args.compare, 1)
    ]
    for database in databases:
        _use_database(database.name)
        if database is not databases[0]:  # brought up to date like the first one
            call_command("migrate", verbosity=0)
            call_command("seed_demo", stdout=io.StringIO())
        database.describe()

    setup_test_environment()
    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    if args.http:
        for number, database in enumerate(databases):
            database.server = Server(database.name, 8290 + number)
        for database in databases:
            database.server.wait()
    started = time.perf_counter()
    try:
        for number in range(args.rounds):
            for database in databases:
                _use_database(database.name)
                database.round(client, args.requests)
            print(
                f"  round {number + 1} of {args.rounds} ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
    finally:
        for database in databases:
            if database.server is not None:
                database.server.stop()
    _print(databases, args)


def _print(databases: list[Database], args) -> None:
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"PostgreSQL {connection.pg_version // 10000}; load average {load} at the end (1, 5, 15 min);")
    how = "through gunicorn (2 sync workers, DEBUG=0)" if args.http else "in-process (Django's test client)"
    print(f"{args.rounds} rounds alternating between the databases, {args.requests} requests per page each,")
    print(f"pages timed {how}\n")
    for database in databases:
        rebuilt = f"; {database.notes['rebuild']}" if "rebuild" in database.notes else ""
        print(f"- `{database.name}`: {database.reports:,} reports; incidents_report {database.size}{rebuilt}")
    header = " | ".join(f"{d.reports:,} reports: ms | × trivial | queries | KB" for d in databases)
    print(f"\n| what | {header} |")
    print("|---|" + "---:|---:|---:|---:|" * len(databases))
    for key, label in ITEMS:
        if not databases[0].samples[key]:
            continue
        cells = []
        for database in databases:
            median, base = database.median(key), database.median("trivial")
            note = database.notes.get(key)
            size = database.sizes.get(key)
            cells.append(
                f"{median * 1000:.2f}{f' ({note})' if note else ''} | {median / base:,.1f} | "
                f"{database.queries.get(key, 0)} | {'' if size is None else f'{size / 1000:.1f}'}"
            )
        print(f"| {label} | " + " | ".join(cells) + " |")
    for database in databases:
        print(f"\nEXPLAIN ANALYZE of the sweep's reads with 100 due, `{database.name}`:\n")
        for plan in database.plans:
            print(plan + "\n")
        if args.explain_pages:
            _use_database(database.name)
            since = timezone.now() - timedelta(days=selectors.PUBLIC_PERIOD_DAYS)
            in_box = selectors.public_reports(since=since, bbox=PLZEN_BBOX).order_by().values("pk")
            print(f"EXPLAIN ANALYZE of the map's reports in the box, `{database.name}`:\n")
            print(in_box.explain(analyze=True) + "\n")
            print(f"EXPLAIN ANALYZE of the officer queue's first page, `{database.name}`:\n")
            print(selectors.staff_queue(database.officer)[:25].explain(analyze=True) + "\n")


def _table_size() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_table_size(%s)), pg_size_pretty(pg_indexes_size(%s))",
            [Report._meta.db_table, Report._meta.db_table],
        )
        table, indexes = cursor.fetchone()
    return f"table {table}, indexes {indexes}"


if __name__ == "__main__":
    main()
