"""The citizen's report form: sending a report end to end, every refusal with its message (and nothing typed
lost), attachments, the per-client limit, the honeypot, the nearby check and support, double submission."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from incidents import services
from incidents.models import Attachment, Report, Support
from incidents.views import public
from portal.models import ActivityLog, Notification
from tests.incidents.citizen_helpers import (  # noqa: F401  (citizen_fixture: the fixture "citizen")
    IN_DISTRICT,
    IP,
    OUTSIDE_AREA,
    OUTSIDE_DISTRICT,
    citizen_fixture,
    form_data,
    jpeg,
    png_with_gps,
    point,
    post,
    upload,
)
from tests.incidents.concurrency import run_at_once

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")


def errors_of(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors


# --- the page -------------------------------------------------------------------------------------------


def test_form_page_groups_categories_and_works_without_javascript(
    client, citizen, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get("/reports/new/")
    html = response.content.decode()
    assert response.status_code == 200
    # Categories grouped in fieldsets with an icon per group; radio buttons work without JavaScript.
    assert html.count('<fieldset class="category-group">') == 7
    assert 'src="/static/img/categories/environment.svg"' in html
    assert (
        'type="radio" name="category" value="illegal-dumping" id="category-illegal-dumping" required' in html
    )
    assert 'value="other" id="category-other" required data-description-required="1"' in html
    # Without JavaScript the place is typed: visible number inputs, the map hidden until the script shows it.
    assert re.search(r'<input type="text" name="place_lat" id="id_place_lat" inputmode="decimal"', html)
    assert 'id="report-map" class="map report-map" hidden' in html
    assert 'type="datetime-local"' in html and "multiple" in html and 'name="terms"' in html
    assert 'name="website"' in html and 'class="hp-field"' in html  # the honeypot, hidden by CSS
    assert 'name="nonce"' in html
    # Strict CSP: scripts come from files only.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_places_search_finds_served_towns_and_districts(client, citizen):
    places = client.get("/reports/places.json", {"q": "domaž"}).json()["places"]
    names = [(p["name"], p["kind"]) for p in places]
    assert names == [("Domažlice", "municipality"), ("Domažlice West", "district")]
    town = places[0]
    assert 49.4 < town["lat"] < 49.6 and 12.9 < town["lon"] < 13.1  # a point inside the town
    assert client.get("/reports/places.json", {"q": "d"}).json() == {"places": []}
    assert client.get("/reports/places.json", {"q": "Praha"}).json() == {"places": []}


# --- a report end to end --------------------------------------------------------------------------------


def test_report_is_routed_confirmed_by_email_in_the_reporters_language_and_trackable(
    client, citizen, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "pl"
    data = form_data(client, reporter_email="jana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, data)
    # POST/redirect/GET: the token is not in the redirect.
    assert response.status_code == 302 and response["Location"] == "/reports/submitted/"

    report = Report.objects.get()
    assert report.category == citizen["dumping"]
    assert report.district == citizen["district"] and report.assignee == citizen["officer"]
    assert report.police_unit == citizen["unit"] and report.municipality == citizen["town"]
    assert report.reporter_language == "pl" and report.reporter_email == "jana@example.org"
    assert report.description == data["description"]
    assert IP not in report.ip_hash and len(report.ip_hash) == 64  # only a salted hash of the IP

    # The reporter's confirmation, queued in Polish and sent; the officer is told too.
    received = Notification.objects.get(to_email="jana@example.org")
    assert received.language == "pl" and received.kind == "incident_received"
    to_reporter = [m for m in mail.outbox if m.to == ["jana@example.org"]]
    assert len(to_reporter) == 1 and to_reporter[0].extra_headers["Content-Language"] == "pl"
    assert any(m.to == ["okrskar@example.org"] for m in mail.outbox)

    # The "submitted" page: the reference, the private link (absolute), the deadline, the email.
    page = client.get("/reports/submitted/")
    html = page.content.decode()
    assert report.reference in html
    link = re.search(r'id="tracking-link">(http://testserver/reports/track/[^<]+/)</a>', html)
    assert link, html
    assert "jana@example.org" in html
    assert '<meta name="robots" content="noindex">' in html
    assert link.group(1).rsplit("/", 2)[1] in to_reporter[0].body  # the email carries the same token

    # The link works; the "submitted" page shows it only once.
    track = client.get(link.group(1).replace("http://testserver", ""))
    assert track.status_code == 200 and 'data-status="new"' in track.content.decode()
    again = client.get("/reports/submitted/").content.decode()
    assert report.reference not in again and "/reports/track/" not in again


def test_report_outside_every_district_goes_to_the_unit(client, citizen, django_capture_on_commit_callbacks):
    data = form_data(client, place=OUTSIDE_DISTRICT)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.district is None and report.assignee is None and report.police_unit == citizen["unit"]
    assert any(m.to == ["coord@example.org"] for m in mail.outbox)


def test_without_email_the_submitted_page_says_no_confirmation_is_sent(client, citizen):
    post(client, form_data(client))
    html = client.get("/reports/submitted/").content.decode()
    assert "no confirmation is sent" in html
    assert not Notification.objects.filter(kind="incident_received").exists()


# --- refusals: a clear message at the right field, nothing saved, nothing typed lost ----------------------


def future_local() -> str:
    return (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"place_lat": "", "place_lon": ""}, "place", "Please mark the place on the map"),
        ({"place_lat": "abc"}, "place", "Enter the latitude and the longitude as numbers"),
        ({"place_lat": "95"}, "place", "These coordinates are not a place on Earth."),
        (
            {"place_lat": str(OUTSIDE_AREA[0]), "place_lon": str(OUTSIDE_AREA[1])},
            "place",
            "This place is outside the area Okrsek serves.",
        ),
        ({"description": "x" * 501}, "description", "The description may have at most 500 characters."),
        ({"category": "other", "description": "  "}, "description", "Please describe the problem"),
        ({"occurred_at": "future"}, "occurred_at", "The time of occurrence cannot be in the future."),
        ({"occurred_at": "yesterday-ish"}, "occurred_at", "Enter the date and the time"),
        ({"category": ""}, "category", "Please choose what kind of problem it is."),
        ({"category": "no-such-thing"}, "category", "This category can no longer be chosen."),
        ({"terms": ""}, "terms", "Please accept the terms to send the report."),
        ({"reporter_email": "not-an-email"}, "reporter_email", "Enter a valid email address."),
    ],
)
def test_each_refusal_has_its_message_and_keeps_what_was_typed(client, citizen, change, field, message):
    if change.get("occurred_at") == "future":
        change = {**change, "occurred_at": future_local()}
    data = form_data(client, **{"reporter_email": "kept@example.org", **change})
    response = post(client, data)
    errors = errors_of(response)
    assert field in errors and message in " ".join(errors[field]), errors
    assert not Report.objects.exists()
    html = response.content.decode()
    assert 'id="error-summary" role="alert"' in html and f'href="#field-{field}"' in html
    # Nothing typed is lost: the description, the email, the place and the category come back.
    assert f'value="{data["reporter_email"]}"' in html
    if data["description"].strip():
        assert data["description"] in html
    if data["place_lat"]:
        assert f'value="{data["place_lat"]}"' in html
    if data["category"] == "illegal-dumping":
        assert 'value="illegal-dumping" id="category-illegal-dumping" required checked' in html
    assert response.context["form"]["nonce"].value() == data["nonce"]  # the same form can be sent again


def test_description_counts_a_line_break_as_one_character(client, citizen):
    text = ("a" * 49 + "\r\n") * 10  # 500 characters in the browser (maxlength counts CRLF as one)
    response = post(client, form_data(client, description=text.strip()))
    assert response.status_code == 302
    assert len(Report.objects.get().description) <= 500


@pytest.mark.parametrize(
    "files, message",
    [
        ([(f"p{i}.jpg", jpeg()) for i in range(4)], "At most 3 files can be attached."),
        ([(f"big{i}.jpg", b"x" * (2 * 1024 * 1024)) for i in range(3)], "at most 5 MB together"),
        ([("holiday.jpg", b"MZ\x90\x00\x03" + b"\x00" * 2000)], "“holiday.jpg” is not a photo (JPEG, PNG)"),
    ],
)
def test_attachments_refused_with_a_message_and_a_request_to_choose_them_again(
    client, citizen, files, message
):
    data = form_data(client)
    data["attachments"] = [upload(name, content) for name, content in files]
    response = post(client, data)
    errors = errors_of(response)
    assert message in " ".join(errors["attachments"]), errors
    assert not Report.objects.exists() and not Attachment.objects.exists()
    html = response.content.decode()
    assert "Please choose your photos or documents again" in html
    assert data["description"] in html


def test_photo_is_reencoded_without_exif_and_gps_and_pdf_is_kept(client, citizen):
    data = form_data(client)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    data["attachments"] = [
        upload("IMG_0001.PNG", png_with_gps(), "image/png"),
        upload("plan.pdf", pdf, "application/pdf"),
    ]
    assert post(client, data).status_code == 302
    photo, document = Attachment.objects.order_by("id")
    assert photo.content_type == "image/jpeg" and photo.original_name == "IMG_0001.jpg"
    with photo.file.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif(), dict(image.getexif())
        assert "exif" not in image.info
    assert document.content_type == "application/pdf"
    with document.file.open("rb") as stored:
        assert stored.read() == pdf


# --- abuse control --------------------------------------------------------------------------------------


def test_one_report_per_client_and_category_a_day(client, citizen):
    start = datetime(2026, 5, 4, 9, 0, tzinfo=PRAGUE)
    with time_machine.travel(start, tick=False):
        assert post(client, form_data(client)).status_code == 302
        second = post(client, form_data(client, nearby_seen="1"))  # (its own first report is nearby)
        errors = errors_of(second)
        assert "You have already reported this kind of problem today" in " ".join(errors["category"])
        # Another kind of problem is fine, and so is the same kind from another client.
        assert post(client, form_data(client, category="vandalism")).status_code == 302
        assert post(client, form_data(client, nearby_seen="1"), ip="203.0.113.9").status_code == 302
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        assert post(client, form_data(client, nearby_seen="1")).status_code == 302
    assert Report.objects.count() == 4


def test_filled_honeypot_pretends_success_and_saves_nothing(client, citizen):
    response = post(
        client, form_data(client, website="http://spam.example", reporter_email="bot@example.org")
    )
    assert response.status_code == 302 and response["Location"] == "/reports/submitted/"
    page = client.get("/reports/submitted/")
    assert page.status_code == 200 and "Thank you for your report" in page.content.decode()
    assert not Report.objects.exists() and not Notification.objects.exists() and mail.outbox == []


# --- nearby reports and support -------------------------------------------------------------------------


def existing_report(citizen, *, category=None, latlon=(49.4505, 12.9505), ip="192.0.2.1"):
    """An open report about 65 m from IN_DISTRICT, with a description and an email nobody else may see."""
    report, _token = services.report_submit(
        category=category or citizen["dumping"],
        point=point(latlon),
        description="SECRET-DESCRIPTION of the first reporter",
        reporter_email="first.reporter@example.org",
        language="cs",
        ip=ip,
    )
    return report


def test_without_javascript_nearby_reports_come_first_then_send_anyway(client, citizen):
    first = existing_report(citizen)
    data = form_data(client, reporter_email="second@example.org")
    data["attachments"] = [upload("photo.jpg", jpeg())]
    response = post(client, data)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "incidents/report_nearby.html"
    html = response.content.decode()
    assert first.reference in html and f'formaction="/reports/support/{first.reference}/"' in html
    assert "Illegal rubbish dump" in html and "new" in html and " m away" in html
    assert "SECRET-DESCRIPTION" not in html and "first.reporter@example.org" not in html
    assert "Please choose them again" in html  # the photo cannot be carried over
    # The report travels along in hidden fields; "send anyway" files it.
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    assert carried["description"] == data["description"] and carried["reporter_email"] == "second@example.org"
    assert carried["place_lat"] == data["place_lat"] and carried["nonce"] == data["nonce"]
    assert Report.objects.count() == 1
    carried["nearby_seen"] = "1"
    assert post(client, carried).status_code == 302
    assert Report.objects.count() == 2


def test_nearby_json_shows_only_public_facts_and_where_the_place_is(client, citizen):
    first = existing_report(citizen)
    existing_report(citizen, latlon=(49.46, 12.95), ip="192.0.2.3")  # ~1.1 km away: not nearby
    lat, lon = IN_DISTRICT
    data = client.get(
        "/reports/new/nearby.json", {"category": "illegal-dumping", "lat": lat, "lon": lon}
    ).json()
    assert (
        data["served"] is True
        and data["municipality"] == "Domažlice"
        and data["district"] == "Domažlice West"
    )
    assert [r["reference"] for r in data["reports"]] == [first.reference]
    item = data["reports"][0]
    assert 50 < item["distance_m"] < 80 and item["status"] == "new" and item["support_count"] == 0
    assert item["support_url"] == f"/reports/support/{first.reference}/"
    assert "SECRET" not in str(data) and "first.reporter" not in str(data)
    # Another category, a person-related category, a place outside: nothing listed.
    assert (
        client.get("/reports/new/nearby.json", {"category": "vandalism", "lat": lat, "lon": lon}).json()[
            "reports"
        ]
        == []
    )
    existing_report(citizen, category=citizen["homeless"], ip="192.0.2.4")
    homeless = client.get("/reports/new/nearby.json", {"category": "homeless-person", "lat": lat, "lon": lon})
    assert homeless.json()["reports"] == []
    outside = client.get("/reports/new/nearby.json", {"lat": OUTSIDE_AREA[0], "lon": OUTSIDE_AREA[1]}).json()
    assert outside["served"] is False
    assert client.get("/reports/new/nearby.json", {"lat": "x", "lon": "1"}).status_code == 400


def test_support_counts_once_per_client(client, citizen):
    first = existing_report(citizen)
    url = f"/reports/support/{first.reference}/"
    response = client.post(url, REMOTE_ADDR=IP, follow=True)
    assert "Your support was added to report" in response.content.decode()
    client.post(url, REMOTE_ADDR=IP)
    again = client.post(url, REMOTE_ADDR=IP, follow=True)
    assert "You have already supported report" in again.content.decode()
    client.post(url, REMOTE_ADDR="203.0.113.50")
    first.refresh_from_db()
    assert first.support_count == 2 and Support.objects.filter(report=first).count() == 2
    assert ActivityLog.objects.filter(verb="report.supported").count() == 2
    assert client.get(url).status_code == 405


def test_support_needs_csrf_and_an_open_public_report(citizen):
    first = existing_report(citizen)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/reports/support/{first.reference}/").status_code == 403
    hidden = existing_report(citizen, category=citizen["homeless"], ip="192.0.2.2")
    client = Client()
    assert client.post(f"/reports/support/{hidden.reference}/").status_code == 404
    assert client.post("/reports/support/ZZZZ-ZZZZ/").status_code == 404
    Report.objects.filter(pk=first.pk).update(status="not_confirmed")
    closed = client.post(f"/reports/support/{first.reference}/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This report is already closed." in closed.content.decode()
    assert not Support.objects.exists()


# --- double submission ----------------------------------------------------------------------------------


def test_sending_the_same_form_twice_files_one_report(client, citizen):
    data = form_data(client, reporter_email="twice@example.org")
    first, second = post(client, data), post(client, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == "/reports/submitted/"
    assert Report.objects.count() == 1
    assert Notification.objects.filter(to_email="twice@example.org").count() == 1
    # The browser shows the answer to the last click: the page with the reference.
    assert Report.objects.get().reference in client.get("/reports/submitted/").content.decode()


def test_a_click_while_the_first_is_still_saving_files_nothing_more(client, citizen):
    data = form_data(client)
    # The first click's request has filed the report under the form's key and not answered yet
    first, _token = services.report_submit(
        category=citizen["dumping"],
        point=point(IN_DISTRICT),
        ip=IP,
        submission_key=public._nonce_key(data["nonce"]),
    )
    response = post(client, data)
    assert response.status_code == 302 and response["Location"] == "/reports/submitted/"
    assert list(Report.objects.all()) == [first]  # the twin filed nothing


def test_the_same_key_twice_through_the_service_returns_the_first_report_without_its_token(citizen):
    key = uuid.uuid4()
    kwargs = {"category": citizen["dumping"], "point": point(IN_DISTRICT), "ip": IP, "submission_key": key}
    first, token = services.report_submit(**kwargs, reporter_email="once@example.org")
    again, no_token = services.report_submit(**kwargs, reporter_email="once@example.org")
    assert again == first and token and no_token is None
    assert Report.objects.count() == 1 and first.submission_key == key
    assert Notification.objects.filter(to_email="once@example.org").count() == 1
    # Without a key (the API, imports) every call files a report
    services.report_submit(**{**kwargs, "submission_key": None, "ip": "192.0.2.9"})
    assert Report.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_form_at_once_file_one_report(citizen):
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent requests need PostgreSQL: SQLite serialises writers, there is no race to test"
        )
    key = uuid.uuid4()
    outcomes, errors = run_at_once(
        lambda: services.report_submit(
            category=citizen["dumping"], point=point(IN_DISTRICT), ip=IP, submission_key=key
        )
    )
    assert errors == [] and len(outcomes) == 2
    assert Report.objects.count() == 1
    assert {report.pk for report, _token in outcomes} == {Report.objects.get().pk}
    assert sorted(token is None for _report, token in outcomes) == [False, True]


def test_a_forged_or_missing_nonce_shows_the_form_again_with_everything_typed(client, citizen):
    data = form_data(client, nonce="forged")
    response = post(client, data)
    html = response.content.decode()
    assert "This form has expired" in html and data["description"] in html
    fresh = response.context["form"]["nonce"].value()
    assert fresh != "forged" and public._nonce_key(fresh)
    assert not Report.objects.exists()
    assert post(client, {**data, "nonce": fresh}).status_code == 302


# --- scripts in text ------------------------------------------------------------------------------------


def test_scripts_typed_into_the_form_are_escaped(client, citizen):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = post(client, form_data(client, description=attack, place_lat=""))
    html = response.content.decode()
    assert attack not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    search = client.get("/reports/places.json", {"q": "<script>"})
    assert search.json() == {"places": []}


def test_submitting_is_a_constant_number_of_queries(client, citizen, django_assert_max_num_queries):
    data = form_data(client, reporter_email="q@example.org")
    data["attachments"] = [upload("a.jpg", jpeg()), upload("b.jpg", jpeg())]
    # the service: routing, 2 attachments, timeline, log, 3 emails; the abuse limits (failed-form counter,
    # client lock); a first run also reads the content types for the activity log
    with django_assert_max_num_queries(55):
        assert post(client, data).status_code == 302
