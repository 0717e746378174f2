"""After approval: in progress → final report → completed, and the reminders of final reports."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from portal.models import ActivityLog, Notification
from projects import services, tasks
from projects.models import Proposal
from projects.workflow import Status

from .factories import approve, make_proposal


@pytest.fixture
def running(call, town, manager):
    proposal = make_proposal(call, town, requested=Decimal("90000"))
    approve(proposal, Decimal("80000"))
    Proposal.objects.filter(pk=proposal.pk).update(ends_on=date(2026, 6, 30))
    with time_machine.travel("2026-03-01 09:00 +01:00", tick=False):
        services.proposal_transition(proposal=proposal, action="start", actor=manager)
    proposal.refresh_from_db()
    return proposal


@pytest.mark.django_db
def test_start_sets_the_final_report_deadline(running):
    assert running.status == Status.IN_PROGRESS
    assert running.final_report_due_on == date(2026, 6, 30) + timedelta(days=60)


@pytest.mark.django_db
def test_final_report_then_completion(running, staff, manager):
    with pytest.raises(ValidationError, match="cannot exceed the amount approved"):
        services.final_report_submit(
            proposal=running, actor=staff, summary="Hotovo.", spent_amount=Decimal("80001")
        )
    with pytest.raises(ValidationError, match="Describe"):
        services.final_report_submit(proposal=running, actor=staff, summary="  ", spent_amount=Decimal("1"))

    services.final_report_submit(
        proposal=running, actor=staff, summary="Kamery instalovány.", spent_amount=Decimal("79500")
    )
    assert Proposal.objects.get(pk=running.pk).status == Status.FINAL_REPORT
    assert Notification.objects.filter(
        kind="projects_final_report_submitted", to_email=manager.email
    ).exists()

    services.proposal_transition(
        proposal=running, action="return_final_report", actor=manager, note="Přiložte fotky."
    )
    assert Proposal.objects.get(pk=running.pk).status == Status.IN_PROGRESS
    services.final_report_submit(
        proposal=running, actor=staff, summary="Kamery a fotky.", spent_amount=Decimal("79500")
    )
    assert running.final_report.summary == "Kamery a fotky."  # updated, not duplicated

    services.proposal_transition(proposal=running, action="complete", actor=manager)
    running.refresh_from_db()
    assert running.status == Status.COMPLETED and running.completed_at


@pytest.mark.django_db
def test_final_report_page(client, running, staff):
    client.force_login(staff)
    url = f"/grants/proposals/{running.pk}/final-report/"
    response = client.post(url, {"summary": "Hotovo", "spent_amount": "999999"})
    assert response.status_code == 400 and "Hotovo" in response.content.decode()
    assert client.post(url, {"summary": "Hotovo", "spent_amount": "80000"}).status_code == 302
    assert Proposal.objects.get(pk=running.pk).status == Status.FINAL_REPORT


@pytest.mark.django_db
def test_reminders_are_sent_once_whatever_runs_them(running, staff, manager):
    due = running.final_report_due_on  # 2026-08-29
    with time_machine.travel(due - timedelta(days=20)):
        assert tasks.final_reports_remind.delay().get() == {"reminded": 0, "overdue": 0}
    with time_machine.travel(due - timedelta(days=10)):
        assert tasks.final_reports_remind.delay().get() == {"reminded": 1, "overdue": 0}
        assert tasks.final_reports_remind.delay().get() == {"reminded": 0, "overdue": 0}
    reminder = Notification.objects.get(kind="projects_final_report_due")
    assert reminder.to_email == staff.email and "29. srpna 2026" in reminder.body_text
    # Nobody ran the task for weeks: one overdue notice to the town and the manager, once.
    with time_machine.travel(due + timedelta(days=30)):
        assert services.final_reports_remind().overdue == 1
        assert services.final_reports_remind().overdue == 0
    overdue = Notification.objects.filter(kind="projects_final_report_overdue")
    assert sorted(overdue.values_list("to_email", flat=True)) == sorted([staff.email, manager.email])
    assert ActivityLog.objects.filter(verb="proposal.final_report_overdue").count() == 1


@pytest.mark.django_db
def test_no_reminder_once_the_report_is_in(running, staff):
    services.final_report_submit(proposal=running, actor=staff, summary="Hotovo.", spent_amount=Decimal("1"))
    with time_machine.travel(running.final_report_due_on + timedelta(days=1)):
        assert services.final_reports_remind().overdue == 0
    assert not Notification.objects.filter(kind__startswith="projects_final_report_overdue").exists()


def test_the_reminder_task_is_scheduled(settings):
    entries = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "projects.tasks.final_reports_remind" in entries
