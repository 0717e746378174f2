"""The public map and statistics in a real browser: markers and their popups, server-side groups, the
keyboard, the strict CSP (no console errors), axe-core, and a phone-sized screen.

No assertion reads a translated text: translations change independently."""

import re
from datetime import timedelta

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from playwright.sync_api import Page, expect

from incidents import selectors
from incidents.models import Category, District
from incidents.workflow import Status
from portal.models import Country, Municipality, PoliceUnit
from tests.incidents.map_helpers import SECRET_DESCRIPTION, make_report

from .test_accessibility import _axe_violations, _report

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

ANSWER = "The patrol removed the rubbish."


def square(x: float, y: float, size: float) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))), srid=4326
    )


@pytest.fixture
def map_data(db):
    """A served town with a district, a public and a person-related category, and a few reports."""
    town = Municipality.objects.create(
        country=Country.CZ, code="553468", name="Domažlice", boundary=square(12.9, 49.4, 0.1)
    )
    unit = PoliceUnit.objects.create(code="oop-dom", name="OOP Domažlice", country=Country.CZ)
    unit.municipalities.add(town)
    district = District.objects.create(
        code="d", name="Centre", area=square(12.9, 49.4, 0.1), police_unit=unit, municipality=town
    )
    dumping = Category.objects.create(
        code="illegal-dumping", group="environment", name_cs="černé skládky", name_pl="x", name_en="Dump"
    )
    person = Category.objects.create(
        code="minors", group="social", name_cs="děti", name_pl="x", name_en="Minors", public=False
    )
    common = {"district": district, "municipality": town}
    reports = [
        make_report(
            category=dumping,
            point=Point(12.92, 49.42, srid=4326),
            status=Status.ELIMINATED,
            public_answer=ANSWER,
            age=timedelta(days=3),
            **common,
        ),
        make_report(category=dumping, point=Point(12.97, 49.47, srid=4326), **common),
        make_report(
            category=dumping, point=Point(12.95, 49.45, srid=4326), status=Status.VERIFYING, **common
        ),
    ]
    make_report(category=person, point=Point(12.96, 49.46, srid=4326), **common)
    return {"reports": reports, "district": district}


def _loaded(page: Page) -> int:
    element = page.locator("#report-map")
    expect(element).to_have_attribute("data-loaded", re.compile(r"^\d+$"))
    return int(element.get_attribute("data-loaded"))


def test_markers_popups_and_no_console_errors(page: Page, live_server, map_data, console_errors):
    page.goto(live_server.url + f"/reports/map/?district={map_data['district'].pk}")
    assert _loaded(page) == 3  # the person-related report is not among them
    markers = page.locator(".report-marker")
    expect(markers).to_have_count(3)
    expect(page.locator(".report-marker.status--eliminated")).to_have_count(1)
    page.locator(".report-marker.status--eliminated").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(ANSWER)
    expect(popup).to_contain_text(map_data["reports"][0].reference)
    assert SECRET_DESCRIPTION not in page.content()
    # the keyboard reaches a marker and opens its popup
    page.locator(".leaflet-popup-close-button").click()
    expect(popup).to_have_count(0)
    page.locator(".report-marker.status--verifying").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text(map_data["reports"][2].reference)
    assert console_errors == [], "\n".join(console_errors)  # the CSP refused nothing


def test_many_reports_come_as_groups_that_zoom_in(
    page: Page, live_server, map_data, monkeypatch, console_errors
):
    monkeypatch.setattr(selectors, "MAP_FEATURE_LIMIT", 2)  # the live server runs in this process
    zooms = []
    page.on(
        "request",
        lambda request: (
            zooms.append(int(re.search(r"zoom=(\d+)", request.url).group(1)))
            if "/reports/map.geojson" in request.url
            else None
        ),
    )
    page.goto(live_server.url + "/reports/map/")
    assert _loaded(page) == 3
    expect(page.locator("#report-map")).to_have_attribute("data-clustered", "true")
    groups = page.locator(".map-cluster")
    expect(groups.first).to_be_visible()
    first_zoom = zooms[-1]
    with page.expect_request(re.compile(r"/reports/map\.geojson\?")):
        groups.first.focus()
        page.keyboard.press("Enter")  # a group zooms the map in by two levels
    assert zooms[-1] == first_zoom + 2
    expect(page.locator("#report-map")).to_have_attribute("data-loaded", re.compile(r"^\d+$"))
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(bypass_csp=True)
@pytest.mark.parametrize("path", ["/reports/map/", "/reports/stats/"])
def test_no_serious_axe_violation(page: Page, live_server, map_data, path):
    page.goto(live_server.url + path)
    if path == "/reports/map/":
        _loaded(page)
        page.locator(".report-marker").first.click()
        expect(page.locator(".leaflet-popup-content")).to_be_visible()
        # Leaflet fades the popup in: axe must judge the colours once it is fully shown, not mid-fade
        expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    violations = _axe_violations(page)
    assert violations == [], _report(path, violations)


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740}, bypass_csp=True)
@pytest.mark.parametrize("path", ["/reports/map/", "/reports/stats/"])
def test_phone_sized_screen(page: Page, live_server, map_data, path):
    page.goto(live_server.url + path)
    if path == "/reports/map/":
        assert _loaded(page) == 3
    # nothing wider than the screen except the tables' own scroll boxes
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    violations = _axe_violations(page)
    assert violations == [], _report(path, violations)
