"""The deadline sweep sent through a real Redis broker to a real Celery worker: twice, and once while another
process sweeps directly, and still one overdue notification per recipient (runs where REDIS_URL is set, i.e.
the PostGIS + Redis run of .ci/run)."""

import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core import mail
from django.db import connections
from django.utils import timezone

from incidents import services, tasks
from incidents.models import Category, District, Report, ReportEvent
from portal import roles
from portal.celery import app
from portal.models import Notification
from tests.conftest import redis_url

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not redis_url(), reason="needs REDIS_URL (run by .ci/run on PostGIS + Redis)"),
]


def _wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_sweeps_through_redis_and_a_worker_notify_each_overdue_report_once(make_user, police_unit):
    assert app.conf.broker_url.startswith("redis://")
    district = District.objects.create(
        code="d1",
        name="Centrum",
        area=MultiPolygon(Polygon.from_bbox((12.90, 49.42, 12.95, 49.46)), srid=4326),
        police_unit=police_unit,
    )
    officer = make_user(email="officer@example.org", roles=[roles.OFFICER], police_unit=police_unit)
    district.officers.add(officer)
    make_user(email="coordinator@example.org", roles=[roles.COORDINATOR], police_unit=police_unit)
    category = Category.objects.create(
        code="vandalism",
        group="public_order",
        name_cs="vandalismus",
        name_pl="wandalizm",
        name_en="Vandalism",
    )
    three_days_ago = timezone.now() - timedelta(days=3)
    reports = [
        services.report_submit(
            category=category, point=Point(12.92, 49.44, srid=4326), ip=f"198.51.100.{n}", now=three_days_ago
        )[0]
        for n in range(5)
    ]
    mail.outbox.clear()

    finished = []

    @task_postrun.connect(weak=False)
    def sweep_finished(sender=None, **kwargs):
        if sender is not None and sender.name == "incidents.tasks.deadlines_sweep":
            finished.append(sender.name)
        connections.close_all()  # the worker thread's connections, before the test database is dropped

    app.control.purge()  # nothing left over from an earlier run in this Redis database
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # One sweep through the broker while another process sweeps directly, at the same time
            direct = threading.Thread(target=lambda: (services.deadlines_sweep(), connections.close_all()))
            tasks.deadlines_sweep.delay()
            direct.start()
            direct.join(timeout=30)
            assert _wait_for(lambda: len(finished) == 1), "the worker did not run the first sweep"
            # And again a minute later, through the broker
            tasks.deadlines_sweep.delay()
            assert _wait_for(lambda: len(finished) == 2), "the worker did not run the second sweep"
            assert _wait_for(
                lambda: not Notification.objects.exclude(status=Notification.Status.SENT).exists()
            ), "the worker did not send the notifications"
    finally:
        task_postrun.disconnect(sweep_finished)

    overdue = sorted(Notification.objects.filter(kind="incident_overdue").values_list("to_email", flat=True))
    assert overdue == ["coordinator@example.org"] * 5 + ["officer@example.org"] * 5
    assert sorted(m.to[0] for m in mail.outbox) == overdue  # sent once each, by the worker
    assert ReportEvent.objects.filter(action="take_up_overdue").count() == 5
    assert all(r.take_up_overdue for r in Report.objects.filter(pk__in=[r.pk for r in reports]))
