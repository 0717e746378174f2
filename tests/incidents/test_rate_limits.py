"""Abuse limits that hold under concurrency, across processes and without Redis (issue 12, point 6): the
citizen's one report per client, category and day; failed report forms per client and hour; an Open311 api
key's requests per hour; old counters deleted by the retention task."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.utils import translation

from incidents import services
from incidents.models import Attachment, RateCounter, Report
from incidents.open311.services import api_key_create, api_key_rate_check
from portal import retention
from tests.incidents.citizen_helpers import (  # noqa: F401  (citizen_fixture: the fixture "citizen")
    IN_DISTRICT,
    IP,
    OUTSIDE_AREA,
    citizen_fixture,
    form_data,
    jpeg,
    point,
    post,
    upload,
)
from tests.incidents.concurrency import run_at_once
from tests.incidents.open311_support import BASE

ALREADY = "You have already reported this kind of problem today"
NOW = datetime(2026, 5, 4, 9, 10, tzinfo=UTC)
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "portal.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent requests need PostgreSQL: SQLite serialises writers, there is no race to test"
        )


# --- one report per client, category and day ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_reports_of_one_client_file_exactly_one(citizen):
    needs_postgresql()

    def submit():
        with translation.override("en"):
            return services.report_submit(
                category=citizen["dumping"], point=point(IN_DISTRICT), ip=IP, submission_key=uuid.uuid4()
            )

    outcomes, errors = run_at_once(submit, times=20)
    assert Report.objects.count() == 1 and len(outcomes) == 1
    assert len(errors) == 19 and all(isinstance(error, ValidationError) for error in errors), errors
    messages = {" ".join(error.message_dict["category"]) for error in errors}
    assert len(messages) == 1 and ALREADY in messages.pop()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reports_of_different_clients_are_all_filed(citizen):
    needs_postgresql()
    ips = iter(f"203.0.113.{n}" for n in range(1, 6))
    outcomes, errors = run_at_once(
        lambda: services.report_submit(category=citizen["dumping"], point=point(IN_DISTRICT), ip=next(ips)),
        times=5,
    )
    assert errors == [] and Report.objects.count() == 5


# --- failed report forms --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_after_too_many_failed_forms_the_next_is_refused_unread_until_the_hour_ends(
    client, citizen, settings
):
    settings.REPORT_FORM_FAILURES_PER_HOUR = 3
    with time_machine.travel(NOW, tick=False):
        assert post(client, form_data(client)).status_code == 302  # a report filed is no failure
        bad_forms = [
            form_data(client, category=""),
            form_data(client, place_lat=str(OUTSIDE_AREA[0]), place_lon=str(OUTSIDE_AREA[1])),
            {
                **form_data(client, category="vandalism"),
                "attachments": [upload("a.svg", b"<svg/>", "image/svg+xml")],
            },
        ]
        for data in bad_forms:
            response = post(client, data)
            assert response.status_code == 200 and response.context["form"].errors
        valid = {**form_data(client, category="vandalism"), "attachments": [upload("photo.jpg", jpeg())]}
        refused = post(client, valid)
        assert refused.status_code == 429 and refused["Retry-After"] == str(50 * 60)
        html = refused.content.decode()
        assert "Too many unsuccessful attempts" in html and "Please try again in 50 minutes." in html
        assert "call 112" in html
        assert Report.objects.count() == 1 and Attachment.objects.count() == 0
        assert post(client, form_data(client, category="vandalism"), ip="203.0.113.9").status_code == 302
    with time_machine.travel(NOW + timedelta(minutes=50), tick=False):  # a new hour
        again = {
            **form_data(client, category="vandalism", nearby_seen="1"),
            "attachments": [upload("p.jpg", jpeg())],
        }
        assert post(client, again).status_code == 302
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_a_form_that_crashes_counts_as_failed(citizen, settings, monkeypatch):
    settings.REPORT_FORM_FAILURES_PER_HOUR = 1
    browser = Client(raise_request_exception=False)
    browser.cookies["django_language"] = "en"

    def crash(uploads):
        raise RuntimeError("a decoder bug")

    monkeypatch.setattr(services.submit, "clean_documents_or_photos", crash)
    data = {**form_data(browser), "attachments": [upload("photo.jpg", jpeg())]}
    assert post(browser, data).status_code == 500
    monkeypatch.undo()
    assert post(browser, form_data(browser)).status_code == 429
    assert not Report.objects.exists()


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_REDIS)
def test_failed_forms_are_counted_without_redis(client, citizen, settings):
    settings.REPORT_FORM_FAILURES_PER_HOUR = 2
    for _ in range(2):
        assert post(client, form_data(client, category="")).status_code == 200
    assert post(client, form_data(client)).status_code == 429


# --- Open311: an api key's requests per hour ------------------------------------------------------------


@pytest.mark.django_db
def test_the_hourly_limit_of_an_api_key_is_shared_by_every_process(area):
    key, secret = api_key_create(name="Small app", rate_limit_per_hour=3)
    workers = [Client(HTTP_ACCEPT_LANGUAGE="en") for _ in range(2)]
    with time_machine.travel(NOW, tick=False):
        for n in range(3):
            cache.clear()  # each "process" with its own (local) cache
            assert workers[n % 2].get(f"{BASE}/services.json", HTTP_X_API_KEY=secret).status_code == 200
        cache.clear()
        refused = workers[1].get(f"{BASE}/services.json", HTTP_X_API_KEY=secret)
        assert refused.status_code == 429 and refused["Retry-After"] == str(50 * 60)
        assert RateCounter.objects.get(scope="api_key", key=str(key.pk)).count == 3  # refusals not counted


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_REDIS)
def test_the_hourly_limit_of_an_api_key_holds_with_redis_unreachable(area):
    _key, secret = api_key_create(name="Small app", rate_limit_per_hour=2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    statuses = [client.get(f"{BASE}/services.json", HTTP_X_API_KEY=secret).status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_never_exceed_an_api_keys_limit(area):
    needs_postgresql()
    key, _secret = api_key_create(name="Busy app", rate_limit_per_hour=5)
    outcomes, errors = run_at_once(lambda: api_key_rate_check(api_key=key).allowed, times=12)
    assert errors == [] and sorted(outcomes) == [False] * 7 + [True] * 5


# --- retention ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_old_counters_are_deleted_by_the_retention_task():
    services.report_form_failed(ip=IP, now=NOW - timedelta(days=3))
    services.report_form_failed(ip=IP, now=NOW - timedelta(hours=2))
    assert RateCounter.objects.count() == 2
    assert retention.purge(now=NOW)["incidents.rate_counters"] == 1
    assert list(RateCounter.objects.values_list("window_start", flat=True)) == [
        NOW - timedelta(hours=2, minutes=10)
    ]
