"""A citizen follows a report in a real browser (issue 11): they report a hazard, the police take it up,
and the link in the status email opens the tracking page with the new status. On a phone in Czech and on a
desktop in English. Screenshots (``OKRSEK_SCREENSHOTS=1``): docs/screenshots/follow-*.png."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from incidents import services
from incidents.models import Report
from portal import roles
from tests.browser.test_report_citizen import _no_sideways_scroll, _screenshot, _serve_a_town

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

LINK = re.compile(r"(https?://\S+/reports/follow/\S+/)")


def _report_take_up_and_follow(page: Page, live_server, make_user, console_errors, settings, *, name: str):
    settings.SITE_URL = live_server.url  # the emails' absolute links point at this server
    district = _serve_a_town()
    officer = make_user(email="okrskar@example.org", roles=[roles.OFFICER], police_unit=district.police_unit)
    district.officers.add(officer)

    page.goto(live_server.url + "/reports/new/")
    page.locator("label[for=category-illegal-dumping]").click()
    page.locator("#report-map").scroll_into_view_if_needed()
    page.locator("#report-map").click()
    expect(page.locator("#id_place_lat")).not_to_have_value("")
    page.locator("#id_description").fill("Tyres behind the garages.")
    page.locator("#id_reporter_email").fill("obcan@example.org")
    page.locator("label[for=id_terms]").click()
    page.locator("#report-submit").click()
    expect(page).to_have_url(re.compile(r"/reports/submitted/$"))
    report = Report.objects.get()

    # The police take it up with an answer: the status email goes out (eager Celery, locmem outbox)
    services.report_transition(report=report, action="take_up", actor=officer, public_answer="Checking it.")
    # (the confirmation before it carries the token link; every status email a signed link)
    (status_email,) = [m for m in mail.outbox if m.to == ["obcan@example.org"] and LINK.search(m.body)]
    link = LINK.search(status_email.body).group(1)
    assert link.startswith(live_server.url + "/reports/follow/")

    page.goto(link)
    expect(page.locator("#report-status")).to_have_attribute("data-status", "verifying")
    expect(page.locator("body")).to_contain_text("Checking it.")
    _no_sideways_scroll(page)
    _screenshot(page, f"follow-{name}.png")
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
def test_a_citizen_follows_the_email_link_on_a_phone_in_czech(
    page: Page, live_server, make_user, console_errors, settings
):
    _report_take_up_and_follow(page, live_server, make_user, console_errors, settings, name="phone-cs")
    expect(page.locator("html")).to_have_attribute("lang", "cs")


@pytest.mark.browser_context_args(viewport={"width": 1366, "height": 900}, locale="en-GB")
def test_a_citizen_follows_the_email_link_on_a_desktop_in_english(
    page: Page, live_server, make_user, console_errors, settings
):
    _report_take_up_and_follow(page, live_server, make_user, console_errors, settings, name="desktop-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#report-status")).to_have_text("being verified")
