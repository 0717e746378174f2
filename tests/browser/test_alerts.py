"""Area alerts in the browser on a phone in Czech (issue 14).

- A resident subscribes from the district's map page (district prefilled), confirms from the outbox email,
  a new report in the district arrives as an alert email with RFC 8058 headers, one click stops it.
- A resident asks for a daily digest: the report arrives in the next morning's digest (the sender and the
  digest run through the services under time-machine), and a mail client's RFC 8058 one-click POST stops it.
- A coordinator writes a warning, a second coordinator of the unit approves it; it reaches the district's
  subscribers (outbox) and shows on the district's public page until it expires.

The pages pass axe-core and never scroll sideways at 360 px."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.gis.geos import Point, Polygon
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from incidents import services
from incidents.alerts import selectors as alert_selectors
from incidents.alerts import services as alert_services
from incidents.alerts.sender import alert_digests_send, alerts_send
from incidents.models import Alert, AreaWarning, Category
from portal import roles
from portal.models import Notification
from portal.services import notifications_send_due
from tests.browser.conftest import ConsoleErrors
from tests.browser.conftest import no_sideways_scroll as _no_sideways_scroll
from tests.browser.test_accessibility import _axe_violations
from tests.browser.test_report_citizen import _serve_a_town
from tests.browser.test_report_staff import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CONFIRM = re.compile(r"(https?://\S+/reports/alerts/confirm/\S+/)")


@pytest.mark.browser_context_args(
    viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True, bypass_csp=True
)
def test_a_resident_subscribes_confirms_and_unsubscribes_on_a_phone_in_czech(
    page: Page, live_server, console_errors, settings
):
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


PHONE = {"viewport": {"width": 360, "height": 780}, "has_touch": True, "is_mobile": True, "bypass_csp": True}
LINK = r"(https?://\S+{}\S+/)"


def _link(text: str, path: str) -> str:
    return re.search(LINK.format(re.escape(path)), text).group(1)


def _notification(kind: str, to: str) -> Notification:
    notifications_send_due()  # what the outbox worker does (rows queued to be rendered later, too)
    return Notification.objects.get(kind=kind, to_email=to)


@pytest.mark.browser_context_args(**PHONE)
def test_a_resident_gets_the_next_daily_digest_and_stops_it_in_one_click(
    page: Page, live_server, console_errors, settings
):
    settings.SITE_URL = live_server.url
    district = _serve_a_town()
    page.goto(f"{live_server.url}/reports/map/?district={district.pk}")
    page.locator("#map-alerts").click()
    expect(page.locator("#id_district")).to_have_value(str(district.pk))
    page.locator("#id_email").fill("ranni@example.org")
    page.locator("#id_frequency input[value=daily]").check()
    page.locator("#alerts-subscribe").click()
    expect(page.locator("#alerts-sent")).to_be_visible()

    # The confirmation link as the outbox rendered it
    confirm = _notification("alert_confirm", "ranni@example.org")
    page.goto(_link(confirm.body_text, "/reports/alerts/confirm/"))
    page.locator("#alert-confirm").click()
    expect(page.locator(".alert-list li")).to_have_count(1)
    alert = Alert.objects.get(email="ranni@example.org")
    assert alert.confirmed_at is not None and alert.frequency == "daily"

    report, _token = services.report_submit(
        category=Category.objects.get(code="illegal-dumping"),
        point=Point(12.93, 49.44, srid=4326),
        reporter_email="jiny@example.org",
        language="cs",
        ip="198.51.100.9",
    )
    now = timezone.now()
    alerts_send(now=now + timedelta(minutes=5))
    assert not Notification.objects.filter(kind="alert_event").exists()  # a digest subscriber: no email yet
    morning = timezone.localtime(now + timedelta(days=1)).replace(hour=7, minute=30)
    with time_machine.travel(morning, tick=False):
        assert alert_digests_send(frequency="daily") == 1
        assert alert_digests_send(frequency="daily") == 0  # once per address and day
        digest = _notification("alert_digest", "ranni@example.org")
    assert report.reference in digest.body_text
    assert Category.objects.get(code="illegal-dumping").name_cs in digest.body_text
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A mail client's RFC 8058 one-click: a POST without the page, cookies' CSRF token or a confirmation
    stop = re.search(r"<(\S+)>", digest.headers["List-Unsubscribe"]).group(1)
    done = page.request.post(
        stop,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        data="List-Unsubscribe=One-Click",
    )
    assert done.status == 200 and not Alert.objects.exists()
    page.goto(_link(digest.body_text, "/reports/alerts/mine/"))
    expect(page.locator("#alerts-none")).to_be_visible()
    _no_sideways_scroll(page)
    assert console_errors == [], "\n".join(console_errors)


def _phone(new_context) -> tuple:
    context = new_context(**PHONE)
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    errors = ConsoleErrors()
    page.on("console", errors.on_console)
    page.on("pageerror", errors.on_page_error)
    return page, errors


def test_a_coordinators_warning_is_reviewed_delivered_and_shown_until_it_expires(
    new_context, live_server, make_user, settings
):
    settings.SITE_URL = live_server.url
    district = _serve_a_town()
    unit = district.police_unit
    make_user(email="koordinator@example.org", roles=[roles.COORDINATOR], police_unit=unit)
    make_user(email="zastupce@example.org", roles=[roles.COORDINATOR], police_unit=unit)
    alert_services.alert_subscribe(
        email="soused@example.org",
        language="cs",
        kind="district",
        district=district,
        ip="192.0.2.1",
        events=["new"],
        frequency="weekly",
    )
    alert_services.alert_confirm(token=Alert.objects.get().token)
    title = "Falešní policisté volají seniorům"

    # The coordinator writes it from "My work"
    author, author_errors = _phone(new_context)
    _log_in(author, live_server, "koordinator@example.org")
    author.goto(live_server.url + reverse("portal:dashboard"))
    author.locator(f"main a[href='{reverse('incidents:staff_warnings')}']").click()
    author.locator("#id_title").fill(title)
    author.locator("#id_text").fill("Nikdy nedávejte peníze volajícím.")
    author.locator("#id_district").select_option(str(district.pk))
    until = timezone.localtime() + timedelta(days=3)
    author.locator("#id_valid_until").fill(until.strftime("%Y-%m-%dT%H:%M"))
    author.locator("#warning-create").click()
    expect(author.locator(".message-success")).to_be_visible()
    warning = AreaWarning.objects.get()
    assert warning.state == "pending" and not Notification.objects.filter(kind="alert_warning").exists()
    expect(author.locator(f"#warning-approve-{warning.pk}")).to_have_count(0)  # not its author
    _no_sideways_scroll(author)
    violations = _axe_violations(author)
    assert violations == [], violations

    # A second person of the unit approves it: it goes out at once, also to a weekly subscriber
    reviewer, reviewer_errors = _phone(new_context)
    _log_in(reviewer, live_server, "zastupce@example.org")
    reviewer.goto(live_server.url + reverse("incidents:staff_warnings"))
    expect(reviewer.locator(f"#warning-{warning.pk} h3")).to_have_text(title)
    reviewer.locator(f"#warning-approve-{warning.pk}").click()
    expect(reviewer.locator(".message-success")).to_be_visible()
    warning.refresh_from_db()
    assert warning.state == "published" and warning.reviewer.email == "zastupce@example.org"
    sent = _notification("alert_warning", "soused@example.org")
    assert title in sent.subject + sent.body_text and sent.headers["List-Unsubscribe-Post"]

    # Residents see it on the district's public page until it expires
    resident, resident_errors = _phone(new_context)
    area_page = f"{live_server.url}{reverse('incidents:map')}?district={district.pk}"
    resident.goto(area_page)
    expect(resident.locator("#area-warnings h3")).to_have_text(title)
    _no_sideways_scroll(resident)
    _shot(resident, "alerts-warning-phone-cs.png")
    with time_machine.travel(warning.valid_until + timedelta(minutes=1)):
        resident.goto(area_page)
        expect(resident.locator("#map-alerts")).to_be_visible()
        expect(resident.locator("#area-warnings")).to_have_count(0)
    errors = author_errors + reviewer_errors + resident_errors
    assert errors == [], "\n".join(errors)


POINT = re.compile(r"^\d+\.\d{6}$")


def _in_town(alert: Alert) -> bool:
    box = Polygon.from_bbox((12.90, 49.42, 12.96, 49.46))
    box.srid = 4326
    return box.contains(alert.center or alert.area.centroid)


@pytest.mark.browser_context_args(**PHONE)
def test_the_map_picker_fills_the_circle_and_the_drawn_area_and_my_alerts_change_them(
    page: Page, live_server, console_errors, settings
):
    settings.SITE_URL = live_server.url
    _serve_a_town()
    page.goto(f"{live_server.url}{reverse('incidents:alerts_subscribe')}")
    page.locator("#id_kind input[value=circle]").check()
    expect(page.locator("#alert-map")).to_be_visible()
    expect(page.locator("#id_lat")).to_have_value("")
    page.locator("#alert-map").scroll_into_view_if_needed()
    page.locator("#alert-map").focus()  # by keyboard: Enter puts the centre in the map's middle
    page.keyboard.press("Enter")
    expect(page.locator("#id_lat")).to_have_value(POINT)
    by_keyboard = page.locator("#id_lat").input_value()
    page.locator("#alert-map").click(position={"x": 170, "y": 40})  # a tap puts it elsewhere
    expect(page.locator("#id_lat")).not_to_have_value(by_keyboard)
    expect(page.locator("#id_lon")).to_have_value(POINT)
    page.locator("#id_radius").select_option("2000")
    expect(page.locator("#alert-map-status")).to_contain_text("2000")
    expect(page.locator("#alert-map .leaflet-interactive, #alert-map path")).not_to_have_count(0)

    # A drawn area: each tap a corner; undo takes the last one back
    page.locator("#id_kind input[value=polygon]").check()
    expect(page.locator("#alert-map")).to_be_visible()
    for x, y in ((100, 100), (240, 100), (240, 220), (60, 260)):
        page.locator("#alert-map").click(position={"x": x, "y": y})
    page.locator("#alert-map-undo").click()
    wkt = page.locator("#id_polygon").input_value()
    assert wkt.startswith("POLYGON((") and wkt.count(",") == 3, wkt  # three corners and the closing one
    _no_sideways_scroll(page)
    violations = _axe_violations(page)
    assert violations == [], violations
    page.locator("#id_email").fill("mapa@example.org")
    page.locator("#alerts-subscribe").click()
    expect(page.locator("#alerts-sent")).to_be_visible()
    alert = Alert.objects.get(email="mapa@example.org")
    assert alert.kind == "polygon" and alert.area.num_points == 4 and _in_town(alert)
    alert_services.alert_confirm(token=alert.token)

    # "My alerts": the drawn area becomes 500 m around a tapped point
    page.goto(alert_selectors.manage_link(alert.email))
    page.locator(f"#alert-change-{alert.pk}").click()
    expect(page.locator("#id_kind input[value=polygon]")).to_be_checked()
    expect(page.locator("#id_polygon")).to_have_value(re.compile(r"^POLYGON"))
    page.locator("#id_kind input[value=circle]").check()
    page.locator("#alert-map").scroll_into_view_if_needed()
    page.locator("#alert-map").click(position={"x": 180, "y": 150})
    page.locator("#id_radius").select_option("500")
    page.locator("#fieldset-frequency input[value=weekly]").check()
    _no_sideways_scroll(page)
    _shot(page, "alerts-change-phone-cs.png")
    violations = _axe_violations(page)
    assert violations == [], violations
    page.locator("#alert-save").click()
    expect(page.locator(f"#alert-{alert.pk}")).to_be_visible()
    alert.refresh_from_db()
    assert (alert.kind, alert.radius_m, alert.frequency) == ("circle", 500, "weekly") and _in_town(alert)
    assert console_errors == [], "\n".join(console_errors)
