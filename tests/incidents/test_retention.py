"""Personal data of threat reports expires: the reporter's email and the hash of their address go
``incidents.reporter_contact`` days after the report closed (supports likewise), the rest of the report stays
for the police and the statistics; many reports are cleared in a few set-based statements."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents import services
from incidents.models import Report, Support
from portal import retention
from tests.incidents.citizen_helpers import IN_DISTRICT, citizen_fixture, point  # noqa: F401

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")
START = datetime(2026, 3, 2, 10, 0, tzinfo=PRAGUE)


def closed_report(citizen, email="reporter@example.org") -> Report:
    report, _token = services.report_submit(
        category=citizen["dumping"],
        point=point(IN_DISTRICT),
        description="rubbish behind the garages",
        reporter_email=email,
        language="en",
        ip="198.51.100.20",
    )
    officer = citizen["officer"]
    for action in ("take_up", "joke"):
        report.refresh_from_db()
        services.report_transition(report=report, action=action, actor=officer, public_answer="Checked.")
    report.refresh_from_db()
    return report


def test_the_reporters_contact_goes_180_days_after_the_report_closed(citizen):
    with time_machine.travel(START, tick=False):
        report = closed_report(citizen)
        Support.objects.create(report=report, ip_hash="a" * 64)
        open_one, _ = services.report_submit(
            category=citizen["dumping"],
            point=point(IN_DISTRICT),
            description="another",
            reporter_email="open@example.org",
            language="en",
            ip="198.51.100.21",
        )
    assert report.reporter_email and report.ip_hash and report.closed_at
    with time_machine.travel(START + timedelta(days=179), tick=False):
        done = retention.purge()
    assert done["incidents.reporter_contact"] == 0 and done["incidents.supports"] == 0
    assert Report.objects.get(pk=report.pk).reporter_email == "reporter@example.org"

    with time_machine.travel(START + timedelta(days=181), tick=False):
        done = retention.purge()
    assert done["incidents.reporter_contact"] == 1 and done["incidents.supports"] == 1
    cleared = Report.objects.get(pk=report.pk)
    assert (cleared.reporter_email, cleared.ip_hash) == ("", "")
    # the rest of the report stays: the police's record, the public answer, the statistics
    assert cleared.description == "rubbish behind the garages" and cleared.status == "joke_or_mistake"
    assert cleared.public_answer == "Checked." and cleared.support_count == report.support_count
    assert cleared.reference == report.reference and cleared.events.count() == report.events.count()
    assert not Support.objects.filter(report=report).exists()
    # an open report keeps its reporter's contact, however old
    assert Report.objects.get(pk=open_one.pk).reporter_email == "open@example.org"


def test_a_deployment_sets_its_own_days(citizen, settings):
    with time_machine.travel(START, tick=False):
        report = closed_report(citizen)
    settings.RETENTION_DAYS = {"incidents.reporter_contact": 30}
    with time_machine.travel(START + timedelta(days=31), tick=False):
        assert retention.purge()["incidents.reporter_contact"] == 1
    assert Report.objects.get(pk=report.pk).reporter_email == ""


def test_many_closed_reports_are_cleared_in_a_few_statements(citizen, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False):
        report = closed_report(citizen)
    fields = {
        f.attname: getattr(report, f.attname)
        for f in Report._meta.concrete_fields
        if f.attname not in ("id", "reference", "token_hash", "submission_key")
    }
    Report.objects.bulk_create(
        Report(**{**fields, "reference": f"T{i:03d}-AAAA"[:9], "token_hash": f"{i:064d}"}) for i in range(120)
    )
    policy = next(p for p in retention.policies() if p.name == "incidents.reporter_contact")
    # per batch: select the ids, update them (+ savepoints); 121 rows in batches of 50 = 3 batches
    with django_assert_max_num_queries(12):
        assert retention._purge_one(policy, START + timedelta(days=200), 50) == 121
    assert not Report.objects.exclude(reporter_email="").exists()
