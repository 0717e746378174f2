"""A citizen withdraws a report the police have not taken up, from the private tracking page (a confirmation
page, then a POST; no script): it leaves the officer's queue and the public map, its take-up deadline stops,
nobody in the police is asked to act, and the timeline says so. Once taken up, it can no longer be
withdrawn."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents import selectors, services
from incidents.models import Report, Status
from portal.models import ActivityLog, Notification
from tests.incidents.citizen_helpers import IN_DISTRICT, citizen_fixture, point  # noqa: F401

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")
START = datetime(2026, 3, 2, 10, 0, tzinfo=PRAGUE)
MAP = "/reports/map.geojson?bbox=12.8,49.3,13.2,49.7"


def submit(citizen, ip="198.51.100.20") -> tuple[Report, str]:
    return services.report_submit(
        category=citizen["dumping"],
        point=point(IN_DISTRICT),
        description="rubbish behind the garages",
        reporter_email="reporter@example.org",
        language="en",
        ip=ip,
    )


def test_the_reporter_withdraws_a_new_report_from_the_tracking_page(client, citizen):
    officer = citizen["officer"]
    with time_machine.travel(START, tick=False):
        report, token = submit(citizen)
        assert report in selectors.staff_queue(officer) and report in selectors.public_reports()
        assert client.get(MAP).content.decode().count('"Feature"') == 1
        track = client.get(f"/reports/track/{token}/").content.decode()
        assert f'href="/reports/track/{token}/withdraw/"' in track

        confirm = client.get(f"/reports/track/{token}/withdraw/")
        assert confirm.status_code == 200
        page = confirm.content.decode()
        assert 'method="post"' in page and "Yes, withdraw the report" in page
        assert Report.objects.get(pk=report.pk).status == Status.NEW  # looking changes nothing

        police_mails = Notification.objects.exclude(to_email="reporter@example.org").count()
        response = client.post(f"/reports/track/{token}/withdraw/")
    assert response.status_code == 302 and response["Location"] == f"/reports/track/{token}/"

    report.refresh_from_db()
    assert report.status == Status.WITHDRAWN and report.closed_at == START and report.due_at is None
    # off the officer's queue, the public map and the statistics' reports
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        assert report not in selectors.staff_queue(officer)
        assert report not in selectors.public_reports()
        assert client.get(MAP).content.decode().count('"Feature"') == 0
    # nobody in the police is asked to act: no email to them, and the take-up deadline no longer runs
    assert Notification.objects.exclude(to_email="reporter@example.org").count() == police_mails
    with time_machine.travel(START + timedelta(days=5), tick=False):
        swept = services.deadlines_sweep()
    assert swept.take_up_overdue == 0 and swept.take_up_reminders == 0
    report.refresh_from_db()
    assert not report.take_up_overdue and not report.take_up_reminded
    # the timeline and the log
    event = report.events.get(action="withdraw")
    assert (event.from_status, event.to_status, event.actor) == ("new", "withdrawn", None)
    assert ActivityLog.objects.filter(verb="report.withdraw", target_id=str(report.pk)).count() == 1

    page = client.get(response["Location"]).content.decode()
    assert "Your report was withdrawn." in page
    assert 'data-status="withdrawn"' in page and "The report was withdrawn by the reporter." in page
    assert "/withdraw/" not in page  # nothing more to withdraw
    assert 'data-deadline="take_up"' in track and 'data-deadline="take_up"' not in page  # no deadline runs


def test_a_report_taken_up_can_no_longer_be_withdrawn(client, citizen):
    report, token = submit(citizen)
    services.report_transition(report=report, action="take_up", actor=citizen["officer"])
    assert "/withdraw/" not in client.get(f"/reports/track/{token}/").content.decode()

    shown = client.get(f"/reports/track/{token}/withdraw/", follow=True).content.decode()
    assert "it can no longer be withdrawn" in shown and "Yes, withdraw the report" not in shown
    refused = client.post(f"/reports/track/{token}/withdraw/", follow=True).content.decode()
    assert "it can no longer be withdrawn" in refused
    report.refresh_from_db()
    assert report.status == Status.VERIFYING and report in selectors.staff_queue(citizen["officer"])
    assert not report.events.filter(action="withdraw").exists()


def test_only_the_tracking_link_withdraws(client, citizen):
    report, token = submit(citizen)
    other, _other_token = submit(citizen, ip="198.51.100.21")
    assert client.post(f"/reports/track/{'x' * 40}/withdraw/").status_code == 404
    # the staff's generic action form never offers it, and an officer cannot make it
    with pytest.raises(Exception, match="may not|not possible|Unknown"):
        services.report_transition(report=other, action="withdraw", actor=citizen["coordinator"])
    assert Report.objects.get(pk=other.pk).status == Status.NEW
    client.post(f"/reports/track/{token}/withdraw/")
    assert Report.objects.get(pk=report.pk).status == Status.WITHDRAWN
    assert Report.objects.get(pk=other.pk).status == Status.NEW
