"""A visitor's journey through the portal in a real browser (Debian's Chromium, see conftest.py).

No assertion reads a translated text: translations change independently. The tests check ``<html lang>``,
URLs, form field names and the data written.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from portal.models import Country, Municipality, Notification

from .conftest import TILES

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

AREAS = ["/reports/", "/workshops/", "/grants/"]
PASSWORD = "Bezpieczny-Okrsek-2026"
CONFIRM_PATH = re.compile(r"/accounts/confirm-email/[^/\s\"'<>]+/")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _wait_for_map(page: Page) -> int:
    """Wait until the home map has loaded its GeoJSON; return how many municipalities it shows."""
    served_map = page.locator("#served-map")
    expect(served_map).to_have_attribute("data-loaded", re.compile(r"^\d+$"))
    return int(served_map.get_attribute("data-loaded"))


def _submit(page: Page) -> None:
    """Press the submit button of the page's own form (the header holds the language switcher's form)."""
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()


def test_signup_verify_and_login_in_polish(page: Page, live_server, console_errors):
    email = "jana.nowak@example.org"

    # Home: the three areas, and nothing broken in the console while the map loads.
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    for href in AREAS:
        expect(page.locator(f'.areas a[href="{href}"]')).to_be_visible()
    _wait_for_map(page)
    assert console_errors == [], "\n".join(console_errors)

    # The language switcher: Polish.
    page.locator("form.lang-switch select#language-select").select_option("pl")
    page.locator("form.lang-switch [type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    assert page.url == live_server.url + "/"  # back where the visitor was

    # Sign up.
    page.goto(live_server.url + "/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    _submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    # The verification email: one, to that address, queued in Polish and sent through the outbox.
    sent = [message for message in mail.outbox if email in message.to]
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    notification = Notification.objects.get(to_email=email)
    assert notification.language == "pl"
    assert notification.status == Notification.Status.SENT
    assert sent[0].extra_headers["Content-Language"] == "pl"
    link = CONFIRM_PATH.search(sent[0].body)
    assert link, sent[0].body

    # Confirm the address (a GET only shows the button; the POST confirms).
    page.goto(live_server.url + link.group(0))
    _submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    # Log in with email and password: the header shows the account.
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    _submit(page)
    expect(page.locator(".user-email")).to_have_text(email)
    expect(page.locator("html")).to_have_attribute("lang", "pl")


def _seed_two_municipalities() -> None:
    for code, name, (x, y) in (("553468", "Domažlice", (12.9, 49.4)), ("559717", "Rokycany", (13.6, 49.7))):
        square = Polygon(((x, y), (x + 0.1, y), (x + 0.1, y + 0.1), (x, y + 0.1), (x, y)))
        Municipality.objects.create(
            country=Country.CZ, code=code, name=name, boundary=MultiPolygon(square, srid=4326)
        )


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740})
def test_home_on_a_phone(page: Page, live_server, console_errors):
    _seed_two_municipalities()
    page.goto(live_server.url + "/")
    assert _wait_for_map(page) == 2
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"the home page scrolls sideways on a 360 px phone: {scroll_width} px wide"
    expect(page.locator("form.lang-switch select#language-select")).to_be_visible()
    expect(page.locator("form.lang-switch [type=submit]")).to_be_visible()
    for href in AREAS:
        expect(page.locator(f'.areas a[href="{href}"]')).to_be_visible()
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.skipif(
    os.environ.get("OKRSEK_SCREENSHOTS") != "1",
    reason="writes docs/screenshots/*.png; run with OKRSEK_SCREENSHOTS=1",
)
def test_home_screenshots(new_context, live_server):
    call_command("seed_demo", verbosity=0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in (("home.png", (1280, 900)), ("home-phone.png", (360, 740))):
        context = new_context(viewport={"width": width, "height": height})
        context.route(TILES, lambda route: route.abort())
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert _wait_for_map(page) > 0
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True, animations="disabled")
        context.close()
