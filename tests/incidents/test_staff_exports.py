"""Exports of the filtered queue: /reports/staff/export.csv and /reports/staff/export.geojson."""

import csv
import io
import json

import pytest
from django.utils import timezone

from incidents.models import Report

from .staff_helpers import act, login, staff_fixture, submit  # noqa: F401

CSV = "/reports/staff/export.csv"
GEOJSON = "/reports/staff/export.geojson"


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens the Czech and Polish letters right
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def read_geojson(response) -> dict:
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def reports(staff):
    west = submit(
        staff,
        description='=HYPERLINK("http://evil.example.org","click") and "quotes", žluťoučký kůň',
        reporter_email="citizen@example.org",
    )
    act(west, "take_up", staff["officer"], public_answer="+420 call us")
    north = submit(staff, point=staff["north_point"], category=staff["potholes"], description="@SUM(A1)")
    closed = submit(staff, description="-2+3")
    act(closed, "take_up", staff["officer"])
    act(closed, "joke", staff["officer"])
    return {"west": west, "north": north, "closed": closed}


@pytest.mark.django_db
def test_csv_has_the_officers_reports_safe_for_spreadsheets(client, staff, reports):
    login(client, staff["officer"])
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reports-')
    rows = read_csv(response)
    assert [row["Reference"] for row in rows] == [reports["west"].reference]  # open ones of their district
    row = rows[0]
    assert row["Description"] == '\'=HYPERLINK("http://evil.example.org","click") and "quotes", žluťoučký kůň'
    assert row["Public answer"] == "'+420 call us"
    assert (
        row["Status code"] == "verifying"
        and row["District"] == "West"
        and row["Officer"] == "officer@example.org"
    )
    assert row["Latitude"] == "49.45" and row["Longitude"] == "12.95"
    assert row["Link"].endswith(f"/reports/staff/{reports['west'].pk}/")
    assert "citizen@example.org" not in str(rows)  # exported files travel: no reporter contact in them


@pytest.mark.django_db
def test_csv_follows_the_queue_filters(client, staff, reports):
    login(client, staff["coordinator"])
    refs = lambda query: {row["Reference"] for row in read_csv(client.get(CSV + query))}  # noqa: E731
    assert refs("") == {reports["west"].reference, reports["north"].reference}
    assert refs("?status=all") == {r.reference for r in reports.values()}
    assert refs("?category=potholes") == {reports["north"].reference}
    assert refs(f"?district={staff['north'].pk}") == {reports["north"].reference}
    rows = read_csv(client.get(CSV + "?status=joke_or_mistake"))
    assert [row["Description"] for row in rows] == ["'-2+3"]


@pytest.mark.django_db
def test_geojson_has_the_same_reports_as_points(client, staff, reports):
    login(client, staff["coordinator"])
    response = client.get(GEOJSON + "?status=all&category=illegal-dumping")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = read_geojson(response)
    assert data["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in data["features"]}
    assert set(features) == {reports["west"].reference, reports["closed"].reference}
    west = features[reports["west"].reference]
    assert west["geometry"] == {"type": "Point", "coordinates": [12.95, 49.45]}
    assert west["properties"]["status"] == "verifying"
    assert west["properties"]["description"].startswith("=HYPERLINK")  # JSON is data, not a spreadsheet
    assert "citizen@example.org" not in json.dumps(data)
    assert read_geojson(client.get(GEOJSON + "?status=not_confirmed")) == {
        "type": "FeatureCollection",
        "features": [],
    }
    # A filter that is not understood does not export more than was asked for
    response = client.get(GEOJSON + "?category=nothing-like-this")
    assert response.status_code == 400 and b"not understood" in response.content
    assert client.get(CSV + "?district=abc").status_code == 400


@pytest.mark.django_db
def test_exports_are_for_the_police_only(client, staff, reports):
    act(reports["west"], "confirm", staff["officer"])
    act(reports["west"], "hand_over", staff["officer"], partner_body=staff["body"])
    for user in (staff["partner"], staff["nobody"]):
        login(client, user)
        assert client.get(CSV).status_code == 403
        assert client.get(GEOJSON).status_code == 403
    client.logout()
    response = client.get(GEOJSON)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    login(client, staff["other_coordinator"])
    assert read_csv(client.get(CSV + "?status=all")) == []
    assert read_geojson(client.get(GEOJSON + "?status=all"))["features"] == []


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_the_reports(client, staff, reports, django_assert_max_num_queries):
    for _ in range(20):
        submit(staff)
    login(client, staff["coordinator"])
    with django_assert_max_num_queries(10):
        assert len(read_csv(client.get(CSV))) == 22
    with django_assert_max_num_queries(10):
        assert len(read_geojson(client.get(GEOJSON))["features"]) == 22


@pytest.mark.django_db
def test_csv_cells_follow_the_export_convention(client, staff, reports):
    """portal.exports: local times to the minute without a zone, yes/no in the reader's language, empty cells
    for what has not happened."""
    west = Report.objects.get(pk=reports["west"].pk)
    Report.objects.filter(pk=west.pk).update(take_up_overdue=True)
    login(client, staff["officer"])
    (row,) = read_csv(client.get(CSV))
    assert row["Submitted"] == timezone.localtime(west.created_at).strftime("%Y-%m-%d %H:%M")
    assert row["Taken up"] == timezone.localtime(west.taken_up_at).strftime("%Y-%m-%d %H:%M")
    assert row["Verified"] == "" and row["Closed"] == ""
    assert row["Take-up overdue"] == "yes" and row["Verification overdue"] == "no"
    assert row["Supports"] == "0"
    login(client, staff["officer"], language="cs")
    (row,) = read_csv(client.get(CSV))
    assert "ano" in row.values() and "ne" in row.values()
