"""Without JavaScript on a 360 px phone in Czech, the place of a report is typed with a decimal comma, pasted
as a pair, or chosen from the list of towns and districts: the report is saved each way. With
``OKRSEK_SCREENSHOTS=1`` the pages are saved to docs/screenshots/ (report-nojs-*.png)."""

import re

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from playwright.sync_api import Page, expect

from incidents.models import District, Report
from portal.models import Country, Municipality, PoliceUnit
from tests.browser.test_report_citizen import PHONE, _no_sideways_scroll, _screenshot
from tests.incidents.citizen_helpers import forget_served_extent, load_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

NOJS_PHONE = pytest.mark.browser_context_args(java_script_enabled=False, viewport=PHONE)


def _serve_a_town() -> District:
    """A town served by its police unit, with one district (its west part); east of it the coordinators'."""

    def square(x0, y0, x1, y1):
        return MultiPolygon(Polygon(((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))), srid=4326)

    town = Municipality.objects.create(
        country=Country.CZ, code="555771", name="Klatovy", boundary=square(13.30, 49.42, 13.42, 49.48)
    )
    unit = PoliceUnit.objects.create(code="oop-klatovy", name="OOP Klatovy", country=Country.CZ)
    unit.municipalities.add(town)
    load_catalogue()
    forget_served_extent()
    return District.objects.create(
        code="kt-zapad",
        name="Klatovy – západ",
        area=square(13.30, 49.42, 13.38, 49.48),
        police_unit=unit,
        municipality=town,
    )


def _start(page: Page, live_server) -> None:
    page.goto(live_server.url + "/reports/new/")
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    expect(page.locator("#report-map")).to_be_hidden()
    expect(page.locator("#id_place_lat")).to_be_visible()
    page.locator("label[for=category-illegal-dumping]").click()


def _send(page: Page) -> None:
    page.locator("label[for=id_terms]").click()
    page.locator("#report-submit").click()
    expect(page).to_have_url(re.compile(r"/reports/submitted/$"))


@NOJS_PHONE
def test_without_javascript_coordinates_typed_with_a_decimal_comma_are_saved(page: Page, live_server):
    district = _serve_a_town()
    _start(page, live_server)
    page.locator("#id_place_lat").press_sequentially("49,4477")  # typed as a Czech keyboard types it
    page.locator("#id_place_lon").press_sequentially("13,3739")
    expect(page.locator("#id_place_lat")).to_have_value("49,4477")  # a number input made it 494477
    _no_sideways_scroll(page)
    page.locator("#field-place").scroll_into_view_if_needed()
    _screenshot(page, "report-nojs-typed.png")
    _send(page)
    report = Report.objects.get()
    assert (report.point.y, report.point.x) == pytest.approx((49.4477, 13.3739))
    assert report.district == district


@NOJS_PHONE
def test_without_javascript_a_pasted_pair_is_saved(page: Page, live_server):
    _serve_a_town()
    _start(page, live_server)
    page.locator("#id_place_lat").fill("49.4577, 13.3939")  # pasted from a map application
    _send(page)
    report = Report.objects.get()
    assert (report.point.y, report.point.x) == pytest.approx((49.4577, 13.3939))
    assert report.district is None  # the east half: the coordinators'
    expect(page.locator("#report-taken-up-by")).to_contain_text("OOP Klatovy")


@NOJS_PHONE
def test_without_javascript_a_district_chosen_from_the_list_is_saved(page: Page, live_server):
    district = _serve_a_town()
    _start(page, live_server)
    page.locator("#id_place_area").select_option(f"d{district.pk}")
    page.locator("#id_description").fill("Pneumatiky za garážemi v ulici Za Tratí.")
    _screenshot(page, "report-nojs-district.png")
    _send(page)
    report = Report.objects.get()
    assert report.district == district and district.area.intersects(report.point)
    assert report.events.get(action="submitted").data == {"place": "approximate"}
    expect(page.locator("#report-taken-up-by")).to_contain_text("Klatovy – západ")
    _no_sideways_scroll(page)
    _screenshot(page, "report-nojs-submitted.png")


@NOJS_PHONE
def test_without_javascript_garbage_is_refused_with_a_czech_message(page: Page, live_server):
    _serve_a_town()
    _start(page, live_server)
    page.locator("#id_place_lat").fill("u kostela")
    page.locator("label[for=id_terms]").click()
    page.locator("#report-submit").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_place_lat")).to_have_value("u kostela")
    expect(page.locator("#id_place_lat")).to_have_attribute("aria-invalid", "true")
    _screenshot(page, "report-nojs-error.png")
    assert not Report.objects.exists()


@pytest.mark.browser_context_args(viewport=PHONE)
def test_with_javascript_a_pair_pasted_into_the_latitude_fills_both_and_the_map(page: Page, live_server):
    district = _serve_a_town()
    page.goto(live_server.url + "/reports/new/")
    expect(page.locator("#report-map")).to_be_visible()
    page.locator("#coords-toggle").click()
    page.locator("#id_place_lat").fill("49,4477, 13,3739")
    page.locator("#id_place_lat").dispatch_event("change")
    expect(page.locator("#id_place_lat")).to_have_value("49,4477")
    expect(page.locator("#id_place_lon")).to_have_value("13,3739")
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    page.locator("label[for=category-illegal-dumping]").click()
    _send(page)
    assert Report.objects.get().district == district
