"""A citizen reports a hazard in a real browser (Debian's Chromium, see conftest.py): on a phone, by tapping
the map; on a desktop, finding the town by name and supporting a report nearby instead of filing a duplicate.

Assertions read URLs, field names, data-* attributes and the database, not translated texts. With
``OKRSEK_SCREENSHOTS=1`` the pages are saved to docs/screenshots/ (report-*.png)."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from playwright.sync_api import Page, expect

from incidents import services
from incidents.models import Category, District, Report
from portal.models import Country, Municipality, PoliceUnit
from tests.browser.conftest import no_sideways_scroll as _no_sideways_scroll
from tests.incidents.citizen_helpers import forget_served_extent, load_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _serve_a_town() -> District:
    """Domažlice served by its police unit, one district covering the whole town, the KMZB catalogue."""
    square = MultiPolygon(
        Polygon(((12.90, 49.42), (12.96, 49.42), (12.96, 49.46), (12.90, 49.46), (12.90, 49.42)))
    )
    square.srid = 4326
    town = Municipality.objects.create(country=Country.CZ, code="553425", name="Domažlice", boundary=square)
    unit = PoliceUnit.objects.create(code="oop-domazlice", name="OOP Domažlice", country=Country.CZ)
    unit.municipalities.add(town)
    load_catalogue()
    forget_served_extent()
    return District.objects.create(
        code="dom-1", name="Domažlice – střed", area=square, police_unit=unit, municipality=town
    )


def _screenshot(page: Page, name: str) -> None:
    if os.environ.get("OKRSEK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True, animations="disabled")


@pytest.mark.browser_context_args(viewport=PHONE, has_touch=True, is_mobile=True)
def test_citizen_reports_dumped_rubbish_on_a_phone_and_follows_it(page: Page, live_server, console_errors):
    district = _serve_a_town()
    page.goto(live_server.url + "/reports/new/")
    expect(page.locator("html")).to_have_attribute("lang", "cs")

    # With JavaScript the map replaces the coordinate inputs.
    expect(page.locator("#report-map")).to_be_visible()
    expect(page.locator("#id_place_lat")).to_be_hidden()
    _no_sideways_scroll(page)

    page.locator("label[for=category-illegal-dumping]").click()
    expect(page.locator("#category-illegal-dumping")).to_be_checked()

    # Tap the map (its centre is inside the district): the marker sets the hidden coordinates.
    page.locator("#report-map").scroll_into_view_if_needed()
    page.locator("#report-map").click()
    expect(page.locator("#id_place_lat")).not_to_have_value("")
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    expect(page.locator("#place-status")).to_have_class(
        re.compile(r"place-status-ok")
    )  # served: the town named
    lat = float(page.locator("#id_place_lat").input_value())
    lon = float(page.locator("#id_place_lon").input_value())
    assert district.area.contains(Point(lon, lat, srid=4326))

    page.locator("#id_description").fill("Hromada pneumatik a stavební suti za garážemi.")
    expect(page.locator("#description-counter")).to_contain_text("46")
    page.locator("label[for=id_terms]").click()
    _screenshot(page, "report-form-phone.png")
    page.locator("#report-submit").click()

    # The reference and the private link, once.
    expect(page).to_have_url(re.compile(r"/reports/submitted/$"))
    report = Report.objects.get()
    assert report.district == district and report.category.code == "illegal-dumping"
    assert report.reporter_language == "cs"
    expect(page.locator("#report-reference")).to_have_text(report.reference)
    link = page.locator("#tracking-link").get_attribute("href")
    assert link.startswith(live_server.url + "/reports/track/")
    _no_sideways_scroll(page)
    _screenshot(page, "report-submitted-phone.png")

    page.goto(link)
    expect(page.locator("#report-status")).to_have_attribute("data-status", "new")
    expect(page.locator("#track-map")).to_have_attribute("data-loaded", "1")
    expect(page.locator('[data-deadline="take_up"]')).to_have_attribute("data-state", "pending")
    _no_sideways_scroll(page)
    _screenshot(page, "report-track-phone.png")
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(viewport=DESKTOP)
def test_citizen_finds_the_town_and_supports_a_report_nearby(page: Page, live_server, console_errors):
    district = _serve_a_town()
    dumping = Category.objects.get(code="illegal-dumping")
    centre = district.area.point_on_surface
    first, _token = services.report_submit(
        category=dumping, point=Point(centre.x, centre.y, srid=4326), ip="192.0.2.10", language="cs"
    )
    page.goto(live_server.url + "/reports/new/")

    # "Find a place": the town by a part of its name; choosing it moves the map there.
    page.locator("#place-search").fill("Domaž")
    page.locator("#place-search").press("Enter")  # searches, never sends the report
    result = page.locator("#place-results button").first
    expect(result).to_contain_text("Domažlice")
    result.click()
    expect(page.locator("#report-map")).to_be_focused()

    # Keyboard: Enter on the map puts the marker in its centre.
    page.keyboard.press("Enter")
    expect(page.locator("#id_place_lat")).not_to_have_value("")

    # The category chosen: the open report nearby appears with a support button, before anything is sent.
    page.locator("label[for=category-illegal-dumping]").click()
    support = page.locator(f'#nearby-box button[formaction="/reports/support/{first.reference}/"]')
    expect(support).to_be_visible()
    expect(page.locator("input[name=nearby_seen]")).to_have_value("1")
    _screenshot(page, "report-form.png")
    support.click()

    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.locator(".message-success")).to_contain_text(first.reference)
    first.refresh_from_db()
    assert first.support_count == 1 and Report.objects.count() == 1

    # The desktop tracking page, for the screenshots.
    _report, token = services.report_submit(
        category=Category.objects.get(code="vandalism"),
        point=Point(centre.x, centre.y, srid=4326),
        ip="192.0.2.11",
    )
    page.goto(f"{live_server.url}/reports/track/{token}/")
    expect(page.locator("#track-map")).to_have_attribute("data-loaded", "1")
    _screenshot(page, "report-track.png")
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(java_script_enabled=False, viewport=PHONE)
def test_without_javascript_the_place_is_typed(page: Page, live_server):
    district = _serve_a_town()
    page.goto(live_server.url + "/reports/new/")
    expect(page.locator("#report-map")).to_be_hidden()
    centre = district.area.point_on_surface
    page.locator("label[for=category-illegal-dumping]").click()
    page.locator("#id_place_lat").fill(f"{centre.y:.5f}")
    page.locator("#id_place_lon").fill(f"{centre.x:.5f}")
    page.locator("label[for=id_terms]").click()
    page.locator("#report-submit").click()
    expect(page).to_have_url(re.compile(r"/reports/submitted/$"))
    assert Report.objects.get().district == district


@pytest.mark.browser_context_args(viewport=PHONE, bypass_csp=True)  # CSP would block the injected axe-core
def test_citizen_pages_have_no_serious_accessibility_violation(page: Page, live_server):
    from tests.browser.test_accessibility import _axe_violations, _report

    district = _serve_a_town()
    centre = district.area.point_on_surface
    report, token = services.report_submit(
        category=Category.objects.get(code="vandalism"),
        point=Point(centre.x, centre.y, srid=4326),
        ip="192.0.2.12",
    )
    page.goto(live_server.url + "/reports/new/")
    expect(page.locator("#report-map .leaflet-control-zoom")).to_be_visible()
    assert (violations := _axe_violations(page)) == [], _report("/reports/new/", violations)

    # The form shown again with errors, and the intermediate page of reports nearby (no JavaScript needed).
    page.locator("label[for=category-vandalism]").click()
    page.locator("#report-map").click()
    expect(page.locator("#nearby-box button")).to_be_visible()
    assert (violations := _axe_violations(page)) == [], _report("/reports/new/ (nearby)", violations)
    page.locator("#report-submit").click()  # the terms are not accepted: the browser stops it
    page.evaluate("document.getElementById('report-form').noValidate = true")
    page.locator("#report-submit").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert (violations := _axe_violations(page)) == [], _report("/reports/new/ (errors)", violations)

    for path in ("/reports/", f"/reports/track/{token}/"):
        page.goto(live_server.url + path)
        assert (violations := _axe_violations(page)) == [], _report(path, violations)
