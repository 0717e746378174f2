"""The hostile and careless-user rerun against a live gunicorn (started by scripts/hostile-run).

Checks, each bounded in count and time, only against 127.0.0.1:
  get-matrix     every URL pattern (real ids from the demo data) x anonymous + 10 demo roles: 5xx and leaks
                 (a 200 from a staff area to a role outside it, or from another unit's/town's object)
  post-matrix    every URL x every role, with a CSRF token, empty and nasty data: 5xx and rows that changed
                 in tables the role may not write
  nasty-inputs   the report form, survey answering, workshop registration and nomination, the proposal form
                 and Open311 POST with hostile values and files: 5xx, unescaped <script>, a bomb taking > 1 s
  open311-gen    randomized Open311 GET/POST calls (and the schemathesis CLI, bounded): 5xx
  concurrency    20 simultaneous report POSTs of one form, and of 20 forms (no Redis): one report saved
  redis-down     a second gunicorn without Redis: the report form, map and login answer, a report is saved
"""

import argparse
import json
import socket
import struct
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from open311 import open311_generated, schemathesis  # noqa: E402
from web import ROLES, ROOT, XSS_MARK, Client, Tally, form_defaults, left, post_form  # noqa: E402

# Who may get a 200 from a staff area (the superuser "admin" may see everything).
AREAS = {
    "/reports/staff/": {"officer", "coordinator", "partner"},
    "/workshops/manage/": {"organiser"},
    "/grants/manage/": {"manager"},
    "/grants/commission/": {"commission", "manager"},
    "/surveys/manage/": {"methodologist"},
    "/surveys/interviews/": {"interviewer", "methodologist"},
    "/admin/": set(),
}
# Tables a role's POSTs with empty or nasty data may change (anybody may file a report, register, answer;
# whoever holds a report's tracking link may withdraw it: a report event).
TABLES = {
    "incidents_report": None,
    "incidents_reportevent": None,
    "projects_proposal": {"staff"},
    "projects_review": {"commission"},
    "projects_decision": {"manager"},
    "projects_call": {"manager"},
    "workshops_registration": None,
    "workshops_nomination": {"staff"},
    "workshops_presentationoffer": None,
    "workshops_publication": {"organiser"},
    "audits_response": None,
    "portal_user": set(),
    "incidents_apikey": set(),
}


def area_of(path: str) -> str | None:
    return next((prefix for prefix in AREAS if path.startswith(prefix)), None)


class Db:
    def __init__(self, url: str):
        self.conn = psycopg.connect(url.replace("postgis://", "postgresql://"), autocommit=True)

    def counts(self) -> dict:
        with self.conn.cursor() as cur:
            result = {}
            for table in TABLES:
                cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
                result[table] = cur.fetchone()[0]
            return result

    def scalar(self, sql: str, *args):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchone()[0]


# --- 1. the GET matrix --------------------------------------------------------------------------------------


def get_matrix(clients: dict, paths: list, cross: list) -> tuple[Tally, Tally]:
    errors, leaks = Tally(), Tally()
    table = {}
    for role, client in clients.items():
        row = {"tried": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "leaks": 0}
        for entry in paths:
            path = entry["path"]
            if path.startswith("/accounts/logout/") or path.startswith("/i18n/"):
                continue
            response, _ = client.get(path)
            status = response.status_code if response is not None else 599
            row["tried"] += 1
            row[f"{status // 100}xx" if status < 599 else "5xx"] += 1
            errors.add(status < 500, f"GET {path} as {role}: {status}")
            area = area_of(path)
            if area is not None:
                leak = status == 200 and role != "admin" and role not in AREAS[area]
                leaks.add(not leak, f"GET {path} as {role}: 200 (area {area})")
                row["leaks"] += leak
        for item in cross:
            if role in item["roles"]:
                response, _ = client.get(item["path"])
                status = response.status_code if response is not None else 599
                row["tried"] += 1
                leaks.add(status != 200, f"GET {item['path']} as {role}: {status} ({item['why']})")
                row["leaks"] += status == 200
        table[role] = row
    print("\nGET matrix         tried   2xx   3xx   4xx   5xx  leaks")
    for role, row in table.items():
        print(
            f"  {role:<15} {row['tried']:>6} {row['2xx']:>5} {row['3xx']:>5} {row['4xx']:>5} {row['5xx']:>5} "
            f"{row['leaks']:>6}"
        )
    return errors, leaks


# --- 2. the POST matrix -------------------------------------------------------------------------------------

NASTY_FIELDS = {
    "description": XSS_MARK + "\x00" + "A" * 2000,
    "title": "\x00" * 10,
    "name": "B" * 100_000,
    "email": "not-an-email\x00",
    "login": "x" * 300,
    "password": "\x00",
    "amount": "1e999",
    "requested_amount": "NaN",
    "date": "0001-01-01",
    "starts_at": "9999-12-31T23:59",
    "place_lat": "91",
    "place_lon": "NaN",
    "lat": "49,7380",
    "long": "1e999",
    "action": "../../etc/passwd",
    "transition": "approved",
    "status": "approved",
    "version": "-1",
    "score": "99999999999999999999",
    "language": "<script>",
    "next": "https://evil.example.org/",
}


def post_matrix(clients: dict, paths: list, db: Db) -> tuple[Tally, Tally]:
    errors, effects = Tally(), Tally()
    targets = [e["path"] for e in paths if not e["path"].startswith("/admin/") or e["path"] == "/admin/"]
    print("\nPOST matrix        tried   2xx   3xx   4xx   5xx  effects")
    for role, client in clients.items():
        row = {"tried": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0}
        before = db.counts()
        for path in targets:
            if path.startswith("/accounts/logout/") and role != "anon":
                continue
            if path.startswith("/accounts/login/") or path.startswith("/accounts/password/reset"):
                continue  # failed logins are rate limited per address: the logins of this run come first
            for data in ({}, NASTY_FIELDS):
                if left() < 240:
                    break
                response, _ = client.post(path, data)
                status = response.status_code if response is not None else 599
                row["tried"] += 1
                row[f"{min(status, 599) // 100}xx"] += 1
                errors.add(status < 500, f"POST {path} as {role} ({'nasty' if data else 'empty'}): {status}")
        after = db.counts()
        changed = {t: after[t] - before[t] for t in TABLES if after[t] != before[t]}
        bad = {
            t: n
            for t, n in changed.items()
            if TABLES[t] is not None and role != "admin" and role not in TABLES[t]
        }
        effects.add(not bad, f"POST matrix as {role} changed {bad}")
        print(
            f"  {role:<15} {row['tried']:>6} {row['2xx']:>5} {row['3xx']:>5} {row['4xx']:>5} "
            f"{row['5xx']:>5}  {changed or '-'}"
        )
    return errors, effects


# --- 3. nasty inputs ----------------------------------------------------------------------------------------

VALUES = {
    "year1": "0001-01-01T00:00",
    "year9999": "9999-12-31T23:59",
    "1e999": "1e999",
    "NaN": "NaN",
    "nul": "abc\x00def",
    "100kB": "Ž" * 50_000,
    "script": XSS_MARK,
    "lat91": "91",
    "comma": "49,7380",
    "rtl": "\u202eevil\u202c",
    "sql": "' OR 1=1 --",
    "empty": "",
}


def png(width: int, height: int, depth: int = 8) -> bytes:
    """A PNG of one colour; 16-bit RGBA at 6300x6300 is the decompression bomb (317 MB once decoded)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + b"\x00" * (width * 4 * depth // 8)
    raw = zlib.compressobj(9)
    data = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def report_data(fx: dict, **overrides) -> dict:
    lat, lon = fx["point"]
    data = {
        "category": fx["category"],
        "place_lat": f"{lat:.6f}",
        "place_lon": f"{lon:.6f}",
        "description": "hostile run: a careless citizen",
        "terms": "on",
        "nearby_seen": "on",
    }
    data.update(overrides)
    return data


def nasty_inputs(fx: dict, clients: dict, base: str) -> tuple[Tally, Tally]:
    errors, other = Tally(), Tally()
    anon = Client(base, "anon-nasty")
    anon.get("/reports/new/")

    def check(client, label, path, data, files=None, limit=None, **kwargs):
        response, elapsed = client.post(path, data, files=files, **kwargs)
        status = response.status_code if response is not None else 599
        errors.add(status < 500, f"{label}: POST {path} -> {status}")
        if limit is not None:
            other.add(elapsed <= limit, f"{label}: {elapsed:.2f} s (limit {limit} s)")
        return response

    for field in ("description", "place_lat", "place_lon", "occurred_at", "reporter_email", "category"):
        for name, value in VALUES.items():
            check(anon, f"report {field}={name}", "/reports/new/", report_data(fx, **{field: value}))
    files = {
        "svg": (
            "a.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        "pdf-as-html": ("report.html", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "text/html"),
        "html-as-pdf": ("report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        "empty-png": ("a.png", b"", "image/png"),
        "truncated-png": ("a.png", png(10, 10)[:40], "image/png"),
    }
    for name, file in files.items():
        check(anon, f"report upload {name}", "/reports/new/", report_data(fx), files={"attachments": file})
    bomb = png(6300, 6300, 16)
    check(
        anon,
        "report upload 6300x6300 16-bit PNG",
        "/reports/new/",
        report_data(fx),
        files={"attachments": ("bomb.png", bomb, "image/png")},
        limit=1.0,
    )
    # A body announced as 60 MB (only its first bytes sent): refused (413) before it is read
    status = _announce_huge_body(base, anon)
    errors.add(status < 500, f"60 MB Content-Length: {status}")
    other.add(status == 413, f"60 MB Content-Length answered {status}, not 413")
    # Double submit of one form (one nonce): the second is the same report
    page, _ = anon.get("/reports/new/")
    nonce = _nonce(page.text)
    for _ in range(2):
        check(
            anon, "report double submit", "/reports/new/", report_data(fx, nonce=nonce, description="double")
        )

    # Forms read from their pages: every field gets hostile values in turn.
    forms = [
        (Client(base, "anon-survey"), f"/surveys/{fx['wave']}/", None),
        (Client(base, "anon-register"), f"/workshops/{fx['workshop']}/register/", None),
        (clients["staff"], f"/workshops/i/{fx['initiative']}/nomination/", None),
        (clients["staff"], f"/grants/calls/{fx['call']}/propose/", "post-first"),
        (clients["organiser"], f"/workshops/manage/w/{fx['workshop']}/edit/", None),
    ]
    for client, path, how in forms:
        if how == "post-first":  # the call page's start form makes a draft; its edit form is the target
            page, _ = client.get(path.removesuffix("propose/"))
            start = post_form(page.text) if page is not None else None
            if start is not None:
                response, _ = client.post(start["action"] or path, form_defaults(start["fields"]))
                if response is not None and response.headers.get("Location", "").startswith("/"):
                    path = response.headers["Location"]
        page, _ = client.get(path)
        if page is not None and page.status_code in (301, 302):
            target = page.headers["Location"]
            path = target if target.startswith("/") else path
            page, _ = client.get(path)
        form = post_form(page.text) if page is not None else None
        if form is None:
            other.add(False, f"no form at {path} ({page.status_code if page is not None else 'no answer'})")
            continue
        action = form["action"] or path
        defaults = form_defaults(form["fields"])
        for field, spec in form["fields"].items():
            if field in ("csrfmiddlewaretoken",) or spec["type"] in ("hidden", "file"):
                continue
            for name in ("nul", "100kB", "script", "year1", "1e999"):
                check(client, f"{path} {field}={name}", action, {**defaults, field: VALUES[name]})

    # Open311 POST
    key = fx["open311_key"]
    lat, lon = fx["point"]
    base311 = {
        "api_key": key,
        "service_code": fx["category"],
        "lat": str(lat),
        "long": str(lon),
        "description": "open311 hostile",
    }
    for field in ("lat", "long", "description", "service_code", "requested_datetime", "email", "media_url"):
        for name in ("nul", "100kB", "script", "year1", "year9999", "1e999", "NaN", "comma"):
            response, _ = anon.request(
                "POST", "/open311/v2/requests.json", data={**base311, field: VALUES[name]}
            )
            status = response.status_code if response is not None else 599
            errors.add(status < 500, f"open311 {field}={name}: {status}")

    # The escaping check: the pages that show what was sent, as the people who see them
    for role, path in (
        ("officer", "/reports/staff/"),
        ("coordinator", "/reports/staff/"),
        ("organiser", f"/workshops/manage/w/{fx['workshop']}/"),
        ("staff", "/grants/my/"),
    ):
        clients[role].get(path)
    for client in [anon, *clients.values()]:
        for where, _body in client.html_seen:
            other.add(False, f"unescaped {XSS_MARK!r} in {where} as {client.role}")
        other.tried += 1
    return errors, other


def _announce_huge_body(base: str, client: Client) -> int:
    """POST /reports/new/ announcing 60 MB and sending 1 kB: the answer must come without the rest."""
    host, port = base.split("//")[1].split(":")
    cookies = "; ".join(f"{c.name}={c.value}" for c in client.session.cookies)
    head = (
        f"POST /reports/new/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {60 * 2**20}\r\nCookie: {cookies}\r\nX-CSRFToken: {client.csrf}\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(head.encode() + b"description=" + b"A" * 1024)
        try:
            answer = sock.recv(200).decode("latin-1")
        except TimeoutError:
            return 599
    parts = answer.split(" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 599


def _nonce(html: str) -> str:
    import re

    match = re.search(r'name="nonce" value="([^"]*)"', html)
    return match.group(1) if match else ""


# --- 4. generated Open311 calls -----------------------------------------------------------------------------


def concurrency(fx: dict, base: str, base_b: str, db: Db) -> tuple[Tally, Tally]:
    conc, fault = Tally(), Tally()
    cats = [c for c in fx["categories"] if c != fx["category"]]
    count = "SELECT count(*) FROM incidents_report WHERE description = %s"
    # a) one form sent 20 times at once (a double click, a resent form): one report
    client = Client(base, "double")
    page, _ = client.get("/reports/new/")
    data = report_data(fx, category=cats[0], nonce=_nonce(page.text), description="hostile same form x20")
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: client.post("/reports/new/", data)[0], range(20)))
    statuses = sorted({a.status_code if a is not None else 599 for a in answers})
    saved = db.scalar(count, data["description"])
    conc.add(saved == 1 and max(statuses) < 500, f"one form x20 at once: {saved} saved, statuses {statuses}")
    # b) 20 forms of one client and category at once, on the server without Redis: the daily limit keeps one
    clients = [Client(base_b, "limit") for _ in range(20)]
    payloads = []
    for c in clients:
        page, _ = c.get("/reports/new/")
        payloads.append(
            report_data(
                fx,
                category=cats[1],
                nonce=_nonce(page.text) if page is not None else "",
                description="hostile twenty forms at once",
            )
        )
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda i: clients[i].post("/reports/new/", payloads[i])[0], range(20)))
    statuses = sorted({a.status_code if a is not None else 599 for a in answers})
    saved = db.scalar(count, "hostile twenty forms at once")
    conc.add(
        saved == 1 and max(statuses) < 500, f"20 forms x1 client at once: {saved} saved, statuses {statuses}"
    )

    # The Redis outage: pages and a report on the second server
    anon = Client(base_b, "no-redis")
    for path in (
        "/reports/new/",
        "/reports/map/",
        "/accounts/login/",
        "/reports/map.geojson?bbox=12,49,14,50.5",
        "/",
    ):
        response, _ = anon.get(path)
        status = response.status_code if response is not None else 599
        fault.add(status == 200, f"no Redis: GET {path} -> {status}")
    officer = Client(base_b, "officer")
    fault.add(officer.login(), "no Redis: the officer cannot log in")
    response, _ = officer.get("/reports/staff/")
    fault.add(
        response is not None and response.status_code == 200, "no Redis: the staff queue does not answer 200"
    )
    page, _ = anon.get("/reports/new/")
    data = report_data(
        fx, category=cats[2], nonce=_nonce(page.text), description="hostile filed without Redis"
    )
    response, _ = anon.post("/reports/new/", data)
    status = response.status_code if response is not None else 599
    saved = db.scalar(count, data["description"])
    fault.add(saved == 1, f"no Redis: report POST -> {status}, {saved} saved")
    response, _ = anon.get("/healthz")
    print(f"  (no Redis: /healthz answers {response.status_code if response is not None else 'nothing'})")
    return conc, fault


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--base-no-redis", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--open311-calls", type=int, default=3000)
    args = parser.parse_args()
    out = Path(args.out)
    started = time.monotonic()
    fx = json.loads(
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("fixtures.py"))],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    )
    unfilled = [p["path"] for p in fx["paths"] if p.get("unfilled")]
    print(
        f"{len(fx['paths'])} URL patterns filled with demo ids "
        f"({len(unfilled)} without a demo object: {unfilled})"
    )
    db = Db(args.db)
    clients = {"anon": Client(args.base, "anon")}
    logins = Tally()
    for role in ROLES:
        clients[role] = Client(args.base, role)
        logins.add(clients[role].login(), f"login as {role} failed")
    clients["anon"].login()
    results = {"logins": logins}
    print("\n== GET matrix")
    results["get-matrix 5xx"], results["get-matrix leaks"] = get_matrix(clients, fx["paths"], fx["cross"])
    print(f"   {time.monotonic() - started:.0f} s")
    print("\n== nasty inputs")
    results["nasty-inputs 5xx"], results["nasty-inputs other"] = nasty_inputs(fx, clients, args.base)
    print(f"   {time.monotonic() - started:.0f} s")
    print("\n== concurrency and the Redis outage")
    results["concurrency"], results["redis-down"] = concurrency(fx, args.base, args.base_no_redis, db)
    print("\n== POST matrix")
    results["post-matrix 5xx"], results["post-matrix effects"] = post_matrix(clients, fx["paths"], db)
    print(f"   {time.monotonic() - started:.0f} s")
    print("\n== generated Open311 calls")
    results["open311-generated 5xx"] = open311_generated(
        fx, args.base, args.open311_calls, min(150, left() - 200)
    )
    results["open311 schemathesis"] = schemathesis(fx, args.base, out, min(200, max(left() - 30, 30)))
    print(f"   {time.monotonic() - started:.0f} s")

    print("\nfailures:")
    for name, tally in results.items():
        for detail in tally.details:
            print(f"  [{name}] {detail}")
    print(f"\n{'check':<24} | {'tried':>6} | {'failed':>6}")
    print(f"{'-' * 24}-+-{'-' * 6}-+-{'-' * 6}")
    for name, tally in results.items():
        print(f"{name:<24} | {tally.tried:>6} | {tally.failed:>6}")
    total = sum(t.tried for t in results.values()), sum(t.failed for t in results.values())
    print(f"{'total':<24} | {total[0]:>6} | {total[1]:>6}")
    print(f"({time.monotonic() - started:.0f} s; logs in {out})")
    return 1 if total[1] else 0


if __name__ == "__main__":
    raise SystemExit(main())
