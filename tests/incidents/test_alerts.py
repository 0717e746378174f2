"""Area alerts (issue 14): matching (radius edges, polygons, districts, categories, events), privacy (no
person-related category, no description, rounded place, not one's own report as new), exactly once (twice
in a row, a reset cursor, two senders at once on PostgreSQL), digests per address and period, and the
subscribe → confirm → one-click unsubscribe flow through the views with real emails (locmem)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.gis.geos import Point, Polygon
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.alerts import selectors as alert_selectors
from incidents.alerts import services as alerts
from incidents.alerts.sender import alert_digests_send, alerts_send
from incidents.models import Alert, AlertCursor, AlertDelivery
from portal.models import Notification
from portal.services import notifications_send_due
from tests.incidents.citizen_helpers import citizen_fixture  # noqa: F401
from tests.incidents.concurrency import run_at_once

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")
CENTER = Point(13.02, 49.52, srid=4326)  # in Domažlice (12.9–13.1, 49.4–49.6), in no district
ALL_EVENTS = ["new", "taken_up", "confirmed", "eliminated", "handed_over", "not_confirmed"]
LATER = timedelta(minutes=5)  # the sender reads events a minute after they happened
_ip = iter(range(1, 10_000))


def subscribe(email="resident@example.org", *, kind="circle", events=ALL_EVENTS, confirm=True, **kwargs):
    outcome = alerts.alert_subscribe(
        email=email,
        language="en",
        kind=kind,
        ip=f"10.0.{next(_ip) % 250}.{next(_ip) % 250}",
        events=events,
        **kwargs,
    )
    assert outcome is alerts.Outcome.SENT
    alert = Alert.objects.order_by("-pk").first()
    if confirm:
        alerts.alert_confirm(token=alert.token)
        alert.refresh_from_db()
    return alert


def submit(citizen, point, *, category=None, email="", ip="198.51.100.20", description="behind the garages"):
    report, _token = services.report_submit(
        category=category or citizen["dumping"],
        point=point,
        description=description,
        reporter_email=email,
        language="en",
        ip=ip,
    )
    return report


def act(report, action, actor, **kwargs):
    report.refresh_from_db()
    return services.report_transition(report=report, action=action, actor=actor, **kwargs)


def send(now=None):
    return alerts_send(now=(now or timezone.now()) + LATER)


def emails(kind="alert_event", to=None):
    notifications_send_due()  # the worker renders the alert emails (locmem backend)
    qs = Notification.objects.filter(kind=kind)
    if to:
        qs = qs.filter(to_email=to)
    return list(qs.order_by("pk"))


def at(bearing_point: int, radius: float) -> Point:
    """The point ``radius`` metres north (0) or east (1) of CENTER."""
    x, y = alerts.circle_polygon(CENTER, radius, sides=4).coords[0][bearing_point]
    return Point(x, y, srid=4326)


# --- matching ------------------------------------------------------------------------------------------


def test_radius_edges(citizen):
    alert = subscribe(center=CENTER, radius_m=1000)
    inside = [submit(citizen, at(0, 990), ip="198.51.100.1"), submit(citizen, at(1, 995), ip="198.51.100.2")]
    submit(citizen, at(0, 1010), ip="198.51.100.3")
    submit(citizen, at(1, 1015), ip="198.51.100.4")
    assert send() == 2
    assert {d.report_id for d in AlertDelivery.objects.filter(alert=alert)} == {r.pk for r in inside}
    assert len(emails()) == 2


def test_polygon_and_district_and_municipality(citizen):
    square = Polygon(((12.99, 49.49), (13.01, 49.49), (13.01, 49.51), (12.99, 49.51), (12.99, 49.49)))
    drawn = subscribe("poly@example.org", kind="polygon", polygon=square.wkt)
    district = subscribe("district@example.org", kind="district", district=citizen["district"])
    town = subscribe("town@example.org", kind="municipality", municipality=citizen["town"])
    in_square = submit(citizen, Point(13.005, 49.505, srid=4326), ip="198.51.100.1")
    in_district = submit(citizen, Point(12.95, 49.45, srid=4326), ip="198.51.100.2")
    send()
    got = {(d.alert_id, d.report_id) for d in AlertDelivery.objects.all()}
    assert got == {
        (drawn.pk, in_square.pk),
        (district.pk, in_district.pk),
        (town.pk, in_square.pk),
        (town.pk, in_district.pk),
    }


def test_categories_and_events(citizen):
    only_confirmed = subscribe("confirmed@example.org", center=CENTER, radius_m=2000, events=["confirmed"])
    roads = subscribe("roads@example.org", center=CENTER, radius_m=2000, category_groups=["road"])
    report = submit(citizen, CENTER)
    send()
    assert emails() == []  # a dump is no road; nobody else asked for "new"
    act(report, "take_up", citizen["coordinator"])
    act(report, "confirm", citizen["coordinator"], public_answer="We saw it.")
    send()
    [email] = emails()
    assert email.to_email == only_confirmed.email and "We saw it." in email.body_text
    assert not AlertDelivery.objects.filter(alert=roads).exists()


def test_never_leaks(citizen):
    alert = subscribe(center=CENTER, radius_m=2000)
    submit(citizen, CENTER, category=citizen["homeless"], ip="198.51.100.1")  # person-related: never
    own = submit(citizen, Point(13.02123, 49.52077, srid=4326), email=alert.email.upper(), ip="198.51.100.2")
    other = submit(citizen, Point(13.02377, 49.52233, srid=4326), description="SECRET DESCRIPTION")
    send()
    [email] = emails()  # only the other resident's report; not one's own as new, not the person
    assert other.reference in email.body_text and own.reference not in email.body_text
    assert "SECRET" not in email.body_text and "13.02377" not in email.body_text
    lat, lon = alert_selectors.rounded_point(other.point)
    assert f"{lat}, {lon}" in email.body_text and abs(lat - 49.52233) < 0.0003
    act(own, "take_up", citizen["coordinator"])
    send()
    assert [e for e in emails() if own.reference in e.body_text]  # a status change of one's own report: yes


# --- exactly once --------------------------------------------------------------------------------------


def test_exactly_once_and_after_a_reset_cursor(citizen):
    subscribe(center=CENTER, radius_m=2000)
    for n in range(3):
        submit(citizen, CENTER, ip=f"198.51.100.{n}")
    assert send() == 3 and send() == 0
    AlertCursor.objects.update(last_event_id=0)  # a restore, a bug: the sent-log and the outbox keys hold
    send()
    assert AlertDelivery.objects.count() == 3 and len(emails()) == 3


def test_fresh_events_wait(citizen):
    subscribe(center=CENTER, radius_m=2000)
    submit(citizen, CENTER)
    assert alerts_send(now=timezone.now()) == 0  # still in the minute a slower transaction may need
    assert send() == 1


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_event_once(citizen):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent senders need PostgreSQL: SQLite serialises writers, there is no race to test")
    for n in range(4):
        subscribe(f"r{n}@example.org", center=CENTER, radius_m=2000)
    for n in range(10):
        submit(citizen, CENTER, ip=f"198.51.100.{n}")
    outcomes, errors = run_at_once(lambda: alerts_send(now=timezone.now() + LATER, batch=3))
    assert errors == [] and sum(outcomes) == 40
    assert AlertDelivery.objects.count() == 40 and len(emails()) == 40


def test_sender_queries_do_not_grow_with_subscriptions(citizen, django_assert_max_num_queries):
    for n in range(3):
        subscribe(f"a{n}@example.org", center=CENTER, radius_m=2000)
    submit(citizen, CENTER, ip="198.51.100.1")
    with django_assert_max_num_queries(14):
        send()
    for n in range(12):
        subscribe(f"b{n}@example.org", center=CENTER, radius_m=2000)
    submit(citizen, CENTER, ip="198.51.100.2")
    with django_assert_max_num_queries(14):
        send()
    assert len(emails()) == 3 + 15


# --- digests -------------------------------------------------------------------------------------------


def test_daily_digest_once_per_address_and_day(citizen):
    day1 = datetime(2026, 3, 2, 10, 0, tzinfo=PRAGUE)
    with time_machine.travel(day1, tick=False):
        a = subscribe(center=CENTER, radius_m=2000, frequency="daily")
        subscribe(kind="district", district=citizen["district"], frequency="daily")  # same address
        submit(citizen, CENTER, ip="198.51.100.1")
        submit(citizen, Point(12.95, 49.45, srid=4326), ip="198.51.100.2")
    with time_machine.travel(day1 + timedelta(hours=5), tick=False):
        send()
        assert emails() == [] and alert_digests_send(frequency="daily") == 0  # before the day's digest
    with time_machine.travel(day1 + timedelta(hours=21, minutes=30), tick=False):  # 7:30 the next day
        assert alert_digests_send(frequency="daily") == 1
        assert alert_digests_send(frequency="daily") == 0
    queued = Notification.objects.get(kind="alert_digest")
    assert queued.body_text == "" and queued.context  # the outbox worker renders it when it sends it
    [digest] = emails("alert_digest")
    assert digest.to_email == a.email and "2 events" in digest.subject
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with time_machine.travel(day1 + timedelta(days=2, hours=1), tick=False):
        assert alert_digests_send(frequency="daily") == 0  # nothing new
    # The digest's one-click unsubscribe (RFC 8058) stops both alerts that go into it
    stop = re.search(r"<https?://[^/]+([^>]+)>", digest.headers["List-Unsubscribe"]).group(1)
    assert stop in digest.body_text
    done = Client(enforce_csrf_checks=True).post(
        stop, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and not Alert.objects.exists()


def test_weekly_digest(citizen):
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=PRAGUE)
    with time_machine.travel(monday, tick=False):
        subscribe(center=CENTER, radius_m=2000, frequency="weekly")
        submit(citizen, CENTER, ip="198.51.100.1")
        send()
    with time_machine.travel(monday + timedelta(days=3), tick=False):
        report = submit(citizen, CENTER, ip="198.51.100.2")
        act(report, "take_up", citizen["coordinator"])
        send()
        assert alert_digests_send(frequency="weekly") == 0
    with time_machine.travel(monday + timedelta(days=7), tick=False):
        assert alert_digests_send(frequency="weekly") == 1
        assert alert_digests_send(frequency="weekly") == 0
    [digest] = emails("alert_digest")
    assert "3 events" in digest.subject


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area", "field", "message"),
    [
        ({"kind": "circle", "center": CENTER, "radius_m": 20_000}, "radius_m", "between 100 m and 10000 m"),
        ({"kind": "circle", "center": Point(14.42, 50.08, srid=4326), "radius_m": 500}, "center", "outside"),
        (
            {
                "kind": "polygon",
                "polygon": "POLYGON((12.99 49.49, 13.01 49.51, 13.01 49.49, 12.99 49.51, 12.99 49.49))",
            },
            "polygon",
            "crosses itself",
        ),
        (
            {"kind": "polygon", "polygon": "POLYGON((12.9 49.4, 13.1 49.4, 13.1 49.6, 12.9 49.4))"},
            "polygon",
            "too large",
        ),
        ({"kind": "polygon", "polygon": "nonsense"}, "polygon", "Draw the area"),
    ],
)
def test_bad_areas_are_refused_clearly(citizen, area, field, message):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("en"):  # the messages are lazy: read them in English too
        with pytest.raises(ValidationError) as refused:
            alerts.alert_area(**area)
        assert message in str(refused.value.message_dict[field])


# --- the pages: subscribe, confirm, one-click unsubscribe, my alerts -------------------------------------

CONFIRM = re.compile(r"https?://[^/\s]+(/reports/alerts/confirm/[^\s]+/)")
MANAGE = re.compile(r"https?://[^/\s]+(/reports/alerts/mine/[^\s]+/)")


def _form(citizen, email="resident@example.org", **extra):
    return {
        "email": email,
        "kind": "district",
        "district": citizen["district"].pk,
        "radius": "1000",
        "events": ALL_EVENTS,
        "frequency": "immediate",
        **extra,
    }


def _deliver():
    notifications_send_due()
    messages, mail.outbox[:] = list(mail.outbox), []
    return messages


def test_subscribe_confirm_and_unsubscribe_in_one_click(citizen, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = client.get(reverse("incidents:alerts_subscribe"), {"district": citizen["district"].pk})
    assert page.status_code == 200 and re.search(rb'value="district"[^>]*checked', page.content)
    response = client.post(reverse("incidents:alerts_subscribe"), _form(citizen))
    assert response.status_code == 302 and response["Location"] == reverse("incidents:alerts_sent")
    [message] = _deliver()
    assert message.to == ["resident@example.org"]
    confirm_path = CONFIRM.search(message.body).group(1)
    assert client.get(confirm_path).status_code == 200
    assert Alert.objects.get().confirmed_at is None  # a link scanner's GET starts nothing
    managed = client.post(confirm_path)
    assert Alert.objects.get().confirmed_at is not None
    assert b"resident@example.org" in client.get(managed["Location"]).content

    report = submit(citizen, Point(12.95, 49.45, srid=4326))
    send()
    [alert_email] = [m for m in _deliver() if m.to == ["resident@example.org"]]
    assert report.reference in alert_email.body
    unsubscribe = re.search(r"<(https?://[^>]+)>", alert_email.extra_headers["List-Unsubscribe"]).group(1)
    assert alert_email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert MANAGE.search(alert_email.body)
    mail_client = Client(enforce_csrf_checks=True)  # a mail client's RFC 8058 POST carries no CSRF token
    done = mail_client.post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and not Alert.objects.exists()


def test_subscribing_again_reveals_nothing_and_adds_no_row(citizen, client):
    alert = subscribe(kind="district", district=citizen["district"])
    mail_before = Notification.objects.count()
    response = client.post(reverse("incidents:alerts_subscribe"), _form(citizen))
    assert response["Location"] == reverse("incidents:alerts_sent")  # the same answer as for a new address
    assert Alert.objects.count() == 1
    [exists] = Notification.objects.filter(pk__gt=0).order_by("-pk")[:1]
    assert Notification.objects.count() == mail_before + 1 and exists.kind == "alert_exists"
    assert exists.to_email == alert.email and MANAGE.search(exists.body_text)


def test_daily_limit_per_address(citizen, client):
    for n in range(alerts.SUBSCRIPTIONS_PER_ADDRESS_PER_DAY):
        client.post(
            reverse("incidents:alerts_subscribe"),
            _form(citizen, kind="circle", lat=49.5, lon=13.0 + n / 1000),
        )
    page = client.post(
        reverse("incidents:alerts_subscribe"), _form(citizen, kind="circle", lat=49.5, lon=13.01)
    )
    assert page.status_code == 200 and b"Too many alert requests today" in page.content
    assert Alert.objects.count() == alerts.SUBSCRIPTIONS_PER_ADDRESS_PER_DAY


def test_form_shows_translated_errors_and_keeps_input(citizen, client):
    page = client.post(
        reverse("incidents:alerts_subscribe"),
        _form(citizen, kind="circle", lat=49.5, lon=13.0, radius="custom", radius_custom=50_000),
    )
    assert page.status_code == 200 and b"The radius must be between 100 m and 10000 m." in page.content
    assert b'value="resident@example.org"' in page.content and not Alert.objects.exists()


def test_my_alerts_change_delete_and_constant_queries(citizen, client, django_assert_max_num_queries):
    first = subscribe(kind="district", district=citizen["district"])
    path = reverse("incidents:alerts_manage", args=[alert_selectors.manage_path_arg(first.email)])
    with django_assert_max_num_queries(8):
        assert client.get(path).status_code == 200
    for n in range(4):
        subscribe(center=Point(13.0, 49.5 + n / 100, srid=4326), radius_m=500)
    with django_assert_max_num_queries(8):
        page = client.get(path)
    assert page.content.count(b'name="alert"') == 5
    client.post(path, {"alert": first.pk, "frequency": "weekly", "action": "change"})
    first.refresh_from_db()
    assert first.frequency == "weekly" and not first.warnings  # the box left unticked: no warnings
    client.post(path, {"alert": first.pk, "frequency": "weekly", "warnings": "on", "action": "change"})
    first.refresh_from_db()
    assert first.warnings
    asked = client.post(path, {"alert": first.pk, "action": "delete"}, HTTP_ACCEPT_LANGUAGE="en")
    assert asked.status_code == 200 and b'data-confirm="yes"' in asked.content  # a second step first
    assert Alert.objects.count() == 5
    client.post(path, {"alert": first.pk, "action": "delete", "confirm": "1"})
    assert Alert.objects.count() == 4
    other = subscribe("other@example.org", kind="district", district=citizen["district"])
    assert client.post(path, {"alert": other.pk, "action": "delete"}).status_code == 404  # not theirs
    assert client.get(path[:-5] + "xx/").status_code == 404


def test_my_alerts_change_the_area_categories_events_and_frequency(citizen, client):
    alert = subscribe(kind="district", district=citizen["district"])
    other = subscribe(center=CENTER, radius_m=500)
    path = reverse("incidents:alerts_change", args=[alert_selectors.manage_path_arg(alert.email), alert.pk])
    page = client.get(path)
    assert page.status_code == 200 and re.search(rb'value="district"[^>]*checked', page.content)
    circle = {
        "kind": "circle",
        "lat": CENTER.y,
        "lon": CENTER.x,
        "radius": "custom",
        "radius_custom": 1500,
        "category_groups": ["environment"],
        "category_codes": ["vandalism"],
        "events": ["new", "confirmed"],
        "frequency": "daily",
    }
    assert client.post(path, circle).status_code == 302
    alert.refresh_from_db()
    assert (alert.kind, alert.district, alert.radius_m, alert.frequency) == ("circle", None, 1500, "daily")
    assert alert.category_groups == ["environment"] and alert.category_codes == ["vandalism"]
    assert alert.events == ["new", "confirmed"] and not alert.warnings  # the box left unticked
    near = submit(citizen, at(0, 1400))
    send()
    assert AlertDelivery.objects.filter(alert=alert, report=near).exists()  # the new area is matched
    # The form starts from the alert as it is now
    assert b'value="1500"' in client.get(path).content

    # Bad input: the same messages as when subscribing; nothing of it saved
    before = Alert.objects.values().get(pk=alert.pk)
    bad = [
        {**circle, "radius_custom": 50_000},
        {
            **circle,
            "kind": "polygon",
            "polygon": "POLYGON((12.99 49.49, 13.01 49.51, 13.01 49.49, 12.99 49.51, 12.99 49.49))",
        },
        {**circle, "events": []},
        {**circle, "lat": 50.08, "lon": 14.42},  # Prague: not served
        {
            **circle,
            "radius": "500",
            "radius_custom": "",
            "lat": other.center.y,
            "lon": other.center.x,
            "category_groups": [],
            "category_codes": [],
            "events": ALL_EVENTS,
            "frequency": "immediate",
        },  # = other
    ]
    expected = [
        b"between 100 m and 10000 m",
        b"crosses itself",
        b"This field is required.",
        b"outside the area this portal serves",
        b"You have an alert with these settings already.",
    ]
    for data, message in zip(bad, expected, strict=True):
        page = client.post(path, data, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200 and message in page.content, message
        assert Alert.objects.values().get(pk=alert.pk) == before
    # A polygon drawn instead (as the map picker fills the field)
    square = "POLYGON((12.99 49.49, 13.01 49.49, 13.01 49.51, 12.99 49.51, 12.99 49.49))"
    assert client.post(path, {**circle, "kind": "polygon", "polygon": square}).status_code == 302
    alert.refresh_from_db()
    assert alert.kind == "polygon" and alert.center is None and alert.radius_m is None
    assert alert.area.equals(Polygon.from_ewkt(f"SRID=4326;{square}"))
    # Stopped meanwhile (its one-click link) while the page was open: not written back
    Alert.objects.filter(pk=alert.pk).delete()
    with pytest.raises(ValidationError):
        alerts.alert_update(alert=alert, kind="circle", events=["new"], center=CENTER, radius_m=500)
    assert not Alert.objects.filter(pk=alert.pk).exists()
    # Another address's alert, or a bad link: not found
    stranger = subscribe("stranger@example.org", kind="district", district=citizen["district"])
    mine = alert_selectors.manage_path_arg(alert.email)
    assert client.get(reverse("incidents:alerts_change", args=[mine, stranger.pk])).status_code == 404
    assert (
        client.get(reverse("incidents:alerts_change", args=[mine[:-4] + "xxxx", alert.pk])).status_code == 404
    )


# --- feeds ---------------------------------------------------------------------------------------------


def test_feeds_show_only_public_reports_with_filters(citizen, client):
    shown = submit(citizen, Point(12.95, 49.45, srid=4326), ip="198.51.100.1", description="SECRET")
    hidden = submit(citizen, Point(12.95, 49.45, srid=4326), category=citizen["homeless"], ip="198.51.100.2")
    district = client.get(reverse("incidents:feed_district", args=[citizen["district"].pk]))
    assert district.status_code == 200 and district["Content-Type"].startswith("application/atom+xml")
    body = district.content.decode()
    assert shown.reference in body and hidden.reference not in body and "SECRET" not in body
    confirmed = client.get(
        reverse("incidents:feed_municipality", args=[citizen["town"].pk]), {"status": "confirmed"}
    )
    assert shown.reference not in confirmed.content.decode()
    around = client.get(reverse("incidents:feed_around"), {"lat": 49.45, "lon": 12.95, "radius": 500})
    assert shown.reference in around.content.decode()
    far = client.get(reverse("incidents:feed_around"), {"lat": 49.5, "lon": 13.05, "radius": 500})
    assert shown.reference not in far.content.decode()
    assert (
        client.get(reverse("incidents:feed_around"), {"lat": 49.5, "lon": 13.0, "radius": 99_999}).status_code
        == 404
    )
    page = client.get(reverse("incidents:map"), {"district": citizen["district"].pk})
    feed_url = reverse("incidents:feed_district", args=[citizen["district"].pk])
    assert f'rel="alternate" type="application/atom+xml" href="{feed_url}"'.encode() in page.content


# --- personal data --------------------------------------------------------------------------------------


def test_unconfirmed_alerts_and_old_sent_log_go_and_links_stay_out_of_logs(citizen):
    from portal import retention
    from portal.logs import redact

    unconfirmed = subscribe("late@example.org", center=CENTER, radius_m=500, confirm=False)
    kept = subscribe(center=CENTER, radius_m=500, frequency="daily")
    submit(citizen, CENTER)
    send()
    assert AlertDelivery.objects.filter(digest_period="").count() == 1
    done = retention.purge(now=timezone.now() + timedelta(days=120))
    assert done["incidents.alerts_unconfirmed"] == 1 and not Alert.objects.filter(pk=unconfirmed.pk).exists()
    assert AlertDelivery.objects.count() == 1  # waiting for its digest: kept
    for link in (
        alert_selectors.confirm_link(kept),
        alert_selectors.unsubscribe_link(kept),
        alert_selectors.manage_link(kept.email),
        alert_selectors.digest_stop_link(kept.email, "daily"),
    ):
        secret = link.rstrip("/").rsplit("/", 1)[1]
        assert secret not in redact(f"GET {link} 200"), link


def test_the_beat_runs_the_sender_every_minute_and_the_digests_hourly(citizen, settings):
    from incidents import tasks
    from portal.celery import app as celery_app

    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["incidents.tasks.alerts_send"] <= 60
    assert schedule["incidents.tasks.alert_digests_send"] <= 3600
    assert {"incidents.tasks.alerts_send", "incidents.tasks.alert_digests_send"} <= set(celery_app.tasks)
    subscribe(center=CENTER, radius_m=2000)
    submit(citizen, CENTER)
    with time_machine.travel(timezone.now() + LATER):
        assert tasks.alerts_send.delay().get() == 1
        assert tasks.alert_digests_send.delay().get() == {"daily": 0, "weekly": 0}
