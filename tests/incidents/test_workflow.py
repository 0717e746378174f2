"""Submitting, routing and the workflow service: what it allows, what it refuses, and concurrency."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from incidents import selectors, services
from incidents.models import Report
from incidents.workflow import TRANSITIONS, Status
from portal.models import ActivityLog, Notification


@pytest.fixture(autouse=True)
def _english():
    """The services answer in the active language; these tests read the English messages."""
    with translation.override("en"):
        yield


def submit(area, point=None, ip="10.0.0.1", **kwargs):
    kwargs.setdefault("category", area["category"])
    return services.report_submit(point=point or area["in_district"], ip=ip, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_report_in_a_district_goes_to_its_officer_with_deadline(area):
    now = timezone.now()
    report, token = submit(area, reporter_email="citizen@example.org", language="pl", now=now)
    assert report.district == area["district"] and report.police_unit == area["unit"]
    assert report.assignee == area["officer"]
    assert report.municipality == area["town"]
    assert report.status == Status.NEW
    assert report.take_up_due_at == now + timedelta(hours=48) == report.due_at
    assert selectors.report_by_token(token) == report
    assert report.token_hash != token and token not in str(Report.objects.values_list().get(pk=report.pk))
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["citizen@example.org", "coord@example.org", "officer@example.org"]
    citizen_mail = next(m for m in mail.outbox if m.to == ["citizen@example.org"])
    assert citizen_mail.extra_headers["Content-Language"] == "pl"
    assert f"/reports/track/{token}/" in citizen_mail.body
    assert report.reference in citizen_mail.subject


@pytest.mark.django_db(transaction=True)
def test_report_outside_districts_goes_to_the_coordinators_queue(area):
    report, _token = submit(area, point=area["outside_district"])
    assert report.district is None and report.assignee is None
    assert report.police_unit == area["unit"]
    assert [m.to for m in mail.outbox] == [["coord@example.org"]]


@pytest.mark.django_db
def test_point_outside_the_served_area_is_refused_kindly(area):
    with pytest.raises(ValidationError) as error:
        submit(area, point=area["outside_area"])
    assert "outside the area" in str(error.value.message_dict["point"])
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_rate_limit_per_client_and_category(area, settings):
    submit(area)
    with pytest.raises(ValidationError) as error:
        submit(area, point=area["outside_district"])
    assert "already reported" in str(error.value.message_dict["category"])
    submit(area, ip="10.0.0.2")  # another client
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    submit(area)
    assert Report.objects.count() == 3
    assert len(set(Report.objects.values_list("ip_hash", flat=True))) == 2
    assert "10.0.0.1" not in str(list(Report.objects.values_list("ip_hash", flat=True)))


def act(report, action, actor, **kwargs):
    return services.report_transition(
        report=Report.objects.get(pk=report.pk), action=action, actor=actor, **kwargs
    )


@pytest.mark.django_db(transaction=True)
def test_full_kmzb_path_with_timeline_and_public_answers(area):
    report, _ = submit(area, reporter_email="citizen@example.org")
    officer = area["officer"]
    later = timezone.now() + timedelta(hours=3)
    report = act(report, "take_up", officer, now=later)
    assert report.status == Status.VERIFYING and report.taken_up_at == later
    assert report.verify_due_at == later + timedelta(hours=120) == report.due_at
    report = act(
        report, "confirm", officer, public_answer="Patrol sent.", internal_note="Neighbour knows the owner"
    )
    assert report.status == Status.CONFIRMED and report.verified_at and report.due_at is None
    report = act(report, "hand_over", officer, partner_body=area["body"], internal_note="Please remove it")
    # Handed over: still open, now the partner body's (issue 11: it closes when the body resolves it)
    assert report.status == Status.HANDED_OVER and report.partner_body == area["body"]
    assert report.closed_at is None and report.partner_due_at is not None
    report = act(report, "partner_answer", area["partner"], public_answer="Removed on Monday.")
    assert report.public_answer == "Removed on Monday."
    actions = list(report.events.order_by("pk").values_list("action", "from_status", "to_status"))
    assert actions == [
        ("submitted", "", "new"),
        ("take_up", "new", "verifying"),
        ("confirm", "verifying", "confirmed"),
        ("hand_over", "confirmed", "handed_over"),
        ("partner_answer", "handed_over", "handed_over"),
    ]
    assert ActivityLog.objects.filter(verb__startswith="report.").count() == 5
    partner_mail = Notification.objects.get(to_email="mp@example.org")
    assert partner_mail.language == "pl" and partner_mail.kind == "incident_handed_over"
    citizen = Notification.objects.filter(to_email="citizen@example.org").order_by("pk")
    assert [n.kind for n in citizen] == ["incident_received"] + ["incident_status"] * 4
    assert all("Neighbour" not in n.body_text for n in citizen)  # internal notes never reach the citizen


@pytest.mark.django_db
def test_workflow_refuses_what_it_does_not_allow(area):
    report, _ = submit(area)
    with pytest.raises(ValidationError, match="not possible"):
        act(report, "confirm", area["officer"])  # must be taken up first
    with pytest.raises(PermissionDenied):
        act(report, "take_up", area["partner"])  # a partner body is not the police
    with pytest.raises(PermissionDenied):
        act(report, "reassign", area["officer"], assignee=area["coordinator"])  # coordinators only
    with pytest.raises(ValidationError, match="Unknown action"):
        act(report, "delete", area["officer"])
    act(report, "take_up", area["officer"])
    with pytest.raises(ValidationError) as error:
        act(report, "not_confirm", area["officer"])  # needs a public answer
    assert "public_answer" in error.value.message_dict
    assert Report.objects.get(pk=report.pk).status == Status.VERIFYING


@pytest.mark.django_db
def test_officer_of_another_district_cannot_act(area, make_user):
    report, _ = submit(area)
    stranger = make_user(email="other@example.org", roles=["officer"], police_unit=area["unit"])
    with pytest.raises(PermissionDenied):
        act(report, "take_up", stranger)
    act(report, "take_up", area["coordinator"])  # the unit's coordinator may


@pytest.mark.django_db
def test_two_officers_clicking_at_once_cannot_both_win(area):
    report, _ = submit(area)
    seen_by_first = Report.objects.get(pk=report.pk)
    seen_by_second = Report.objects.get(pk=report.pk)
    services.report_transition(report=seen_by_first, action="take_up", actor=area["officer"])
    with pytest.raises(ValidationError, match="Someone else has just changed"):
        services.report_transition(report=seen_by_second, action="take_up", actor=area["coordinator"])
    assert report.events.filter(action="take_up").count() == 1


@pytest.mark.django_db
def test_coordinator_reassigns_and_reopens(area, make_user):
    report, _ = submit(area, point=area["outside_district"])
    other = make_user(email="second@example.org", roles=["officer"], police_unit=area["unit"])
    report = act(report, "reassign", area["coordinator"], assignee=other)
    assert report.assignee == other and report.status == Status.NEW
    report = act(report, "take_up", other)
    report = act(report, "joke", other)
    assert report.status == Status.JOKE_OR_MISTAKE and report.closed_at
    report = act(report, "reopen", area["coordinator"], public_answer="We are looking again.")
    assert (
        report.status == Status.VERIFYING
        and report.closed_at is None
        and report.verify_due_at > timezone.now()
    )


def test_every_transition_targets_a_status_and_is_reachable():
    statuses = set(Status.values)
    for transition in TRANSITIONS.values():
        assert transition.sources <= statuses and (transition.target is None or transition.target in statuses)
    reachable, frontier = {Status.NEW}, [Status.NEW]
    while frontier:
        status = frontier.pop()
        for t in TRANSITIONS.values():
            if status in t.sources and t.target and t.target not in reachable:
                reachable.add(t.target)
                frontier.append(t.target)
    assert reachable == statuses
