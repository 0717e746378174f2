"""Issue 11 (item 10): a handed-over report stays open in the partner body's queue, with a deadline, until
the body marks it resolved; the public status stays KMZB's "confirmed – handed over" all along."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.models import ReportEvent, Status
from portal import roles
from portal.models import Notification, PartnerBody

from .staff_helpers import act, login, staff_fixture  # noqa: F401

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAYS = 10  # settings.PARTNER_RESOLVE_DAYS (env PARTNER_RESOLVE_DAYS), set below
ANSWER = "The bulky waste was taken away on Friday."


def _emails(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("to_email", flat=True))


def _handed_over(staff):
    report, token = services.report_submit(
        category=staff["category"],
        point=staff["in_district"],
        ip="192.0.2.77",
        reporter_email="r@example.org",
    )
    act(report, "take_up", staff["officer"])
    act(report, "confirm", staff["officer"])
    report = act(report, "hand_over", staff["officer"], partner_body=staff["body"], internal_note="Pro MP")
    return report, token


def _queue(client, user) -> str:
    login(client, user)
    return client.get("/reports/staff/").content.decode()


@pytest.fixture
def resolve_days(settings):
    settings.PARTNER_RESOLVE_DAYS = DAYS


@pytest.mark.django_db
def test_handed_over_report_waits_in_the_partner_queue_with_a_deadline_until_the_body_resolves_it(
    client, staff, resolve_days
):
    with time_machine.travel(T0, tick=False) as traveller:
        report, token = _handed_over(staff)
        due = T0 + timedelta(days=DAYS)
        assert report.status == Status.HANDED_OVER and report.closed_at is None and report.is_open
        assert report.partner_due_at == due == report.due_at
        assert report.reference in _queue(client, staff["partner"])
        page = client.get(f"/reports/staff/{report.pk}/").content.decode()
        assert "Partner to resolve by" in page and 'id="action-partner_resolve"' in page

        # The body's staff are reminded 2 days before, once; then it is overdue for them and the coordinator
        traveller.move_to(due - timedelta(days=2, minutes=1))
        assert services.deadlines_sweep().total == 0
        traveller.move_to(due - timedelta(days=2))
        assert services.deadlines_sweep().partner_reminders == 1
        assert services.deadlines_sweep().total == 0
        assert _emails("incident_reminder") == ["mp@example.org"]
        traveller.move_to(due)
        assert services.deadlines_sweep().partner_overdue == 1
        assert services.deadlines_sweep().total == 0
        assert _emails("incident_overdue") == ["coord@example.org", "mp@example.org"]
        report.refresh_from_db()
        assert report.partner_overdue and report.status == Status.HANDED_OVER

        resolved_at = due + timedelta(hours=3)
        traveller.move_to(resolved_at)
        report = act(report, "partner_resolve", staff["partner"], public_answer=ANSWER)

    assert report.status == Status.HANDED_OVER  # KMZB's public status stays
    assert report.closed_at == resolved_at == report.partner_resolved_at and not report.is_open
    assert report.partner_due_at is None and report.due_at is None  # the deadline stopped
    assert report.reference not in _queue(client, staff["partner"])
    assert client.get(f"/reports/staff/{report.pk}/").status_code == 200  # still handed over to the body
    with time_machine.travel(resolved_at + timedelta(days=30), tick=False):
        assert services.deadlines_sweep().total == 0

    # The public tracking page: still "handed over", and the body's answer signed by the body
    client.logout()
    client.cookies["django_language"] = "en"
    html = client.get(f"/reports/track/{token}/").content.decode()
    assert 'data-status="handed_over"' in html
    assert "The partner body resolved the report." in html and "· MP Domažlice" in html and ANSWER in html
    # The reporter heard of it
    assert "r@example.org" in _emails("incident_status")

    # Once only
    with pytest.raises(PermissionDenied):
        act(report, "partner_resolve", staff["partner"], public_answer="Again")
    assert ReportEvent.objects.filter(report=report, action="partner_resolve").count() == 1


@pytest.mark.django_db
def test_only_the_body_it_was_handed_to_may_resolve_and_only_with_an_answer(staff, make_user, resolve_days):
    report, _token = _handed_over(staff)
    other_body = PartnerBody.objects.create(code="hz", name="HZS", kind="fire_brigade")
    stranger = make_user(email="hz@example.org", roles=[roles.PARTNER_BODY], partner_body=other_body)
    for user in (staff["officer"], staff["coordinator"], stranger):
        with pytest.raises(PermissionDenied):
            act(report, "partner_resolve", user, public_answer=ANSWER)
    with pytest.raises(ValidationError) as error:
        act(report, "partner_resolve", staff["partner"], public_answer="   ")
    assert list(error.value.message_dict) == ["public_answer"]  # "Please write a public answer …"
    report.refresh_from_db()
    assert report.partner_resolved_at is None and report.closed_at is None and report.partner_due_at


@pytest.mark.django_db
def test_reopening_a_resolved_report_and_handing_it_over_again_starts_a_new_partner_deadline(
    client, staff, resolve_days
):
    report, _token = _handed_over(staff)
    act(report, "partner_resolve", staff["partner"], public_answer=ANSWER)
    report = act(report, "reopen", staff["coordinator"], public_answer="We look at it again.")
    assert report.status == Status.VERIFYING
    assert report.partner_resolved_at is None and report.closed_at is None and report.partner_due_at is None
    act(report, "confirm", staff["officer"])
    report = act(report, "hand_over", staff["officer"], partner_body=staff["body"])
    assert report.partner_due_at and report.partner_resolved_at is None and not report.partner_overdue
    assert report.reference in _queue(client, staff["partner"])
