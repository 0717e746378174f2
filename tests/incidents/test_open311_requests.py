"""Open311: submitting a request (POST requests) and reading requests (GET requests, requests/{id},
tokens/{token}): required fields, every error, the 90-day window, the status mapping, privacy."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from incidents import selectors, services
from incidents.models import ApiKey, Category, Report, ReportEvent
from incidents.open311.services import api_key_create
from incidents.workflow import Status
from portal.models import ActivityLog, Country, Municipality, PoliceUnit

from .open311_support import BASE, assert_schema, errors_of, fetch


@pytest.fixture
def client():
    """Clients that ask for English (the portal's default language is Czech)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _clean_rate_counters():
    cache.clear()  # per-key hourly counters live in the cache
    yield
    cache.clear()


def body(area, keys, **fields):
    data = {
        "api_key": keys["civic"],
        "service_code": area["category"].code,
        "lat": str(area["in_district"].y),
        "long": str(area["in_district"].x),
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def submit_web(area, *, ip="198.51.100.7", now=None, category=None, **kwargs):
    report, _token = services.report_submit(
        category=category or area["category"], point=area["in_district"], ip=ip, now=now, **kwargs
    )
    return report


def iso(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def act(report, action, actor, **kwargs):
    return services.report_transition(
        report=Report.objects.get(pk=report.pk), action=action, actor=actor, **kwargs
    )


# --- POST requests --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_api_report_lands_in_the_officers_queue_with_the_web_forms_deadlines(client, area, open311_keys):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        web = submit_web(area, now=start)
        responses = {}
        for n, fmt in enumerate(("json", "xml")):
            responses[fmt] = client.post(
                f"{BASE}/requests.{fmt}?locale=pl",
                body(
                    area,
                    open311_keys,
                    device_id=f"phone-{n}",
                    account_id=f"user-4{n}",
                    email="citizen@example.org",
                    first_name="Jan",
                    last_name="Novák",
                    phone="+420 777 000 111",
                    description="Pile of tyres behind the garages.",
                ),
            )
    json_response = responses["json"]
    assert json_response.status_code == 201 and responses["xml"].status_code == 201
    (answer,) = json_response.json()
    assert_schema([answer], "SubmittedRequests")
    report = Report.objects.get(reference=answer["service_request_id"])
    assert json_response["Location"] == f"http://testserver{BASE}/requests/{report.reference}.json"
    assert answer["account_id"] == "user-40"
    assert report.reference in answer["service_notice"]
    assert "nie" in answer["service_notice"] or "not stored" in answer["service_notice"]  # names not kept
    assert b"<service_request_id>" in responses["xml"].content

    queue = list(selectors.staff_queue(area["officer"]))
    assert report in queue and web in queue
    assert report.assignee == web.assignee == area["officer"]
    assert report.district == web.district == area["district"]
    assert report.status == Status.NEW
    for field in ("take_up_due_at", "due_at"):
        assert (
            getattr(report, field) - report.created_at
            == getattr(web, field) - web.created_at
            == timedelta(hours=48)
        )
    assert report.reporter_email == "citizen@example.org" and report.reporter_language == "pl"
    assert report.description == "Pile of tyres behind the garages."
    # Names and the phone number are not stored anywhere
    stored = str(list(Report.objects.filter(pk=report.pk).values())) + str(
        list(ReportEvent.objects.filter(report=report).values())
    )
    # (the phone is looked for as written and as digits: a bare "777" also turns up in hex hashes)
    assert "Novák" not in stored and "Jan" not in stored
    assert "777 000 111" not in stored and "777000111" not in stored
    event = report.events.get(action="submitted")
    assert event.data["client"] == "Civic app" and event.data["channel"] == "open311"
    assert "Civic app" in event.internal_note
    assert ActivityLog.objects.filter(verb="open311.report_submitted", target_id=str(report.pk)).exists()
    recipients = {m.to[0] for m in mail.outbox}
    assert {"officer@example.org", "citizen@example.org"} <= recipients


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "api_key was not provided"), ("", "api_key was not provided"), ("okr_bogus_x", "invalid")],
)
def test_submitting_needs_a_valid_api_key(client, area, open311_keys, key, message):
    data = body(area, open311_keys, api_key=key)
    (description,) = errors_of(client, f"{BASE}/requests.{{fmt}}", method="post", data=data, expect=403)
    assert message in description
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_an_inactive_key_is_refused_and_the_key_may_come_as_a_header(client, area, open311_keys):
    data = body(area, open311_keys, api_key=None, device_id="a")
    response = client.post(f"{BASE}/requests.json", data, HTTP_X_API_KEY=open311_keys["civic"])
    assert response.status_code == 201
    ApiKey.objects.filter(pk=open311_keys["civic_key"].pk).update(active=False)
    data["device_id"] = "b"
    errors_of(
        client,
        f"{BASE}/requests.{{fmt}}",
        method="post",
        data=data,
        HTTP_X_API_KEY=open311_keys["civic"],
        expect=403,
    )


@pytest.mark.django_db
def test_each_key_has_its_hourly_limit_and_records_its_last_use(client, area):
    key, secret = api_key_create(name="Small app", rate_limit_per_hour=3)
    assert key.last_used_at is None
    start = timezone.now().replace(minute=10, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert client.get(f"{BASE}/services.json", HTTP_X_API_KEY=secret).status_code == 200
        (message,) = errors_of(
            client, f"{BASE}/requests.{{fmt}}", method="post", data={"api_key": secret}, expect=429
        )
        assert "3" in message
        response = client.get(f"{BASE}/services.json", HTTP_X_API_KEY=secret)
        assert response.status_code == 429 and response["Retry-After"] == str(50 * 60)
        assert "no-store" in response["Cache-Control"]
    key.refresh_from_db()
    assert key.last_used_at == start
    with time_machine.travel(start + timedelta(hours=1), tick=False):  # a new hour, a new allowance
        assert client.get(f"{BASE}/services.json", HTTP_X_API_KEY=secret).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"service_code": None}, 400, "service_code was not provided"),
        ({"service_code": "no-such"}, 404, "“no-such” was not found"),
        ({"lat": None, "long": None}, 400, "lat/long or address_string was not provided"),
        ({"long": None}, 400, "lat and long must be sent together"),
        ({"lat": "north"}, 400, "lat is not a number"),
        ({"lat": "NaN"}, 400, "lat is not a number"),
        ({"lat": "95"}, 400, "not a place on Earth"),
        ({"lat": None, "long": None, "address_id": "123"}, 400, "address_id is not supported"),
        ({"lat": "50.1", "long": "14.4"}, 400, "lat/long: This place is outside the area Okrsek serves"),
        ({"email": "not-an-email"}, 400, "email is not a valid email address"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url is not an http(s) address"),
        ({"attribute[occurred_at]": "yesterday"}, 400, "attribute[occurred_at] is not a date and time"),
        ({"attribute[occurred_at]": "2099-01-01T10:00:00Z"}, 400, "attribute[occurred_at]: The time"),
        ({"description": "x" * 501}, 400, "description: The description may have at most 500 characters"),
        ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction_id “nowhere” was not found"),
        ({"description": "a\x00b"}, 400, "description contains a NUL character"),
        ({"first_name": "Jan\x00"}, 400, "first_name contains a NUL character"),
    ],
)
def test_each_bad_request_gets_the_spec_error(client, area, open311_keys, change, status, message):
    data = body(area, open311_keys, **change)
    descriptions = errors_of(
        client, f"{BASE}/requests.{{fmt}}?locale=en", method="post", data=data, expect=status
    )
    assert any(message in d for d in descriptions), descriptions
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_required_description_and_the_description_attribute(client, area, open311_keys, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    Category.objects.filter(pk=area["category"].pk).update(description_required=True)
    (message,) = errors_of(
        client, f"{BASE}/requests.{{fmt}}?locale=en", method="post", data=body(area, open311_keys), expect=400
    )
    assert message.startswith("description: Please describe the problem")
    response = client.post(
        f"{BASE}/requests.json", body(area, open311_keys, **{"attribute[description]": "Tyres"})
    )
    assert response.status_code == 201
    assert Report.objects.get().description == "Tyres"


@pytest.mark.django_db
def test_time_of_occurrence_attribute_is_stored(client, area, open311_keys):
    response = client.post(
        f"{BASE}/requests.json",
        body(area, open311_keys, **{"attribute[occurred_at]": "2026-01-05T08:30:00+01:00"}),
    )
    assert response.status_code == 201
    assert Report.objects.get().occurred_at.isoformat() == "2026-01-05T07:30:00+00:00"


@pytest.mark.django_db
def test_the_web_forms_per_client_limit_applies_per_ip_or_per_app_user(client, area, open311_keys, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 1
    url = f"{BASE}/requests.json?locale=en"
    assert client.post(url, body(area, open311_keys)).status_code == 201
    response = client.post(url, body(area, open311_keys))
    assert response.status_code == 400 and "already reported" in response.json()[0]["description"]
    # A client app that tells its users apart is limited per user
    assert client.post(url, body(area, open311_keys, device_id="phone-a")).status_code == 201
    assert client.post(url, body(area, open311_keys, account_id="user-b")).status_code == 201
    assert client.post(url, body(area, open311_keys, device_id="phone-a")).status_code == 400
    # ... and a web report from another address is not affected
    submit_web(area, ip="203.0.113.9")
    assert Report.objects.count() == 4


@pytest.mark.django_db
def test_address_string_is_resolved_against_districts_and_municipalities(
    client, area, open311_keys, settings
):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    url = f"{BASE}/requests.json?locale=en"
    cases = [("West", area["district"]), ("Náměstí Míru 1, Domažlice", None), ("domažlice", None)]
    for address, district in cases:
        data = body(area, open311_keys, lat=None, long=None, address_string=address)
        response = client.post(url, data)
        assert response.status_code == 201, response.content
        report = Report.objects.get(reference=response.json()[0]["service_request_id"])
        assert report.municipality == area["town"] and report.police_unit == area["unit"]
        assert area["town"].boundary.contains(report.point)
        if district:
            assert report.district == district and area["district"].area.contains(report.point)
        note = report.events.get(action="submitted").internal_note
        with translation.override("cs"):  # written in the language of the unit's officers
            approximate = gettext(
                "No coordinates were sent: the place is a point inside “%(address)s”, not the exact spot."
            )
        assert approximate % {"address": address} in note
    # lat/long win; the address is kept for the police
    response = client.post(url, body(area, open311_keys, address_string="Behind the school"))
    report = Report.objects.get(reference=response.json()[0]["service_request_id"])
    assert report.point.equals_exact(area["in_district"], 1e-9)
    assert "Behind the school" in report.events.get(action="submitted").internal_note

    for address in ("Atlantis", "x" * 300):
        data = body(area, open311_keys, lat=None, long=None, address_string=address)
        (message,) = errors_of(
            client, f"{BASE}/requests.{{fmt}}?locale=en", method="post", data=data, expect=400
        )
        assert "send lat and long" in message


@pytest.mark.django_db
def test_an_ambiguous_town_name_resolves_only_within_a_jurisdiction(client, area, open311_keys, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    other_unit = PoliceUnit.objects.create(code="oop-elsewhere", name="OOP Elsewhere", country=Country.CZ)
    square = MultiPolygon(Polygon(((15, 49), (15.1, 49), (15.1, 49.1), (15, 49.1), (15, 49))), srid=4326)
    twin = Municipality.objects.create(country=Country.CZ, code="999999", name="Domažlice", boundary=square)
    other_unit.municipalities.add(twin)
    data = body(
        area, open311_keys, lat=None, long=None, address_string="Domažlice", jurisdiction_id="oop-dom"
    )
    assert client.post(f"{BASE}/requests.json", {**data, "jurisdiction_id": ""}).status_code == 400
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 201
    assert Report.objects.get().police_unit == area["unit"]
    response = client.post(f"{BASE}/requests.json", {**data, "jurisdiction_id": "oop-elsewhere"})
    assert response.status_code == 201
    assert Report.objects.filter(municipality=twin).count() == 1


@pytest.mark.django_db
def test_a_place_outside_the_given_jurisdiction_is_refused(client, area, open311_keys):
    PoliceUnit.objects.create(code="oop-elsewhere", name="OOP Elsewhere", country=Country.CZ)
    data = body(area, open311_keys, jurisdiction_id="oop-elsewhere")
    (message,) = errors_of(client, f"{BASE}/requests.{{fmt}}?locale=en", method="post", data=data, expect=400)
    assert "outside jurisdiction_id “oop-elsewhere”" in message and "oop-dom" in message
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_media_url_is_passed_on_as_a_link_and_never_fetched(client, area, open311_keys, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the API must not fetch media_url")

    monkeypatch.setattr(socket, "create_connection", no_network)
    url = "https://photos.example.org/tyres.jpg"
    response = client.post(f"{BASE}/requests.json?locale=en", body(area, open311_keys, media_url=url))
    assert response.status_code == 201
    assert "not downloaded" in response.json()[0]["service_notice"]
    event = Report.objects.get().events.get(action="submitted")
    assert event.data["media_url"] == url and url in event.internal_note
    assert Report.objects.get().attachments.count() == 0


@pytest.mark.django_db
def test_photos_may_be_sent_as_media_files(client, area, open311_keys):
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(image, format="JPEG")
    upload = SimpleUploadedFile("tyres.jpg", image.getvalue(), content_type="image/jpeg")
    response = client.post(f"{BASE}/requests.xml", {**body(area, open311_keys), "media": upload})
    assert response.status_code == 201
    assert Report.objects.get().attachments.get().content_type == "image/jpeg"
    bad = SimpleUploadedFile("tyres.jpg", b"MZ not a photo", content_type="image/jpeg")
    response = client.post(
        f"{BASE}/requests.json?locale=en", {**body(area, open311_keys, device_id="2"), "media": bad}
    )
    assert response.status_code == 400 and response.json()[0]["description"].startswith("media: ")


@pytest.mark.django_db
def test_no_csrf_token_is_needed_to_submit_but_pages_keep_csrf(area, open311_keys):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"{BASE}/requests.json", body(area, open311_keys)).status_code == 201
    assert strict.post("/i18n/setlang/", {"language": "en"}).status_code == 403


@pytest.mark.django_db
def test_oversized_or_overfull_bodies_are_spec_errors(client, area, open311_keys, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    data = body(area, open311_keys, description="x" * 3000)
    errors_of(client, f"{BASE}/requests.{{fmt}}", method="post", data=data, expect=413)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    data = body(area, open311_keys, **{f"attribute[a{n}]": "1" for n in range(10)})
    errors_of(client, f"{BASE}/requests.{{fmt}}", method="post", data=data, expect=400)
    assert Report.objects.count() == 0


# --- GET requests ---------------------------------------------------------------------------------------


@pytest.fixture
def reports(area, person_category, settings):
    """A public report with a description and an email; a person-related one."""
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    public = submit_web(area, description="SECRET-DESCRIPTION", reporter_email="citizen@example.org")
    person = submit_web(
        area, category=person_category, description="PERSON-SECRET", reporter_email="p@example.org"
    )
    return {"public": public, "person": person}


@pytest.mark.django_db
def test_public_reads_never_show_descriptions_contact_data_or_person_related_reports(client, reports):
    for path in (f"{BASE}/requests.{{fmt}}", f"{BASE}/requests/{reports['public'].reference}.{{fmt}}"):
        data, response = fetch(client, path)
        assert_schema(data, "ServiceRequests")
        assert [r["service_request_id"] for r in data] == [reports["public"].reference]
        assert data[0]["description"] is None and data[0]["media_url"] is None
        for secret in (
            b"SECRET",
            b"citizen@example.org",
            b"p@example.org",
            reports["person"].reference.encode(),
        ):
            assert secret not in response.content
        assert "public" in response["Cache-Control"] and response["Access-Control-Allow-Origin"] == "*"
    errors_of(client, f"{BASE}/requests/{reports['person'].reference}.{{fmt}}", expect=404)


@pytest.mark.django_db
def test_a_staff_key_reads_descriptions_and_person_related_reports_but_never_contact_data(
    client, reports, open311_keys
):
    staff = {"HTTP_X_API_KEY": open311_keys["staff"]}
    data, response = fetch(client, f"{BASE}/requests.{{fmt}}", **staff)
    by_id = {r["service_request_id"]: r for r in data}
    assert by_id[reports["public"].reference]["description"] == "SECRET-DESCRIPTION"
    assert by_id[reports["person"].reference]["description"] == "PERSON-SECRET"
    assert b"@example.org" not in response.content
    assert "no-store" in response["Cache-Control"]
    data, _ = fetch(client, f"{BASE}/requests/{reports['person'].reference}.{{fmt}}", **staff)
    assert data[0]["service_code"] == "minors-at-risk"
    # A civic (non-staff) key reads what the public reads
    data, _ = fetch(client, f"{BASE}/requests.{{fmt}}", HTTP_X_API_KEY=open311_keys["civic"])
    assert [(r["service_request_id"], r["description"]) for r in data] == [
        (reports["public"].reference, None)
    ]


@pytest.mark.django_db
def test_status_mapping_notes_agency_and_deadlines(client, area, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    officer, partner = area["officer"], area["partner"]
    paths = {
        Status.NEW: [],
        Status.VERIFYING: [("take_up", {})],
        Status.CONFIRMED: [("take_up", {}), ("confirm", {"public_answer": "Confirmed."})],
        Status.NOT_CONFIRMED: [("take_up", {}), ("not_confirm", {"public_answer": "Nothing found."})],
        Status.JOKE_OR_MISTAKE: [("take_up", {}), ("joke", {})],
        Status.ELIMINATED: [("take_up", {}), ("confirm", {}), ("eliminate", {"public_answer": "Cleared."})],
        Status.HANDED_OVER: [
            ("take_up", {}),
            ("confirm", {}),
            ("hand_over", {"partner_body": area["body"], "public_answer": "Passed to the town."}),
        ],
    }
    made = {}
    for status, steps in paths.items():
        report = submit_web(area)
        for action, kwargs in steps:
            act(report, action, officer, **kwargs)
        made[status] = Report.objects.get(pk=report.pk)
    act(made[Status.HANDED_OVER], "partner_answer", partner, public_answer="The town cleared it.")

    data, _ = fetch(client, f"{BASE}/requests.{{fmt}}?locale=en")
    by_id = {r["service_request_id"]: r for r in data}
    expected = {
        Status.NEW: ("open", "new", area["unit"].name),
        Status.VERIFYING: ("open", "being verified", area["unit"].name),
        Status.CONFIRMED: ("open", "Confirmed.", area["unit"].name),
        Status.NOT_CONFIRMED: ("closed", "Nothing found.", area["unit"].name),
        Status.JOKE_OR_MISTAKE: ("closed", "joke or mistake", area["unit"].name),
        Status.ELIMINATED: ("closed", "Cleared.", area["unit"].name),
        Status.HANDED_OVER: ("closed", "The town cleared it.", area["body"].name),
    }
    for status, (open311_status, notes, agency) in expected.items():
        report = made[status]
        row = by_id[report.reference]
        report.refresh_from_db()
        assert (row["status"], row["status_notes"], row["agency_responsible"]) == (
            open311_status,
            notes,
            agency,
        )
        due = iso(report.due_at) if report.due_at else None
        assert row["expected_datetime"] == due
    assert by_id[made[Status.NEW].reference]["expected_datetime"] == iso(made[Status.NEW].take_up_due_at)
    assert by_id[made[Status.VERIFYING].reference]["expected_datetime"] == iso(
        made[Status.VERIFYING].verify_due_at
    )

    for query, count in (("open", 3), ("closed", 4), ("open,closed", 7), ("OPEN", 3)):
        data, _ = fetch(client, f"{BASE}/requests.{{fmt}}?status={query}")
        assert len(data) == count
        assert {r["status"] for r in data} == set(query.lower().split(","))
    (message,) = errors_of(client, f"{BASE}/requests.{{fmt}}?status=verifying", expect=400)
    assert "open or closed" in message


@pytest.mark.django_db
def test_the_90_day_window(client, area, open311_keys, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    now = timezone.now().replace(microsecond=0)
    ages = {age: submit_web(area, now=now - timedelta(days=age)).reference for age in (1, 80, 100, 150)}
    staff = "&staff"  # marks a query made with the staff key, which ids() sends in the X-Api-Key header

    def ids(query: str) -> set:
        key = {"HTTP_X_API_KEY": open311_keys["staff"]} if staff in query else {}
        query = query.replace(staff, "")
        data, _ = fetch(client, f"{BASE}/requests.{{fmt}}?x=1{query.replace('+', '%2B')}", **key)
        return {r["service_request_id"] for r in data}

    with time_machine.travel(now, tick=False):
        assert ids("") == {ages[1], ages[80]}  # default: the last 90 days
        assert ids(staff) == {ages[1], ages[80]}
        day = timedelta(days=1)
        window = f"&start_date={(now - 120 * day).isoformat()}&end_date={(now - 50 * day).isoformat()}"
        assert ids(window) == {ages[80]}  # the public never reads past 90 days
        assert ids(window + staff) == {ages[80], ages[100]}
        assert ids(f"&end_date={(now - 90 * day).date().isoformat()}{staff}") == {ages[100], ages[150]}
        assert ids(f"&start_date={(now - 151 * day).isoformat()}{staff}") == {ages[150], ages[100], ages[80]}
        start = (now - 2 * day).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert ids(f"&start_date={start}") == {ages[1]}
        too_long = f"?start_date={(now - 100 * day).isoformat()}&end_date={now.isoformat()}"
        for query, message in (
            (too_long, "may not span more than 90 days"),
            (f"?start_date={now.isoformat()}&end_date={(now - day).isoformat()}", "must not be after"),
            ("?start_date=last-week", "start_date is not a date and time"),
            ("?end_date=2026-13-45", "end_date is not a date and time"),
            ("?end_date=0001-01-01T00:00:00Z", "end_date is not a date and time"),
        ):
            (description,) = errors_of(
                client, f"{BASE}/requests.{{fmt}}{query.replace('+', '%2B')}", expect=400
            )
            assert message in description


@pytest.mark.django_db
def test_service_request_id_list_overrides_the_other_filters(client, reports, area, open311_keys):
    act(reports["public"], "take_up", area["officer"])
    second = submit_web(area, ip="203.0.113.1")
    ids = f"{reports['public'].reference.lower()},{second.reference},NOPE-NOPE,{reports['person'].reference}"
    data, _ = fetch(
        client, f"{BASE}/requests.{{fmt}}?service_request_id={ids}&status=closed&service_code=other"
    )
    assert {r["service_request_id"] for r in data} == {reports["public"].reference, second.reference}
    data, _ = fetch(
        client, f"{BASE}/requests.{{fmt}}?service_request_id={ids}", HTTP_X_API_KEY=open311_keys["staff"]
    )
    assert len(data) == 3
    too_many = ",".join(f"AAAA-{n:04d}" for n in range(201))
    errors_of(client, f"{BASE}/requests.{{fmt}}?service_request_id={too_many}", expect=400)
    # Overridden, but still checked: a malformed filter is a 400 (schemathesis found status= answered 200)
    for wrong in ("status=", "status=pending", "page=0", "start_date=yesterday"):
        errors_of(client, f"{BASE}/requests.{{fmt}}?service_request_id={ids}&{wrong}", expect=400)


@pytest.mark.django_db
def test_service_code_filter_and_paging(client, area, open311_keys, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    other = Category.objects.create(
        code="graffiti", group="public_order", name_cs="g", name_pl="g", name_en="g"
    )
    now = timezone.now()
    first = submit_web(area, now=now - timedelta(hours=3))
    second = submit_web(area, category=other, now=now - timedelta(hours=2))
    third = submit_web(area, now=now - timedelta(hours=1))

    def ids(query):
        return [r["service_request_id"] for r in fetch(client, f"{BASE}/requests.{{fmt}}?{query}")[0]]

    assert ids("service_code=illegal-dumping") == [third.reference, first.reference]  # newest first
    assert ids("service_code=graffiti,illegal-dumping") == [
        third.reference,
        second.reference,
        first.reference,
    ]
    assert ids("service_code=nothing") == []
    assert ids("page_size=1&page=2") == [second.reference]
    assert ids("page_size=2&page=3") == []
    for query in ("page=0", "page_size=5000", "page=x", "service_code=%00"):
        errors_of(client, f"{BASE}/requests.{{fmt}}?{query}", expect=400)
    errors_of(client, f"{BASE}/requests/AB%00.{{fmt}}", expect=404)  # PostgreSQL refuses NUL in text


@pytest.mark.django_db
def test_one_request_and_its_token(client, reports):
    reference = reports["public"].reference
    data, _ = fetch(client, f"{BASE}/requests/{reference}.{{fmt}}")
    assert_schema(data, "ServiceRequests")
    (row,) = data
    assert row["service_request_id"] == reference and row["service_code"] == "illegal-dumping"
    assert row["address"] == "West, Domažlice"
    assert (row["lat"], row["long"]) == (49.45, 12.95)
    assert row["requested_datetime"] == timezone.localtime(reports["public"].created_at).isoformat(
        timespec="seconds"
    )
    data, _ = fetch(client, f"{BASE}/tokens/{reference}.{{fmt}}")
    assert_schema(data, "Tokens")
    assert data == [{"service_request_id": reference, "token": reference}]
    for path in (
        "requests/ZZZZ-ZZZZ.{fmt}",
        "tokens/ZZZZ-ZZZZ.{fmt}",
        f"tokens/{reports['person'].reference}.{{fmt}}",
    ):
        (message,) = errors_of(client, f"{BASE}/{path}", expect=404)
        assert "ZZZZ-ZZZZ" in message or reports["person"].reference in message


@pytest.mark.django_db
def test_jurisdiction_scopes_the_reads(client, reports, area):
    other = PoliceUnit.objects.create(code="oop-elsewhere", name="Elsewhere", country=Country.CZ)
    Report.objects.filter(pk=reports["public"].pk).update(police_unit=other)
    assert fetch(client, f"{BASE}/requests.{{fmt}}?jurisdiction_id=oop-dom")[0] == []
    data, _ = fetch(client, f"{BASE}/requests.{{fmt}}?jurisdiction_id=oop-elsewhere")
    assert [r["service_request_id"] for r in data] == [reports["public"].reference]
    errors_of(
        client, f"{BASE}/requests/{reports['public'].reference}.{{fmt}}?jurisdiction_id=oop-dom", expect=404
    )


@pytest.mark.django_db
def test_updated_datetime_is_the_last_public_event_of_the_timeline(client, area):
    start = timezone.now().replace(microsecond=0) - timedelta(hours=5)
    report = submit_web(area, now=start)
    act(report, "take_up", area["officer"], now=start + timedelta(hours=1))
    ReportEvent.objects.create(report=report, at=start + timedelta(hours=2), action="verify_reminder")
    ReportEvent.objects.create(report=report, at=start + timedelta(hours=3), action="supported")
    (row,), _ = fetch(client, f"{BASE}/requests/{report.reference}.{{fmt}}")
    public_last = list(selectors.report_timeline(report=report, public=True))[-1].at
    assert public_last == start + timedelta(hours=1)
    assert row["updated_datetime"] == timezone.localtime(public_last).isoformat()
    assert row["requested_datetime"] == timezone.localtime(start).isoformat()


@pytest.mark.django_db
def test_requests_list_runs_a_constant_number_of_queries(
    client, area, settings, django_assert_max_num_queries
):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    for n in range(25):
        report = submit_web(area)
        if n % 3 == 0:
            act(report, "take_up", area["officer"])
    with django_assert_max_num_queries(2):
        assert len(client.get(f"{BASE}/requests.json").json()) == 25
    with django_assert_max_num_queries(2):
        assert client.get(f"{BASE}/requests.xml").status_code == 200


@pytest.mark.django_db
def test_times_carry_their_zone_and_text_stays_valid_xml(client, area):
    report = submit_web(area)
    act(report, "take_up", area["officer"])
    act(report, "not_confirm", area["officer"], public_answer="Nic jsme nenašli \x07 <b>&</b> 🚧")
    response = client.get(f"{BASE}/requests.xml")
    assert "Nic jsme nenašli  &lt;b&gt;&amp;&lt;/b&gt; 🚧".encode() in response.content  # the bell is dropped
    (row,) = client.get(f"{BASE}/requests.json").json()
    assert row["status_notes"].endswith("<b>&</b> 🚧")
    for name in ("requested_datetime", "updated_datetime"):
        assert timezone.datetime.fromisoformat(row[name]).utcoffset() is not None
    assert row["expected_datetime"] is None
    assert Point(row["long"], row["lat"]).equals_exact(area["in_district"], 1e-6)
