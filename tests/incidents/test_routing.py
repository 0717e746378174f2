"""The one routing rule (``selectors.report_route``): the report form, its map check and the Open311 API all
route a point through it, and a submission looks the point up once."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incidents import selectors, services
from incidents.models import Report
from portal.models import Country, PoliceUnit

pytestmark = pytest.mark.django_db


def test_a_point_goes_to_its_district_else_to_the_town_unit_else_nowhere(area):
    in_district = selectors.report_route(point=area["in_district"])
    assert (in_district.police_unit, in_district.district, in_district.municipality) == (
        area["unit"],
        area["district"],
        area["town"],
    )
    assert in_district.served
    town_only = selectors.report_route(point=area["outside_district"])
    assert (town_only.police_unit, town_only.district, town_only.municipality) == (
        area["unit"],
        None,
        area["town"],
    )
    outside = selectors.report_route(point=area["outside_area"])
    assert not outside.served and outside.district is None and outside.municipality is None


def test_an_inactive_district_routes_like_no_district(area):
    area["district"].active = False
    area["district"].save()
    route = selectors.report_route(point=area["in_district"])
    assert route.district is None and route.police_unit == area["unit"]


def test_the_form_and_its_map_check_say_the_same(client, area):
    for point in (area["in_district"], area["outside_district"], area["outside_area"]):
        data = client.get("/reports/new/nearby.json", {"lat": point.y, "lon": point.x}).json()
        route = selectors.report_route(point=point)
        assert data["served"] == route.served
        assert data["district"] == (route.district.name if route.district else "")


@pytest.fixture
def counted():
    """The point-in-polygon statements (district and municipality lookups) run while the test runs."""
    with CaptureQueriesContext(connection) as queries:
        yield queries


def pip_statements(queries) -> int:
    return sum("intersects" in query["sql"].lower() for query in queries.captured_queries)


def test_an_open311_submission_routes_its_point_once(area, open311_keys, counted):
    PoliceUnit.objects.create(code="oop-elsewhere", name="OOP Elsewhere", country=Country.CZ)
    data = {
        "api_key": open311_keys["civic"],
        "service_code": area["category"].code,
        "lat": str(area["in_district"].y),
        "long": str(area["in_district"].x),
        "jurisdiction_id": area["unit"].code,
    }
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/open311/v2/requests.json", data)
    assert response.status_code == 201, response.content
    # The jurisdiction check and the filed report share one route, found with one statement
    assert pip_statements(counted) == 1
    assert Report.objects.get().district == area["district"]


def test_the_service_routes_itself_without_a_route_given(area, counted):
    report, _token = services.report_submit(category=area["category"], point=area["outside_district"], ip="1")
    # Outside every district: the district lookup, then the municipality with the unit serving it
    assert pip_statements(counted) == 2
    assert report.district is None and report.police_unit == area["unit"]
