"""The demo covers the region's capital: Plzeň's four demo districts, each with an officer."""

import io

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command

from incidents import selectors
from incidents.models import District, Report
from portal.models import Municipality

pytestmark = pytest.mark.django_db


def test_after_seed_demo_a_report_in_plzen_reaches_a_district_officer():
    call_command("seed_demo", stdout=io.StringIO())
    plzen = Municipality.objects.get(code="554791")
    districts = District.objects.filter(municipality=plzen).order_by("name")
    assert [d.name for d in districts] == [
        "Plzeň – demo okrsek jih",
        "Plzeň – demo okrsek sever",
        "Plzeň – demo okrsek východ",
        "Plzeň – demo okrsek západ",
    ]
    assert all(d.officers.exists() for d in districts)
    # Together they are the town: no gap, no overlap
    total = sum(d.area.area for d in districts)
    assert total == pytest.approx(plzen.boundary.area, rel=1e-6)
    for point in (Point(13.3776, 49.7475, srid=4326), Point(13.3, 49.72, srid=4326)):  # náměstí, Bory
        route = selectors.report_route(point=point)
        assert route.district is not None and route.district.name.startswith("Plzeň – demo okrsek")
        assert route.district.officers.exists()
    # The demo's reports in Plzeň are in an officer's queue, not left with the coordinator
    in_plzen = Report.objects.filter(municipality=plzen)
    assert in_plzen.exists() and not in_plzen.filter(assignee=None).exists()

    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert District.objects.filter(municipality=plzen).count() == 4
