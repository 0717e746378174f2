"""KMZB deadlines: take up within the category's window (48 h by default), verify within its window (5 days)
after taking up; a reminder to the officer 6 h before each deadline; overdue marked at the deadline and
notified to the officer and the unit's coordinators. Exactly one notification per event, whatever runs the
sweep twice, after a downtime, or on two workers at once. A broker that is down loses no notification."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core import mail
from django.db import connection
from django.db.models import QuerySet

from incidents import services
from incidents.models import Category, District, Report, ReportEvent
from portal import roles
from portal import services as portal_services
from portal.celery import app as celery_app
from portal.models import ActivityLog, Country, Municipality, Notification, PoliceUnit

from .concurrency import run_at_once

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
IN_DISTRICT = Point(12.92, 49.44, srid=4326)
OUTSIDE_DISTRICTS = Point(12.98, 49.48, srid=4326)  # in the town, in no district


def _area(*bbox) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox(bbox), srid=4326)


@pytest.fixture
def place(db, make_user, police_unit):
    """A town served by the unit, one district in it with its officer, the unit's coordinator, and a
    coordinator of another unit who must never hear of these reports."""
    town = Municipality.objects.create(
        country=Country.CZ, code="553425", name="Domažlice", boundary=_area(12.85, 49.40, 13.00, 49.50)
    )
    police_unit.municipalities.add(town)
    district = District.objects.create(
        code="cz-553425-1",
        name="Domažlice – střed",
        area=_area(12.90, 49.42, 12.95, 49.46),
        police_unit=police_unit,
        municipality=town,
    )
    officer = make_user(email="officer@example.org", roles=[roles.OFFICER], police_unit=police_unit)
    district.officers.add(officer)
    coordinator = make_user(
        email="coordinator@example.org", roles=[roles.COORDINATOR], police_unit=police_unit
    )
    other_unit = PoliceUnit.objects.create(code="other", name="Other unit", country=Country.CZ)
    make_user(email="elsewhere@example.org", roles=[roles.COORDINATOR], police_unit=other_unit)
    category = Category.objects.create(
        code="vandalism",
        group="public_order",
        name_cs="vandalismus",
        name_pl="wandalizm",
        name_en="Vandalism",
    )
    return type(
        "Place",
        (),
        {"district": district, "officer": officer, "coordinator": coordinator, "category": category},
    )


def _submit(place, *, point=IN_DISTRICT, category=None, ip="198.51.100.1", **kwargs) -> Report:
    report, _token = services.report_submit(
        category=category or place.category, point=point, description="Rozbitá lavička", ip=ip, **kwargs
    )
    return report


def _emails(kind: str) -> list[str]:
    """Who got a notification of ``kind``, one entry per row of the outbox (duplicates would show)."""
    return sorted(Notification.objects.filter(kind=kind).values_list("to_email", flat=True))


def _events(report: Report, action: str) -> int:
    return ReportEvent.objects.filter(report=report, action=action).count()


@pytest.mark.django_db
def test_take_up_deadline_reminds_the_officer_then_marks_overdue_for_officer_and_coordinator(place):
    with time_machine.travel(T0, tick=False) as traveller:
        report = _submit(place)
        assert report.take_up_due_at == T0 + timedelta(hours=48) == report.due_at
        assert report.district == place.district and report.assignee == place.officer
        assert _emails("incident_new") == ["coordinator@example.org", "officer@example.org"]

        traveller.move_to(T0 + timedelta(hours=41, minutes=59))
        assert services.deadlines_sweep().total == 0
        traveller.move_to(T0 + timedelta(hours=42))  # 6 h before the deadline
        assert services.deadlines_sweep().take_up_reminders == 1
        assert services.deadlines_sweep().total == 0  # the next minute's run
        assert _emails("incident_reminder") == ["officer@example.org"]  # the officer only

        traveller.move_to(T0 + timedelta(hours=47, minutes=59))
        assert services.deadlines_sweep().total == 0
        report.refresh_from_db()
        assert not report.take_up_overdue
        traveller.move_to(T0 + timedelta(hours=48))
        assert services.deadlines_sweep().take_up_overdue == 1
        assert services.deadlines_sweep().total == 0

    report.refresh_from_db()
    assert report.take_up_overdue and report.status == Report.Status.NEW  # still to be taken up
    assert _emails("incident_overdue") == ["coordinator@example.org", "officer@example.org"]
    assert _emails("incident_reminder") == ["officer@example.org"]
    assert (_events(report, "take_up_reminder"), _events(report, "take_up_overdue")) == (1, 1)
    assert ActivityLog.objects.filter(verb="report.take_up_overdue").count() == 1


@pytest.mark.django_db
def test_taking_up_stops_the_take_up_clock_and_starts_the_verification_clock(place):
    with time_machine.travel(T0, tick=False) as traveller:
        report = _submit(place)
        traveller.move_to(T0 + timedelta(hours=10))
        report = services.report_transition(report=report, action="take_up", actor=place.officer)
        taken_up = T0 + timedelta(hours=10)
        assert report.taken_up_at == taken_up
        assert report.verify_due_at == taken_up + timedelta(days=5) == report.due_at

        traveller.move_to(T0 + timedelta(hours=60))  # past the take-up deadline: no longer counts
        assert services.deadlines_sweep().total == 0
        traveller.move_to(taken_up + timedelta(hours=114))
        assert services.deadlines_sweep().verify_reminders == 1
        traveller.move_to(taken_up + timedelta(hours=120))
        assert services.deadlines_sweep().verify_overdue == 1
        assert services.deadlines_sweep().total == 0

    report.refresh_from_db()
    assert not report.take_up_overdue and report.verify_overdue
    assert _emails("incident_reminder") == ["officer@example.org"]
    assert _emails("incident_overdue") == ["coordinator@example.org", "officer@example.org"]
    assert _events(report, "take_up_overdue") == 0 and _events(report, "verify_overdue") == 1


@pytest.mark.django_db
def test_after_three_days_of_downtime_one_sweep_gives_one_overdue_and_no_stale_reminder(place):
    with time_machine.travel(T0, tick=False) as traveller:
        report = _submit(place)
        traveller.move_to(T0 + timedelta(days=3))
        result = services.deadlines_sweep()
        assert (result.take_up_overdue, result.take_up_reminders) == (1, 0)
        traveller.move_to(T0 + timedelta(days=3, minutes=1))
        assert services.deadlines_sweep().total == 0

    assert _emails("incident_overdue") == ["coordinator@example.org", "officer@example.org"]
    assert _emails("incident_reminder") == []
    assert _events(report, "take_up_reminder") == 0


@pytest.mark.django_db
def test_deadlines_follow_the_category_windows(place):
    quick = Category.objects.create(
        code="unguarded-bathing",
        group="water",
        name_cs="koupání",
        name_pl="kąpielisko",
        name_en="Bathing",
        take_up_hours=12,
        verify_hours=24,
    )
    with time_machine.travel(T0, tick=False) as traveller:
        report = _submit(place, category=quick)
        slow = _submit(place)
        assert report.take_up_due_at == T0 + timedelta(hours=12)
        traveller.move_to(T0 + timedelta(hours=12))
        assert services.deadlines_sweep().take_up_overdue == 1  # the quick one only
        report = services.report_transition(
            report=Report.objects.get(pk=report.pk), action="take_up", actor=place.officer
        )
        assert report.verify_due_at == T0 + timedelta(hours=36)
        traveller.move_to(T0 + timedelta(hours=36))
        result = services.deadlines_sweep()
        assert (result.verify_overdue, result.take_up_overdue) == (1, 0)

    slow.refresh_from_db()
    assert slow.take_up_due_at == T0 + timedelta(hours=48) and not slow.take_up_overdue


@pytest.mark.django_db
def test_a_report_outside_all_districts_goes_to_the_coordinators_only(place):
    with time_machine.travel(T0, tick=False) as traveller:
        report = _submit(place, point=OUTSIDE_DISTRICTS)
        assert report.district is None and report.assignee is None
        assert report.police_unit == place.district.police_unit
        traveller.move_to(T0 + timedelta(hours=42))
        services.deadlines_sweep()
        traveller.move_to(T0 + timedelta(hours=48))
        services.deadlines_sweep()

    for kind in ("incident_new", "incident_reminder", "incident_overdue"):
        assert _emails(kind) == ["coordinator@example.org"], kind


@pytest.mark.django_db
def test_a_reopened_report_gets_a_new_verification_deadline_and_a_new_overdue_notice(place):
    with time_machine.travel(T0, tick=False) as traveller:
        report = services.report_transition(report=_submit(place), action="take_up", actor=place.officer)
        traveller.move_to(T0 + timedelta(days=4, hours=18))
        assert services.deadlines_sweep().verify_reminders == 1
        traveller.move_to(T0 + timedelta(days=5))
        assert services.deadlines_sweep().verify_overdue == 1
        traveller.move_to(T0 + timedelta(days=6))
        report = services.report_transition(
            report=Report.objects.get(pk=report.pk),
            action="not_confirm",
            actor=place.officer,
            public_answer="Nic.",
        )
        traveller.move_to(T0 + timedelta(days=7))
        report = services.report_transition(
            report=report, action="reopen", actor=place.coordinator, public_answer="Prověříme znovu."
        )
        assert report.verify_due_at == T0 + timedelta(days=12) and not report.verify_overdue
        traveller.move_to(T0 + timedelta(days=11, hours=18))
        assert services.deadlines_sweep().verify_reminders == 1
        traveller.move_to(T0 + timedelta(days=12))
        assert services.deadlines_sweep().verify_overdue == 1
        assert services.deadlines_sweep().total == 0

    assert _emails("incident_overdue") == ["coordinator@example.org"] * 2 + ["officer@example.org"] * 2
    assert _emails("incident_reminder") == ["officer@example.org"] * 2
    assert (_events(report, "verify_reminder"), _events(report, "verify_overdue")) == (2, 2)


@pytest.mark.django_db
def test_a_deadline_moved_after_the_sweep_read_it_is_not_marked(place, monkeypatch):
    """The sweep reads the due ids, then claims them: the claim checks the deadline again, so a deadline
    moved in between (a reopen by the coordinator) is not marked overdue."""
    with time_machine.travel(T0, tick=False) as traveller:
        report = services.report_transition(report=_submit(place), action="take_up", actor=place.officer)
        traveller.move_to(T0 + timedelta(days=6))

        original_update = QuerySet.update

        def update_after_a_reopen(queryset, **kwargs):  # the coordinator moves the deadline before the claim
            if queryset.model is Report and kwargs.get("verify_overdue") is True:
                monkeypatch.setattr(QuerySet, "update", original_update)
                Report.objects.filter(pk=report.pk).update(verify_due_at=T0 + timedelta(days=9))
            return original_update(queryset, **kwargs)

        monkeypatch.setattr(QuerySet, "update", update_after_a_reopen)
        assert services.deadlines_sweep().verify_overdue == 0
    report.refresh_from_db()
    assert not report.verify_overdue and _emails("incident_overdue") == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_notify_each_event_once(place):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent sweeps need PostgreSQL: SQLite serialises writers, there is no race to test")
    reports = [_submit(place, ip=f"198.51.100.{n}", now=T0) for n in range(20)]
    outcomes, errors = run_at_once(lambda: services.deadlines_sweep(now=T0 + timedelta(days=3)))

    assert errors == [] and len(outcomes) == 2
    assert sum(o.take_up_overdue for o in outcomes) == len(reports)
    assert sum(o.take_up_reminders for o in outcomes) == 0
    assert ReportEvent.objects.filter(action="take_up_overdue").count() == len(reports)
    assert ActivityLog.objects.filter(verb="report.take_up_overdue").count() == len(reports)
    assert _emails("incident_overdue") == ["coordinator@example.org"] * 20 + ["officer@example.org"] * 20


@pytest.fixture
def broker_down():
    """Celery sends tasks to a Redis that does not answer (port 1), as when the broker is down."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url, conf.broker_transport_options

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:1/0"
    conf.broker_transport_options = {}
    reset_pools()
    yield
    conf.task_always_eager, conf.broker_url, conf.broker_transport_options = saved
    reset_pools()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_report_is_saved_and_its_emails_go_out_later(place, broker_down, caplog):
    report = _submit(place, reporter_email="citizen@example.org")

    assert Report.objects.filter(pk=report.pk).exists()
    pending = Notification.objects.filter(status=Notification.Status.PENDING)
    assert sorted(pending.values_list("kind", "to_email")) == [
        ("incident_new", "coordinator@example.org"),
        ("incident_new", "officer@example.org"),
        ("incident_received", "citizen@example.org"),
    ]
    assert mail.outbox == []
    assert "the sweep will send it" in caplog.text

    # The broker is back: the beat task of the outbox sends what is due
    celery_app.conf.task_always_eager = True
    assert portal_services.notifications_send_due() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "citizen@example.org",
        "coordinator@example.org",
        "officer@example.org",
    ]
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
    assert portal_services.notifications_send_due() == 0
