"""Dates a citizen types are bounded, and one stored row with an unreadable time stops nothing (issue 12, 1).

A year-1 time of occurrence used to be saved on PostgreSQL as a BC timestamp (Prague's offset of +0:57:44
in year 1 moves it into year 0) that psycopg cannot read back, and to be a 500 on SQLite. Then the deadline
sweep of the whole region, the Open311 lists, nearby.json, the staff pages and the exports all failed on
that row. Now the form and the service refuse it, the database refuses it (a CHECK constraint), a stored one
reads as unknown, and a row that still cannot be read is skipped by the sweep, which goes on with the rest.

Run on SpatiaLite (the default) and on PostGIS (DATABASE_URL=postgis://…)."""

import importlib
import logging
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from incidents import services
from incidents.forms import ReportForm
from incidents.models import Report
from portal.models import Notification
from tests.incidents.citizen_helpers import (  # noqa: F401  (citizen_fixture: the fixture "citizen")
    IN_DISTRICT,
    citizen_fixture,
    form_data,
    point,
    post,
)

from .staff_helpers import login, staff_fixture, submit  # noqa: F401

pytestmark = pytest.mark.django_db

# What a year-1 time of occurrence typed in Prague became on PostgreSQL; on SQLite, text that is no date
# (year 0) is what a reader cannot parse.
UNREADABLE = {"postgresql": "0001-12-31 23:32:16+00 BC", "sqlite": "0000-12-31 23:32:16"}


@contextmanager
def check_constraint_off():
    """Let a row break the CHECK constraint, as a restore of an old dump or an import by SQL could. On
    PostgreSQL the constraint comes back when the test's transaction is rolled back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key checks: ALTER may run
            cursor.execute("ALTER TABLE incidents_report DROP CONSTRAINT IF EXISTS report_occurred_at_range")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")


def plant(report: Report, column: str = "occurred_at") -> None:
    """Store an unreadable time in ``column`` of ``report``, bypassing Django."""
    with check_constraint_off(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE incidents_report SET {column} = %s WHERE id = %s",  # noqa: S608 - a test's own column
            [UNREADABLE[connection.vendor], report.pk],
        )


# --- the form and the service refuse it -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, message",
    [
        ("0001-01-01T00:30", "The time of occurrence cannot be before 1 January 1970."),
        ("1969-12-31T23:59", "The time of occurrence cannot be before 1 January 1970."),
        ("9999-12-31T23:59", "The time of occurrence cannot be in the future."),
    ],
)
def test_the_form_refuses_a_time_of_occurrence_out_of_range_and_keeps_it(client, citizen, typed, message):
    data = form_data(client, occurred_at=typed, reporter_email="kept@example.org")
    response = post(client, data)
    assert response.status_code == 200  # was a 500 on SQLite and a saved year-1 report on PostgreSQL
    assert response.context["form"].errors["occurred_at"] == [message]
    assert not Report.objects.exists()
    html = response.content.decode()
    assert f'value="{typed}"' in html and 'value="kept@example.org"' in html  # nothing typed is lost
    assert 'min="1970-01-01T01:00"' in html  # the date picker starts there (1970 in Prague's time)


def test_the_form_itself_refuses_it_before_any_service_runs(citizen):
    form = ReportForm({"occurred_at": "0001-01-01T00:30"})
    assert not form.is_valid()
    assert form.errors["occurred_at"] == ["The time of occurrence cannot be before 1 January 1970."]


def test_the_form_accepts_a_time_inside_the_window(client, citizen):
    assert post(client, form_data(client, occurred_at="1970-01-02T08:00")).status_code == 302
    assert Report.objects.get().occurred_at == datetime(1970, 1, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "occurred_at",
    [
        datetime(1, 1, 1, 0, 30, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
        datetime(1, 1, 1, 0, 30),
    ],
)
def test_the_service_refuses_it_for_every_channel(citizen, occurred_at):
    with pytest.raises(ValidationError) as refused:
        services.report_submit(
            category=citizen["dumping"], point=point(IN_DISTRICT), occurred_at=occurred_at, ip="192.0.2.1"
        )
    assert refused.value.message_dict == {
        "occurred_at": ["The time of occurrence cannot be before 1 January 1970."]
    }
    assert not Report.objects.exists()


def test_the_database_refuses_a_time_outside_1970_to_2200(staff):
    report = submit(staff)
    for value in (datetime(1969, 12, 31, 23, 0, tzinfo=UTC), datetime(2201, 1, 1, tzinfo=UTC)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.filter(pk=report.pk).update(occurred_at=value)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_report SET occurred_at = %s WHERE id = %s",
            [UNREADABLE[connection.vendor], report.pk],
        )
    Report.objects.filter(pk=report.pk).update(occurred_at=datetime(2200, 12, 31, tzinfo=UTC))


def test_the_migration_forgets_impossible_times_already_stored(staff):
    good, bad = submit(staff, occurred_at=timezone.now() - timedelta(hours=3)), submit(staff)
    plant(bad)
    migration = importlib.import_module("incidents.migrations.0006_report_occurred_at_range")
    migration.forget_impossible_times(apps, type("Editor", (), {"connection": connection}))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM incidents_report WHERE occurred_at IS NULL")
        assert [row[0] for row in cursor.fetchall()] == [bad.pk]
    assert Report.objects.get(pk=good.pk).occurred_at is not None


# --- readers survive a stored one ------------------------------------------------------------------------


@pytest.fixture
def bad_row(staff, settings):
    """Three reports of the district and one whose time of occurrence is unreadable in the database."""
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    reports = [submit(staff, occurred_at=timezone.now() - timedelta(days=1)) for _ in range(3)]
    bad, token = services.report_submit(
        category=staff["category"], point=staff["in_district"], ip="192.0.2.99"
    )
    plant(bad)
    return {"bad": bad, "token": token, "others": reports}


def test_public_readers_do_not_fail_on_an_unreadable_time(client, staff, bad_row):
    bad, lat, lon = bad_row["bad"], staff["in_district"].y, staff["in_district"].x
    where = {"jurisdiction_id": staff["unit"].code}
    listed = client.get("/open311/v2/requests.json", where)
    assert listed.status_code == 200
    assert {item["service_request_id"] for item in listed.json()} >= {bad.reference}
    assert client.get(f"/open311/v2/requests/{bad.reference}.json", where).status_code == 200
    assert client.get("/open311/v2/requests.xml", where).status_code == 200
    feed = client.get("/open311/v2/requests.geojson", where)
    assert feed.status_code == 200 and len(feed.json()["features"]) == 4
    nearby = client.get(
        "/reports/new/nearby.json", {"category": staff["category"].code, "lat": lat, "lon": lon}
    )
    assert nearby.status_code == 200 and bad.reference in {r["reference"] for r in nearby.json()["reports"]}
    assert client.get("/reports/map/").status_code == 200
    box = f"{lon - 0.05},{lat - 0.05},{lon + 0.05},{lat + 0.05}"
    assert client.get("/reports/map.geojson", {"bbox": box, "zoom": 18}).status_code == 200
    assert client.get("/reports/stats/").status_code == 200
    tracked = client.get(f"/reports/track/{bad_row['token']}/")
    assert tracked.status_code == 200 and bad.reference in tracked.content.decode()


def test_staff_readers_do_not_fail_on_an_unreadable_time(client, staff, bad_row):
    bad = bad_row["bad"]
    login(client, staff["officer"])
    queue = client.get("/reports/staff/")
    assert queue.status_code == 200 and bad.reference in queue.content.decode()
    detail = client.get(f"/reports/staff/{bad.pk}/")
    assert detail.status_code == 200 and bad.reference in detail.content.decode()
    assert Report.objects.get(pk=bad.pk).occurred_at is None  # shown as unknown, which it is
    csv = client.get("/reports/staff/export.csv?status=all")
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert all(report.reference in body for report in [bad, *bad_row["others"]])
    geojson = client.get("/reports/staff/export.geojson?status=all")
    assert geojson.status_code == 200 and bad.reference.encode() in b"".join(geojson.streaming_content)
    login(client, staff["coordinator"])
    assert client.get("/reports/staff/dashboard/").status_code == 200


# --- the deadline sweep survives a bad row ---------------------------------------------------------------

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _overdue_notices() -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind="incident_overdue").values_list("dedup_key", "to_email"))


def test_the_sweep_goes_on_past_an_unreadable_time_of_occurrence(staff, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    reports = [submit(staff, now=T0) for _ in range(4)]
    plant(reports[1])
    result = services.deadlines_sweep(now=T0 + timedelta(hours=49))
    assert result.take_up_overdue == 4  # the unknown time of occurrence stops nothing
    assert Report.objects.filter(take_up_overdue=True).count() == 4
    assert len(_overdue_notices()) == 4 * 2  # the district's officer and the unit's coordinator


def test_the_sweep_logs_and_skips_a_row_it_cannot_read_and_does_the_rest(staff, settings, caplog):
    """A row that fails while being processed (here a column no bound protects, unreadable in the
    database) is logged with its pk and skipped; the other overdue reports are marked and notified once."""
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    reports = [submit(staff, now=T0) for _ in range(4)]
    bad, others = reports[2], [r for r in reports if r != reports[2]]
    plant(bad, column="updated_at")
    later = T0 + timedelta(hours=49)
    with caplog.at_level(logging.ERROR, logger="portal.deadlines"):
        result = services.deadlines_sweep(now=later)
    assert result.take_up_overdue == 3
    assert set(Report.objects.filter(take_up_overdue=True).values_list("pk", flat=True)) == {
        r.pk for r in others
    }
    notices = _overdue_notices()
    assert len(notices) == 3 * 2 and not any(f"report:{bad.pk}:" in key for key, _ in notices)
    assert f"row {bad.pk} could not be processed; skipped" in caplog.text
    # The next run: nothing twice, the bad row tried again (and skipped again)
    assert services.deadlines_sweep(now=later + timedelta(minutes=1)).take_up_overdue == 0
    assert _overdue_notices() == notices
    # Mended, it is done on the next run, once
    Report.objects.filter(pk=bad.pk).update(updated_at=T0)
    assert services.deadlines_sweep(now=later + timedelta(minutes=2)).take_up_overdue == 1
    assert len(_overdue_notices()) == 4 * 2
