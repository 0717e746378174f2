"""The write path at scale (issue 13): a submission costs a constant, small number of statements (Open311 and
the web form), its emails are rendered by the worker from what the request wrote (the same emails, in the same
languages, with the same links), an api key is touched at most once a minute, and the deadline sweep costs a
few statements per batch, not per report, and acts exactly once with four sweepers at once."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from incidents import services
from incidents.models import Report, ReportEvent
from portal import services as portal_services
from portal.models import ActivityLog, Notification
from tests.incidents.citizen_helpers import (  # noqa: F401  (citizen_fixture: the fixture "citizen")
    IN_DISTRICT,
    citizen_fixture,
    form_data,
    point,
    post,
)

from .concurrency import run_at_once
from .test_deadlines import T0, _emails, _submit
from .test_deadlines import place as place  # noqa: PLC0414  (a fixture)


def statements(queries: CaptureQueriesContext, *, skip: str = "") -> list[str]:
    """The SQL statements of a request as production runs them: the savepoints of the test's own
    transaction left out (a request's transaction begins and commits without a logged statement)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if not re.match(r"(RELEASE )?SAVEPOINT", q["sql"]) and not (skip and skip in q["sql"])
    ]


# --- submissions ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_open311_submission_costs_at_most_12_statements_and_touches_its_key_once_a_minute(
    area, django_capture_on_commit_callbacks
):
    from incidents.open311.services import api_key_create

    _key, secret = api_key_create(name="Civic app", rate_limit_per_hour=1000)  # counted: one more statement
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    data = {
        "api_key": secret,
        "service_code": area["category"].code,
        "lat": str(area["in_district"].y),
        "long": str(area["in_district"].x),
        "email": "citizen@example.org",
    }
    assert client.post("/open311/v2/requests.json", {**data, "device_id": "a"}).status_code == 201
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = client.post("/open311/v2/requests.json", {**data, "device_id": "b"})
    assert response.status_code == 201, response.content
    sql = statements(queries)
    # The goal, with the public map's cells (one INSERT … ON CONFLICT) and, on PostgreSQL, the key's
    # hourly counter; whether the endpoint serves one jurisdiction is read with the key
    assert len(sql) <= 12, "\n".join(sql)
    assert not any(s.startswith('SELECT "portal_policeunit"') for s in sql)
    assert not any(s.startswith('UPDATE "incidents_apikey"') for s in sql)  # used a moment ago: no write
    assert len(callbacks) == 1  # one task for the submission's emails
    report = Report.objects.get(reference=response.json()[0]["service_request_id"])
    assert report.assignee == area["officer"] and report.district == area["district"]
    event = report.events.get(action="submitted")
    assert event.data["client"] == "Civic app" and "Civic app" in event.internal_note
    logged = ActivityLog.objects.filter(target_type__model="report", target_id=str(report.pk))
    assert set(logged.values_list("verb", flat=True)) == {
        "report.submitted",
        "open311.report_submitted",
    }
    # Written for the worker: nothing rendered in the request
    rows = Notification.objects.filter(dedup_key__startswith=f"report:{report.pk}:")
    assert sorted(rows.values_list("to_email", "subject")) == [
        ("citizen@example.org", ""),
        ("coord@example.org", ""),
        ("officer@example.org", ""),
    ]
    for row in rows:  # the report by reference, read again with what the request had loaded
        reference = row.context["report"]
        assert (reference["$model"], reference["pk"]) == ("incidents.report", report.pk)
        assert "category" in reference["related"]


@pytest.mark.django_db
def test_a_web_report_costs_at_most_12_statements_besides_the_session(
    client, citizen, django_capture_on_commit_callbacks
):
    data = form_data(client, reporter_email="jana@example.org", nearby_seen="True")  # the map checked
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        response = post(client, data)
    assert response.status_code == 302
    ours = statements(queries, skip='"django_session"')
    assert len(ours) <= 12, "\n".join(ours)
    assert len(statements(queries)) <= 15  # and Django's session store: the token waits there
    assert Report.objects.get().assignee == citizen["officer"]


@pytest.mark.django_db
def test_the_worker_renders_the_same_emails_in_each_recipients_language(
    client, citizen, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.cookies["django_language"] = "pl"
    data = form_data(client, reporter_email="jana@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert post(client, data).status_code == 302
    report = Report.objects.get()
    # The request wrote what to render, in the language decided for each recipient, and rendered nothing
    rows = {n.to_email: n for n in Notification.objects.all()}
    assert {email: (n.kind, n.language, n.subject) for email, n in rows.items()} == {
        "jana@example.org": ("incident_received", "pl", ""),
        "okrskar@example.org": ("incident_new", "cs", ""),  # the officers' profiles say Czech
        "coord@example.org": ("incident_new", "cs", ""),
    }
    assert mail.outbox == []
    for callback in callbacks:
        callback()  # the worker's task (eager): renders and sends
    sent = {m.to[0]: m for m in mail.outbox}
    assert sorted(sent) == ["coord@example.org", "jana@example.org", "okrskar@example.org"]

    citizen_mail = sent["jana@example.org"]
    assert citizen_mail.extra_headers["Content-Language"] == "pl"
    with translation.override("pl"):
        expected = portal_services._render(
            "incident_received",
            "pl",
            {"report": report, "tracking_url": re.search(r"http\S+/track/\S+/", citizen_mail.body).group(0)},
        )
    assert (citizen_mail.subject, citizen_mail.body) == expected[:2]  # as the request used to render it
    assert report.reference in citizen_mail.subject and "dzikie wysypiska" in citizen_mail.body.lower()
    token = re.search(r"/reports/track/([^/\s]+)/", citizen_mail.body).group(1)
    assert Report.objects.get(token_hash=services.submit.selectors.token_hash(token)) == report

    officer_mail = sent["okrskar@example.org"]
    assert officer_mail.extra_headers["Content-Language"] == "cs"
    assert officer_mail.body == portal_services._render("incident_new", "cs", {"report": report})[1]
    assert f"{settings.SITE_URL}/reports/staff/{report.pk}/" in officer_mail.body  # as staff_url made it
    assert "černé skládky" in officer_mail.body and report.reference in officer_mail.subject
    # Kept as sent: a retry sends the same text; nothing is left to render
    assert not Notification.objects.filter(context__isnull=False).exists()
    assert all(n.subject for n in Notification.objects.all())
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_an_email_whose_report_is_gone_is_retried_then_given_up(citizen, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    report, _token = services.report_submit(
        category=citizen["dumping"], point=point(IN_DISTRICT), ip="192.0.2.1", reporter_email="a@example.org"
    )
    row = Notification.objects.get(to_email="a@example.org")
    Report.objects.filter(pk=report.pk).delete()
    assert portal_services.notification_send(notification_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1 and "DoesNotExist" in row.last_error
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert portal_services.notification_send(notification_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == "failed" and mail.outbox == []


# --- the deadline sweep -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_costs_a_few_statements_per_batch_not_per_report(place):
    for n in range(3):
        _submit(place, ip=f"198.51.100.{n}", now=T0)
    with CaptureQueriesContext(connection) as small:
        assert services.deadlines_sweep(now=T0 + timedelta(days=3)).take_up_overdue == 3
    for n in range(40):
        _submit(place, ip=f"198.51.101.{n}", now=T0 + timedelta(days=1))
    with CaptureQueriesContext(connection) as large:
        assert services.deadlines_sweep(now=T0 + timedelta(days=4)).take_up_overdue == 40
    # A batch: claim (read + update), read, events, log, recipients (2), outbox rows; a read per other step.
    # SQLite splits an insert of many rows by its limit of parameters: one more statement
    assert len(statements(small)) <= len(statements(large)) <= len(statements(small)) + 1 <= 17
    assert ReportEvent.objects.filter(action="take_up_overdue").count() == 43


@pytest.mark.django_db
def test_an_overdue_email_rendered_later_says_what_was_overdue_when_the_sweep_ran(place, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = _submit(place, now=T0)
    services.deadlines_sweep(now=T0 + timedelta(days=3))
    rows = Notification.objects.filter(kind="incident_overdue")
    assert rows.count() == 2 and set(rows.values_list("subject", flat=True)) == {""}
    # Taken up before the worker got to the emails: they still tell of the missed take-up deadline
    services.report_transition(report=Report.objects.get(pk=report.pk), action="take_up", actor=place.officer)
    mail.outbox.clear()
    portal_services.notifications_send_due()
    kinds = dict(Notification.objects.values_list("pk", "kind"))
    overdue = [
        m for m in mail.outbox if kinds[int(m.extra_headers["X-Okrsek-Notification"])] == "incident_overdue"
    ]
    assert sorted(m.to[0] for m in overdue) == ["coordinator@example.org", "officer@example.org"]
    with translation.override("en"):
        english = portal_services._render(
            "incident_overdue",
            "en",
            {"report": report, "deadline": "take_up", "due_at": report.take_up_due_at},
        )[1]
    assert "not taken up in time" in english and f"/reports/staff/{report.pk}/" in english
    for message in overdue:
        language = message.extra_headers["Content-Language"]
        assert (
            message.body
            == portal_services._render(
                "incident_overdue",
                language,
                {"report": report, "deadline": "take_up", "due_at": report.take_up_due_at},
            )[1]
        )


@pytest.mark.django_db(transaction=True)
def test_four_sweepers_at_once_act_and_notify_exactly_once(place):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sweeps need PostgreSQL: SQLite serialises writers, there is no race to test")
    reports = [_submit(place, ip=f"198.51.100.{n}", now=T0) for n in range(60)]
    outcomes, errors = run_at_once(
        lambda: services.deadlines_sweep(now=T0 + timedelta(days=3), batch=7), times=4
    )
    assert errors == [] and len(outcomes) == 4
    assert sum(o.take_up_overdue for o in outcomes) == len(reports)
    assert sum(o.take_up_reminders for o in outcomes) == 0
    assert ReportEvent.objects.filter(action="take_up_overdue").count() == len(reports)
    assert ActivityLog.objects.filter(verb="report.take_up_overdue").count() == len(reports)
    assert _emails("incident_overdue") == ["coordinator@example.org"] * 60 + ["officer@example.org"] * 60


@pytest.mark.django_db
def test_an_api_key_is_touched_at_most_once_a_minute_without_a_statement_in_between(
    area, django_assert_num_queries
):
    from incidents.open311.services import api_key_create, api_key_touch

    key, _secret = api_key_create(name="Civic app")
    start = timezone.now()
    with django_assert_num_queries(1):
        api_key_touch(api_key=key, now=start)  # first use: written
    with django_assert_num_queries(0):
        api_key_touch(api_key=key, now=start + timedelta(seconds=59))  # the key as read says: just now
    with django_assert_num_queries(1):
        api_key_touch(api_key=key, now=start + timedelta(seconds=61))
    key.refresh_from_db()
    assert key.last_used_at == start + timedelta(seconds=61)
