"""Issue 11's points at a 360 px phone and a 1366 px desktop, in Czech and in Polish:

- the organiser's overview counts equal the registrations and offers behind them (the old query doubled them);
- a report in Plzeň, the regional capital, placed without JavaScript (a district chosen from the list on the
  phone, a pasted "lat, lon" pair on the desktop), reaches the officer of a demo district, who lands on the
  queue after logging in and finds it there;
- cancelling a registration asks first, "No" keeps it; a waitlisted place offers no calendar file; "withdraw"
  and "download" are different words.

Each combination keeps a screenshot in docs/screenshots/ (matrix-*.png).
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from incidents.demo import OFFICER
from incidents.models import Report
from portal import roles
from portal.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from tests.browser.test_layout import SIDEWAYS
from tests.browser.test_workshops import _person, workshop  # noqa: F401 - the workshop set-up, used by name
from tests.conftest import PASSWORD
from workshops.models import PresentationOffer, Publication, Registration

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 768}
MATRIX = pytest.mark.parametrize(
    ("language", "viewport"),
    [("cs", PHONE), ("pl", PHONE), ("cs", DESKTOP), ("pl", DESKTOP)],
    ids=["cs-phone", "pl-phone", "cs-desktop", "pl-desktop"],
)


def _page(new_context, live_server, language: str, viewport: dict, **kwargs) -> Page:
    context = new_context(viewport=viewport, **kwargs)  # a Czech browser (conftest), the chosen language
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context.new_page()


def _log_in(page: Page, live_server, email: str, password: str = PASSWORD) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page.locator(".user-email")).to_have_text(email)


WIDE = """(limit) => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > limit + 1)
  .map(e => `${e.tagName.toLowerCase()}.${e.className}#${e.id}: ${e.getBoundingClientRect().right}`)
  .slice(0, 8)"""


def _fits(page: Page, viewport: dict) -> None:
    page.wait_for_load_state("load")  # after a click the URL changes before the style sheet is applied
    sideways = page.evaluate(SIDEWAYS)
    if sideways["page"] > viewport["width"]:
        sideways["wide"] = page.evaluate(WIDE, viewport["width"])
    assert sideways["page"] <= viewport["width"], f"{page.url} scrolls sideways: {sideways}"
    assert sideways["boxes"] == [], f"{page.url}: boxes scroll sideways: {sideways['boxes']}"


def _shot(page: Page, name: str, language: str, viewport: dict) -> None:
    size = "phone" if viewport is PHONE else "desktop"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"matrix-{name}-{size}-{language}.png"), full_page=True)


def _cell(row, label_index: int) -> str:
    return row.locator("td").nth(label_index).inner_text().strip()


@MATRIX
def test_organiser_overview_counts_equal_the_rows(
    new_context,
    live_server,
    make_user,
    workshop,  # noqa: F811 - the fixture imported above
    language,
    viewport,
):
    make_user(email="poradatel@example.org", roles=[roles.WORKSHOP_ORGANISER])
    colleague = make_user(email="kolega@example.org", roles=[roles.OFFICER])
    for number in range(4):  # two general seats: two confirmed, two waiting
        _person(workshop, f"person{number}@example.org", by=colleague)
    for number in range(3):  # three offers to decide: the old query multiplied the registrations by them
        PresentationOffer.objects.create(
            workshop=workshop,
            speaker_name=f"Řečník {number}",
            speaker_organisation="Městská policie Plzeň",
            speaker_email=f"speaker{number}@example.org",
            title=f"Zkušenost {number}",
            abstract="Rok zkušeností.",
        )
    rows = Registration.objects.filter(workshop=workshop)
    confirmed = rows.filter(status=Registration.Status.CONFIRMED).count()
    waiting = rows.filter(status=Registration.Status.WAITLISTED).count()
    assert (confirmed, waiting) == (2, 2)

    page = _page(new_context, live_server, language, viewport)
    _log_in(page, live_server, "poradatel@example.org")
    page.goto(f"{live_server.url}/workshops/manage/i/{workshop.initiative.code}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    row = page.locator("main table tbody tr").filter(has=page.locator(f'a[href$="/manage/w/{workshop.pk}/"]'))
    expect(row).to_have_count(1)
    assert re.sub(r"\s", "", _cell(row, 2)) == f"{confirmed}/{workshop.capacity}"
    assert _cell(row, 3) == str(waiting)
    offers = PresentationOffer.objects.filter(workshop=workshop, status="submitted").count()
    assert _cell(row, 5) == str(offers) == "3"
    _fits(page, viewport)
    _shot(page, "counts", language, viewport)

    # The registrations page and the public page show the same figures
    page.goto(f"{live_server.url}/workshops/manage/w/{workshop.pk}/")
    expect(page.locator("main table tbody [data-status=confirmed]")).to_have_count(confirmed)
    expect(page.locator("main table tbody [data-status=waitlisted]")).to_have_count(waiting)
    _fits(page, viewport)


@MATRIX
def test_a_report_in_plzen_without_javascript_reaches_a_demo_district_officer(
    new_context, live_server, settings, language, viewport
):
    settings.MFA_REQUIRED_ROLES = []  # the second factor has its own tests
    call_command("seed_demo", verbosity=0)
    before = set(Report.objects.values_list("pk", flat=True))
    page = _page(new_context, live_server, language, viewport, java_script_enabled=False)
    page.goto(live_server.url + "/reports/new/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#id_place_lat")).to_be_visible()
    page.locator("label[for=category-illegal-dumping]").click()
    if viewport is PHONE:  # the list of towns and districts: Plzeň's demo district "sever"
        option = page.locator("#id_place_area option", has_text="demo okrsek sever")
        page.locator("#id_place_area").select_option(option.get_attribute("value"))
    else:  # pasted from a map application, with decimal commas: náměstí Republiky
        page.locator("#id_place_lat").fill("49,7475, 13,3776")
    page.locator("#id_description").fill("Pytle s odpadem u kontejnerů.")
    _fits(page, viewport)
    page.locator("label[for=id_terms]").click()
    page.locator("#report-submit").click()
    expect(page).to_have_url(re.compile(r"/reports/submitted/$"))

    (report,) = Report.objects.exclude(pk__in=before)
    assert report.municipality.name == "Plzeň"
    assert report.district is not None and report.district.name.startswith("Plzeň – demo okrsek")
    assert report.assignee is not None and report.assignee.email == OFFICER
    expect(page.locator("#report-taken-up-by")).to_contain_text(report.district.name)
    _fits(page, viewport)
    _shot(page, "plzen-submitted", language, viewport)

    # The officer logs in, lands on the queue and finds the report there
    _log_in(page, live_server, OFFICER, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/reports/staff/$"))
    page.goto(f"{live_server.url}/reports/staff/?q={report.reference}")
    link = page.locator(f'main table a[href$="/reports/staff/{report.pk}/"]')
    expect(link).to_have_text(report.reference)
    expect(link).to_be_in_viewport()
    _fits(page, viewport)
    _shot(page, "plzen-queue", language, viewport)


@MATRIX
def test_cancelling_asks_first_and_words_are_not_ambiguous(
    new_context,
    live_server,
    make_user,
    settings,
    workshop,  # noqa: F811 - the fixture imported above
    language,
    viewport,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    organiser = make_user(email="poradatel@example.org", roles=[roles.WORKSHOP_ORGANISER])
    colleague = make_user(email="kolega@example.org", roles=[roles.OFFICER])
    mine = _person(workshop, "ja@example.org", by=colleague)
    _person(workshop, "druhy@example.org", by=colleague)
    waiting = _person(workshop, "pozde@example.org", by=colleague)
    assert (mine.status, waiting.status) == (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)

    page = _page(new_context, live_server, language, viewport)
    registration = f"{live_server.url}/workshops/registration/{mine.cancel_token}/"
    page.goto(registration)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator('a[href$="/calendar.ics"]')).to_have_count(1)  # a confirmed seat: a calendar
    page.locator("form.ws-cancel [type=submit]").click()

    # The second step: nothing has changed yet; "No" goes back and keeps the seat
    expect(page.locator("[data-confirm=yes]")).to_be_visible()
    expect(page.locator("[data-confirm=yes]")).to_be_in_viewport()
    expect(page.locator("[data-confirm=no]")).to_be_in_viewport()
    _fits(page, viewport)
    _shot(page, "cancel-confirm", language, viewport)
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CONFIRMED
    page.locator("[data-confirm=no]").click()
    expect(page).to_have_url(registration)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "confirmed")
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CONFIRMED

    # "Yes" cancels, and the waiting person gets the seat
    page.locator("form.ws-cancel [type=submit]").click()
    page.locator("[data-confirm=yes]").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "cancelled")
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED

    # A waitlisted place has no calendar file to add
    later = _person(workshop, "jeste@example.org", by=colleague)
    assert later.status == Registration.Status.WAITLISTED
    page.goto(f"{live_server.url}/workshops/registration/{later.cancel_token}/")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "waitlisted")
    expect(page.locator('a[href$="/calendar.ics"]')).to_have_count(0)

    # Withdraw (an offer) and download (a PDF) are different words in this language
    PresentationOffer.objects.create(
        workshop=workshop,
        speaker_name="Organizátor",
        speaker_organisation="Ministerstvo vnitra",
        speaker_email=organiser.email,
        title="Zkušenost",
        abstract="Rok zkušeností.",
        author=organiser,
    )
    Publication.objects.create(
        initiative=workshop.initiative, edition=1, language="cs", status="done", pages=4
    )
    _log_in(page, live_server, organiser.email)
    page.goto(f"{live_server.url}/workshops/my/")
    withdraw = page.locator('form[action*="/withdraw/"] [type=submit]').first.inner_text().strip()
    page.goto(f"{live_server.url}/workshops/manage/i/{workshop.initiative.code}/publication/")
    download = page.locator("a.ws-download").first.evaluate(
        "e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim()"
    )
    assert withdraw and download
    assert withdraw.split()[0].casefold() != download.split()[0].casefold(), (withdraw, download)
    _fits(page, viewport)


NOT_A_PAGE = re.compile(r"\.(pdf|csv|geojson|json|ics|zip)(\?|$)|/export|/logout|/admin/|/download")
TABLE_CONTROLS = ", ".join(
    f"main table {control}" for control in ("a", "button", "input:not([type=hidden])", "select", "textarea")
)


def _table_controls_on_screen(page: Page, viewport: dict) -> int:
    controls = page.locator(TABLE_CONTROLS)
    shown = 0
    for index in range(controls.count()):
        control = controls.nth(index)
        if control.evaluate("e => !!e.closest('[hidden], template, .js-only, details:not([open])')"):
            continue
        box = control.bounding_box()
        label = control.evaluate("e => e.outerHTML.slice(0, 120)")
        assert box is not None and box["width"] > 0, f"{page.url}: {label} is not shown"
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, (
            f"{page.url}: {label} at {box}"
        )
        shown += 1
    return shown


@pytest.mark.parametrize(
    ("language", "viewport"), [("pl", PHONE), ("cs", DESKTOP)], ids=["pl-phone", "cs-desktop"]
)
def test_every_role_s_work_pages_fit_with_every_table_action_on_screen(
    new_context, live_server, settings, language, viewport
):
    """Each demo role logs in, lands on its work page and opens every page linked from "My work": no page
    scrolls sideways and every link, button and field of their tables is on screen."""
    settings.MFA_REQUIRED_ROLES = []  # the second factor has its own tests
    call_command("seed_demo", verbosity=0)
    visited, tables = 0, 0
    for email, role, _name, _organisation in DEMO_USERS:
        page = _page(new_context, live_server, language, viewport)
        _log_in(page, live_server, email, DEMO_PASSWORD)
        landing = page.url.removeprefix(live_server.url)
        page.goto(live_server.url + "/my/")
        links = page.locator("main a[href^='/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        paths = [landing, "/my/"] + [path for path in dict.fromkeys(links) if not NOT_A_PAGE.search(path)]
        for path in paths[:14]:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{role}: {path} answered {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", language)
            _fits(page, viewport)
            tables += _table_controls_on_screen(page, viewport) > 0
            visited += 1
        page.context.close()
    assert visited >= 3 * len(DEMO_USERS) and tables >= 5, (visited, tables)
