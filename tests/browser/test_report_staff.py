"""The KMZB journey in real browsers (Debian's Chromium, see conftest.py): a citizen on a phone reports dumped
rubbish by tapping the map; the district's officer, in another browser, finds it in the queue, takes it up and
confirms it with a public answer; the citizen's tracking page then shows the new status and the answer.

Assertions read URLs, field names, data-* attributes, the data typed and the database, not translated texts.
The staff pages also pass an axe-core scan. With ``OKRSEK_SCREENSHOTS=1`` the pages are saved to
docs/screenshots/ (staff-*.png)."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from incidents import services
from incidents.models import Category, District, Report
from incidents.workflow import Status
from portal import roles
from portal.models import Country, Municipality, Notification, PoliceUnit
from tests.browser.conftest import no_sideways_scroll as _no_sideways_scroll
from tests.conftest import PASSWORD

from .conftest import TILES, ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
ANSWER = "Potvrzeno: skládka je za garážemi, technické služby ji odvezou do pátku."


@pytest.fixture
def district(make_user):
    """Domažlice served by its police unit, one district covering the town, its officer and a coordinator."""
    square = MultiPolygon(
        Polygon(((12.90, 49.42), (12.96, 49.42), (12.96, 49.46), (12.90, 49.46), (12.90, 49.42))), srid=4326
    )
    town = Municipality.objects.create(country=Country.CZ, code="553425", name="Domažlice", boundary=square)
    unit = PoliceUnit.objects.create(code="oop-domazlice", name="OOP Domažlice", country=Country.CZ)
    unit.municipalities.add(town)
    district = District.objects.create(
        code="dom-1", name="Domažlice – střed", area=square, police_unit=unit, municipality=town
    )
    officer = make_user(
        email="okrskar@example.org", roles=[roles.OFFICER], police_unit=unit, full_name="Jan Okrskář"
    )
    district.officers.add(officer)
    make_user(email="koordinator@example.org", roles=[roles.COORDINATOR], police_unit=unit)
    Category.objects.create(
        code="illegal-dumping",
        group="environment",
        name_cs="černé skládky",
        name_pl="dzikie wysypiska śmieci",
        name_en="Illegal rubbish dump",
        description_required=True,
    )
    return district


def _context(new_context, viewport: dict, **kwargs) -> tuple[BrowserContext, Page, ConsoleErrors]:
    context = new_context(viewport=viewport, **kwargs)
    context.route(TILES, lambda route: route.abort())
    page = context.new_page()
    errors = ConsoleErrors()
    page.on("console", errors.on_console)
    page.on("pageerror", errors.on_page_error)
    return context, page, errors


def _log_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page.locator(".user-email")).to_have_text(email)


def _screenshot(page: Page, name: str) -> None:
    if os.environ.get("OKRSEK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True, animations="disabled")


def _citizen_reports_on_a_phone(page: Page, live_server) -> str:
    """The citizen's part, through the report form: returns the private tracking link."""
    page.goto(live_server.url + "/reports/new/")
    page.locator("label[for=category-illegal-dumping]").click()
    page.locator("#report-map").scroll_into_view_if_needed()
    page.locator("#report-map").click()  # the centre of the map is in the district
    expect(page.locator("#id_place_lat")).not_to_have_value("")
    page.locator("#id_description").fill("Hromada pneumatik a stavební suti za garážemi.")
    page.locator("input[name=reporter_email]").fill("obcan@example.org")
    page.locator("label[for=id_terms]").click()
    page.locator("#report-submit").click()
    expect(page).to_have_url(re.compile(r"/reports/submitted/$"))
    link = page.locator("#tracking-link").get_attribute("href")
    assert link.startswith(live_server.url + "/reports/track/")
    return link


def test_citizen_report_taken_up_and_confirmed_by_the_officer(new_context, live_server, district):
    # The citizen, on a phone, reports dumped rubbish and keeps the tracking link.
    citizen_context, citizen, citizen_errors = _context(new_context, PHONE, has_touch=True, is_mobile=True)
    link = _citizen_reports_on_a_phone(citizen, live_server)
    report = Report.objects.get()
    assert report.district == district and report.assignee.email == "okrskar@example.org"
    citizen.goto(link)
    expect(citizen.locator("#report-status")).to_have_attribute("data-status", "new")

    # The officer, at a desk, in another browser: the queue from the main navigation.
    officer_context, officer, officer_errors = _context(new_context, DESKTOP)
    _log_in(officer, live_server, "okrskar@example.org")
    officer.locator('.main-nav a[href="/reports/staff/"]').click()
    expect(officer).to_have_url(re.compile(r"/reports/staff/$"))
    row = officer.locator(f'tr[data-reference="{report.reference}"]')
    expect(row).to_be_visible()
    expect(row).not_to_have_class(re.compile("row-overdue"))
    _screenshot(officer, "staff-queue.png")

    # Take it up with the queue's checkbox, from the keyboard.
    checkbox = row.locator(f'input[name=report][value="{report.pk}"]')
    checkbox.focus()
    officer.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    officer.locator(".queue-actions [type=submit]").click()
    expect(officer.locator(".message-success")).to_contain_text(report.reference)
    expect(row.locator(".status")).to_have_class(re.compile(r"status-verifying"))
    report.refresh_from_db()
    assert report.status == Status.VERIFYING and report.taken_up_at is not None

    # The report page: confirm it with a public answer.
    row.locator("a.reference").click()
    expect(officer).to_have_url(re.compile(rf"/reports/staff/{report.pk}/$"))
    expect(officer.locator("#report-map")).to_have_attribute("data-loaded", "1")
    expect(officer.locator("h1 .status")).to_have_class(re.compile(r"status-verifying"))
    officer.locator("#action-confirm summary").focus()
    officer.keyboard.press("Enter")  # opens the action's form
    answer = officer.locator("textarea[name=confirm-public_answer]")
    expect(answer).to_be_visible()
    answer.fill(ANSWER)
    officer.locator("textarea[name=confirm-internal_note]").fill("Foto pořízeno, předáno technickým službám.")
    _screenshot(officer, "staff-report.png")
    officer.locator("#action-confirm [type=submit]").click()
    expect(officer.locator(".message-success")).to_contain_text(report.reference)
    expect(officer.locator("h1 .status")).to_have_class(re.compile(r"status-confirmed"))
    expect(officer.locator("#timeline")).to_contain_text(ANSWER)
    expect(officer.locator("#timeline")).to_contain_text("Jan Okrskář")
    assert officer_errors == [], "\n".join(officer_errors)

    # The citizen's tracking page shows the new status and the answer.
    citizen.reload()
    expect(citizen.locator("#report-status")).to_have_attribute("data-status", "confirmed")
    expect(citizen.locator("main")).to_contain_text(ANSWER)
    expect(citizen.locator("main")).not_to_contain_text("předáno technickým službám")  # internal note
    _no_sideways_scroll(citizen)
    _screenshot(citizen, "staff-journey-track-phone.png")
    assert citizen_errors == [], "\n".join(citizen_errors)

    # And by email, in the outbox: one per status change, the last with the answer.
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED and report.public_answer == ANSWER
    updates = Notification.objects.filter(to_email="obcan@example.org", kind="incident_status").order_by("pk")
    assert updates.count() == 2 and ANSWER in updates.last().body_text
    assert any(ANSWER in message.body for message in mail.outbox if message.to == ["obcan@example.org"])
    citizen_context.close()
    officer_context.close()


def _axe_violations(page: Page) -> list[dict]:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing: {AXE} not found. Run `npm ci` in the project root.", pytrace=False)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['impact']} {v['id']}: {[node['target'] for node in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_pages_pass_axe_and_fit_a_phone(new_context, live_server, district, viewport):
    officer = district.officers.get()
    report, _token = services.report_submit(
        category=Category.objects.get(code="illegal-dumping"),
        point=Point(12.93, 49.44, srid=4326),
        description="Hromada pneumatik <b>za garážemi</b>.",
        reporter_email="obcan@example.org",
        ip="192.0.2.20",
    )
    services.report_transition(report=report, action="take_up", actor=officer, internal_note="Zítra ráno.")
    # axe-core is injected: the CSP (script-src 'self') would block it
    context, page, errors = _context(new_context, viewport, bypass_csp=True)
    _log_in(page, live_server, "koordinator@example.org")
    suffix = "-phone" if viewport == PHONE else ""
    for path, name in (
        ("/reports/staff/", "staff-queue"),
        (f"/reports/staff/{report.pk}/", "staff-report"),
        ("/reports/staff/dashboard/", "staff-dashboard"),
    ):
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", "cs")
        violations = _axe_violations(page)
        assert violations == [], f"{path}: " + "\n".join(violations)
        _no_sideways_scroll(page)
        if viewport == PHONE or name == "staff-dashboard":
            _screenshot(page, f"{name}{suffix}.png")
    assert errors == [], "\n".join(errors)
    context.close()
