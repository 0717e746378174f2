"""The embedded default never loses a save: web, worker and beat write to one SpatiaLite file at once.

What ``make run`` starts is reproduced with real processes on a real database file (not ``:memory:``): two
towns' staff save their nomination again and again through the web view while two workers run the KMZB
deadline sweep and the outbox sweep over 30 overdue reports. Every save must answer the usual redirect (no
"database is locked"), every one must be in the database afterwards, and each report's overdue event and
emails must be there exactly once.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import Category, District
from portal import roles
from portal.models import Country, Municipality, PoliceUnit
from workshops.models import Initiative

ROOT = Path(__file__).resolve().parents[2]
SAVES = 25
REPORTS = 30

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default's own test: SpatiaLite"),
]


def _square(x: float, y: float, size: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x, y, x + size, y + size)), srid=4326)


def _data(make_user) -> list[tuple[str, str]]:
    """Two towns with a staff member each, an open nomination round, and 30 reports past their take-up
    deadline in a district with its officer and the unit's coordinator. Returns (town code, staff email)."""
    Initiative.objects.create(
        code="bi-norway",
        name_cs="Sdílení dobré praxe",
        organiser="MV ČR",
        nomination_deadline=timezone.localdate() + timedelta(days=7),
    )
    towns = []
    for code, name in (("553468", "Domažlice"), ("559717", "Rokycany")):
        town = Municipality.objects.create(country=Country.CZ, code=code, name=name)
        email = f"staff-{code}@example.org"
        make_user(email=email, roles=[roles.MUNICIPAL_STAFF], municipality=town)
        towns.append((code, email))
    unit = PoliceUnit.objects.create(code="oop-dom", name="OOP Domažlice", country=Country.CZ)
    district = District.objects.create(
        code="d-1", name="Střed", area=_square(12.9, 49.4, 0.1), police_unit=unit
    )
    officer = make_user(email="officer@example.org", roles=[roles.OFFICER], police_unit=unit)
    district.officers.add(officer)
    make_user(email="coordinator@example.org", roles=[roles.COORDINATOR], police_unit=unit)
    category = Category.objects.create(code="vandalism", group="public_order", name_cs="vandalismus")
    three_days_ago = timezone.now() - timedelta(days=3)
    for i in range(REPORTS):
        incident_services.report_submit(
            category=category,
            point=Point(12.95, 49.45, srid=4326),
            description=f"Rozbitá lavička {i}",
            ip=f"198.51.100.{i + 1}",
            now=three_days_ago,
        )
    return towns


def _spawn(folder: Path, database: Path, role: str, name: str, *args: str) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "OKRSEK_IGNORE_DOTENV": "1",
        "OKRSEK_VAR_DIR": str(folder / "var"),
        "DEBUG": "1",
        "DATABASE_URL": f"spatialite:///{database}",
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_URL": "dummymail://",
        "CELERY_TASK_ALWAYS_EAGER": "1",  # the web's "send now" task runs in the web process: more writers
        "LOG_LEVEL": "ERROR",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.portal.sqlite_writers", role, str(folder), name, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_web_saves_while_the_workers_sweep_all_land_with_no_locked_database(tmp_path, make_user):
    towns = _data(make_user)
    database = tmp_path / "okrsek.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(database)
    connection.connection.backup(target)  # the migrated test database, data included, as a file
    target.close()

    processes = {
        f"web-{code}": _spawn(tmp_path, database, "web", f"web-{code}", email, "bi-norway", str(SAVES))
        for code, email in towns
    }
    for name in ("worker-1", "worker-2"):
        processes[name] = _spawn(tmp_path, database, "worker", name)
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{name}").exists() for name in processes):
        died = {n: p.communicate() for n, p in processes.items() if p.poll() is not None}
        assert not died and time.monotonic() < deadline, died
        time.sleep(0.05)
    (tmp_path / "go").touch()  # every process starts writing now
    outputs = {n: p.communicate(timeout=180) for n, p in processes.items() if n.startswith("web")}
    (tmp_path / "stop").touch()  # the workers finish their round and do one more
    outputs |= {n: p.communicate(timeout=180) for n, p in processes.items() if n.startswith("worker")}

    assert {n: outputs[n][1][-3000:] for n, p in processes.items() if p.returncode != 0} == {}
    assert not any("database is locked" in err for _out, err in outputs.values())
    for code, _email in towns:
        assert json.loads(outputs[f"web-{code}"][0])["statuses"] == [302] * SAVES
    db = sqlite3.connect(database)

    def one(sql: str, *params) -> tuple:
        return db.execute(sql, params).fetchone()

    for code, email in towns:
        # Every save is there: the last one is the current nomination, and each left its log entry and email.
        (town,) = one("SELECT id FROM portal_municipality WHERE code = ?", code)
        assert one(
            "SELECT representative_name, note FROM workshops_nomination WHERE municipality_id = ?", town
        ) == (f"web-{code} representative {SAVES - 1}", f"save {SAVES - 1}")
        log = "SELECT count(*) FROM portal_activitylog WHERE verb LIKE 'nomination.%' AND data LIKE ?"
        assert one(log, f'%"municipality": {town}%') == (SAVES,)
        mails = "SELECT count(*) FROM portal_notification WHERE kind = ? AND to_email = ?"
        assert one(mails, "workshop_nomination_saved", email) == (SAVES,)
    # Each overdue report marked once by one of the two workers, with its event and its two emails once.
    assert one("SELECT count(*) FROM incidents_report WHERE take_up_overdue") == (REPORTS,)
    events = "SELECT count(*), count(DISTINCT report_id) FROM incidents_reportevent WHERE action = ?"
    assert one(events, "take_up_overdue") == (REPORTS, REPORTS)
    assert sum(json.loads(outputs[n][0])["overdue"] for n in ("worker-1", "worker-2")) == REPORTS
    overdue = "SELECT to_email, count(*) FROM portal_notification WHERE kind = ? GROUP BY to_email ORDER BY 1"
    assert db.execute(overdue, ("incident_overdue",)).fetchall() == [
        ("coordinator@example.org", REPORTS),
        ("officer@example.org", REPORTS),
    ]
    # …and every email queued while they all wrote has left the outbox.
    assert one("SELECT count(*) FROM portal_notification WHERE status != 'sent'") == (0,)
    db.close()
