"""The base layout on a phone and a desktop: the header fits in 120 px on a 360 px phone (the navigation folds
into a menu button that works without JavaScript), every navigation link is reachable, and the home page and
the error pages pass axe-core. Screenshots of each go to docs/screenshots/."""

import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import call_command
from playwright.sync_api import Page, expect

from portal import roles
from portal.models import Country, Municipality
from tests.browser.test_accessibility import _axe_violations, _report
from tests.browser.test_projects import grants  # noqa: F401 - the grants set-up, used by name
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 768}
HEADER_MAX = 120
EMAIL = "koordinator@example.org"


@pytest.fixture
def staff(make_user, settings):
    settings.MFA_REQUIRED_ROLES = []  # the second factor has its own tests
    # The longest navigation: every public area, the queue and "My work".
    return make_user(email=EMAIL, roles=[roles.COORDINATOR, roles.PROGRAMME_MANAGER])


@pytest.fixture
def served_area(db):
    for code, name, country, x in (
        ("554791", "Plzeň", Country.CZ, 13.3),
        ("0264011", "Wrocław", Country.PL, 17),
    ):
        square = Polygon(((x, 49), (x + 0.1, 49), (x + 0.1, 49.1), (x, 49.1), (x, 49)))
        Municipality.objects.create(
            country=country, code=code, name=name, boundary=MultiPolygon(square, srid=4326)
        )


def _context(new_context, viewport, language, **kwargs):
    context = new_context(viewport=viewport, bypass_csp=True, **kwargs)
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    return context


def _log_in(page: Page, live_server, language: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page.locator(".user-email")).to_have_text(EMAIL)


def _set_language(context, live_server, language: str) -> None:
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


def _header_height(page: Page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def _assert_links_reachable(page: Page, phone: bool) -> int:
    links = page.locator(".site-menu-panel a")
    if phone:
        expect(page.locator(".site-menu-panel")).to_be_hidden()
        page.locator(".menu-button").click()
    count = links.count()
    assert count >= 6  # five navigation items and "Log out"
    for index in range(count):
        link = links.nth(index)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
    return count


@pytest.mark.parametrize("language", ["cs", "pl"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_header_fits_and_every_link_is_reachable(
    new_context, live_server, staff, served_area, viewport, language
):
    phone = viewport == PHONE
    context = _context(new_context, viewport, language)
    _set_language(context, live_server, language)
    page = context.new_page()
    _log_in(page, live_server, language)
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#served-map")).to_have_attribute("data-loaded", re.compile(r"^\d+$"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = f"layout-home-{'phone' if phone else 'desktop'}-{language}"
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")
    height = _header_height(page)
    print(f"header height at {viewport['width']} px in {language}: {height:.0f} px")
    assert height <= HEADER_MAX, f"the header is {height} px high at {viewport['width']} px"
    expect(page.locator("#language-select")).to_be_visible()
    _assert_links_reachable(page, phone)
    if phone:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-menu.png"), animations="disabled")
        page.locator(".menu-button").click()
        expect(page.locator(".site-menu-panel")).to_be_hidden()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], f"the page scrolls sideways: {scroll_width} px"
    violations = _axe_violations(page)
    assert violations == [], _report("/", violations)
    context.close()


def test_phone_menu_works_without_javascript(new_context, live_server, served_area):
    context = _context(new_context, PHONE, "cs", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert _header_height(page) <= HEADER_MAX
    expect(page.locator(".site-menu-panel")).to_be_hidden()
    page.locator(".menu-button").click()
    for href in ("/reports/", "/workshops/", "/grants/", "/accounts/login/", "/accounts/signup/"):
        expect(page.locator(f'.site-menu-panel a[href="{href}"]')).to_be_in_viewport()
    page.locator('.site-menu-panel a[href="/workshops/"]').click()
    expect(page).to_have_url(re.compile(r"/workshops/$"))
    context.close()


ERROR_PAGES = [("404", "/no-such-page/", 404), ("403", "/my/", 403), ("500", "/test-errors/boom/", 500)]


@pytest.mark.parametrize(
    ("language", "viewport"), [("cs", PHONE), ("en", DESKTOP)], ids=["cs-phone", "en-desktop"]
)
@pytest.mark.parametrize(("name", "path", "status"), ERROR_PAGES, ids=[n for n, _, _ in ERROR_PAGES])
def test_error_pages_in_the_layout_pass_axe(
    new_context, live_server, settings, make_user, language, viewport, name, path, status
):
    settings.ROOT_URLCONF = "tests.portal.error_urls"
    settings.MFA_REQUIRED_ROLES = []
    context = _context(new_context, viewport, language)
    _set_language(context, live_server, language)
    page = context.new_page()
    if status == 403:  # a user without a role opening "My work"
        make_user(email="bez-role@example.org")
        page.goto(live_server.url + "/accounts/login/")
        page.locator("input[name=login]").fill("bez-role@example.org")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
        expect(page.locator(".user-email")).to_have_text("bez-role@example.org")
    response = page.goto(live_server.url + path)
    assert response.status == status
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(f'[data-error="{name}"] h1')).to_be_visible()
    expect(page.locator('.way-on a[href="/"]')).to_be_visible()
    assert _header_height(page) <= HEADER_MAX
    page.screenshot(
        path=str(SCREENSHOTS / f"error-{name}-{'phone' if viewport == PHONE else 'desktop'}-{language}.png"),
        animations="disabled",
    )
    violations = _axe_violations(page)
    assert violations == [], _report(path, violations)
    context.close()


@pytest.mark.parametrize(
    ("language", "viewport"), [("cs", PHONE), ("nb", DESKTOP)], ids=["cs-phone", "nb-desktop"]
)
def test_second_factor_setup_in_the_layout(new_context, live_server, make_user, settings, language, viewport):
    settings.MFA_REQUIRED_ROLES = [roles.OFFICER]
    make_user(email="okrskar@example.org", roles=[roles.OFFICER])
    context = _context(new_context, viewport, language)
    _set_language(context, live_server, language)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill("okrskar@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))  # sent there before the queue
    expect(page.locator("main input[name=code]")).to_be_visible()
    expect(page.locator("main svg, main img").first).to_be_visible()  # the QR code
    assert _header_height(page) <= HEADER_MAX
    page.screenshot(
        path=str(SCREENSHOTS / f"mfa-setup-{'phone' if viewport == PHONE else 'desktop'}-{language}.png"),
        full_page=True,
        animations="disabled",
    )
    violations = _axe_violations(page)
    assert violations == [], _report("/accounts/2fa/totp/activate/", violations)
    context.close()


# --- Wide tables on a phone (issue 11): rows become cards, no box scrolls sideways, every action on screen.

PHONE_TABLE_PAGES = [
    "proposal-form",
    "my-registrations",
    "publication",
    "meeting",
    "sla-dashboard",
    "staff-queue",
]
DEMO_PASSWORD = "okrsek-demo"  # portal/management/commands/seed_demo.py

# Boxes that scroll sideways (overflow-x auto/scroll with more content than width), and the page itself.
SIDEWAYS = """() => {
  const boxes = [];
  for (const element of document.querySelectorAll("body *")) {
    const overflow = getComputedStyle(element).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && element.scrollWidth > element.clientWidth + 1) {
      const name = `${element.tagName.toLowerCase()}.${element.className}`;
      boxes.push(`${name}: ${element.scrollWidth} > ${element.clientWidth}`);
    }
  }
  return {page: document.scrollingElement.scrollWidth, boxes};
}"""


def _grants_page(request, name: str) -> tuple[str, str, str]:
    from datetime import date
    from decimal import Decimal

    from projects.models import BudgetLine, Meeting, MeetingItem, Proposal
    from projects.workflow import Status

    data = request.getfixturevalue("grants")
    call, town = data["call"], data["staff"].profile.municipality
    proposal = Proposal.objects.create(
        call=call,
        municipality=town,
        title="Bezpečná cesta do školy a osvětlené přechody v centru města Domažlice",
        requested_amount=Decimal("420000"),
        status=Status.DRAFT if name == "proposal-form" else Status.IN_REVIEW,
    )
    for order, (item, amount, cofinancing) in enumerate(
        (("Osvětlení přechodu u základní školy", "250000", "50000"), ("Kamerový bod", "240000", "20000"))
    ):
        BudgetLine.objects.create(
            proposal=proposal,
            eligible_cost=data["cost"],
            item=item,
            amount=Decimal(amount),
            cofinancing=Decimal(cofinancing),
            order=order,
        )
    if name == "proposal-form":
        return data["staff"].email, PASSWORD, f"/grants/proposals/{proposal.pk}/edit/"
    meeting = Meeting.objects.create(call=call, held_on=date.today(), place="Plzeň, krajský úřad")
    MeetingItem.objects.create(
        meeting=meeting, proposal=proposal, rank=1, score=Decimal("8.5"), review_count=2
    )
    return data["manager"].email, PASSWORD, f"/grants/manage/meetings/{meeting.pk}/"


def _demo_page(request, name: str) -> tuple[str, str, str]:
    from workshops.models import Initiative, Publication

    call_command("seed_demo", verbosity=0)
    if name == "my-registrations":
        return "staff@demo.okrsek.cz", DEMO_PASSWORD, "/workshops/my/"
    if name == "publication":
        initiative = Initiative.objects.get(code="bi-norway")
        for edition, language in ((1, "cs"), (2, "en")):
            Publication.objects.create(
                initiative=initiative, edition=edition, language=language, status="done", pages=24
            )
        Publication.objects.create(
            initiative=initiative, edition=3, language="cs", status="failed", failure="interrupted"
        )
        path = f"/workshops/manage/i/{initiative.code}/publication/"
        return "organiser@demo.okrsek.cz", DEMO_PASSWORD, path
    if name == "sla-dashboard":
        return "coordinator@demo.okrsek.cz", DEMO_PASSWORD, "/reports/staff/dashboard/"
    return "officer@demo.okrsek.cz", DEMO_PASSWORD, "/reports/staff/"


@pytest.mark.parametrize("name", PHONE_TABLE_PAGES)
def test_tables_fit_a_phone_with_every_action_on_screen(new_context, live_server, settings, request, name):
    settings.MFA_REQUIRED_ROLES = []  # the second factor has its own tests
    if name in ("proposal-form", "meeting"):
        email, password, path = _grants_page(request, name)
    else:
        email, password, path = _demo_page(request, name)
    context = _context(new_context, PHONE, "cs")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page.locator(".user-email")).to_have_text(email)
    response = page.goto(live_server.url + path)
    assert response.status == 200, path
    tables = page.locator("main table")
    assert tables.count() >= 1, f"{path} shows no table"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True, animations="disabled")

    sideways = page.evaluate(SIDEWAYS)
    assert sideways["page"] <= PHONE["width"], f"{path} scrolls sideways: {sideways['page']} px"
    assert sideways["boxes"] == [], f"{path} has boxes that scroll sideways: {sideways['boxes']}"

    # Every link, button and form field in a table is shown, whole, inside the 360 px width.
    controls = page.locator(
        "main table a, main table button, main table input:not([type=hidden]), main table select, "
        "main table textarea"
    )
    assert controls.count() >= 1, f"{path}: no action in its tables"
    for index in range(controls.count()):
        control = controls.nth(index)
        if control.evaluate("e => !!e.closest('[hidden], template, .js-only')"):
            continue
        expect(control).to_be_visible()
        box = control.bounding_box()
        label = control.evaluate("e => e.outerHTML.slice(0, 120)")
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, f"{path}: {label} at {box}"

    violations = [v for v in _axe_violations(page) if v["id"] == "scrollable-region-focusable"]
    assert violations == [], _report(path, violations)
    context.close()
