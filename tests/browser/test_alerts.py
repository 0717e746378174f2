"""A resident subscribes to area alerts on a phone in Czech (issue 14): from the district's map page to the
form (district prefilled), the confirmation email from the outbox, a new report in the district arriving as
an alert email with RFC 8058 headers, and one click to stop it. The form passes axe-core."""

import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from playwright.sync_api import Page, expect

from incidents import services
from incidents.alerts.sender import alerts_send
from incidents.models import Alert, Category
from tests.browser.test_accessibility import _axe_violations
from tests.browser.test_report_citizen import _no_sideways_scroll, _serve_a_town

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CONFIRM = re.compile(r"(https?://\S+/reports/alerts/confirm/\S+/)")


@pytest.mark.browser_context_args(
    viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True, bypass_csp=True
)
def test_a_resident_subscribes_confirms_and_unsubscribes_on_a_phone_in_czech(
    page: Page, live_server, console_errors, settings
):
    from datetime import timedelta

    from django.utils import timezone

    settings.SITE_URL = live_server.url
    district = _serve_a_town()
    page.goto(f"{live_server.url}/reports/map/?district={district.pk}")
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    page.locator("#map-alerts").click()
    expect(page.locator("#id_kind input[value=district]")).to_be_checked()
    expect(page.locator("#id_district")).to_have_value(str(district.pk))
    _no_sideways_scroll(page)
    _shot(page, "alerts-form-phone-cs.png")
    # Only the chosen kind of area's fields are shown (CSS :has, no script)
    expect(page.locator("#id_polygon")).to_be_hidden()
    expect(page.locator("#id_lat")).to_be_hidden()
    page.locator("#id_kind input[value=circle]").check()
    expect(page.locator("#id_lat")).to_be_visible()
    expect(page.locator("#id_district")).to_be_hidden()
    page.locator("#id_kind input[value=district]").check()
    expect(page.locator("#id_district")).to_be_visible()
    violations = _axe_violations(page)
    assert violations == [], violations
    page.locator("#id_email").fill("obyvatel@example.org")
    page.locator("#alerts-subscribe").click()
    expect(page.locator("#alerts-sent")).to_be_visible()

    (confirm_email,) = [m for m in mail.outbox if m.to == ["obyvatel@example.org"]]
    page.goto(CONFIRM.search(confirm_email.body).group(1))
    page.locator("#alert-confirm").click()
    expect(page.locator(".alert-list li")).to_have_count(1)
    _no_sideways_scroll(page)
    _shot(page, "alerts-mine-phone-cs.png")
    violations = _axe_violations(page)  # "my alerts"
    assert violations == [], violations
    assert Alert.objects.get().confirmed_at is not None

    report, _token = services.report_submit(
        category=Category.objects.get(code="illegal-dumping"),
        point=Point(12.93, 49.44, srid=4326),
        reporter_email="jiny@example.org",
        language="cs",
        ip="198.51.100.9",
    )
    mail.outbox.clear()
    alerts_send(now=timezone.now() + timedelta(minutes=5))
    (alert_email,) = [m for m in mail.outbox if m.to == ["obyvatel@example.org"]]
    assert report.reference in alert_email.body
    assert alert_email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(r"<(\S+)>", alert_email.extra_headers["List-Unsubscribe"]).group(1)

    page.goto(unsubscribe)
    violations = _axe_violations(page)
    assert violations == [], violations
    page.locator("#alert-unsubscribe").click()
    expect(page.locator("#alert-unsubscribed")).to_be_visible()
    assert not Alert.objects.exists()
    _no_sideways_scroll(page)
    assert console_errors == [], "\n".join(console_errors)


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True, animations="disabled")
